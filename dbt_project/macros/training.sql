{# The training counts, shared by int_training_cumulated (per region) and
   int_training_by_programme (per region and 培训项目). #}

{# CTEs `spans` and `enrolments` (continuing a WITH list): one row per period, class and
   trainee, the report standing in that period. A period counts each trainee of a class
   once, with their latest report up to it; classes count in the year they start. Each
   report holds from its month until the trainee's next report in that class, so a
   period joins the report whose span covers it. `same_year=false` keeps the classes
   of earlier years too (follow-up duties outlive the year of their class). #}
{% macro training_enrolments(trainings, periods, same_year=true) -%}
spans as (
    -- one row per class, trainee and month: the month's last report (load order, then
    -- row), the only one whose next report is in another month - which is when it stops
    -- holding
    select *
    from (
        select
            *,
            lead(period) over (
                partition by class_id, person_key order by period, load_id, source_sheet, source_row
            ) as next_period
        from {{ trainings }}
    ) as reports
    where next_period is distinct from period
),

enrolments as (
    select
        p.period,
        t.class_id,
        t.programme,
        t.person_key,
        t.origin_code,
        t.is_poverty,
        t.is_monitored,
        t.is_order_training,
        t.completed,
        t.certificate,
        t.employed_after,
        t.employed_in_trade,
        t.start_date,
        t.end_date,
        t.trade,
        t.training_type,
        t.training_days,
        t.attendance_days,
        t.is_project_based,
        t.signed_contract
    from {{ periods }} as p
    inner join spans as t
        on
            t.period <= p.period
            and (t.next_period is null or p.period < t.next_period)
            {% if same_year %}and year(t.start_date) = p.year{% endif %}
)
{%- endmacro %}

{# The counts of a group of enrolments `e`. #}
{% macro training_counts() -%}
    count(distinct e.class_id) as classes,
    count(distinct e.class_id) filter (where e.is_order_training) as order_classes,
    count(*) as enrolled,
    count(*) filter (where e.is_order_training) as order_enrolled,
    count(distinct e.person_key) as persons,
    count(*) filter (where e.is_poverty) as poverty_enrolled,
    count(*) filter (where e.completed) as completed,
    count(*) filter (where e.completed and coalesce(e.certificate, '无') <> '无') as certified,
    count(*) filter (where e.completed and e.employed_after) as employed_after,
    count(*) filter (where e.completed and e.employed_after and e.employed_in_trade) as employed_in_trade
{%- endmacro %}

{# The training indicators from those counts: (indicator, expression) pairs for long_rows. #}
{% macro training_values() -%}
    {{ return([
        ('training_classes', 'classes'),
        ('training_person_times', 'enrolled'),
        ('training_poverty_person_times', 'poverty_enrolled'),
        ('training_persons', 'persons'),
        ('training_order_classes', 'order_classes'),
        ('training_order_person_times', 'order_enrolled'),
        ('training_completion_rate', pct_half_up('completed', 'enrolled')),
        ('training_certificate_rate', pct_half_up('certified', 'completed')),
        ('training_employment_rate', pct_half_up('employed_after', 'completed')),
        ('training_in_trade_rate', pct_half_up('employed_in_trade', 'employed_after')),
    ]) }}
{%- endmacro %}


{# CTE `subsidised` (continuing a WITH list after `enrolments` and a CTE `rules` of
   stg_reference__policy_rules with `ancestors`): each enrolment with the subsidies due
   under the rule in force on the class's start date for the trainee's region (the
   latest 生效日期 on or before it). Days are whole days of min(出勤天数, 培训天数). The
   就业技能培训补贴 is for a 脱贫劳动力 in a 项目制 class who signed a contract with the
   workshop, capped per person per class; the 生活费补贴 for 项目制 就业技能 or 创业 training,
   uncapped (桂人社发〔2022〕7号). #}
{% macro subsidised_enrolments() -%}
rule_in_force as (
    select
        e.period,
        e.class_id,
        e.person_key,
        r.subsidy_type,
        r.unit_amount,
        r.cap_amount,
        row_number() over (
            partition by e.period, e.class_id, e.person_key, r.subsidy_type
            order by r.valid_from desc
        ) as newest
    from enrolments as e
    inner join ancestors as a on e.origin_code = a.region_code
    inner join rules as r
        on
            r.region_code = a.ancestor_code
            and r.valid_from <= e.start_date
            and (r.valid_to is null or e.start_date <= r.valid_to)
),

subsidised as (
    select
        e.*,
        floor(least(coalesce(e.attendance_days, 0), e.training_days))::integer as subsidy_days,
        t.unit_amount * floor(least(coalesce(e.attendance_days, 0), e.training_days)) as training_due,
        t.cap_amount as training_cap,
        l.unit_amount * floor(least(coalesce(e.attendance_days, 0), e.training_days)) as living_due
    from enrolments as e
    left join rule_in_force as t
        on
            t.period = e.period and t.class_id = e.class_id and t.person_key = e.person_key
            and t.subsidy_type = '就业技能培训补贴' and t.newest = 1
            and e.is_poverty and e.is_project_based and e.signed_contract
    left join rule_in_force as l
        on
            l.period = e.period and l.class_id = e.class_id and l.person_key = e.person_key
            and l.subsidy_type = '生活费补贴' and l.newest = 1
            and e.is_project_based and e.training_type in ('就业技能培训', '创业培训')
)
{%- endmacro %}
