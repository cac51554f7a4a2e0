with source as (
    select * from {{ source('raw', 'ingestion_log') }}
)

select
    load_id,
    path,
    kind,
    period,
    sha256,
    size as size_bytes,
    mtime_ns as modified_ns,
    status,
    is_current,
    sheet,
    rows_read,
    rows_skipped,
    rows_loaded,
    rows_rejected,
    message,
    loaded_at
from source
