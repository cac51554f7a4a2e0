with source as (
    select * from {{ ref('policy_rules') }}
)

select
    "规则编码" as rule_code,
    "文号" as document,
    "地区代码" as region_code,
    "生效日期" as valid_from,
    "失效日期" as valid_to,
    "补贴类型" as subsidy_type,
    "单价（元）" as unit_amount,
    "计量" as measure,
    "单次上限（元）" as cap_amount,
    "条件" as conditions
from source
