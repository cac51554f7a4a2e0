-- One row per year, region (at every level), employment indicator and month: how many
-- persons count there for the first time that month. Cumulative distinct counts are
-- running sums of these; a person placed twice counts once, and a person in two
-- destination categories counts once in each.
--
-- Each person's first month per indicator is found in one pass over the placements,
-- grouped by year, origin county and person; most persons come from one county in a
-- year and are counted per county, the counts added up the ancestors
-- (macros/employment_measures.sql, shared with the lineage and the pairings). Months are
-- small integers within the year, not 'YYYY-MM' strings.
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a person's first month can
-- only change in or after the earliest changed month, and only for persons placed in a
-- month from then on; so a run recomputes the rows from that month on, over those
-- persons' placements of the whole year (adding December: December's persons, not the
-- whole year's).
{{ config(meta={'period_column': 'first_period'}) }}
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

county_regions as (
    -- each county and the regions holding it (itself, its city, its province)
    select region_code as county_code, ancestor_code as region_code
    from {{ ref('int_region_ancestors') }}
),

{{ person_firsts('placements', 'month') }},

{{ firsts_per_unit('county_regions', ['region_code']) }}

select
    year,
    region_code,
    indicator,
    printf('%04d-%02d', year, first_key) as first_period,
    sum(persons)::bigint as persons
from firsts
{% if is_incremental() %}
    where year * 100 + first_key >= (
        select left(from_period, 4)::integer * 100 + right(from_period, 2)::integer from changed
    )
{% endif %}
group by year, region_code, indicator, first_key
