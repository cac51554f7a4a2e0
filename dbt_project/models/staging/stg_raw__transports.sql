with source as (
    select * from {{ source('raw', 'transports') }}
)

select * from source
