-- Statistical alarms: one row per county, month and figure that is implausible against
-- that county's own history - the month's new persons falling or jumping (a sheet left
-- out, a file sent twice), the 脱贫 share of the month's new persons moving far or
-- leaving its band (a flag column misread), a training rate stuck at 100%, a ledger
-- that stops arriving after months of it, a workshop stock that doubles or halves.
--
-- Robust: a month is compared with the median of up to `history_months` previous months
-- of the same series, its spread the median absolute deviation (MAD, x1.4826) floored
-- at `min_spread` of the median; a series with fewer than `min_history_months` previous
-- months raises nothing. Thresholds: dbt_project.yml `alarms`, documented there and in
-- docs/choices.md. Reasons are written from zh.ALARM_RULES (macros/generated_names.sql).
-- A county silent this month raises `silent`, not also a fall of the figures its
-- ledger carries. Alarms warn; they never stop publishing.
{% set a = var('alarms') %}
{% set texts = alarm_texts() %}
{% set titles = kind_titles() %}
with metrics as (
    select * from {{ ref('metrics') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

regions as (
    select * from {{ ref('int_regions_resolved') }}
),

files as (
    select * from {{ ref('stg_raw__ingestion_log') }}
),

located as (
    select * from {{ ref('int_files_located') }}
),

watched as (
    -- the county figures judged: `volume` by the month's new count, `stock` by the
    -- month's own figure, `rate` by runs at 100%; `part` feeds a share. `kind`: the
    -- ledger the figure comes from.
    select w.indicator, w.family, w.kind
    from (
        values
        ('employed_persons', 'volume', 'placements'),
        ('employed_poverty_persons', 'part', 'placements'),
        ('training_completion_rate', 'rate', 'trainings'),
        ('workshop_count', 'stock', 'workshops'),
        ('workshop_employed', 'stock', 'workshops'),
        ('base_count', 'stock', 'workshops'),
        ('base_employed', 'stock', 'workshops')
    ) as w (indicator, family, kind)
),

county_values as (
    -- a cumulative figure's new count of the month: this month's less the previous
    -- month's of the same year (January: its own)
    select
        m.period,
        m.region_code,
        m.indicator,
        w.family,
        w.kind,
        m.value,
        case
            when w.family in ('volume', 'part')
                then m.value - coalesce(lag(m.value) over (
                    partition by m.region_code, m.indicator, left(m.period, 4) order by m.period
                ), 0)
            else m.value
        end as month_value
    from metrics as m
    inner join watched as w on m.indicator = w.indicator
    where m.region_level = 'county'
),

shares as (
    -- the 脱贫 share of the month's new persons, with how many they are: the month's
    -- new 脱贫 persons over its new persons, at most 100 (a person placed before whose
    -- flag turns 是 is new to 脱贫 only)
    select
        p.period,
        p.region_code,
        'employed_poverty_share' as indicator,
        'share' as family,
        p.kind,
        t.month_value as persons,
        least(100.0 * p.month_value / t.month_value, 100) as month_value
    from county_values as p
    inner join county_values as t
        on t.period = p.period and t.region_code = p.region_code and t.indicator = 'employed_persons'
    where p.indicator = 'employed_poverty_persons' and t.month_value > 0
),

series as (
    select period, region_code, indicator, family, kind, month_value, cast(null as double) as persons
    from county_values
    where family in ('volume', 'stock', 'rate')
    union all
    select period, region_code, indicator, family, kind, month_value, persons
    from shares
),

numbered as (
    select
        *,
        row_number() over (partition by region_code, indicator order by period) as n,
        -- months running at 100% up to this one (rates)
        sum(case when month_value = 100 then 1 else 0 end) over (
            partition by region_code, indicator order by period
            rows between {{ a.constant_months - 1 }} preceding and current row
        ) as at_100
    from series
),

history as (
    select c.period, c.region_code, c.indicator, h.month_value as past
    from numbered as c
    inner join numbered as h
        on
            h.region_code = c.region_code
            and h.indicator = c.indicator
            and h.n < c.n
            and h.n >= c.n - {{ a.history_months }}
),

baselines as (
    select period, region_code, indicator, count(*) as history_months, {{ median_of('past') }} as baseline
    from history
    group by period, region_code, indicator
),

spreads as (
    select
        h.period,
        h.region_code,
        h.indicator,
        {{ median_of('abs(h.past - b.baseline)') }} as mad
    from history as h
    inner join baselines as b
        on b.period = h.period and b.region_code = h.region_code and b.indicator = h.indicator
    group by h.period, h.region_code, h.indicator
),

judged as (
    select
        s.*,
        b.history_months,
        b.baseline,
        case
            -- a share's chance variation among n persons: 100 x sqrt(p (1 - p) / n)
            when s.family = 'share'
                then greatest(
                    1.4826 * d.mad,
                    100 * sqrt((b.baseline / 100) * (1 - b.baseline / 100) / s.persons),
                    1
                )
            -- a count's: its square root
            else greatest(1.4826 * d.mad, {{ a.min_spread }} * b.baseline, sqrt(b.baseline), 1)
        end as spread
    from numbered as s
    inner join baselines as b
        on b.period = s.period and b.region_code = s.region_code and b.indicator = s.indicator
    inner join spreads as d
        on d.period = s.period and d.region_code = s.region_code and d.indicator = s.indicator
    where b.history_months >= {{ a.min_history_months }}
),

enrolled as (
    select period, region_code, value as enrolled
    from metrics
    where region_level = 'county' and indicator = 'training_person_times'
),

kind_months as (
    -- the months in which any county sent a ledger of the kind, numbered per kind
    select kind, period, row_number() over (partition by kind order by period) as n
    from (
        select distinct kind, period
        from files
        where
            is_current and status = 'loaded'
            and kind in ('{{ a.silent_kinds.keys() | join("', '") }}')
    ) as k
),

sent as (
    select f.kind, f.period, l.region_code, sum(f.rows_loaded) as rows_loaded
    from files as f
    inner join located as l on f.load_id = l.load_id
    where f.is_current and f.status = 'loaded'
    group by f.kind, f.period, l.region_code
),

silent as (
    -- counties that sent the kind in each of the previous months it arrived in, but not
    -- in this one, and (a flow such as placements, where a quiet month is possible) with
    -- enough rows a month for the silence to stand out
    select k.kind, k.period, s.region_code, count(*) as months
    from kind_months as k
    inner join kind_months as before
        on
            before.kind = k.kind
            and before.n < k.n
            and before.n >= k.n - {{ a.min_history_months }}
    inner join sent as s on s.kind = before.kind and s.period = before.period
    left join sent as now
        on now.kind = k.kind and now.period = k.period and now.region_code = s.region_code
    where now.region_code is null
    group by k.kind, k.period, s.region_code
    having
        count(*) = {{ a.min_history_months }}
        and {{ median_of('s.rows_loaded') }} >= case k.kind
            {% for kind, rows in a.silent_kinds.items() %}
                when '{{ kind }}' then {{ rows }}
            {% endfor %}
        end
),

raised as (
    select
        j.period,
        j.region_code,
        j.indicator,
        j.kind,
        case
            when j.family = 'volume' and j.month_value < j.baseline then 'drop'
            when j.family = 'volume' then 'spike'
            when j.family = 'stock' and j.month_value < j.baseline then 'stock_fall'
            when j.family = 'stock' then 'stock_rise'
            when j.month_value < {{ a.share_band[0] }} or j.month_value > {{ a.share_band[1] }} then 'share_band'
            else 'share_jump'
        end as rule,
        j.month_value as value,
        j.baseline,
        case
            when j.family = 'share' and (j.month_value < {{ a.share_band[0] }} or j.month_value > {{ a.share_band[1] }})
                then {{ a.share_band[0] }}
            else greatest(j.baseline - {{ a.robust_z }} * j.spread, 0)
        end as expected_low,
        case
            when j.family = 'share' and (j.month_value < {{ a.share_band[0] }} or j.month_value > {{ a.share_band[1] }})
                then {{ a.share_band[1] }}
            when j.family = 'share' then least(j.baseline + {{ a.robust_z }} * j.spread, 100)
            else j.baseline + {{ a.robust_z }} * j.spread
        end as expected_high,
        j.history_months,
        (j.month_value - j.baseline) / j.spread as score
    from judged as j
    where
        (
            j.family = 'volume'
            and j.baseline >= {{ a.volume_min_baseline }}
            and abs(j.month_value - j.baseline) >= {{ a.volume_min_change }} * j.baseline
            and abs(j.month_value - j.baseline) >= {{ a.robust_z }} * j.spread
        )
        or (
            j.family = 'stock'
            and j.baseline >= {{ a.stock_min_baseline }}
            and (
                j.month_value >= {{ a.stock_ratio }} * j.baseline
                or j.month_value <= j.baseline / {{ a.stock_ratio }}
            )
        )
        or (
            j.family = 'share'
            and j.persons >= {{ a.share_min_persons }}
            and (
                j.month_value < {{ a.share_band[0] }}
                or j.month_value > {{ a.share_band[1] }}
                or (
                    abs(j.month_value - j.baseline) >= {{ a.share_points }}
                    and abs(j.month_value - j.baseline) >= {{ a.robust_z }} * j.spread
                )
            )
        )
    union all
    select
        j.period,
        j.region_code,
        j.indicator,
        j.kind,
        'constant_rate' as rule,
        j.month_value as value,
        j.baseline,
        cast(null as double) as expected_low,
        cast(null as double) as expected_high,
        {{ a.constant_months }} as history_months,
        cast(null as double) as score
    from judged as j
    inner join enrolled as e on e.period = j.period and e.region_code = j.region_code
    where
        j.family = 'rate'
        and j.at_100 = {{ a.constant_months }}
        and e.enrolled >= {{ a.constant_min_enrolled }}
),

kept as (
    -- a county silent this month raises `silent`, not also a fall of that ledger's figures
    select r.*
    from raised as r
    left join silent as s on s.kind = r.kind and s.period = r.period and s.region_code = r.region_code
    where s.region_code is null
    union all
    select
        s.period,
        s.region_code,
        w.indicator,
        s.kind,
        'silent' as rule,
        0 as value,
        cast(null as double) as baseline,
        cast(null as double) as expected_low,
        cast(null as double) as expected_high,
        s.months as history_months,
        cast(null as double) as score
    from silent as s
    inner join (
        -- the figure a silent ledger is shown under
        values ('placements', 'employed_persons'), ('workshops', 'workshop_count'),
        ('trainings', 'training_person_times'), ('transports', 'transport_trips'),
        ('followups', 'followup_due_persons')
    ) as w (kind, indicator) on s.kind = w.kind
),

worded as (
    select
        k.*,
        i.indicator_name,
        i.unit,
        case
            when k.rule in ('share_jump', 'share_band', 'constant_rate')
                then cast(cast(round(k.value, 0) as bigint) as string)
            else {{ thousands('k.value') }}
        end as value_text,
        case
            when k.rule in ('share_jump', 'share_band', 'constant_rate')
                then cast(cast(round(k.baseline, 0) as bigint) as string)
            else {{ thousands('k.baseline') }}
        end as baseline_text,
        case
            when k.rule in ('share_jump', 'share_band')
                then cast(cast(round(abs(k.value - k.baseline), 0) as bigint) as string)
            else cast(cast(round(100 * abs(k.value - k.baseline) / k.baseline, 0) as bigint) as string)
        end as change_text
    from kept as k
    inner join indicators as i on k.indicator = i.indicator
)

{%- set kind_case -%}
    case w.kind{% for kind, title in titles.items() %} when '{{ kind }}' then '{{ title }}'{% endfor %} end
{%- endset -%}
{%- set fields = {
    'name': 'w.indicator_name', 'indicator': 'w.indicator', 'unit': 'w.unit',
    'value': 'w.value_text', 'baseline': 'w.baseline_text', 'change': 'w.change_text',
    'months': 'cast(w.history_months as string)',
    'low': "'" ~ a.share_band[0] ~ "'", 'high': "'" ~ a.share_band[1] ~ "'",
    'kind': kind_case,
    'kind_en': 'w.kind',
} %}

select
    w.period,
    cast(w.period || '-01' as date) as period_date,
    w.region_code,
    r.region_name,
    w.indicator,
    w.indicator_name,
    w.unit,
    w.rule,
    case w.rule
        {% for rule, (name, _, _) in texts.items() %}
            when '{{ rule }}' then '{{ name }}'
        {% endfor %}
    end as rule_name,
    round(w.value, 2) as value,
    round(w.baseline, 2) as baseline,
    round(w.expected_low, 2) as expected_low,
    round(w.expected_high, 2) as expected_high,
    w.history_months,
    round(w.score, 2) as score,
    case w.rule
        {% for rule, (_, zh_text, _) in texts.items() %}
            when '{{ rule }}' then {{ fill_template(zh_text, fields) }}
        {% endfor %}
    end as reason_zh,
    case w.rule
        {% for rule, (_, _, en_text) in texts.items() %}
            when '{{ rule }}' then {{ fill_template(en_text, fields) }}
        {% endfor %}
    end as reason_en
from worded as w
inner join regions as r on w.region_code = r.region_code
