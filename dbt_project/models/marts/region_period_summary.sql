-- Wide mart for dashboards: one row per region and month, headline indicators as
-- columns (macros/wide_columns.sql, generated from pipelines/zh.py). Counts are integers,
-- percentages doubles.
with metrics as (
    select * from {{ ref('metrics') }}
)

select
    period,
    any_value(period_date) as period_date,
    region_code,
    any_value(region_name) as region_name,
    any_value(region_level) as region_level,
    {% for code, _, is_count in wide_columns() %}
        cast(max(value) filter (where indicator = '{{ code }}') as {{ 'bigint' if is_count else 'double' }})
            as {{ code }}{% if not loop.last %},{% endif %}
    {% endfor %}
from metrics
group by period, region_code
