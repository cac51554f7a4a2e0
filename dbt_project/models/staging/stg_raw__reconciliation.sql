with source as (
    select * from {{ source('raw', 'reconciliation') }}
)

select
    load_id,
    path,
    kind,
    period,
    source_sheet,
    source_row,
    label,
    column_name,
    scope_first_row,
    scope_last_row,
    measure,
    reported,
    read_value,
    loaded_value,
    difference,
    rejected_rows,
    cause_code,
    cause,
    message
from source
