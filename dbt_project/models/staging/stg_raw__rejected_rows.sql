with source as (
    select * from {{ source('raw', 'rejected_rows') }}
)

select
    load_id,
    path,
    kind,
    period,
    sheet,
    source_row,
    column_name,
    value as masked_value,
    reason_code,
    reason
from source
