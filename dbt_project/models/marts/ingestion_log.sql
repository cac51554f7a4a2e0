-- One row per file version ever loaded (path, kind, period, sha256, counts, status).
with log as (
    select * from {{ ref('stg_raw__ingestion_log') }}
)

select * from log
