"""Every indicator of the scenario (tests/scenario.py) against values worked out by hand,
at county, city and province level, from the published serving file."""

from __future__ import annotations

import duckdb
import pytest

from tests.scenario import P4, P7

A, B, C, LAIBIN, GX, ANSHUN, GZ = (
    "451324",
    "451321",
    "520422",
    "451300",
    "450000",
    "520400",
    "520000",
)

# (period, region) → {indicator: value}; None = NULL (a rate without denominator).
EXPECTED = {
    ("2023-12", A): {"employed_persons": 1, "employed_guangdong_persons": 1, "employed_poverty_persons": 0, "employed_poverty_share": 0.0},
    ("2024-10", A): {
        "employed_persons": 2, "employed_poverty_persons": 1, "employed_poverty_share": 50.0,
        "employed_guangdong_persons": 1, "employed_in_province_persons": 1, "employed_other_east_persons": 0,
        "employed_organized_persons": 1, "employed_guangdong_poverty_persons": 1,
        "employed_monitored_persons": 1,  # P5
        "employed_target": 4, "employed_target_rate": 50.0,
        "training_classes": 1, "training_person_times": 3, "training_poverty_person_times": 1,
        "training_persons": 3, "training_order_classes": 0, "training_order_person_times": 0,
        "transport_trips": 2, "transport_person_times": 70, "transport_poverty_person_times": 15,
        "transport_to_work_trips": 1, "transport_to_work_person_times": 40, "transport_home_trips": 1,
        "transport_home_person_times": 30, "transport_home_poverty_person_times": 5,
        # K1 (项目制, 10 days): P1 1,000 (capped from 2,000); P1, P5, P2 500 living each
        "subsidy_training_amount": 1000, "subsidy_living_amount": 1500, "subsidy_capped_person_times": 1,
        "training_completion_rate": 66.67, "training_certificate_rate": 50.0,
        "training_employment_rate": 100.0, "training_in_trade_rate": 50.0,
    },
    ("2024-10", B): {
        "employed_persons": 1, "employed_poverty_share": 100.0, "employed_guangdong_persons": 1,
        "employed_monitored_persons": 0, "training_persons": 1,
        "subsidy_training_amount": 0, "subsidy_living_amount": 500,  # P3: no contract
        "training_person_times": 1, "training_completion_rate": 100.0, "training_certificate_rate": 100.0,
        "training_employment_rate": 0.0, "training_in_trade_rate": None,
    },
    ("2024-10", LAIBIN): {
        "employed_persons": 3, "employed_poverty_persons": 2, "employed_poverty_share": 66.67,
        "employed_guangdong_persons": 2, "employed_in_province_persons": 1,
        "employed_target": 3, "employed_target_rate": 100.0,
        "training_classes": 1, "training_person_times": 4, "training_completion_rate": 75.0,
        "training_persons": 4, "employed_monitored_persons": 1, "transport_trips": 2,
        "training_certificate_rate": 66.67, "training_employment_rate": 66.67, "training_in_trade_rate": 50.0,
    },
    ("2024-10", GX): {"employed_persons": 3, "employed_poverty_share": 66.67},
    ("2024-10", C): {"workshop_count": 2, "workshop_employed": 80, "workshop_poverty_employed": 30, "base_count": 0,
                     "workshop_poverty_share": 37.5},
    ("2024-10", ANSHUN): {"workshop_count": 2, "workshop_employed": 80, "workshop_poverty_share": 37.5},
    ("2024-11", A): {
        "employed_persons": 3, "employed_poverty_persons": 1, "employed_poverty_share": 33.33,
        "employed_guangdong_persons": 1, "employed_in_province_persons": 2, "employed_other_east_persons": 1,
        "employed_organized_persons": 1, "employed_target_rate": 75.0,
        "training_person_times": 3, "training_completion_rate": 66.67,
        "employed_monitored_persons": 1, "training_persons": 3,  # October's, cumulative
    },
    # P5's November row (origin B) is not marked 监测对象: B counts no monitored person
    ("2024-11", B): {"employed_persons": 2, "employed_poverty_persons": 1, "employed_guangdong_persons": 2, "employed_poverty_share": 50.0,
                     "employed_monitored_persons": 0},
    # A city is the distinct union of its counties: P5 counts in A and in B, once here.
    ("2024-11", LAIBIN): {
        "employed_persons": 4, "employed_guangdong_persons": 3, "employed_in_province_persons": 2,
        "employed_other_east_persons": 1, "employed_poverty_persons": 2, "employed_poverty_share": 50.0,
        "employed_target_rate": 133.33, "employed_monitored_persons": 1,
        # seats add up over the year and the counties: 40 + 30 + 20
        "transport_trips": 3, "transport_person_times": 90, "transport_to_work_person_times": 60,
    },
    ("2024-11", C): {
        "employed_persons": 1, "employed_in_province_persons": 1, "employed_poverty_persons": 0, "employed_poverty_share": 0.0,
        "workshop_count": 1, "workshop_employed": 55, "workshop_poverty_employed": 21,
        "workshop_poverty_share": 38.18,  # 21 / 55 = 38.1818…
    },
    ("2024-11", GZ): {"employed_persons": 1, "workshop_employed": 55},
}  # fmt: skip


# Follow-up duties (tests/scenario.py): due, ≥3 recommendations (%), on time among those
# whose deadline passed (%), overdue.
FOLLOWUPS = {
    # B: P3 (1 recommendation, due 2025-01-20) and P7 (3, overdue since 04-05)
    ("2024-10", B): (2, 50.0, 0.0, 1),
    # C: P4, no recommendation, overdue since 2024-03-10
    ("2024-10", C): (1, 0.0, 0.0, 1),
    ("2024-10", LAIBIN): (2, 50.0, 0.0, 1),
    ("2024-10", GX): (2, 50.0, 0.0, 1),
    ("2024-10", GZ): (1, 0.0, 0.0, 1),
    # P3 done on time (its deadline has not passed: not in the on-time rate); P7 overdue
    ("2024-11", B): (2, 100.0, 0.0, 1),
    ("2024-11", GX): (2, 100.0, 0.0, 1),
    # P4 placed 2024-11-10, after the deadline: 逾期完成, its duty met
    ("2024-11", C): (1, 100.0, 0.0, 0),
    ("2024-11", ANSHUN): (1, 100.0, 0.0, 0),
}
FOLLOWUP_INDICATORS = (
    "followup_due_persons", "followup_recommend3_rate", "followup_visit_ontime_rate", "followup_overdue_persons",
)  # fmt: skip


@pytest.fixture(scope="module")
def metrics(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    rows = con.execute(
        "select period, region_code, indicator, value, region_level, unit from metrics"
    ).fetchall()
    con.close()
    return {(p, r, i): (v, lvl, u) for p, r, i, v, lvl, u in rows}


@pytest.mark.parametrize(("period", "region"), list(EXPECTED))
def test_indicator_values_match_hand_computed(metrics, period, region):
    got = {i: metrics.get((period, region, i), ("missing",))[0] for i in EXPECTED[(period, region)]}
    assert got == EXPECTED[(period, region)]


def test_no_rows_before_a_region_has_data(metrics):
    assert ("2024-10", C, "employed_persons") not in metrics  # 普定 placed nobody until November
    assert (
        "2024-11",
        A,
        "workshop_count",
    ) not in metrics  # 金秀 reports no workshops: missing, not 0


def test_levels_and_units(metrics):
    assert metrics[("2024-11", LAIBIN, "employed_persons")][1:] == ("city", "人")
    assert metrics[("2024-11", GX, "employed_poverty_share")][1:] == ("province", "%")
    assert metrics[("2024-11", A, "training_classes")][1:] == ("county", "期")


def test_rejections_reach_the_serving_file(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    reasons = sorted(r[0] for r in con.execute("select reason_code from rejected_rows").fetchall())
    log = con.execute(
        "select sum(rows_read), sum(rows_loaded), sum(rows_rejected) from ingestion_log where is_current"
    ).fetchone()
    con.close()
    # P6 check digit, P7 missing category, P4's repeat, K2's two rows, W3's and T9's 其中 > total,
    # P3's repeated recommendation and the one without 推介单位
    assert reasons == [
        "class_inconsistent",
        "class_inconsistent",
        "duplicate",
        "duplicate",
        "id_check_digit",
        "required",
        "required_for",
        "subtotal_exceeds",
        "subtotal_exceeds",
    ]
    assert log[0] == log[1] + log[2]
    assert log[2] == 9


def test_training_by_programme_adds_up_and_is_published(scenario_run):
    """Class K1 is 粤菜师傅 (class K2 is rejected): 来宾市's October training is all
    粤菜师傅, and every programme row sums to the totals (the dbt test
    assert_programmes_add_up_to_totals checks the same on every build)."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    rows = con.execute(
        "select programme, indicator, value from metrics_by_programme "
        "where period = '2024-10' and region_code = ? order by all",
        [LAIBIN],
    ).fetchall()
    con.close()
    got = {(p, i): v for p, i, v in rows}
    assert {p for p, _ in got} == {"粤菜师傅"}
    assert got[("粤菜师傅", "training_classes")] == 1
    assert got[("粤菜师傅", "training_person_times")] == 4
    assert got[("粤菜师傅", "training_persons")] == 4
    assert got[("粤菜师傅", "training_completion_rate")] == 75.0


def test_pairing_metrics_are_the_union_of_their_recipients(scenario_run):
    """广东 → 广西 and 贵州: 来宾's 4 persons and 普定's 1 in November; 茂名 → 来宾 and
    电白 → 金秀 (inside 来宾) each count their own union, persons once."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    got = dict(
        con.execute(
            "select helper_name, value from pairing_metrics "
            "where period = '2024-11' and indicator = 'employed_persons'"
        ).fetchall()
    )
    con.close()
    assert got["广东省"] == 5  # 4 (来宾) + 1 (P4, 普定)
    assert got["茂名市"] == 4  # 来宾: P5 counted once across 金秀 and 忻城
    assert got["电白区"] == got["茂南区"] == 3  # 金秀 alone
    assert "广州市" in got  # 安顺 (P4)


def test_pairings_count_training_workshops_and_trips_over_the_union(scenario_run):
    """November: K1's 4 trainees (金秀 3, 忻城 1), 普定's W1 (55, W3 rejected), the trips
    T1 + T2 from 金秀 (70 seats) and T3 from 忻城 (20)."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    rows = con.execute(
        "select helper_name, indicator, value from pairing_metrics where period = '2024-11' "
        "and pairing_type <> '合计' and indicator in "
        "('training_person_times', 'training_persons', 'workshop_employed', 'transport_person_times')"
    ).fetchall()
    con.close()
    got = {(h, i): v for h, i, v in rows}
    assert {k: v for k, v in got.items() if k[0] == "广东省"} == {
        ("广东省", "training_person_times"): 4,
        ("广东省", "training_persons"): 4,
        ("广东省", "workshop_employed"): 55,  # 普定, in 贵州
        ("广东省", "transport_person_times"): 90,
    }
    assert (
        got[("茂名市", "training_persons")] == 4 and got[("茂名市", "transport_person_times")] == 90
    )
    assert got[("电白区", "training_person_times")] == 3  # 金秀 alone
    assert got[("电白区", "transport_person_times")] == 70
    assert ("茂名市", "workshop_employed") not in got  # no workshop in 来宾
    assert got[("广州市", "workshop_employed")] == 55  # 安顺 ∋ 普定
    assert ("广州市", "training_persons") not in got  # nobody from 安顺 trained in 2024


@pytest.mark.parametrize(("period", "region"), list(FOLLOWUPS))
def test_followup_indicators_match_hand_computed(metrics, period, region):
    got = tuple(metrics.get((period, region, i), ("missing",))[0] for i in FOLLOWUP_INDICATORS)
    assert got == FOLLOWUPS[(period, region)]


def test_no_followup_figures_where_nobody_is_owed(metrics):
    assert ("2024-10", A, "followup_due_persons") not in metrics  # 金秀's trainees all fine
    assert ("2023-12", B, "followup_due_persons") not in metrics  # K3 reported in October


def test_overdue_list_is_masked_per_county(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    rows = con.execute(
        "select period, county_code, id_masked, name_masked, recommendations, deadline, days_overdue "
        "from followup_overdue order by period, county_code"
    ).fetchall()
    con.close()

    def masked(p):
        return p.id_number[:6] + "********" + p.id_number[-4:]

    assert [(r[0], r[1], r[2], r[4], str(r[5]), r[6]) for r in rows] == [
        ("2024-10", B, masked(P7), 3, "2024-04-05", 209),  # 04-05 → 10-31
        ("2024-10", C, masked(P4), 0, "2024-03-10", 235),
        ("2024-11", B, masked(P7), 3, "2024-04-05", 239),
    ]
    assert {r[3] for r in rows} == {P7.name[0] + "*", P4.name[0] + "*"}


def test_the_scenario_raises_no_statistical_alarm(scenario_run):
    """#29: false alarms cost trust - nothing is planted in the scenario, so nothing fires."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    try:
        assert con.execute("select count(*) from metric_alarms").fetchone() == (0,)
    finally:
        con.close()
