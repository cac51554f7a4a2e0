-- One row per total a current ledger states about itself (a number in a 合计/小计 row,
-- a count in its title) beside what was loaded from the rows it covers: the difference,
-- its likely cause and the sentence the county clerk reads. Never blocks publishing.
with reconciled as (
    select * from {{ ref('stg_raw__reconciliation') }}
),

located as (
    select * from {{ ref('int_files_located') }}
)

select
    r.path as file,
    r.kind,
    r.period,
    l.region_code,
    r.source_sheet as sheet,
    r.source_row as row_number,
    r.label,
    r.column_name,
    r.measure,
    r.scope_first_row,
    r.scope_last_row,
    r.reported,
    r.read_value,
    r.loaded_value,
    r.difference,
    r.rejected_rows,
    r.cause_code <> 'agrees' as differs,
    r.cause_code,
    r.cause,
    r.message
from reconciled as r
left join located as l on r.load_id = l.load_id
