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

{# Whole days from `start` to `stop` (negative when `stop` comes first). #}
{% macro days_between(start, stop) -%}
    {{ return(adapter.dispatch('days_between', 'collabstats')(start, stop)) }}
{%- endmacro %}

{% macro default__days_between(start, stop) -%}
    datediff('day', {{ start }}, {{ stop }})
{%- endmacro %}

{# Whether the whole of `text` matches the regular expression `pattern` (no backslash
   escapes: write [0-9], not \d). #}
{% macro full_match(text, pattern) -%}
    {{ return(adapter.dispatch('full_match', 'collabstats')(text, pattern)) }}
{%- endmacro %}

{% macro default__full_match(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}
