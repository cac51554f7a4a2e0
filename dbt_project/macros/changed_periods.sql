{#-
  The one change tracker: the ingest records every reporting month whose rows changed
  (a file added, replaced or removed, duplicates re-resolved) in ingest.changed_periods,
  in the same transaction as the rows. The models in models/intermediate/by_period/ are
  ordinary incremental models: their rows for a month depend only on data of that month
  and earlier ones, so a build deletes their rows from the earliest changed month on
  (pre-hook, configured once for the folder) and recomputes those months. The pipeline
  empties ingest.changed_periods after a whole build succeeds; a failed or killed build
  leaves it, and the next build recomputes the same months. `dbt build` by hand does
  the same as the pipeline; `--full-refresh` recomputes everything.
-#}

{% macro changed_from() -%}
    {#- the earliest changed month ('YYYY-MM'); '9999-99': none; '0000-00': all -#}
    {%- if is_incremental() -%}
        (select coalesce(min(period), '9999-99') from {{ source('ingest', 'changed_periods') }})
    {%- else -%}
        '0000-00'
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ config.meta_get('period_column', 'period') }} >= {{ changed_from() }}
    {%- endif -%}
{%- endmacro %}
