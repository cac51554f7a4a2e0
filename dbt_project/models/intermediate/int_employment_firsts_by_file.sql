-- One row per year, region (at every level), employment indicator, month and file: how
-- many persons count there for the first time that month *in that file* – the lineage
-- of the distinct-person figures (marts/metric_lineage). A person's first placement of
-- the year is the earliest by month, then by file path; a region counts the person
-- from the first placement in any of its counties. Summed over files this is
-- int_employment_firsts_counted, row for row (tests/assert_lineage_adds_up.sql).
--
-- Counted as int_employment_firsts_counted is (macros/employment_measures.sql: one-county
-- persons counted per county and added up the ancestors), with the month and file path
-- as one sortable key; rebuilt whole each run.
with placements as (
    select
        *,
        left(period, 4)::integer as year,
        -- month and file as one key: its minimum is the first placement, file included
        period || source_path as first_key
    from {{ ref('stg_raw__placements') }}
),

county_regions as (
    -- each county and the regions holding it (itself, its city, its province)
    select region_code as county_code, ancestor_code as region_code
    from {{ ref('int_region_ancestors') }}
),

{{ person_firsts('placements', 'first_key') }},

{{ firsts_per_unit('county_regions', ['region_code']) }}

select
    year,
    region_code,
    indicator,
    left(first_key, 7) as first_period,
    substr(first_key, 8) as source_path,
    cast(sum(persons) as bigint) as persons
from firsts
group by year, region_code, indicator, first_key
