-- Divisions in use today with their parents by code (county → city → province).
with divisions as (
    select * from {{ ref('stg_reference__admin_divisions') }}
),

current_divisions as (
    -- a code reused over time appears more than once; the row in use is the one we want
    select
        region_code,
        any_value(region_name) as region_name,
        any_value(region_level) as region_level
    from divisions
    where in_use
    group by region_code
)

select
    d.region_code,
    d.region_name,
    d.region_level,
    {{ short_county_name('d.region_name') }} as short_name,
    case when d.region_level = 'county' then city.region_code end as city_code,
    case when d.region_level in ('county', 'city') then left(d.region_code, 2) || '0000' end as province_code
from current_divisions as d
left join current_divisions as city
    on
        d.region_level = 'county'
        and city.region_code = left(d.region_code, 4) || '00'
        and city.region_level = 'city'
