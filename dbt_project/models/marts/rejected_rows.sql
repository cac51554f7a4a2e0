-- One row per problem in a row of a current file version: file, row, column, masked
-- value, Chinese reason. Values of 姓名 and 身份证号码 are masked at ingestion.
with rejected as (
    select * from {{ ref('stg_raw__rejected_rows') }}
)

select
    path as file,
    kind,
    period,
    sheet,
    source_row as row_number,
    column_name,
    masked_value,
    reason_code,
    reason
from rejected
