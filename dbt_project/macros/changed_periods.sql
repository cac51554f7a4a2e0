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

{% macro file_key_of_period(period) -%}
    {#- the smallest file key (int_placement_files_ranked) of a month 'YYYY-MM': the
        month as yyyymm × 1,000,000 -#}
    (cast(left({{ period }}, 4) as bigint) * 100 + cast(right({{ period }}, 2) as bigint)) * 1000000
{%- endmacro %}

{% macro delete_changed_persons() -%}
    {#- int_employment_person_firsts keeps one row per year, origin county and person; a
        person's row depends on all their placements of the year. From the earliest
        changed month M on it deletes every later year, and in M's year every person
        whose rows may change: those placed in a month from M on (as the ledgers are
        now), and those whose rows hold a file of a month from M on (placements that may
        be gone now). All rows of such a person go, whatever the county; the model then
        recomputes the persons of M's year that have no rows left. -#}
    {%- if is_incremental() -%}
        {%- set changed = changed_from() -%}
        delete from {{ this }}
        where year > cast(left({{ changed }}, 4) as integer)
            or (
                year = cast(left({{ changed }}, 4) as integer)
                and person_key in (
                    select person_key from {{ ref('stg_raw__placements') }}
                    where period >= {{ changed }}
                    union
                    select person_key from {{ this }}
                    where
                        year = cast(left({{ changed }}, 4) as integer)
                        and {{ latest_first_key() }} >= {{ file_key_of_period(changed) }}
                )
            )
    {%- endif -%}
{%- endmacro %}

{% macro latest_first_key() -%}
    {#- the latest of a person row's first-file keys (int_employment_person_firsts) -#}
    greatest(
        {%- for indicator in employment_measures() %}
            coalesce({{ indicator }}, 0){% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{% macro person_firsts_since_changed() -%}
    {#- int_employment_person_firsts for the lineage models in by_period: in an
        incremental build only the persons with a first (for some indicator, in some
        county) from the earliest changed month on, with all their rows of that month's
        year and later; nobody else's firsts can fall in a recomputed month. -#}
    select * from {{ ref('int_employment_person_firsts') }}
    {%- if is_incremental() %}
        where
            year >= cast(left({{ changed_from() }}, 4) as integer)
            and person_key in (
                select person_key from {{ ref('int_employment_person_firsts') }}
                where {{ latest_first_key() }} >= {{ file_key_of_period(changed_from()) }}
            )
    {%- endif %}
{%- endmacro %}
