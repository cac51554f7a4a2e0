-- One row per period, region and follow-up indicator, from int_followup_duties: the
-- duties of the year - every duty open at some time from 1 January to the period end
-- (a duty from last December still owed in March counts in March) - by the trainee's
-- 户籍地 county and the regions above it. A duty closed by a placement has its
-- recommendations met too. 按期回访率 is over the duties whose deadline has passed.
with duties as (
    select * from {{ ref('int_followup_duties') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

of_the_year as (
    select d.*, p.period_end
    from duties as d
    inner join periods as p on d.period = p.period
    where d.done_on is null or year(d.done_on) = p.year
),

counted as (
    select
        d.period,
        a.ancestor_code as region_code,
        count(*) as due,
        count(*) filter (where d.recommendations >= 3 or d.placed_on = d.done_on) as recommended3,
        count(*) filter (where d.deadline <= d.period_end) as fallen_due,
        count(*) filter (where d.status = '按期完成' and d.deadline <= d.period_end) as on_time,
        count(*) filter (where d.status = '逾期未完成') as overdue
    from of_the_year as d
    inner join ancestors as a on d.origin_code = a.region_code
    group by 1, 2
)

{{ long_rows('counted', ['period', 'region_code'], [
    ('followup_due_persons', 'due'),
    ('followup_recommend3_rate', pct_half_up('recommended3', 'due')),
    ('followup_visit_ontime_rate', pct_half_up('on_time', 'fallen_due')),
    ('followup_overdue_persons', 'overdue'),
]) }}
