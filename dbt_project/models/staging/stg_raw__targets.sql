with source as (
    select * from {{ source('raw', 'targets') }}
)

select * from source
