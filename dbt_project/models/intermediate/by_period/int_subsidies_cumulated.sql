-- One row per period, region and subsidy indicator: the subsidies due (补贴测算) to the
-- trainees of the year's classes, from 1 January to the period end, by the trainee's
-- 户籍地 and the regions above it - computed from the rules in policy_rules, not typed
-- (macros/training.sql). Each trainee of a class counts once, with the report standing
-- in that period; two classes are two caps.
--
-- Incremental by period, like int_training_cumulated.

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

by_county as (
    -- amounts add up: summed per county first, then up the ancestors
    select
        period,
        origin_code,
        sum(least(training_due, coalesce(training_cap, training_due))) as training_amount,
        sum(living_due) as living_amount,
        count(*) filter (where training_due > training_cap) as capped
    from subsidised
    group by period, origin_code
),

counted as (
    select
        c.period,
        a.ancestor_code as region_code,
        sum(c.training_amount) as training_amount,
        sum(c.living_amount) as living_amount,
        sum(c.capped) as capped
    from by_county as c
    inner join ancestors as a on c.origin_code = a.region_code
    group by c.period, a.ancestor_code
)

{{ long_rows('counted', ['period', 'region_code'], [
    ('subsidy_training_amount', 'coalesce(training_amount, 0)'),
    ('subsidy_living_amount', 'coalesce(living_amount, 0)'),
    ('subsidy_capped_person_times', 'capped'),
]) }}
