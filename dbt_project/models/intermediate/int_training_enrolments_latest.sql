-- One row per period, class and trainee: the trainee's latest report up to that period
-- (a class reported again in a later month updates 结业/取证/就业, it does not add a
-- person-time). Classes count in the year they start.
with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
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
inner join trainings as t
    on t.period <= p.period and year(t.start_date) = p.year
qualify row_number() over (
    partition by p.period, t.class_id, t.person_key
    order by t.period desc, t.load_id desc, t.source_row desc
) = 1
