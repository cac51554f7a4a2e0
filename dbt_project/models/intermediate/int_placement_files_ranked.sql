-- One row per placement file (a period and a path under raw/) with its rank in (period,
-- path) order: the lineage models keep a person's first placement as the smallest rank,
-- an integer, instead of the period and path as text (four times faster at 10M rows,
-- BENCHMARKS.md), and read the file back from here.
with files as (
    select distinct period, source_path
    from {{ ref('stg_raw__placements') }}
)

select
    period,
    source_path,
    row_number() over (order by period, source_path) as file_rank
from files
