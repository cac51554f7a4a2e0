-- One row per year, region (at every level), employment indicator, month and file: how
-- many persons count there for the first time that month *in that file* – the lineage
-- of the distinct-person figures (marts/metric_lineage). A person's first placement of
-- the year is the earliest by month, then by file path; a region counts the person
-- from the first placement in any of its counties. int_employment_firsts_counted sums
-- it over files.
--
-- From each person's first file (int_employment_person_firsts): persons placed from one
-- county are counted per county and added up the ancestors, only persons placed from
-- several counties are grouped again (macros/employment_measures.sql).
--
-- Incremental by period (folder by_period): a person's firsts before the earliest
-- changed month cannot change, so only the persons with a first from then on are read
-- (person_firsts_since_changed, macros/changed_periods.sql) and their months kept.
{{ config(meta={'period_column': 'first_period'}) }}
with person_firsts as (
    {{ person_firsts_since_changed() }}
),

files as (
    select * from {{ ref('int_placement_files_ranked') }}
),

county_regions as (
    -- each county and the regions holding it (itself, its city, its province)
    select region_code as county_code, ancestor_code as region_code
    from {{ ref('int_region_ancestors') }}
),

{{ firsts_per_unit('county_regions', ['region_code']) }}

select
    f.year,
    f.region_code,
    f.indicator,
    r.period as first_period,
    r.source_path,
    cast(sum(f.persons) as bigint) as persons
from firsts as f
inner join files as r on f.first_key = r.file_rank
{% if is_incremental() %}
    where r.period >= {{ changed_from() }}
{% endif %}
group by f.year, f.region_code, f.indicator, r.period, r.source_path
