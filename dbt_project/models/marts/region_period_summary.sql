-- Wide view for dashboards: one row per region and period, headline indicators as columns.
{% set columns = [
    'employed_persons', 'employed_poverty_persons', 'employed_poverty_share',
    'employed_guangdong_persons', 'employed_other_east_persons', 'employed_in_province_persons',
    'employed_organized_persons', 'employed_target', 'employed_target_rate',
    'training_classes', 'training_person_times', 'training_poverty_person_times',
    'training_completion_rate', 'training_certificate_rate', 'training_employment_rate',
    'training_in_trade_rate', 'workshop_count', 'workshop_employed', 'workshop_poverty_employed',
    'base_count', 'base_employed',
] %}
with metrics as (
    select * from {{ ref('metrics') }}
)

select
    period,
    region_code,
    any_value(region_name) as region_name,
    any_value(region_level) as region_level,
    {% for c in columns %}
        max(value) filter (where indicator = '{{ c }}') as {{ c }}{% if not loop.last %},{% endif %}
    {% endfor %}
from metrics
group by period, region_code
