-- One row per period, region and training indicator (counts and rates), cumulative
-- from 1 January; trainees attributed to their 户籍地 county.
--
-- Incremental by period (macros/period_incremental.sql): a period's counts come from
-- that period's enrolments alone.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    meta={
        'period_sources': [{'name': 'int_training_enrolments_latest', 'identity': 'load_id, source_row'}],
        'reference_sources': ['int_region_ancestors'],
        'period_column': 'period',
    },
    pre_hook="{{ delete_changed_periods() }}",
    post_hook="{{ save_period_state() }}",
) }}

with enrolments as (
    select * from {{ ref('int_training_enrolments_latest') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

counted as (
    select
        e.period,
        a.ancestor_code as region_code,
        count(distinct e.class_id) as classes,
        count(*) as enrolled,
        count(*) filter (where e.is_poverty) as poverty_enrolled,
        count(*) filter (where e.completed) as completed,
        count(*) filter (where e.completed and coalesce(e.certificate, '无') <> '无') as certified,
        count(*) filter (where e.completed and e.employed_after) as employed_after,
        count(*) filter (where e.completed and e.employed_after and e.employed_in_trade) as employed_in_trade
    from enrolments as e
    inner join ancestors as a on e.origin_code = a.region_code
    group by 1, 2
)

select period, region_code, indicator, value
from counted
cross join lateral (
    values
    ('training_classes', classes::double),
    ('training_person_times', enrolled::double),
    ('training_poverty_person_times', poverty_enrolled::double),
    ('training_completion_rate', {{ pct_half_up('completed', 'enrolled') }}),
    ('training_certificate_rate', {{ pct_half_up('certified', 'completed') }}),
    ('training_employment_rate', {{ pct_half_up('employed_after', 'completed') }}),
    ('training_in_trade_rate', {{ pct_half_up('employed_in_trade', 'employed_after') }})
) as v (indicator, value)
