-- One row per year, pairing (帮扶方, 结对类型; a helper's 合计 too), distinct-person
-- employment indicator, month and file: the persons first counted in the pairing that
-- month in that file, within the union of its recipient counties in force that year (a
-- person placed from two of them counts once, from the earlier placement). The
-- employment figures of pairing_metrics and the lineage in pairing_lineage both add
-- these up. Incremental by period, as int_employment_firsts_by_file.
{{ config(meta={'period_column': 'file_period'}) }}
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

person_firsts as (
    {{ person_firsts_since_changed() }}
),

files as (
    select * from {{ ref('int_placement_files_ranked') }}
),

{{ pairing_units_covered('pairings', 'ancestors', 'regions', 'periods') }},

{{ firsts_per_unit('covered', ['pairing_type', 'helper_name'], by_year=true) }}

select
    f.year,
    f.pairing_type,
    f.helper_name,
    f.indicator,
    r.period as file_period,
    r.source_path as file,
    cast(sum(f.persons) as bigint) as persons
from firsts as f
inner join files as r on f.first_key = r.file_rank
{% if is_incremental() %}
    where r.period >= {{ changed_from() }}
{% endif %}
group by f.year, f.pairing_type, f.helper_name, f.indicator, r.period, r.source_path
