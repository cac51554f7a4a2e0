{# A ratio that is NULL, never 0 and never an error, when the denominator is 0 or missing. #}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ numerator }})::double / nullif(({{ denominator }})::double, 0)
{%- endmacro %}

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
    regexp_replace({{ name }}, '(各族|壮族|瑶族|苗族|侗族|布依族|仫佬族|毛南族|仡佬族|彝族|回族|水族|土家族|黎族|畲族|土族|羌族|藏族|白族|哈尼族|傣族|傈僳族|佤族|拉祜族|纳西族|满族|蒙古族|朝鲜族)+自治(县|州)$', '\2')
{%- endmacro %}
