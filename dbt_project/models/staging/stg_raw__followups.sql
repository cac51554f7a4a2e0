with source as (
    select * from {{ source('raw', 'followups') }}
)

select * from source
