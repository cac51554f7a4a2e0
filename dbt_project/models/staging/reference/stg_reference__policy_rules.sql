with source as (
    select * from {{ ref('policy_rules') }}
)

select
    {{ adapter.quote('规则编码') }} as rule_code,
    {{ adapter.quote('文号') }} as document,
    {{ adapter.quote('地区代码') }} as region_code,
    {{ adapter.quote('生效日期') }} as valid_from,
    {{ adapter.quote('失效日期') }} as valid_to,
    {{ adapter.quote('补贴类型') }} as subsidy_type,
    {{ adapter.quote('单价（元）') }} as unit_amount,
    {{ adapter.quote('计量') }} as measure,
    {{ adapter.quote('单次上限（元）') }} as cap_amount,
    {{ adapter.quote('条件') }} as conditions
from source
