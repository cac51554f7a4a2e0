-- One row per problem in the accounting of rows read; empty when every row read from a
-- current file version is loaded once or rejected once and the ingestion log says so.
-- Per file version: its rows in the raw tables number rows_loaded, its rows with a
-- rejection number rows_rejected, and the two add up to rows_read. No row is loaded twice,
-- or loaded and rejected; no row belongs to a version that is not current.
-- tests/assert_every_row_read_is_loaded_or_rejected_once.sql fails the build on any row.
--
-- A file version belongs to one period, so the check is complete period by period, and
-- is incremental by period (folder by_period, macros/changed_periods.sql): a period is checked again
-- when any of its rows, rejections or log entries change, and a problem found stays here
-- until its period changes: adding December checks December's rows, not the year's.
with changed as (
    select {{ changed_from() }} as from_period
),

loaded as (
    {% for kind in ['placements', 'trainings', 'workshops', 'transports', 'followups', 'targets'] %}
        select load_id, period, source_sheet, source_row, 1 as loaded, 0 as rejected
        from {{ ref('stg_raw__' ~ kind) }}
        where period >= (select from_period from changed)
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

row_results as (
    select * from loaded
    union all
    select distinct load_id, period, sheet as source_sheet, source_row, 0 as loaded, 1 as rejected
    from {{ ref('stg_raw__rejected_rows') }}
    where period >= (select from_period from changed)
),

repeated_hashes as (
    -- a 64-bit hash first, as in tests/generic/unique_combination.sql
    select hash(load_id, source_sheet, source_row) as h
    from row_results
    group by h
    having count(*) > 1
),

repeated as (
    select
        period,
        load_id,
        'sheet ' || source_sheet || ' row ' || source_row || ': loaded ' || sum(loaded) || ' times, rejected '
        || sum(rejected) || ' times' as problem
    from row_results
    where hash(load_id, source_sheet, source_row) in (select h from repeated_hashes)
    group by period, load_id, source_sheet, source_row
    having count(*) > 1
),

per_file as (
    select load_id, any_value(period) as period, sum(loaded) as loaded, sum(rejected) as rejected
    from row_results
    group by load_id
),

current_files as (
    select * from {{ ref('stg_raw__ingestion_log') }}
    where is_current and period >= (select from_period from changed)
),

miscounted as (
    select
        coalesce(l.period, f.period) as period,
        load_id,
        case
            when l.load_id is null then 'rows of a file version that is not current'
            else
                'log: read ' || l.rows_read || ', loaded ' || l.rows_loaded || ', rejected '
                || l.rows_rejected || '; tables: loaded ' || coalesce(f.loaded, 0)
                || ', rejected ' || coalesce(f.rejected, 0)
        end as problem
    from current_files as l
    full join per_file as f using (load_id)
    where
        l.load_id is null
        or coalesce(f.loaded, 0) <> l.rows_loaded
        or coalesce(f.rejected, 0) <> l.rows_rejected
        or l.rows_loaded + l.rows_rejected <> l.rows_read
)

select * from repeated
union all
select * from miscounted
