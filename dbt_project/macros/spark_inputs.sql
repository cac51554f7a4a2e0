{#- On Spark: register the Parquet files of the raw, ingest and reference tables
    (written by pipelines/database/spark.py under var('spark_inputs')) as the tables the
    sources and seeds name. Elsewhere nothing: DuckDB has them already. -#}
{% macro register_spark_inputs() %}
    {% if target.type == 'spark' %}
        {% set root = var('spark_inputs') %}
        {# written partitioned by period (pipelines/database/spark.py, BY_PERIOD) #}
        {% set by_period = ['placements', 'trainings', 'workshops', 'transports', 'followups', 'targets'] %}
        {% set tables = {
            'raw': ['placements', 'trainings', 'workshops', 'transports', 'followups', 'targets',
                    'ingestion_log', 'rejected_rows'],
            'ingest': ['changed_periods'],
            'reference': ['admin_divisions_cn', 'indicators', 'policy_rules', 'pairings',
                          'gx_school_county_pairing', 'gx_school_relocation_site_pairing'],
        } %}
        {% for schema, names in tables.items() %}
            {% do run_query('create database if not exists ' ~ schema) %}
            {% for name in names %}
                {% do run_query('create table if not exists ' ~ schema ~ '.' ~ name
                    ~ " using parquet location '" ~ root ~ '/' ~ schema ~ '/' ~ name ~ "'") %}
                {# folders period=…/ become partitions only once the catalog lists them #}
                {% if schema == 'raw' and name in by_period %}
                    {% do run_query('msck repair table ' ~ schema ~ '.' ~ name) %}
                {% endif %}
            {% endfor %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}
