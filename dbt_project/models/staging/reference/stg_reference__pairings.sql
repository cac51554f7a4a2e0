with source as (
    select * from {{ ref('pairings') }}
)

select
    {{ adapter.quote('结对类型') }} as pairing_type,
    {{ adapter.quote('帮扶方') }} as helper_name,
    {{ adapter.quote('帮扶方行政区划代码') }} as helper_code,
    {{ adapter.quote('受帮扶方行政区划代码') }} as recipient_code,
    {{ adapter.quote('起始年度') }} as start_year,
    {{ adapter.quote('终止年度') }} as end_year,
    {{ adapter.quote('来源') }} as source_document
from source
