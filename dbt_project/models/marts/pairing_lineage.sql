-- Where each distinct-person employment figure of `pairing_metrics` comes from: one row per
-- period, pairing (帮扶方, 结对类型; a helper's 合计 too), indicator and file, with the
-- persons that file contributes - those first counted there within the pairing's union of
-- recipient counties (the earliest placement of the year, by month, then file path;
-- int_pairing_firsts_by_file). For a period the contributions sum to the pairing's figure
-- (a dbt test).
with firsts as (
    select * from {{ ref('int_pairing_firsts_by_file') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
)

select
    p.period,
    f.pairing_type,
    f.helper_name,
    f.indicator,
    f.file,
    f.file_period,
    f.persons as contribution
from periods as p
inner join firsts as f on p.year = f.year and f.file_period <= p.period
