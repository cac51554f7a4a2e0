with source as (
    select * from {{ source('raw', 'workshops') }}
)

select * from source
