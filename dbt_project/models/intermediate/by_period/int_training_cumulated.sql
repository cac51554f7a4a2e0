-- One row per period, region and training indicator (counts and rates), cumulative
-- from 1 January; trainees attributed to their 户籍地 county.
--
-- A period counts each trainee of a class once, with their latest report up to that
-- period (a class reported again in a later month updates 结业/取证/就业, it does not add
-- a person-time); classes count in the year they start (macros/training.sql, shared with
-- int_training_by_programme).
--
-- Incremental by period (folder by_period, macros/changed_periods.sql): a period's counts depend on the
-- reports up to it, so a run recomputes the periods from the earliest changed month on.
-- int_periods_listed is a source too: a month with placements only still counts the
-- trainees' standing reports. The per-period trainee rows are a step of this model, not a
-- table: written and tested on their own they would be the largest table of the build.

with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

{{ training_enrolments('trainings', 'periods') }},

county_regions as (
    -- each county and the regions holding it (itself, its city, its province)
    select region_code as county_code, ancestor_code as region_code
    from {{ ref('int_region_ancestors') }}
),

{{ training_counted('enrolments', 'county_regions', ['region_code']) }}

{{ long_rows('training_counted', ['period', 'region_code'], training_values()) }}
