-- One row per region that appears in `metrics`, and each region above it, with its
-- parents and short name: the regions a dashboard's pickers offer, not every division
-- of the country (the full list stays in the build database, int_regions_resolved).
with regions as (
    select * from {{ ref('int_regions_resolved') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

in_data as (
    select distinct a.ancestor_code as region_code
    from (select distinct region_code from {{ ref('metrics') }}) as m
    inner join ancestors as a on m.region_code = a.region_code
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
inner join in_data as d on r.region_code = d.region_code
left join regions as city on r.city_code = city.region_code
left join regions as province on r.province_code = province.region_code
