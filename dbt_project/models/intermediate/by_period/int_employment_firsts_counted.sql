-- One row per year, region (at every level), employment indicator and month: how many
-- persons count there for the first time that month. Cumulative distinct counts are
-- running sums of these; a person placed twice counts once, and a person in two
-- destination categories counts once in each.
--
-- Each person's first month per indicator is found in one pass over the placements
-- (one `min(...) filter` per indicator), grouped by year, origin county and person.
-- Most persons come from one county in a year: they are counted per county and month,
-- and the counts are added up the ancestors. Only a person placed from two counties has
-- to be grouped again per ancestor, where the earlier county's month wins. Months are
-- small integers within the year, not 'YYYY-MM' strings. (Grouping every person at every
-- level, or a union of filtered copies per level, is the obvious alternative and several
-- times slower; BENCHMARKS.md.)
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a person's first month can
-- only change in or after the earliest changed month, and only for persons placed in a
-- month from then on; so a run recomputes the rows from that month on, over those
-- persons' placements of the whole year (adding December: December's persons, not the
-- whole year's).
{{ config(meta={'period_column': 'first_period'}) }}
{% set measures = employment_measures() %}
-- `changed` is used only by the incremental branches below
with changed as (  -- noqa: ST03
    select {{ changed_from() }} as from_period
),

placements as (
    select
        *,
        left(period, 4)::integer as year,
        right(period, 2)::tinyint as month
    from {{ ref('stg_raw__placements') }}
    {% if is_incremental() %}
        where
            period >= (select left(from_period, 4) || '-01' from changed)
            and person_key in (
                select person_key from {{ ref('stg_raw__placements') }}
                where period >= (select from_period from changed)
            )
    {% endif %}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

origin_firsts as (
    -- one row per year, origin county and person; a column per indicator (null: never
    -- counts there), and in how many counties the person was placed that year
    select
        year,
        origin_code,
        person_key,
        count(*) over (partition by year, person_key) as origins,
        {% for indicator, condition in measures.items() %}
            min(month) filter (where {{ condition }}) as {{ indicator }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from placements
    group by year, origin_code, person_key
),

one_county_rows as (
    select year, origin_code, {{ measures.keys() | join(', ') }}
    from origin_firsts
    where origins = 1
),

-- one row per indicator a person counts for (unpivot leaves out the nulls)
one_county_firsts as (
    {{ unpivot_columns('select * from one_county_rows', measures.keys(), 'indicator', 'first_month') }}
),

one_county_counted as (
    select year, origin_code, indicator, first_month, count(*) as persons
    from one_county_firsts
    group by all
),

several_counties_rows as (
    -- a region counts such a person once, from the earliest month in any of its counties
    select
        o.year,
        a.ancestor_code as region_code,
        o.person_key,
        {% for indicator in measures %}
            min(o.{{ indicator }}) as {{ indicator }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from origin_firsts as o
    inner join ancestors as a on o.origin_code = a.region_code
    where o.origins > 1
    -- by position: the measure columns come from a loop
    group by 1, 2, 3  -- noqa: AM06
),

several_counties_firsts as (
    {{ unpivot_columns('select * from several_counties_rows', measures.keys(), 'indicator', 'first_month') }}
),

firsts as (
    select c.year, a.ancestor_code as region_code, c.indicator, c.first_month, c.persons
    from one_county_counted as c
    inner join ancestors as a on c.origin_code = a.region_code
    union all
    select year, region_code, indicator, first_month, 1 as persons
    from several_counties_firsts
)

select
    year,
    region_code,
    indicator,
    printf('%04d-%02d', year, first_month) as first_period,
    sum(persons)::bigint as persons
from firsts
{% if is_incremental() %}
    where year * 100 + first_month >= (
        select left(from_period, 4)::integer * 100 + right(from_period, 2)::integer from changed
    )
{% endif %}
group by year, region_code, indicator, first_month
