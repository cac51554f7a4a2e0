-- One row per period and person owed follow-up services (就业服务跟踪, seed 004: 推介岗位
-- 不少于3个，推介后3个月内回访), as the duty stands at the period end.
--
-- Who is owed: a 脱贫 or 监测对象 trainee who completed a class (是否结业 = 是) and was
-- not employed after it (培训后是否就业 = 否), by the latest report of that class up to
-- the period. The duty starts at the earliest such 结业日期; a person trained again while
-- it is open has still one duty (and so does one trained again after it closed: one
-- duty per person, docs/choices.md "Follow-up duties").
-- Duty 1: at least 3 distinct (推介单位, 推介岗位) recommendations on or after the start.
-- Duty 2: a 就业回访 on or after the first recommendation, by the deadline: 3 calendar
-- months after the first recommendation, clamped to the month's end (without any
-- recommendation, 3 months after the start: a duty nobody served still falls due).
-- Done on the day both are met, or on the first placement dated on or after the start
-- (a placement closes the duty as met), whichever comes first. Status at the period
-- end: 按期完成 / 逾期完成 (done by / after the deadline), else 逾期未完成 once the
-- deadline is on or before the period end (every service up to it is in the ledgers),
-- else 未到期.
--
-- Incremental by period, like int_training_cumulated. Person-level: keyed by the
-- pseudonym, never an ID.
with trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

followups as (
    select * from {{ ref('stg_raw__followups') }}
),

placements as (
    select * from {{ ref('stg_raw__placements') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
    {% if is_incremental() %}
        where period >= {{ changed_from() }}
    {% endif %}
),

{{ training_enrolments('trainings', 'periods', same_year=false) }},

owed_classes as (
    select
        period,
        person_key,
        class_id,
        end_date,
        origin_code,
        row_number() over (
            partition by period, person_key order by end_date, class_id
        ) as nth
    from enrolments
    where completed and (is_poverty or coalesce(is_monitored, false)) and not employed_after
),

duties as (
    select period, person_key, class_id, end_date as started_on, origin_code
    from owed_classes
    where nth = 1
),

recommended as (
    -- each distinct (unit, post) once, on the day it was first recommended
    select
        d.period,
        d.person_key,
        f.recommend_unit,
        f.recommend_post,
        min(f.service_date) as recommended_on
    from duties as d
    inner join followups as f
        on
            f.person_key = d.person_key
            and f.period <= d.period
            and f.service_type = '岗位推介'
            and f.service_date >= d.started_on
    group by 1, 2, 3, 4
),

recommendations as (
    select
        period,
        person_key,
        count(*) as recommendations,
        min(recommended_on) as first_recommended_on,
        max(case when nth = 3 then recommended_on end) as third_recommended_on
    from (
        select
            *,
            row_number() over (
                partition by period, person_key
                order by recommended_on, recommend_unit, recommend_post
            ) as nth
        from recommended
    ) as ordered
    group by 1, 2
),

deadlines as (
    select
        d.*,
        coalesce(r.recommendations, 0) as recommendations,
        r.first_recommended_on,
        r.third_recommended_on,
        {{ months_after('coalesce(r.first_recommended_on, d.started_on)', 3) }} as deadline
    from duties as d
    left join recommendations as r on d.period = r.period and d.person_key = r.person_key
),

visits as (
    select d.period, d.person_key, min(f.service_date) as visited_on
    from deadlines as d
    inner join followups as f
        on
            f.person_key = d.person_key
            and f.period <= d.period
            and f.service_type = '就业回访'
            and f.service_date >= coalesce(d.first_recommended_on, d.started_on)
    group by 1, 2
),

placed as (
    select d.period, d.person_key, min(p.employment_date) as placed_on
    from duties as d
    inner join placements as p
        on
            p.person_key = d.person_key
            and p.period <= d.period
            and p.employment_date >= d.started_on
    group by 1, 2
),

done as (
    select
        d.*,
        v.visited_on,
        p.placed_on,
        -- least() skips a NULL: done by services, by a placement, or not yet
        least(
            case
                when d.recommendations >= 3 and v.visited_on is not null
                    then greatest(d.third_recommended_on, v.visited_on)
            end,
            p.placed_on
        ) as done_on
    from deadlines as d
    left join visits as v on d.period = v.period and d.person_key = v.person_key
    left join placed as p on d.period = p.period and d.person_key = p.person_key
)

select
    d.period,
    d.person_key,
    d.origin_code,
    d.class_id,
    d.started_on,
    d.recommendations,
    d.first_recommended_on,
    d.third_recommended_on,
    d.visited_on,
    d.placed_on,
    d.deadline,
    d.done_on,
    case
        when d.done_on <= d.deadline then '按期完成'
        when d.done_on is not null then '逾期完成'
        when d.deadline <= p.period_end then '逾期未完成'
        else '未到期'
    end as status
from done as d
inner join periods as p on d.period = p.period
