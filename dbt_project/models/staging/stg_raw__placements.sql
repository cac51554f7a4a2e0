with source as (
    select * from {{ source('raw', 'placements') }}
)

select * from source
