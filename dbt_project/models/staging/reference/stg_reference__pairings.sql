with source as (
    select * from {{ ref('pairings') }}
)

select
    "结对类型" as pairing_type,
    "帮扶方" as helper_name,
    "帮扶方行政区划代码" as helper_code,
    "受帮扶方行政区划代码" as recipient_code,
    "起始年度" as start_year,
    "终止年度" as end_year,
    "来源" as source_document
from source
