{# numerator / denominator as a percentage rounded half-up (四舍五入) to two decimals,
   in exact integer arithmetic on counts: floor((20000·n + d) / 2d) / 100.
   DOUBLE rounding would turn 54.165 into 54.16. NULL when the denominator is 0 or NULL. #}
{% macro pct_half_up(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 or ({{ numerator }}) is null then null
        else ((20000 * ({{ numerator }})::hugeint + ({{ denominator }})::hugeint)
              // (2 * ({{ denominator }})::hugeint))::double / 100
    end
{%- endmacro %}

{# 金秀瑶族自治县 → 金秀县: the short name documents and ledgers use. #}
{% macro short_county_name(name) -%}
    regexp_replace({{ name }}, '{{ ethnic_names_pattern() }}+自治(县|州)$', '\2')
{%- endmacro %}

{# Rows of `indicator` = part / whole as a percentage, for every key where `relation`
   (long: keys…, indicator, value) has the whole and the part. #}
{% macro share_rows(relation, part, whole, indicator, keys=['period', 'region_code']) -%}
    select
        {% for k in keys %}total.{{ k }}, {% endfor %}
        '{{ indicator }}' as indicator,
        {{ pct_half_up('poor.value', 'total.value') }} as value
    from {{ relation }} as total
    inner join {{ relation }} as poor
        on
            {% for k in keys %}poor.{{ k }} = total.{{ k }} and {% endfor %}poor.indicator = '{{ part }}'
    where total.indicator = '{{ whole }}'
{%- endmacro %}
