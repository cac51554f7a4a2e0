-- One row per placement file (a period and a path under raw/) with a key in (period,
-- path) order: the lineage models keep a person's first placement as the smallest key,
-- an integer, instead of the period and path as text (four times faster at 10M rows,
-- BENCHMARKS.md), and read the file back from here. The key is the month as yyyymm ×
-- 1,000,000 plus the file's rank within its month, so a file keeps its key while other
-- months change (int_employment_person_firsts keeps keys across incremental builds).
with files as (
    select distinct period, source_path
    from {{ ref('stg_raw__placements') }}
)

select
    period,
    source_path,
    {{ file_key_of_period('period') }}
    + row_number() over (partition by period order by source_path) as file_rank
from files
