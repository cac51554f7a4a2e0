-- 其中 never exceeds its total: poverty persons within employed persons, by destination
-- too, and workshop poverty headcount within the workshop headcount.
with wide as (
    select * from {{ ref('region_period_summary') }}
)

select *
from wide
where
    employed_poverty_persons > employed_persons
    or employed_guangdong_persons > employed_persons
    or employed_other_east_persons > employed_persons
    or employed_in_province_persons > employed_persons
    or workshop_poverty_employed > workshop_employed
    or training_poverty_person_times > training_person_times
