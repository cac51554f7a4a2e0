-- One row per period, region and target indicator: the year's employment target and
-- the share reached so far. Only regions with a target of their own get these rows.
with targets as (
    select * from {{ ref('stg_raw__targets') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

employment as (
    select * from {{ ref('int_employment_cumulated') }}
    where indicator = 'employed_persons'
),

year_targets as (
    select year, region_code, target_value
    from targets
    where indicator = 'employed_persons'
)

select p.period, t.region_code, 'employed_target' as indicator, t.target_value as value
from year_targets as t
inner join periods as p on p.year = t.year
union all
select
    p.period,
    t.region_code,
    'employed_target_rate' as indicator,
    {{ pct_half_up('e.value', 't.target_value') }} as value
from year_targets as t
inner join periods as p on p.year = t.year
left join employment as e on e.period = p.period and e.region_code = t.region_code
