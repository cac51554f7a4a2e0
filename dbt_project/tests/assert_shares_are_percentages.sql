-- Shares and rates of a part within its whole lie in [0, 100] (目标完成率 may exceed 100).
select *
from {{ ref('metrics') }}
where
    unit = '%'
    and indicator <> 'employed_target_rate'
    and (value < 0 or value > 100)
