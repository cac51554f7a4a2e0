-- The wide mart with Chinese column names and levels (省/市/县), for tools whose users
-- read Chinese. Same rows and values as region_period_summary; the names come from
-- pipelines/zh.py through macros/wide_columns.sql.
{% set keys = wide_keys_zh() %}
{% set levels = region_levels_zh() %}
with summary as (
    select * from {{ ref('region_period_summary') }}
)

select
    period as {{ adapter.quote(keys['period']) }},
    period_date as {{ adapter.quote(keys['period_date']) }},
    region_code as {{ adapter.quote(keys['region_code']) }},
    region_name as {{ adapter.quote(keys['region_name']) }},
    case region_level
        {% for level, name in levels.items() %}when '{{ level }}' then '{{ name }}' {% endfor %}
    end as {{ adapter.quote(keys['region_level']) }},
    {% for code, label, _ in wide_columns() %}
        {{ code }} as {{ adapter.quote(label) }}{% if not loop.last %},{% endif %}
    {% endfor %}
from summary
