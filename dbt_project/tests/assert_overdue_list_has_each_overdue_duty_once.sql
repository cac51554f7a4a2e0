{{ config(meta={"dagster": {"ref": {"name": "followup_overdue"}}}) }}
-- The overdue list has one row per overdue duty: as many rows per period and county as
-- int_followup_duties has persons overdue there, each with its masked ID. (The list
-- cannot be keyed by its own columns: two persons of one class can share a masked ID,
-- 452123********1234, as the 1M-row benchmark year showed.)
with listed as (
    select period, county_code, count(*) as n, count(id_masked) as masked
    from {{ ref('followup_overdue') }}
    group by 1, 2
),

owed as (
    select period, origin_code as county_code, count(*) as n
    from {{ ref('int_followup_duties') }}
    where status = '逾期未完成'
    group by 1, 2
)

select
    coalesce(l.period, o.period) as period,
    coalesce(l.county_code, o.county_code) as county_code,
    l.n as listed,
    l.masked as listed_masked,
    o.n as overdue
from listed as l
full outer join owed as o on l.period = o.period and l.county_code = o.county_code
where l.n is distinct from o.n or l.masked is distinct from l.n
