-- The training indicators by 培训项目: one row per period × region × programme ×
-- indicator, the columns of `metrics` plus `programme`; cumulative from 1 January.
with by_programme as (
    select * from {{ ref('int_training_by_programme') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
)

select
    v.period,
    cast(v.period || '-01' as date) as period_date,
    v.region_code,
    r.region_name,
    r.region_level,
    v.programme,
    v.indicator,
    i.indicator_name,
    v.value,
    i.unit
from by_programme as v
inner join regions as r on v.region_code = r.region_code
inner join indicators as i on v.indicator = i.indicator
