-- One row per period, region and training indicator (counts and rates), cumulative
-- from 1 January; trainees attributed to their 户籍地 county.
--
-- A period counts each trainee of a class once, with their latest report up to that
-- period (a class reported again in a later month updates 结业/取证/就业, it does not add
-- a person-time); classes count in the year they start. Each report holds from its month
-- until the trainee's next report in that class, so a period joins the report whose span
-- covers it, rather than ranking every report against every later period.
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a period's counts depend on the
-- reports up to it, so a run recomputes the periods from the earliest changed month on.
-- int_periods_listed is a source too: a month with placements only still counts the
-- trainees' standing reports. The per-period trainee rows are a step of this model, not a
-- table: written and tested on their own they would be the largest table of the build.

with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

spans as (
    -- one row per class, trainee and month: the month's last report (load order, then
    -- row), the only one whose next report is in another month - which is when it stops
    -- holding (one window: ranking within the month first, then finding the next month,
    -- cost 7% more)
    select * exclude (next_report), next_report as next_period
    from (
        select
            *,
            lead(period) over (
                partition by class_id, person_key order by period, load_id, source_sheet, source_row
            ) as next_report
        from trainings
    ) as reports
    where next_report is distinct from period
),

enrolments as (
    -- one row per period, class and trainee: the report standing in that period
    select
        p.period,
        t.class_id,
        t.person_key,
        t.origin_code,
        t.is_poverty,
        t.is_order_training,
        t.completed,
        t.certificate,
        t.employed_after,
        t.employed_in_trade
    from periods as p
    inner join spans as t
        on
            t.period <= p.period
            and (t.next_period is null or p.period < t.next_period)
            and year(t.start_date) = p.year
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

counted as (
    select
        e.period,
        a.ancestor_code as region_code,
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
    from enrolments as e
    inner join ancestors as a on e.origin_code = a.region_code
    group by 1, 2
)

select period, region_code, indicator, value
from counted
cross join lateral (
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
) as v (indicator, value)  -- noqa: AL05
