-- Rejected values never show an ID number in clear (18 digits, or 17 and X).
select *
from {{ ref('rejected_rows') }}
where regexp_matches(masked_value, '\d{17}[\dXx]')
