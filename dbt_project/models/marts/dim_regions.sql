-- One row per administrative division in use today, with its parents and short name.
with regions as (
    select * from {{ ref('int_regions_resolved') }}
)

select
    r.region_code,
    r.region_name,
    r.region_level,
    r.short_name,
    r.city_code,
    city.region_name as city_name,
    r.province_code,
    province.region_name as province_name
from regions as r
left join regions as city on r.city_code = city.region_code
left join regions as province on r.province_code = province.region_code
