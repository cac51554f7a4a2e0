-- One row per large relocation site (易地扶贫搬迁安置区) and its paired school (annex 2),
-- with the county resolved from the site name's leading county name. paired_school is
-- NULL where the notice published none (忻城县聚福新城安置区).
with sites as (
    select * from {{ ref('stg_reference__school_relocation_site_pairings') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

cities as (
    select * from regions where region_level = 'city' and left(region_code, 2) = '45'
),

matched as (
    select
        s.seq,
        r.region_code,
        r.region_name,
        row_number() over (partition by s.seq order by length(r.short_name) desc) as rn
    from sites as s
    inner join cities as c on s.city_name = c.region_name
    inner join regions as r
        on
            r.city_code = c.region_code
            and (
                left(s.relocation_site, length(r.short_name)) = r.short_name
                or left(s.relocation_site, length(r.region_name)) = r.region_name
            )
)

select
    s.seq,
    s.city_name,
    s.relocation_site,
    m.region_code as county_code,
    m.region_name as county_name,
    s.scale,
    s.paired_school
from sites as s
left join matched as m on s.seq = m.seq and m.rn = 1
