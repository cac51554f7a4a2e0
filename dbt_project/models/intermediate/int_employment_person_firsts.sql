-- One row per year, origin county and person placed from it that year (person-level,
-- pseudonymised; never published): in how many counties the person was placed that year,
-- and per distinct-person employment indicator the first placement that counts for it,
-- as the rank of its file (int_placement_files_ranked: by month, then path; null: none
-- counts). Computed once for the lineage of the regions (int_employment_firsts_by_file)
-- and of the pairings (int_pairing_firsts_by_file); rebuilt whole each run.
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
group by year, origin_code, person_key
