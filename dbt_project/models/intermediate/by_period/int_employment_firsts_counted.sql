-- One row per year, region (at every level), employment indicator and month: how many
-- persons count there for the first time that month. Cumulative distinct counts are
-- running sums of these; a person placed twice counts once, and a person in two
-- destination categories counts once in each.
--
-- The lineage (int_employment_firsts_by_file) summed over files: each person's first
-- placement is found once, for both (int_employment_person_firsts); counting it a second
-- time here made two 10M-row aggregations run side by side (BENCHMARKS.md).
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): the months from
-- the earliest changed one on are recomputed.
{{ config(meta={'period_column': 'first_period'}) }}
with firsts as (
    select * from {{ ref('int_employment_firsts_by_file') }}
    {% if is_incremental() %}
        where first_period >= {{ changed_from() }}
    {% endif %}
)

select
    year,
    region_code,
    indicator,
    first_period,
    cast(sum(persons) as bigint) as persons
from firsts
group by year, region_code, indicator, first_period
