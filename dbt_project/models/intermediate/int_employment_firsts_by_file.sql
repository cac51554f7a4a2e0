-- One row per year, region (at every level), employment indicator, month and file: how
-- many persons count there for the first time that month *in that file* – the lineage
-- of the distinct-person figures (marts/metric_lineage). A person's first placement of
-- the year is the earliest by month, then by file path; a region counts the person
-- from the first placement in any of its counties. Summed over files this is
-- int_employment_firsts_counted, row for row (tests/assert_lineage_adds_up.sql).
--
-- Built as int_employment_firsts_counted is (one-county persons counted per county and
-- added up the ancestors; only persons placed from two counties grouped per ancestor),
-- with the month and file path as one sortable key; rebuilt whole each run.
{% set measures = employment_measures() %}
with placements as (
    select
        *,
        left(period, 4) as year,
        -- month and file as one key: its minimum is the first placement, file included
        right(period, 2) || source_path as first_key
    from {{ ref('stg_raw__placements') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

origin_firsts as (
    select
        year,
        origin_code,
        person_key,
        count(*) over (partition by year, person_key) as origins,
        {% for indicator, condition in measures.items() %}
            min(case when {{ condition }} then first_key end) as {{ indicator }}
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

one_county_firsts as (
    {{ unpivot_columns('select * from one_county_rows', measures.keys(), 'indicator', 'first_key') }}
),

one_county_counted as (
    select year, origin_code, indicator, first_key, count(*) as persons
    from one_county_firsts
    group by year, origin_code, indicator, first_key
),

several_counties_rows as (
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
    group by 1, 2, 3  -- noqa: AM06
),

several_counties_firsts as (
    {{ unpivot_columns('select * from several_counties_rows', measures.keys(), 'indicator', 'first_key') }}
),

firsts as (
    select c.year, a.ancestor_code as region_code, c.indicator, c.first_key, c.persons
    from one_county_counted as c
    inner join ancestors as a on c.origin_code = a.region_code
    union all
    select year, region_code, indicator, first_key, 1 as persons
    from several_counties_firsts
)

select
    cast(year as integer) as year,
    region_code,
    indicator,
    year || '-' || left(first_key, 2) as first_period,
    substr(first_key, 3) as source_path,
    cast(sum(persons) as bigint) as persons
from firsts
group by year, region_code, indicator, first_key
