-- Every region paired with itself and each region above it: the roll-up path.
with regions as (
    select * from {{ ref('int_regions_resolved') }}
)

select region_code, region_code as ancestor_code from regions
union all
select region_code, city_code from regions where city_code is not null
union all
select region_code, province_code from regions where province_code is not null
