{{ config(meta={"dagster": {"ref": {"name": "stg_raw__ingestion_log"}}}) }}
-- Every row read from a current file version is loaded once or rejected once, and the
-- ingestion log says so. Per file version: its rows in the raw tables number rows_loaded,
-- its rows with a rejection number rows_rejected, and the two add up to rows_read. No row
-- is loaded twice, or loaded and rejected; no row belongs to a version that is not current.
--
-- This replaced uniqueness tests of (source_path, source_row) on the staging tables. Those
-- gated every model downstream (dbt runs a model after the tests of its parents): at 10M
-- placements, 1.5-1.8 s at the head of every build. This test refs all staging tables,
-- and dbt makes a model wait only for tests whose refs are all its ancestors, so it runs
-- beside the intermediate models. A failure still fails the build, and nothing is
-- published.
with loaded as (
    {% for kind in ['placements', 'trainings', 'workshops', 'targets'] %}
        select load_id, source_row, 1 as loaded, 0 as rejected
        from {{ ref('stg_raw__' ~ kind) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

row_results as (
    select * from loaded
    union all
    select distinct load_id, source_row, 0 as loaded, 1 as rejected
    from {{ ref('stg_raw__rejected_rows') }}
),

repeated_hashes as (
    -- a 64-bit hash first, as in tests/generic/unique_combination.sql
    select hash(load_id, source_row) as h
    from row_results
    group by h
    having count(*) > 1
),

repeated as (
    select
        load_id,
        'row ' || source_row || ': loaded ' || sum(loaded) || ' times, rejected '
        || sum(rejected) || ' times' as problem
    from row_results
    where hash(load_id, source_row) in (select h from repeated_hashes)
    group by load_id, source_row
    having count(*) > 1
),

per_file as (
    select load_id, sum(loaded) as loaded, sum(rejected) as rejected
    from row_results
    group by load_id
),

current_files as (
    select * from {{ ref('stg_raw__ingestion_log') }}
    where is_current
),

miscounted as (
    select
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
