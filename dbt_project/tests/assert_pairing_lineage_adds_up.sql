{{ config(meta={"dagster": {"ref": {"name": "pairing_lineage"}}}) }}
-- Every distinct-person employment figure of `pairing_metrics` is the sum of its files'
-- contributions in `pairing_lineage`, for every pairing and period.
{% set indicators = employment_measures().keys() | list %}
with parts as (
    select period, pairing_type, helper_name, indicator, sum(contribution) as value
    from {{ ref('pairing_lineage') }}
    group by period, pairing_type, helper_name, indicator
),

totals as (
    select period, pairing_type, helper_name, indicator, value
    from {{ ref('pairing_metrics') }}
    where indicator in ('{{ indicators | join("', '") }}')
)

select t.*, p.value as contributions
from totals as t
full join parts as p
    on
        p.period = t.period
        and p.pairing_type = t.pairing_type
        and p.helper_name = t.helper_name
        and p.indicator = t.indicator
where coalesce(p.value, 0) <> coalesce(t.value, 0) or t.value is null
