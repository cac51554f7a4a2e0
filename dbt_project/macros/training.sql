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

{# CTEs ending in `training_counted` (continuing a WITH list): the training counts of the enrolment
   rows `source` per period, unit and the `extra` columns of `source` (a 培训项目). A unit
   is a group of counties, as in firsts_per_unit: `units` maps each `county_code` (and
   `year`, when `by_year`) to the units holding it, named by `unit_columns`; trainees
   count in their 户籍地 county. Enrolments are added up per county first, then to the
   units. Distinct classes come from one row per class and county; distinct persons from
   one row per person and county, where a person enrolled from one county that period
   (nearly all) is counted in it and the count added up, and only a person enrolled from
   several is counted again per unit. (A distinct count over every enrolment at every
   unit is the obvious way and several times slower: BENCHMARKS.md.) #}
{% macro training_counted(source, units, unit_columns, extra=[], by_year=false) -%}
{%- set keys = ['period'] + extra -%}
training_enrolled_by_county as (
    select
        {{ prefixed('e', keys) }}, e.origin_code,
        count(*) as enrolled,
        count(*) filter (where e.is_order_training) as order_enrolled,
        count(*) filter (where e.is_poverty) as poverty_enrolled,
        count(*) filter (where e.completed) as completed,
        count(*) filter (where e.completed and coalesce(e.certificate, '无') <> '无') as certified,
        count(*) filter (where e.completed and e.employed_after) as employed_after,
        count(*) filter (where e.completed and e.employed_after and e.employed_in_trade) as employed_in_trade
    from {{ source }} as e
    group by {{ prefixed('e', keys) }}, e.origin_code
),

training_enrolled as (
    select
        {{ prefixed('c', keys) }}, {{ prefixed('u', unit_columns) }},
        cast(sum(c.enrolled) as bigint) as enrolled,
        cast(sum(c.order_enrolled) as bigint) as order_enrolled,
        cast(sum(c.poverty_enrolled) as bigint) as poverty_enrolled,
        cast(sum(c.completed) as bigint) as completed,
        cast(sum(c.certified) as bigint) as certified,
        cast(sum(c.employed_after) as bigint) as employed_after,
        cast(sum(c.employed_in_trade) as bigint) as employed_in_trade
    from training_enrolled_by_county as c
    inner join {{ units }} as u on {{ on_county('u', 'c', by_year) }}
    group by {{ prefixed('c', keys) }}, {{ prefixed('u', unit_columns) }}
),

training_class_counties as (
    -- each class once per county it has trainees from
    select distinct {{ prefixed('e', keys) }}, e.origin_code, e.class_id, e.is_order_training
    from {{ source }} as e
),

training_classes as (
    select
        {{ prefixed('c', keys) }}, {{ prefixed('u', unit_columns) }},
        count(distinct c.class_id) as classes,
        count(distinct c.class_id) filter (where c.is_order_training) as order_classes
    from training_class_counties as c
    inner join {{ units }} as u on {{ on_county('u', 'c', by_year) }}
    group by {{ prefixed('c', keys) }}, {{ prefixed('u', unit_columns) }}
),

training_person_counties as (
    -- each person once per county, and from how many counties they were enrolled
    select
        {{ prefixed('e', keys) }}, e.origin_code,
        e.person_key,
        count(*) over (partition by {{ prefixed('e', keys) }}, e.person_key) as origins
    from {{ source }} as e
    group by {{ prefixed('e', keys) }}, e.origin_code, e.person_key
),

training_one_county_persons as (
    select {{ prefixed('p', keys) }}, p.origin_code, count(*) as persons
    from training_person_counties as p
    where p.origins = 1
    group by {{ prefixed('p', keys) }}, p.origin_code
),

training_persons as (
    select {{ keys | join(', ') }}, {{ unit_columns | join(', ') }}, cast(sum(persons) as bigint) as persons
    from (
        select {{ prefixed('p', keys) }}, {{ prefixed('u', unit_columns) }}, p.persons
        from training_one_county_persons as p
        inner join {{ units }} as u on {{ on_county('u', 'p', by_year) }}
        union all
        select {{ prefixed('p', keys) }}, {{ prefixed('u', unit_columns) }}, count(distinct p.person_key) as persons
        from training_person_counties as p
        inner join {{ units }} as u on {{ on_county('u', 'p', by_year) }}
        where p.origins > 1
        group by {{ prefixed('p', keys) }}, {{ prefixed('u', unit_columns) }}
    ) as parts
    group by {{ keys | join(', ') }}, {{ unit_columns | join(', ') }}
),

training_counted as (
    select
        {{ prefixed('n', keys) }}, {{ prefixed('n', unit_columns) }},
        c.classes,
        c.order_classes,
        n.enrolled,
        n.order_enrolled,
        p.persons,
        n.poverty_enrolled,
        n.completed,
        n.certified,
        n.employed_after,
        n.employed_in_trade
    from training_enrolled as n
    inner join training_classes as c
        on {% for k in keys + unit_columns %}c.{{ k }} = n.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    inner join training_persons as p
        on {% for k in keys + unit_columns %}p.{{ k }} = n.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{%- endmacro %}

{# `a.x, a.y` for alias `a` and names [x, y]. #}
{% macro prefixed(alias, names) -%}
    {%- for c in names %}{{ alias }}.{{ c }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{# The join of units `u` to rows `r` by the rows' origin county (and the period's year). #}
{% macro on_county(u, r, by_year) -%}
    {{ u }}.county_code = {{ r }}.origin_code
    {%- if by_year %} and {{ u }}.year = cast(left({{ r }}.period, 4) as integer){% endif %}
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
    -- the rule depends on the trainee's county and the class's start date only: found
    -- once per (county, start date), not per enrolment
    select
        k.origin_code,
        k.start_date,
        r.subsidy_type,
        r.unit_amount,
        r.cap_amount,
        row_number() over (
            partition by k.origin_code, k.start_date, r.subsidy_type
            order by r.valid_from desc
        ) as newest
    from (select distinct origin_code, start_date from enrolments) as k
    inner join ancestors as a on k.origin_code = a.region_code
    inner join rules as r
        on
            r.region_code = a.ancestor_code
            and r.valid_from <= k.start_date
            and (r.valid_to is null or k.start_date <= r.valid_to)
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
            t.origin_code = e.origin_code and t.start_date = e.start_date
            and t.subsidy_type = '就业技能培训补贴' and t.newest = 1
            and e.is_poverty and e.is_project_based and e.signed_contract
    left join rule_in_force as l
        on
            l.origin_code = e.origin_code and l.start_date = e.start_date
            and l.subsidy_type = '生活费补贴' and l.newest = 1
            and e.is_project_based and e.training_type in ('就业技能培训', '创业培训')
)
{%- endmacro %}
