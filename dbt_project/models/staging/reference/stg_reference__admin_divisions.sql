with source as (
    select * from {{ ref('admin_divisions_cn') }}
)

select
    {{ adapter.quote('代码') }} as region_code,
    {{ adapter.quote('一级行政区') }} as province_name,
    {{ adapter.quote('二级行政区') }} as city_name,
    {{ adapter.quote('名称') }} as region_name,
    case {{ adapter.quote('级别') }} when '省级' then 'province' when '地级' then 'city' else 'county' end as region_level,
    {{ adapter.quote('状态') }} = '在用' as in_use,
    {{ adapter.quote('启用时间') }} as valid_from_year,
    {{ adapter.quote('变更/弃用时间') }} as valid_to_year,
    {{ adapter.quote('新代码') }} as successor_codes
from source
