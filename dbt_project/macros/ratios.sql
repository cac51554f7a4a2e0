{# numerator / denominator as a percentage rounded half-up (四舍五入) to two decimals,
   in exact integer arithmetic on counts: floor((20000·n + d) / 2d) / 100 (in BIGINT, so
   for counts below 4·10^14).
   DOUBLE rounding would turn 54.165 into 54.16. NULL when the denominator is 0 or NULL. #}
{% macro pct_half_up(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 or ({{ numerator }}) is null then null
        else cast({{ integer_divide(
            '20000 * cast(' ~ numerator ~ ' as bigint) + cast(' ~ denominator ~ ' as bigint)',
            '2 * cast(' ~ denominator ~ ' as bigint)') }} as double) / 100
    end
{%- endmacro %}

{# 金秀瑶族自治县 → 金秀县: the short name documents and ledgers use (one replacement per
   ending, so no back-reference, whose syntax differs between engines). #}
{% macro short_county_name(name) -%}
    regexp_replace(
        regexp_replace({{ name }}, '{{ ethnic_names_pattern() }}+自治县$', '县'),
        '{{ ethnic_names_pattern() }}+自治州$', '州'
    )
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

{# One row per indicator for each row of `relation`: the columns `keys`, then `indicator`
   and its `value` (a DOUBLE) from `pairs` - (indicator, SQL expression over the
   relation's columns). A plain cross join with a CASE, which every engine runs: a
   LATERAL VALUES over outer columns is DuckDB's alone. #}
{% macro long_rows(relation, keys, pairs) -%}
    select
        {% for k in keys %}r.{{ k }}, {% endfor %}
        i.indicator,
        case i.indicator
            {%- for name, expr in pairs %}
            when '{{ name }}' then cast({{ expr }} as double)
            {%- endfor %}
        end as value
    from {{ relation }} as r
    cross join (
        values {% for name, _ in pairs %}('{{ name }}'){% if not loop.last %}, {% endif %}{% endfor %}
    ) as i (indicator)
{%- endmacro %}
