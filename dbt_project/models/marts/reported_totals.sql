-- One row per number a current ledger states about itself: the value of a 合计/小计 row
-- under one column, or a count in its title, and the rows it covers. Numbers only.
with reported as (
    select * from {{ ref('stg_raw__reported_totals') }}
)

select
    path as file,
    kind,
    period,
    source_sheet as sheet,
    source_row as row_number,
    label,
    column_name,
    measure,
    reported,
    scope_first_row,
    scope_last_row
from reported
