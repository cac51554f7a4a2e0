{{ config(meta={"dagster": {"ref": {"name": "metrics_by_programme"}}}) }}
-- Classes and person-times by programme add up to the region's totals in `metrics`
-- (a class has one programme; persons need not add up: one person, two programmes).
with parts as (
    select period, region_code, indicator, sum(value) as value
    from {{ ref('metrics_by_programme') }}
    where indicator in ('training_classes', 'training_person_times', 'training_order_person_times')
    group by all
),

totals as (
    select period, region_code, indicator, value
    from {{ ref('metrics') }}
    where indicator in ('training_classes', 'training_person_times', 'training_order_person_times')
)

select t.*, p.value as programmes_sum
from totals as t
full join parts as p
    on p.period = t.period and p.region_code = t.region_code and p.indicator = t.indicator
where p.value is distinct from t.value
