with source as (
    select * from {{ source('raw', 'trainings') }}
)

select * from source
