-- Rejected values never show an ID number in clear (18 digits, or 17 and X).
select *
from {{ ref('rejected_rows') }}
where {{ contains_match('masked_value', '[0-9]{17}[0-9Xx]') }}
