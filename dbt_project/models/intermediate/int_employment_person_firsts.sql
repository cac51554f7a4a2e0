-- One row per year, origin county and person placed from it that year (person-level,
-- pseudonymised; never published): in how many counties the person was placed that year,
-- and per distinct-person employment indicator the first placement that counts for it,
-- as the key of its file (int_placement_files_ranked: by month, then path; null: none
-- counts). Computed once for the lineage of the regions (int_employment_firsts_by_file)
-- and of the pairings (int_pairing_firsts_by_file).
--
-- Incremental (macros/changed_periods.sql): the pre-hook deletes the years after the
-- earliest changed month and, in its year, every person whose rows may change; this
-- recomputes those persons from all their placements of the year. A December run at
-- 10M rows thus groups December's persons, not the year's (BENCHMARKS.md).
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook='{{ delete_changed_persons() }}',
) }}
with files as (
    select * from {{ ref('int_placement_files_ranked') }}
),

placements as (
    select
        p.*,
        left(p.period, 4)::integer as year,
        f.file_rank
    from {{ ref('stg_raw__placements') }} as p
    inner join files as f on p.period = f.period and p.source_path = f.source_path
    {% if is_incremental() %}
        where left(p.period, 4)::integer >= cast(left({{ changed_from() }}, 4) as integer)
    {% endif %}
)

select
    year,
    origin_code,
    person_key,
    count(*) over (partition by year, person_key) as origins,
    {% for indicator, condition in employment_measures().items() %}
        min(case when {{ condition }} then file_rank end) as {{ indicator }}
        {%- if not loop.last %},{% endif %}
    {% endfor %}
from placements
{% if is_incremental() %}
    -- the persons the pre-hook left have all their rows: they are not recomputed
    where not exists (
        select 1 from {{ this }} as t
        where t.year = placements.year and t.person_key = placements.person_key
    )
{% endif %}
group by year, origin_code, person_key
