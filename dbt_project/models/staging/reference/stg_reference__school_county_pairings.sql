with source as (
    select * from {{ ref('gx_school_county_pairing') }}
)

select
    seq,
    city as city_name,
    county as county_short_name,
    assistance_level,
    paired_school
from source
