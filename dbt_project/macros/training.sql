{# The training counts, shared by int_training_cumulated (per region) and
   int_training_by_programme (per region and 培训项目). #}

{# CTEs `spans` and `enrolments` (continuing a WITH list): one row per period, class and
   trainee, the report standing in that period. A period counts each trainee of a class
   once, with their latest report up to it; classes count in the year they start. Each
   report holds from its month until the trainee's next report in that class, so a
   period joins the report whose span covers it. #}
{% macro training_enrolments(trainings, periods) -%}
spans as (
    -- one row per class, trainee and month: the month's last report (load order, then
    -- row), the only one whose next report is in another month - which is when it stops
    -- holding
    select * exclude (next_report), next_report as next_period
    from (
        select
            *,
            lead(period) over (
                partition by class_id, person_key order by period, load_id, source_sheet, source_row
            ) as next_report
        from {{ trainings }}
    ) as reports
    where next_report is distinct from period
),

enrolments as (
    select
        p.period,
        t.class_id,
        t.programme,
        t.person_key,
        t.origin_code,
        t.is_poverty,
        t.is_order_training,
        t.completed,
        t.certificate,
        t.employed_after,
        t.employed_in_trade
    from {{ periods }} as p
    inner join spans as t
        on
            t.period <= p.period
            and (t.next_period is null or p.period < t.next_period)
            and year(t.start_date) = p.year
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

{# The training indicators from those counts, as (indicator, value) rows. #}
{% macro training_values() -%}
    values
    ('training_classes', classes::double),
    ('training_person_times', enrolled::double),
    ('training_poverty_person_times', poverty_enrolled::double),
    ('training_persons', persons::double),
    ('training_order_classes', order_classes::double),
    ('training_order_person_times', order_enrolled::double),
    ('training_completion_rate', {{ pct_half_up('completed', 'enrolled') }}),
    ('training_certificate_rate', {{ pct_half_up('certified', 'completed') }}),
    ('training_employment_rate', {{ pct_half_up('employed_after', 'completed') }}),
    ('training_in_trade_rate', {{ pct_half_up('employed_in_trade', 'employed_after') }})
{%- endmacro %}
