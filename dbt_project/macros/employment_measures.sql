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


{# CTEs ending in `firsts` (after `person_firsts`): one row per unit, year, indicator and
   `first_key`, with the persons first counted in the unit at that key. A unit is a group
   of counties - a region and its ancestors, a pairing's recipients: `units` maps each
   `county_code` (and `year`, when `by_year`) to the units holding it, named by
   `unit_columns`. Most persons are placed from one county in a year: they are counted
   per county and key, and those counts added up to the units. Only a person placed from
   several counties is grouped again per unit, where the earliest key among the unit's
   counties wins. (Grouping every person at every unit is the obvious way and several
   times slower: BENCHMARKS.md.) #}
{% macro firsts_per_unit(units, unit_columns, by_year=false) -%}
{%- set measures = employment_measures().keys() | list -%}
{%- set units_cols = unit_columns | join(', ') -%}
one_county_rows as (
    select year, origin_code, {{ measures | join(', ') }}
    from person_firsts
    where origins = 1
),

one_county_firsts as (
    {{ unpivot_columns('select * from one_county_rows', measures, 'indicator', 'first_key') }}
),

one_county_counted as (
    select year, origin_code, indicator, first_key, count(*) as persons
    from one_county_firsts
    group by year, origin_code, indicator, first_key
),

several_counties_rows as (
    select
        {% for c in unit_columns %}u.{{ c }},{% endfor %}
        o.year,
        o.person_key,
        {% for indicator in measures %}
            min(o.{{ indicator }}) as {{ indicator }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from person_firsts as o
    inner join {{ units }} as u
        on u.county_code = o.origin_code{% if by_year %} and u.year = o.year{% endif %}
    where o.origins > 1
    group by {{ units_cols }}, o.year, o.person_key
),

several_counties_firsts as (
    {{ unpivot_columns('select * from several_counties_rows', measures, 'indicator', 'first_key') }}
),

firsts as (
    select {% for c in unit_columns %}u.{{ c }}, {% endfor %}c.year, c.indicator, c.first_key, c.persons
    from one_county_counted as c
    inner join {{ units }} as u
        on u.county_code = c.origin_code{% if by_year %} and u.year = c.year{% endif %}
    union all
    select {{ units_cols }}, year, indicator, first_key, 1 as persons
    from several_counties_firsts
)
{%- endmacro %}
