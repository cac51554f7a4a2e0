-- One row per period, region, 培训项目 and training indicator, cumulative from 1 January:
-- the training indicators of int_training_cumulated broken down by programme (粤菜师傅,
-- 南粤家政, 广东技工, 乡村工匠, 八桂…; a programme not in the list counts as 其他). Classes
-- and person-times add up to the region's totals; persons need not (one person, two
-- programmes). Incremental by period like int_training_cumulated.
{% set programmes = programme_names() %}
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

by_programme as (
    -- a programme not in the list counts as 其他
    select
        e.period,
        e.class_id,
        e.person_key,
        e.origin_code,
        case
            when e.programme in ({% for p in programmes %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %})
                then e.programme
            else '{{ other_programme() }}'
        end as programme,
        e.is_order_training,
        e.is_poverty,
        e.completed,
        e.certificate,
        e.employed_after,
        e.employed_in_trade
    from enrolments as e
),

{{ training_counted('by_programme', 'county_regions', ['region_code'], extra=['programme']) }}

{{ long_rows('training_counted', ['period', 'region_code', 'programme'], training_values()) }}
