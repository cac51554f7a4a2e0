-- One row per year, region (at every level), employment indicator and month: how many
-- persons count there for the first time that month. Cumulative distinct counts are
-- running sums of these; a person placed twice counts once, and a person in two
-- destination categories counts once in each.
--
-- Each person's first month per indicator is found in one pass over the placements
-- (one `min(...) filter` per indicator, grouped by year, region and person), then
-- unpivoted and counted. Months are compared as small integers within the year, not as
-- 'YYYY-MM' strings. The earlier form - a union of nine filtered copies of the
-- placements, grouped by person - took 200 s at 10M placements; this one ~20 s.
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
    select
        *,
        left(period, 4)::integer as year,
        right(period, 2)::utinyint as month
    from {{ ref('stg_raw__placements') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

person_firsts as (
    -- one row per year, region and person; a column per indicator (null: never counts)
    select
        p.year,
        a.ancestor_code as region_code,
        p.person_key,
        {% for indicator, condition in measures.items() %}
            min(p.month) filter (where {{ condition }}) as {{ indicator }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from placements as p
    inner join ancestors as a on p.origin_code = a.region_code
    group by 1, 2, 3
),

firsts as (
    -- unpivot leaves out the nulls
    unpivot person_firsts
    on {{ measures.keys() | join(', ') }}
    into name indicator value first_month
)

select
    year,
    region_code,
    indicator,
    printf('%04d-%02d', year, first_month) as first_period,
    count(*) as persons
from firsts
group by year, region_code, indicator, first_month
