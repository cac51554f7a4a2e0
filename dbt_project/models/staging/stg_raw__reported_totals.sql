with source as (
    select * from {{ source('raw', 'reported_totals') }}
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
    measure,
    reported,
    read_value,
    scope_first_row,
    scope_last_row
from source
