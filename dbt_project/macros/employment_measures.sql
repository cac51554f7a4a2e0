{# The employment indicators counted in distinct persons, each with the condition a
   placement must meet to count (int_employment_firsts_counted counts them,
   int_employment_cumulated lists them, so an indicator nobody meets yet is a real 0). #}
{% macro employment_measures() -%}
    {{ return({
        'employed_persons': 'true',
        'employed_poverty_persons': 'is_poverty',
        'employed_monitored_persons': 'is_monitored',
        'employed_guangdong_persons': "destination_category = '广东省'",
        'employed_guangdong_poverty_persons': "destination_category = '广东省' and is_poverty",
        'employed_other_east_persons': "destination_category = '东部其他省份'",
        'employed_other_east_poverty_persons': "destination_category = '东部其他省份' and is_poverty",
        'employed_in_province_persons': "destination_category = '省内就近'",
        'employed_in_province_poverty_persons': "destination_category = '省内就近' and is_poverty",
        'employed_organized_persons': "channel = '有组织输出'",
    }) }}
{%- endmacro %}


{# The employment indicators as a one-column relation `indicator`. #}
{% macro employment_indicators() -%}
    select indicator from (
        values {% for indicator in employment_measures() %}('{{ indicator }}'){% if not loop.last %}, {% endif %}{% endfor %}
    ) as m (indicator)
{%- endmacro %}
