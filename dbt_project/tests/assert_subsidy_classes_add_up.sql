{{ config(meta={"dagster": {"ref": {"name": "subsidy_by_class"}}}) }}
-- The classes listed behind the subsidy figures add up to each county's figures.
with classes as (
    select
        period,
        region_code,
        sum(training_amount) as training_amount,
        sum(living_amount) as living_amount
    from {{ ref('subsidy_by_class') }}
    group by 1, 2
),

figures as (
    select
        period,
        region_code,
        max(value) filter (where indicator = 'subsidy_training_amount') as training_amount,
        max(value) filter (where indicator = 'subsidy_living_amount') as living_amount
    from {{ ref('metrics') }}
    where region_level = 'county' and indicator like 'subsidy_%'
    group by 1, 2
)

select f.*, c.training_amount as classes_training, c.living_amount as classes_living
from figures as f
left join classes as c on f.period = c.period and f.region_code = c.region_code
where
    coalesce(c.training_amount, 0) <> f.training_amount
    or coalesce(c.living_amount, 0) <> f.living_amount
