-- What each helper achieved for its partners: one row per period × pairing (帮扶方 and
-- 结对类型) × indicator - employment, training, workshops and organised transport, as in
-- `metrics` (cumulative from 1 January; workshops the month's stock). A pairing's figure
-- is the metric over the union of its recipient regions in force that year, persons
-- distinct across them: a county that two of the helper's pairings cover (广东 → 广西 and
-- 来宾 ⊂ 广西) counts once. Each helper region also gets a 合计 row over every pairing of
-- it and of the regions under it (茂名市: 茂名 → 来宾, 电白 and 茂南 → 金秀 ⊂ 来宾, so 来宾
-- once). The recipients are named in recipient_names. Training counts trainees by their
-- 户籍地, workshops by where they are, trips by where they leave.
with pairings as (
    select * from {{ ref('dim_pairings') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

employment_firsts as (
    select * from {{ ref('int_pairing_firsts_by_file') }}
),

trainings as (
    select * from {{ ref('stg_raw__trainings') }}
),

workshops as (
    select *, left(period, 4)::integer as year, {{ workshop_kinds() }}
    from {{ ref('stg_raw__workshops') }}
),

transports as (
    select *, left(period, 4)::integer as year
    from {{ ref('stg_raw__transports') }}
),

periods as (
    select * from {{ ref('int_periods_listed') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

{{ pairing_units_covered('pairings', 'ancestors', 'regions', 'periods') }},

counts as (
    -- the persons first counted in the pairing from 1 January to the period end
    select p.period, f.pairing_type, f.helper_name, f.indicator, sum(f.persons) as persons
    from periods as p
    inner join employment_firsts as f on f.year = p.year and f.file_period <= p.period
    group by p.period, f.pairing_type, f.helper_name, f.indicator
),

active as (
    select period, pairing_type, helper_name from counts where indicator = 'employed_persons'
),

persons as (
    select a.period, a.pairing_type, a.helper_name, m.indicator, coalesce(c.persons, 0)::double as value
    from active as a
    cross join ({{ employment_indicators() }}) as m
    left join counts as c
        on
            c.period = a.period
            and c.pairing_type = a.pairing_type
            and c.helper_name = a.helper_name
            and c.indicator = m.indicator
),

shares as (
    {{ share_rows('persons', 'employed_poverty_persons', 'employed_persons', 'employed_poverty_share',
                  ['period', 'pairing_type', 'helper_name']) }}
),

{{ training_enrolments('trainings', 'periods') }},

{{ training_counted('enrolments', 'covered', ['pairing_type', 'helper_name'], by_year=true) }},

training as (
    {{ long_rows('training_counted', ['period', 'pairing_type', 'helper_name'], training_values()) }}
),

workshops_counted as (
    select w.period, c.pairing_type, c.helper_name, {{ workshop_counts() }}
    from workshops as w
    inner join covered as c on w.location_code = c.county_code and w.year = c.year
    group by w.period, c.pairing_type, c.helper_name
),

workshop_stocks as (
    {{ long_rows('workshops_counted', ['period', 'pairing_type', 'helper_name'], workshop_values()) }}
),

workshop_shares as (
    {{ share_rows('workshop_stocks', 'workshop_poverty_employed', 'workshop_employed', 'workshop_poverty_share',
                  ['period', 'pairing_type', 'helper_name']) }}
),

trips_counted as (
    select p.period, c.pairing_type, c.helper_name, {{ transport_counts() }}
    from periods as p
    inner join transports as t on t.year = p.year and t.period <= p.period
    inner join covered as c on t.departure_code = c.county_code and t.year = c.year
    group by p.period, c.pairing_type, c.helper_name
),

trips as (
    {{ long_rows('trips_counted', ['period', 'pairing_type', 'helper_name'], transport_values()) }}
),

all_values as (
    select * from persons
    union all
    select * from shares
    union all
    select * from training
    union all
    select * from workshop_stocks
    union all
    select * from workshop_shares
    union all
    select * from trips
),

helpers as (
    -- one row per pairing: the helper's code and the recipients it covers, by name
    select
        pairing_type,
        helper_name,
        any_value(helper_code) as helper_code,
        {{ sorted_names('recipient_name', '、') }} as recipient_names
    from units
    group by pairing_type, helper_name
)

select
    v.period,
    cast(v.period || '-01' as date) as period_date,
    v.pairing_type,
    v.helper_name,
    h.helper_code,
    h.recipient_names,
    v.indicator,
    i.indicator_name,
    v.value,
    i.unit
from all_values as v
inner join helpers as h on v.pairing_type = h.pairing_type and v.helper_name = h.helper_name
inner join indicators as i on v.indicator = i.indicator
