-- One row per loaded file version: the county most of its loaded rows belong to (origin
-- for persons, location for workshops, departure for transports; the lowest code on a
-- tie), so a county's workbook and the dashboard can list its own files.
{% set located = {
    'placements': 'origin_code',
    'trainings': 'origin_code',
    'workshops': 'location_code',
    'transports': 'departure_code',
    'followups': 'origin_code',
} %}
with rows_by_county as (
    {% for kind, code in located.items() %}
        select load_id, {{ code }} as region_code, count(*) as n_rows
        from {{ ref('stg_raw__' ~ kind) }}
        where {{ code }} is not null
        group by load_id, {{ code }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ranked as (
    select
        load_id,
        region_code,
        row_number() over (partition by load_id order by n_rows desc, region_code) as rank_in_file
    from rows_by_county
)

select load_id, region_code
from ranked
where rank_in_file = 1
