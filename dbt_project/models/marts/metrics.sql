-- The metric table: one row per period × region × indicator, cumulative from 1 January
-- to the end of the period (stocks: the period month's own figure). `value` is one
-- DOUBLE column for every unit (a % is 54.16); counts in it are whole numbers, and the
-- wide marts hold them as integers.
with employment as (
    select * from {{ ref('int_employment_cumulated') }}
),

training as (
    select * from {{ ref('int_training_cumulated') }}
),

workshops as (
    select * from {{ ref('int_workshop_stocks_summed') }}
),

transports as (
    select * from {{ ref('int_transports_cumulated') }}
),

subsidies as (
    select * from {{ ref('int_subsidies_cumulated') }}
),

followups as (
    select * from {{ ref('int_followups_counted') }}
),

targets as (
    select * from {{ ref('int_targets_attained') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

shares as (
    {{ share_rows('employment', 'employed_poverty_persons', 'employed_persons', 'employed_poverty_share') }}
),

workshop_shares as (
    {{ share_rows('workshops', 'workshop_poverty_employed', 'workshop_employed', 'workshop_poverty_share') }}
),

all_values as (
    select period, region_code, indicator, value::double as value from employment
    union all
    select period, region_code, indicator, value from shares
    union all
    select period, region_code, indicator, value from training
    union all
    select period, region_code, indicator, value from workshops
    union all
    select period, region_code, indicator, value from workshop_shares
    union all
    select period, region_code, indicator, value from transports
    union all
    select period, region_code, indicator, value from subsidies
    union all
    select period, region_code, indicator, value from followups
    union all
    select period, region_code, indicator, value from targets
)

select
    v.period,
    cast(v.period || '-01' as date) as period_date,
    v.region_code,
    r.region_name,
    r.region_level,
    v.indicator,
    i.indicator_name,
    v.value,
    i.unit
from all_values as v
inner join regions as r on v.region_code = r.region_code
inner join indicators as i on v.indicator = i.indicator
