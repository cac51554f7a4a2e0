-- Where each distinct-person employment figure of `pairing_metrics` comes from: one row per
-- period, pairing (帮扶方, 结对类型; a helper's 合计 too), indicator and file, with the
-- persons that file contributes - those first counted there within the pairing's union of
-- recipient counties (the earliest placement of the year, by month, then file path;
-- int_pairing_firsts_by_file). For a period the contributions sum to the pairing's figure
-- (a dbt test).
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
    select * from {{ ref('int_pairing_firsts_by_file') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
)

select
    p.period,
    f.pairing_type,
    f.helper_name,
    f.indicator,
    f.file,
    f.file_period,
    f.persons as contribution
from periods as p
inner join firsts as f on p.year = f.year and f.file_period <= p.period
