-- One row per period, region and transport indicator: organised trips (班次) and the
-- seats filled (人次, 其中脱贫劳动力人次) from 1 January to the period end, in all and by
-- direction (返岗 / 返乡), attributed to the county of departure and the regions above it.
-- Counts of seats, not of distinct persons: placements with 就业渠道 有组织输出 stay the
-- person count. A region has rows from its first trip of the year on.
with transports as (
    select *, left(period, 4)::integer as year
    from {{ ref('stg_raw__transports') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

counted as (
    select
        p.period,
        a.ancestor_code as region_code,
        {{ transport_counts() }}
    from periods as p
    inner join transports as t on t.year = p.year and t.period <= p.period
    inner join ancestors as a on t.departure_code = a.region_code
    group by 1, 2
)

{{ long_rows('counted', ['period', 'region_code'], transport_values()) }}
