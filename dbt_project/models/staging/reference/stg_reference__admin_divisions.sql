with source as (
    select * from {{ ref('admin_divisions_cn') }}
)

select
    "代码" as region_code,
    "一级行政区" as province_name,
    "二级行政区" as city_name,
    "名称" as region_name,
    case "级别" when '省级' then 'province' when '地级' then 'city' else 'county' end as region_level,
    "状态" = '在用' as in_use,
    "启用时间" as valid_from_year,
    "变更/弃用时间" as valid_to_year,
    "新代码" as successor_codes
from source
