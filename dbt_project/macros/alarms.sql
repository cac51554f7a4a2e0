{# A text template of zh.ALARM_RULES ('本月新增{name} {value} …') as a SQL expression:
   the literal parts quoted, each {field} replaced by the SQL expression `fields[field]`
   (text), joined with ||. Done when the model compiles, so the wording stays in zh.py. #}
{% macro fill_template(template, fields) -%}
    {%- set parts = template.split('{') -%}
    {%- if "'" in template -%}
        {{ exceptions.raise_compiler_error("an alarm text may not hold a single quote: " ~ template) }}
    {%- endif -%}
    '{{ parts[0] }}'
    {%- for part in parts[1:] -%}
        {%- set field, rest = part.split('}', 1) -%}
        {{ ' || ' }}{{ fields[field] }}{{ ' || ' }}'{{ rest }}'
    {%- endfor -%}
{%- endmacro %}
