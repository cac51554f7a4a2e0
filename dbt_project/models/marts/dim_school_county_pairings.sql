-- One row per Guangxi priority county and its paired technical school (桂人社发〔2022〕7号
-- annex 1), with the county's code resolved from the short name used in the notice.
with pairings as (
    select * from {{ ref('stg_reference__school_county_pairings') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

cities as (
    select * from regions where region_level = 'city' and left(region_code, 2) = '45'
)

select
    p.seq,
    p.city_name,
    c.region_code as city_code,
    p.county_short_name,
    r.region_code as county_code,
    r.region_name as county_name,
    p.assistance_level,
    p.paired_school
from pairings as p
left join cities as c on p.city_name = c.region_name
left join regions as r
    on
        r.city_code = c.region_code
        and (r.region_name = p.county_short_name or r.short_name = p.county_short_name)
