-- One row per year, region (at every level), indicator and person: the first reporting
-- month in which the person counts for that indicator. Cumulative distinct counts follow
-- by counting firsts up to a month; a person placed twice counts once, and a person in
-- two destination categories counts once in each.
{% set measures = {
    'employed_persons': 'true',
    'employed_poverty_persons': 'is_poverty',
    'employed_guangdong_persons': "destination_category = '广东省'",
    'employed_guangdong_poverty_persons': "destination_category = '广东省' and is_poverty",
    'employed_other_east_persons': "destination_category = '东部其他省份'",
    'employed_other_east_poverty_persons': "destination_category = '东部其他省份' and is_poverty",
    'employed_in_province_persons': "destination_category = '省内就近'",
    'employed_in_province_poverty_persons': "destination_category = '省内就近' and is_poverty",
    'employed_organized_persons': "channel = '有组织输出'",
} %}
with placements as (
    select * from {{ ref('stg_raw__placements') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

measured as (
    {% for indicator, condition in measures.items() %}
        select period, person_key, origin_code, '{{ indicator }}' as indicator
        from placements
        where {{ condition }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    left(m.period, 4)::integer as year,
    a.ancestor_code as region_code,
    m.indicator,
    m.person_key,
    min(m.period) as first_period
from measured as m
inner join ancestors as a on m.origin_code = a.region_code
group by 1, 2, 3, 4
