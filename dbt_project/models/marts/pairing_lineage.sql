-- Where each distinct-person employment figure of `pairing_metrics` comes from: one row per
-- period, pairing (帮扶方, 结对类型; a helper's 合计 too), indicator and file, with the
-- persons that file contributes - those first counted there within the pairing's union of
-- recipient counties (the earliest placement of the year, by month, then file path). For a
-- period the contributions sum to the pairing's figure (a dbt test).
with pairings as (
    select * from {{ ref('dim_pairings') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

placements as (
    -- the period (YYYY-MM, 7 characters) and the file as one key: its minimum is the
    -- first placement, file included
    select *, left(period, 4)::integer as year, period || source_path as first_key
    from {{ ref('stg_raw__placements') }}
),

{{ pairing_units_covered('pairings', 'ancestors', 'regions', 'periods') }},

{{ person_firsts('placements', 'first_key') }},

{{ firsts_per_unit('covered', ['pairing_type', 'helper_name'], by_year=true) }},

by_file as (
    select
        pairing_type,
        helper_name,
        year,
        indicator,
        left(first_key, 7) as file_period,
        substr(first_key, 8) as file,
        cast(sum(persons) as bigint) as persons
    from firsts
    group by pairing_type, helper_name, year, indicator, first_key
)

select
    p.period,
    f.pairing_type,
    f.helper_name,
    f.indicator,
    f.file,
    f.file_period,
    f.persons as contribution
from periods as p
inner join by_file as f on p.year = f.year and f.file_period <= p.period
