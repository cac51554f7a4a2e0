-- Where each distinct-person employment figure of `metrics` comes from: one row per
-- period, region, indicator and file, with the persons that file contributes – those
-- first counted there (a person's earliest placement of the year, by month, then file
-- path). For a period the contributions of all files sum to the figure (a dbt test).
-- Lineage stops at the file: rows behind a contribution are found by file and row in
-- the build database, never by name or ID.
--
-- Incremental by period, as the models in intermediate/by_period (macros/changed_periods.sql):
-- a period's rows depend on the files of that month and earlier, so a run recomputes
-- the periods from the earliest changed month on; the serving file gets every row.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook='{{ delete_changed_periods() }}',
) }}
with firsts as (
    select * from {{ ref('int_employment_firsts_by_file') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

files as (
    select path, sha256, rows_read, rows_loaded, rows_rejected
    from {{ ref('stg_raw__ingestion_log') }}
    where is_current
)

select
    p.period,
    f.region_code,
    f.indicator,
    f.source_path as file,
    f.first_period as file_period,
    l.sha256,
    l.rows_read,
    l.rows_loaded,
    l.rows_rejected,
    f.persons as contribution
from periods as p
inner join firsts as f on p.year = f.year and f.first_period <= p.period
left join files as l on f.source_path = l.path
