{#-
  Period-incremental tables.

  Some models' rows for a month depend only on data of that month and earlier ones:
  each person's first month of the year, the latest training report up to a month, the
  counts built on them. When December arrives, their rows for January to November do not
  change, and rebuilding them is most of a run's dbt time at ten million placements. Such
  a model is materialized 'incremental' and keeps, beside itself, a small state table
  (<model>__state) of fingerprints:

    - each period of each period source: row count and a hash of the rows' identities
      (load_id and source_row fix a raw row's content, since a file version's rows never
      change - a new version gets a new load_id);
    - each reference relation as a whole (every column);
    - the code: this model's SQL and its parents' checksums.

  A run compares those with the current ones. From the earliest period whose fingerprint
  changed (or appeared or disappeared) on, the model deletes its rows and recomputes them;
  a change in a reference relation or the code, or a missing state, means from the start.
  The delete, the new rows and the new state commit in one transaction (pre_hook, insert,
  post_hook), so state and rows cannot disagree. Nothing depends on the ingest telling dbt
  what changed: a failed build, a file replaced and put back, a dbt run by hand - the
  fingerprints see the data as it is.

  A model opts in with
    {{ config(
        materialized='incremental', incremental_strategy='append',
        on_schema_change='sync_all_columns',
        meta={'period_sources': [{'name': ..., 'identity': 'load_id, source_row'}],
              'reference_sources': [...], 'period_column': 'period'},
        pre_hook="{{ delete_changed_periods() }}",
        post_hook="{{ save_period_state() }}") }}
  (a changed model changes the code fingerprint, so all its rows are recomputed, and
  sync_all_columns lets those rows bring new columns) and, when is_incremental(),
  selects only rows whose period_column is at or after
  {{ changed_from() }} (a scalar SQL expression: a 'YYYY-MM' string, '0000-00' for
  everything, '9999-99' for nothing). Whole-relation fingerprints carry the period
  '0000-00', so a change in them means everything.
-#}

{% macro period_state_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__state'
    )) }}
{%- endmacro %}

{% macro code_fingerprint() -%}
    {%- set parts = [model.raw_code] -%}
    {%- if execute -%}
        {%- for parent in model.depends_on.nodes | sort -%}
            {%- set node = graph.nodes.get(parent) -%}
            {%- if node -%}{%- do parts.append(parent ~ '=' ~ node.checksum.checksum) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{% macro period_fingerprints() -%}
    {#- source, period ('0000-00': the whole relation, before every month), fingerprint -#}
    select '#code' as source, '0000-00' as period, '{{ code_fingerprint() }}' as fingerprint
    {%- for s in config.meta_get('period_sources', []) %}
    union all
    select
        '{{ s.name }}' as source,
        period,
        count(*) || ':' || sum(hash({{ s.identity }})) as fingerprint
    from {{ ref(s.name) }}
    group by period
    {%- endfor %}
    {%- for name in config.meta_get('reference_sources', []) %}
    union all
    select
        '{{ name }}' as source,
        '0000-00' as period,
        count(*) || ':' || coalesce(sum(hash(r)), 0) as fingerprint
    from {{ ref(name) }} as r
    {%- endfor %}
{%- endmacro %}

{% macro changed_from() -%}
    {%- set state = load_relation(period_state_relation()) if execute else none -%}
    {%- if state is none -%}
        '0000-00'
    {%- else -%}
        (
            select coalesce(min(period), '9999-99')
            from ({{ period_fingerprints() }}) as now_
            full join {{ state }} as then_ using (source, period)
            where now_.fingerprint is distinct from then_.fingerprint
        )
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ config.meta_get('period_column', 'period') }} >= {{ changed_from() }}
    {%- endif -%}
{%- endmacro %}

{% macro save_period_state() -%}
    create or replace table {{ period_state_relation() }} as {{ period_fingerprints() }}
{%- endmacro %}
