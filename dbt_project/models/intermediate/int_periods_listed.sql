-- The reporting months that have data of any kind; metrics are reported for these.
with placements as (
    select * from {{ ref('stg_raw__placements') }}
),

trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

workshops as (
    select * from {{ ref('stg_raw__workshops') }}
),

transports as (
    select * from {{ ref('stg_raw__transports') }}
),

followups as (
    select * from {{ ref('stg_raw__followups') }}
),

periods as (
    select period from placements
    union
    select period from trainings
    union
    select period from workshops
    union
    select period from transports
    union
    select period from followups
)

select
    period,
    left(period, 4)::integer as year,
    last_day(cast(period || '-01' as date)) as period_end
from periods
