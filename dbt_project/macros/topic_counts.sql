{# Counts shared by a region's figures (int_workshop_stocks_summed,
   int_transports_cumulated) and a pairing's (pairing_metrics), so both count alike. #}

{# Columns telling the two kinds of workshop apart, for a select over stg_raw__workshops:
   a blank 车间类型 is a 就业帮扶车间; 稳岗就业基地 are counted apart. #}
{% macro workshop_kinds() -%}
    coalesce(workshop_type, '就业帮扶车间') = '就业帮扶车间' as is_workshop,
    workshop_type = '稳岗就业基地' as is_base
{%- endmacro %}

{# The month's stock of a group of workshop reports `w` (never added over months). #}
{% macro workshop_counts() -%}
    count(distinct w.workshop_id) filter (where w.is_workshop) as workshops,
    sum(w.employed) filter (where w.is_workshop) as workshop_employed,
    sum(w.poverty_employed) filter (where w.is_workshop) as workshop_poverty,
    count(distinct w.workshop_id) filter (where w.is_base) as bases,
    sum(w.employed) filter (where w.is_base) as base_employed
{%- endmacro %}

{% macro workshop_values() -%}
    {{ return([
        ('workshop_count', 'workshops'),
        ('workshop_employed', 'coalesce(workshop_employed, 0)'),
        ('workshop_poverty_employed', 'coalesce(workshop_poverty, 0)'),
        ('base_count', 'bases'),
        ('base_employed', 'coalesce(base_employed, 0)'),
    ]) }}
{%- endmacro %}

{# Trips and seats of a group of trips `t`, in all and by direction (返岗 / 返乡). #}
{% macro transport_counts() -%}
    count(*) as trips,
    sum(t.persons) as seats,
    sum(t.poverty_persons) as poverty_seats,
    count(*) filter (where t.direction = '返岗') as to_work_trips,
    coalesce(sum(t.persons) filter (where t.direction = '返岗'), 0) as to_work_seats,
    coalesce(sum(t.poverty_persons) filter (where t.direction = '返岗'), 0) as to_work_poverty_seats,
    count(*) filter (where t.direction = '返乡') as home_trips,
    coalesce(sum(t.persons) filter (where t.direction = '返乡'), 0) as home_seats,
    coalesce(sum(t.poverty_persons) filter (where t.direction = '返乡'), 0) as home_poverty_seats
{%- endmacro %}

{% macro transport_values() -%}
    {{ return([
        ('transport_trips', 'trips'),
        ('transport_person_times', 'seats'),
        ('transport_poverty_person_times', 'poverty_seats'),
        ('transport_to_work_trips', 'to_work_trips'),
        ('transport_to_work_person_times', 'to_work_seats'),
        ('transport_to_work_poverty_person_times', 'to_work_poverty_seats'),
        ('transport_home_trips', 'home_trips'),
        ('transport_home_person_times', 'home_seats'),
        ('transport_home_poverty_person_times', 'home_poverty_seats'),
    ]) }}
{%- endmacro %}
