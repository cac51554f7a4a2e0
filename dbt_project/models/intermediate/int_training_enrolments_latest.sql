-- One row per period, class and trainee: the trainee's latest report up to that period
-- (a class reported again in a later month updates 结业/取证/就业, it does not add a
-- person-time). Classes count in the year they start.
--
-- Each report holds from its month until the trainee's next report in that class, so
-- periods join the report whose span covers them (ranking every report against every
-- later period was 3× slower at 10M rows).
--
-- Incremental by period (macros/period_incremental.sql): a period's rows depend on the
-- reports up to it, so a run recomputes the periods from the earliest changed month on
-- (adding December: one period's ~800k rows instead of the year's ~5M). load_id and
-- source_row name the report a row comes from; they fingerprint this table for
-- int_training_cumulated. int_periods_listed is a source too: a month with placements
-- only still gets the trainees' standing reports.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    meta={
        'period_sources': [
            {'name': 'stg_raw__trainings', 'identity': 'load_id, source_row'},
            {'name': 'int_periods_listed', 'identity': 'period'},
        ],
        'reference_sources': [],
        'period_column': 'period',
    },
    pre_hook="{{ delete_changed_periods() }}",
    post_hook="{{ save_period_state() }}",
) }}
with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

reports as (
    -- one row per class, trainee and month: the month's last report (load order, row)
    select * from trainings
    qualify row_number() over (
        partition by class_id, person_key, period
        order by load_id desc, source_row desc
    ) = 1
),

spans as (
    select
        *,
        lead(period) over (partition by class_id, person_key order by period) as next_period
    from reports
)

select
    p.period,
    t.class_id,
    t.person_key,
    t.origin_code,
    t.is_poverty,
    t.completed,
    t.certificate,
    t.employed_after,
    t.employed_in_trade,
    t.load_id,
    t.source_row
from periods as p
inner join spans as t
    on
        t.period <= p.period
        and (t.next_period is null or p.period < t.next_period)
        and year(t.start_date) = p.year
