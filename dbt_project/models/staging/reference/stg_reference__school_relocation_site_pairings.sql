with source as (
    select * from {{ ref('gx_school_relocation_site_pairing') }}
)

select
    seq,
    city as city_name,
    relocation_site,
    scale,
    paired_school
from source
