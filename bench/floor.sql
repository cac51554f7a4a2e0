-- The floor: the employment indicators of `metrics`, computed by DuckDB alone from the
-- generated CSVs - no validation, no pseudonymisation, no orchestration. Run by
-- bench/floor.py with the raw folder and division table substituted for the
-- ${RAW} and ${DIVISIONS} placeholders.
create or replace table placements as
select
    regexp_extract(filename, 'placements/(\d{4}-\d{2})/', 1) as period,
    "身份证号码" as person,
    "户籍地行政区划代码" as origin,
    "是否脱贫劳动力" = '是' as poverty,
    "就业地区类别" as category,
    "就业渠道" as channel
from read_csv('${RAW}/placements/*/*.csv', header = true, all_varchar = true, filename = true);

create or replace table regions as
with cur as (
    select distinct "代码" as code, "级别" as level
    from read_csv('${DIVISIONS}', header = true, all_varchar = true)
    where "状态" = '在用'
)
select c.code, c.code as ancestor from cur c where c.level = '县级'
union all
select c.code, p.code from cur c join cur p on p.code = left(c.code, 4) || '00' and p.level = '地级' where c.level = '县级'
union all
select c.code, left(c.code, 2) || '0000' from cur c where c.level = '县级';

create or replace table measured as
select period, person, origin, 'employed_persons' as indicator from placements
union all select period, person, origin, 'employed_poverty_persons' from placements where poverty
union all select period, person, origin, 'employed_guangdong_persons' from placements where category = '广东省'
union all select period, person, origin, 'employed_guangdong_poverty_persons' from placements where category = '广东省' and poverty
union all select period, person, origin, 'employed_other_east_persons' from placements where category = '东部其他省份'
union all select period, person, origin, 'employed_other_east_poverty_persons' from placements where category = '东部其他省份' and poverty
union all select period, person, origin, 'employed_in_province_persons' from placements where category = '省内就近'
union all select period, person, origin, 'employed_in_province_poverty_persons' from placements where category = '省内就近' and poverty
union all select period, person, origin, 'employed_organized_persons' from placements where channel = '有组织输出';

create or replace table firsts as
select left(m.period, 4) as year, r.ancestor as region_code, m.indicator, m.person, min(m.period) as first_period
from measured m join regions r on r.code = m.origin
group by all;

create or replace table periods as
select distinct period, left(period, 4) as year from placements;

create or replace table floor_metrics as
with counts as (
    select p.period, f.region_code, f.indicator, count(*) as value
    from periods p join firsts f on f.year = p.year and f.first_period <= p.period
    group by all
),
active as (
    select distinct period, region_code from counts where indicator = 'employed_persons'
),
indicators as (select distinct indicator from measured)
select a.period, a.region_code, i.indicator, coalesce(c.value, 0)::double as value
from active a cross join indicators i
left join counts c on c.period = a.period and c.region_code = a.region_code and c.indicator = i.indicator;
