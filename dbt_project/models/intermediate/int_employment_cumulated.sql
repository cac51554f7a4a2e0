-- One row per period, region and employment indicator: distinct persons from 1 January
-- to the end of the period (the persons whose first month of the year is on or before
-- it). A region appears from its first placement of the year on; from then, an
-- indicator with no persons yet is a true 0.
with firsts as (
    select * from {{ ref('int_employment_firsts_counted') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

indicators as (
    -- every employment indicator, so one nobody meets yet is a real 0, not missing
    {{ employment_indicators() }}
),

counts as (
    select p.period, f.region_code, f.indicator, sum(f.persons)::bigint as persons
    from periods as p
    inner join firsts as f on f.year = p.year and f.first_period <= p.period
    group by 1, 2, 3
),

active as (
    -- region-periods with at least one placement so far in the year
    select period, region_code from counts where indicator = 'employed_persons'
)

select
    a.period,
    a.region_code,
    i.indicator,
    coalesce(c.persons, 0) as value
from active as a
cross join indicators as i
left join counts as c
    on c.period = a.period and c.region_code = a.region_code and c.indicator = i.indicator
