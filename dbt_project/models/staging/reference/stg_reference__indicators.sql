with source as (
    select * from {{ ref('indicators') }}
)

select indicator, indicator_name, unit, sort_order
from source
