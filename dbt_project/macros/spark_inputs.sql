{#- On Spark: register the Parquet files of the raw, ingest and reference tables as the
    tables the sources and seeds name. pipelines/database/spark.py writes them and says
    where, in var('spark_inputs'): {root, tables: {schema: [table, …]}, by_period: [table,
    …]}. Elsewhere nothing but the `select 1` a hook must run: DuckDB has the tables. -#}
{% macro register_spark_inputs() %}
    {% if target.type == 'spark' and execute %}  {# not while dbt parses #}
        {% set inputs = var('spark_inputs') %}
        {% for schema, names in inputs['tables'].items() %}
            {% do run_query('create database if not exists ' ~ schema) %}
            {% for name in names %}
                {% do run_query('create table if not exists ' ~ schema ~ '.' ~ name
                    ~ " using parquet location '" ~ inputs['root'] ~ '/' ~ schema ~ '/' ~ name ~ "'") %}
                {# folders period=…/ become partitions only once the catalog lists them #}
                {% if schema ~ '.' ~ name in inputs['by_period'] %}
                    {% do run_query('msck repair table ' ~ schema ~ '.' ~ name) %}
                {% endif %}
            {% endfor %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}
