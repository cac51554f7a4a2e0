{#- Two CTEs both pairing marts count over (pairing_metrics, pairing_lineage): `units`, each
    pairing (帮扶方, 结对类型) and each helper region's 合计 over every pairing of it and of
    the regions under it, with its recipients and years in force; and `covered`, the
    counties under each unit's recipients per year in force, once each however many of
    the unit's pairings cover them. Arguments name the CTEs of dim_pairings,
    int_region_ancestors, int_regions_resolved and int_periods_listed. -#}
{% macro pairing_units_covered(pairings, ancestors, regions, periods) -%}
units as (
    -- each pairing, and each helper region's total over its own and its sub-regions'
    select pairing_type, helper_name, helper_code, recipient_code, recipient_name, start_year, end_year
    from {{ pairings }}
    union all
    select
        '{{ pairing_total() }}' as pairing_type,
        h.region_name as helper_name,
        h.region_code as helper_code,
        p.recipient_code,
        p.recipient_name,
        p.start_year,
        p.end_year
    from {{ pairings }} as p
    inner join {{ ancestors }} as up on p.helper_code = up.region_code
    inner join {{ regions }} as h on up.ancestor_code = h.region_code
),

covered as (
    -- the counties under each unit's recipients, per year in force: once each, however
    -- many of the unit's pairings cover them
    select distinct
        u.pairing_type,
        u.helper_name,
        a.region_code as county_code,
        y.year
    from units as u
    inner join {{ ancestors }} as a on u.recipient_code = a.ancestor_code
    inner join (select distinct year from {{ periods }}) as y
        on y.year >= u.start_year and (u.end_year is null or y.year <= u.end_year)
)
{%- endmacro %}
