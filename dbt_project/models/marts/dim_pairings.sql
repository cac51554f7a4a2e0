-- One row per pairing (结对关系): who helps (帮扶方) whom (a region, or for a school a
-- county or relocation site), of which type, in force from which year to which: the
-- region pairings of seeds/pairings.csv and the two school annexes of 桂人社发〔2022〕7号.
with regional as (
    select * from {{ ref('stg_reference__pairings') }}
),

school_counties as (
    select * from {{ ref('dim_school_county_pairings') }}
),

school_sites as (
    select * from {{ ref('dim_school_relocation_site_pairings') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

pairings as (
    select
        pairing_type,
        helper_name,
        helper_code,
        recipient_code,
        cast(null as string) as recipient_site,
        start_year,
        end_year,
        source_document
    from regional
    union all
    select
        '院校-县' as pairing_type,
        paired_school as helper_name,
        null as helper_code,
        county_code as recipient_code,
        null as recipient_site,
        2022 as start_year,
        null as end_year,
        '桂人社发〔2022〕7号 附件1' as source_document
    from school_counties
    where paired_school is not null
    union all
    select
        '院校-安置区' as pairing_type,
        paired_school as helper_name,
        null as helper_code,
        county_code as recipient_code,
        relocation_site as recipient_site,
        2022 as start_year,
        null as end_year,
        '桂人社发〔2022〕7号 附件2' as source_document
    from school_sites
    where paired_school is not null
)

select
    p.pairing_type,
    p.helper_name,
    p.helper_code,
    p.recipient_code,
    coalesce(p.recipient_site, r.region_name) as recipient_name,
    p.start_year,
    p.end_year,
    p.source_document
from pairings as p
left join regions as r on p.recipient_code = r.region_code
