{{ config(meta={"dagster": {"ref": {"name": "metric_lineage"}}}) }}
-- Every distinct-person employment figure of `metrics` is the sum of its files'
-- contributions in `metric_lineage`, at every level and period; no lineage without a figure.
{% set indicators = employment_measures().keys() | list %}
with parts as (
    select period, region_code, indicator, sum(contribution) as value
    from {{ ref('metric_lineage') }}
    group by period, region_code, indicator
),

totals as (
    select period, region_code, indicator, value
    from {{ ref('metrics') }}
    where indicator in ('{{ indicators | join("', '") }}')
)

select t.*, p.value as contributions
from totals as t
full join parts as p
    on p.period = t.period and p.region_code = t.region_code and p.indicator = t.indicator
where coalesce(p.value, 0) <> coalesce(t.value, 0) or t.value is null
