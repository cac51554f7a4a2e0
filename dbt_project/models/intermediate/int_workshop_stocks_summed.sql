-- One row per period, region and workshop indicator: the period month's own stock
-- (workshops reporting that month and their headcount), never added over months.
with workshops as (
    select * from {{ ref('stg_raw__workshops') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

counted as (
    select
        w.period,
        a.ancestor_code as region_code,
        count(distinct w.workshop_id) filter (where coalesce(w.workshop_type, '就业帮扶车间') = '就业帮扶车间') as workshops,
        sum(w.employed) filter (where coalesce(w.workshop_type, '就业帮扶车间') = '就业帮扶车间') as workshop_employed,
        sum(w.poverty_employed) filter (where coalesce(w.workshop_type, '就业帮扶车间') = '就业帮扶车间') as workshop_poverty,
        count(distinct w.workshop_id) filter (where w.workshop_type = '稳岗就业基地') as bases,
        sum(w.employed) filter (where w.workshop_type = '稳岗就业基地') as base_employed
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
) as v (indicator, value)
