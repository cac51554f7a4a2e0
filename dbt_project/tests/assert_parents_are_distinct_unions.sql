{{ config(meta={"dagster": {"ref": {"name": "metrics"}}}) }}
-- A parent's distinct persons lie between its largest child and the sum of its children:
-- a person placed from two counties of one city counts once in the city. A province's
-- children are its cities and the counties it administers directly (省直辖县级单位 such as
-- 济源 or 五指山 have no city); a city's are its counties.
with metrics as (
    select * from {{ ref('metrics') }}
    where indicator = 'employed_persons'
),

regions as (
    select * from {{ ref('dim_regions') }}
),

children as (
    select
        m.period,
        case
            when m.region_level = 'county' then coalesce(r.city_code, r.province_code)
            else r.province_code
        end as parent_code,
        sum(m.value) as child_sum,
        max(m.value) as child_max
    from metrics as m
    inner join regions as r on m.region_code = r.region_code
    where m.region_level in ('county', 'city')
    group by 1, 2
)

select c.*, p.value as parent_value
from children as c
left join metrics as p on p.period = c.period and p.region_code = c.parent_code
where p.value is null or p.value > c.child_sum or p.value < c.child_max
