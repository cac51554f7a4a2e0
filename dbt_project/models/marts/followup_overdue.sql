-- The data team's list of persons overdue for follow-up services (status 逾期未完成 in
-- int_followup_duties), per period and 户籍地 county: masked ID and name as the training
-- ledger gave them (452123********1234, 张*), never a clear ID, and what was done.
with duties as (
    select * from {{ ref('int_followup_duties') }}
),

trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

overdue as (
    select * from duties where status = '逾期未完成'
),

masked as (
    -- the duty's class as reported last up to the period
    select
        o.period,
        o.person_key,
        t.id_masked,
        t.name_masked,
        row_number() over (
            partition by o.period, o.person_key
            order by t.period desc, t.load_id desc, t.source_row desc
        ) as newest
    from overdue as o
    inner join trainings as t
        on t.person_key = o.person_key and t.class_id = o.class_id and t.period <= o.period
)

select
    o.period,
    o.origin_code as county_code,
    r.region_name as county_name,
    m.id_masked,
    m.name_masked,
    o.class_id,
    o.started_on,
    o.recommendations,
    o.first_recommended_on,
    o.visited_on,
    o.deadline,
    {{ days_between('o.deadline', 'p.period_end') }} as days_overdue
from overdue as o
inner join periods as p on o.period = p.period
left join regions as r on o.origin_code = r.region_code
left join masked as m on o.period = m.period and o.person_key = m.person_key and m.newest = 1
