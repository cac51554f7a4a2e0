{#- SQL whose spelling differs between engines, so that models stay portable. Each macro
    dispatches on the adapter (adapter.dispatch): the `default__` versions are DuckDB's. -#}

{# `n` calendar months after a date, clamped to the month's end (11-30 + 3 months =
   02-28), as a DATE. #}
{% macro months_after(day, n) -%}
    {{ return(adapter.dispatch('months_after', 'collabstats')(day, n)) }}
{%- endmacro %}

{% macro default__months_after(day, n) -%}
    cast({{ day }} + interval {{ n }} month as date)
{%- endmacro %}

{% macro spark__months_after(day, n) -%}
    add_months({{ day }}, {{ n }})
{%- endmacro %}

{# Whole days from `start` to `stop` (negative when `stop` comes first). #}
{% macro days_between(start, stop) -%}
    {{ return(adapter.dispatch('days_between', 'collabstats')(start, stop)) }}
{%- endmacro %}

{% macro default__days_between(start, stop) -%}
    datediff('day', {{ start }}, {{ stop }})
{%- endmacro %}

{% macro spark__days_between(start, stop) -%}
    datediff({{ stop }}, {{ start }})
{%- endmacro %}

{# Whether the whole of `text` matches the regular expression `pattern` (no backslash
   escapes: write [0-9], not \d). #}
{% macro full_match(text, pattern) -%}
    {{ return(adapter.dispatch('full_match', 'collabstats')(text, pattern)) }}
{%- endmacro %}

{% macro default__full_match(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__full_match(text, pattern) -%}
    ({{ text }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{# Whether `pattern` matches somewhere in `text` (no backslash escapes). #}
{% macro contains_match(text, pattern) -%}
    {{ return(adapter.dispatch('contains_match', 'collabstats')(text, pattern)) }}
{%- endmacro %}

{% macro default__contains_match(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__contains_match(text, pattern) -%}
    ({{ text }} rlike '{{ pattern }}')
{%- endmacro %}

{# Integer division of two integers, rounding down (both non-negative here). #}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'collabstats')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}

{# The distinct values of `column` in a group, sorted, joined by `separator`. #}
{% macro sorted_names(column, separator) -%}
    {{ return(adapter.dispatch('sorted_names', 'collabstats')(column, separator)) }}
{%- endmacro %}

{% macro default__sorted_names(column, separator) -%}
    string_agg(distinct {{ column }}, '{{ separator }}' order by {{ column }})
{%- endmacro %}

{% macro spark__sorted_names(column, separator) -%}
    array_join(array_sort(collect_set({{ column }})), '{{ separator }}')
{%- endmacro %}

{# `relation` (SQL) with the columns `columns` turned into rows (`name`, `value`),
   the other columns kept; rows whose value is NULL left out. #}
{% macro unpivot_columns(relation, columns, name, value) -%}
    {{ return(adapter.dispatch('unpivot_columns', 'collabstats')(relation, columns, name, value)) }}
{%- endmacro %}

{% macro default__unpivot_columns(relation, columns, name, value) -%}
    unpivot ({{ relation }})
    on {{ columns | join(', ') }}
    into name {{ name }} value {{ value }}
{%- endmacro %}

{% macro spark__unpivot_columns(relation, columns, name, value) -%}
    select * from ({{ relation }}) as u
    unpivot ({{ value }} for {{ name }} in ({{ columns | join(', ') }}))
{%- endmacro %}

{# The median of `x` in a group (the mean of the two middle values for an even count). #}
{% macro median_of(x) -%}
    {{ return(adapter.dispatch('median_of', 'collabstats')(x)) }}
{%- endmacro %}

{% macro default__median_of(x) -%}
    median({{ x }})
{%- endmacro %}

{% macro spark__median_of(x) -%}
    percentile({{ x }}, 0.5)
{%- endmacro %}

{# A whole number as text with thousands separators (2,310). #}
{% macro thousands(x) -%}
    {{ return(adapter.dispatch('thousands', 'collabstats')(x)) }}
{%- endmacro %}

{% macro default__thousands(x) -%}
    format('{:,}', cast(round({{ x }}, 0) as bigint))
{%- endmacro %}

{% macro spark__thousands(x) -%}
    format_number(cast(round({{ x }}, 0) as bigint), 0)
{%- endmacro %}
