-- One row per period, region and workshop indicator: the period month's own stock
-- (workshops reporting that month and their headcount), never added over months.
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a period's stock comes from
-- that period's reports alone.

with workshops as (
    select
        *,
        -- a blank 车间类型 is a 就业帮扶车间; 稳岗就业基地 are counted apart
        coalesce(workshop_type, '就业帮扶车间') = '就业帮扶车间' as is_workshop,
        workshop_type = '稳岗就业基地' as is_base
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
        count(distinct w.workshop_id) filter (where w.is_workshop) as workshops,
        sum(w.employed) filter (where w.is_workshop) as workshop_employed,
        sum(w.poverty_employed) filter (where w.is_workshop) as workshop_poverty,
        count(distinct w.workshop_id) filter (where w.is_base) as bases,
        sum(w.employed) filter (where w.is_base) as base_employed
    from workshops as w
    inner join ancestors as a on w.location_code = a.region_code
    group by 1, 2
)

select period, region_code, indicator, value
from counted
cross join lateral (
    values
    ('workshop_count', workshops::double),
    ('workshop_employed', coalesce(workshop_employed, 0)::double),
    ('workshop_poverty_employed', coalesce(workshop_poverty, 0)::double),
    ('base_count', bases::double),
    ('base_employed', coalesce(base_employed, 0)::double)
) as v (indicator, value)  -- noqa: AL05
