-- One row per period, region and workshop indicator: the period month's own stock
-- (workshops reporting that month and their headcount), never added over months.
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a period's stock comes from
-- that period's reports alone.

with workshops as (
    select *, {{ workshop_kinds() }}
    from {{ ref('stg_raw__workshops') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

counted as (
    select
        w.period,
        a.ancestor_code as region_code,
        {{ workshop_counts() }}
    from workshops as w
    inner join ancestors as a on w.location_code = a.region_code
    group by 1, 2
)

{{ long_rows('counted', ['period', 'region_code'], workshop_values()) }}
