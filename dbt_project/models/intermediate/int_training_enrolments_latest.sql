-- One row per period, class and trainee: the trainee's latest report up to that period
-- (a class reported again in a later month updates 结业/取证/就业, it does not add a
-- person-time). Classes count in the year they start.
--
-- Each report holds from its month until the trainee's next report in that class, so
-- periods join the report whose span covers them (ranking every report against every
-- later period was 3× slower at 10M rows).
with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

reports as (
    -- one row per class, trainee and month: the month's last report (load order, row)
    select * from trainings
    qualify row_number() over (
        partition by class_id, person_key, period
        order by load_id desc, source_row desc
    ) = 1
),

spans as (
    select
        *,
        lead(period) over (partition by class_id, person_key order by period) as next_period
    from reports
)

select
    p.period,
    t.class_id,
    t.person_key,
    t.origin_code,
    t.is_poverty,
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
