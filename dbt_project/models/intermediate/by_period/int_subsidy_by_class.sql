-- The subsidies due behind each figure: one row per period, class and trainees' county -
-- trainees, subsidised person-days and the amounts under policy_rules, as they stand in
-- that period; capped person-times; and 疑似重复享受: trainees of this class who get the
-- training subsidy for the same 工种 in another class of the same year (flagged, not
-- refused). No person-level rows. Incremental by period, like int_subsidies_cumulated.
with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

rules as (
    select * from {{ ref('stg_reference__policy_rules') }}
),

{{ training_enrolments('trainings', 'periods') }},

{{ subsidised_enrolments() }},

amounts as (
    select
        *,
        least(training_due, coalesce(training_cap, training_due)) as training_amount,
        count(*) filter (where training_due > 0) over (
            partition by period, person_key, trade
        ) as subsidised_classes_same_trade
    from subsidised
)

select
    period,
    class_id,
    any_value(programme) as programme,
    origin_code as region_code,
    count(*) as trainees,
    sum(subsidy_days) filter (where training_due is not null or living_due is not null) as person_days,
    coalesce(sum(training_amount), 0) as training_amount,
    coalesce(sum(living_due), 0) as living_amount,
    count(*) filter (where training_due > training_cap) as capped_person_times,
    count(*) filter (where training_due > 0 and subsidised_classes_same_trade > 1) as suspected_repeat_person_times
from amounts
group by period, class_id, origin_code
