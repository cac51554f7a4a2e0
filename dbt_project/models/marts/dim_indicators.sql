-- One row per indicator: code, Chinese name, unit, display order.
with indicators as (
    select * from {{ ref('stg_reference__indicators') }}
)

select indicator, indicator_name, unit, sort_order
from indicators
