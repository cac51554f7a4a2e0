"""Row rules: each reason in DESIGN, exact counts, masked values, Chinese reasons."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from pipelines import zh
from pipelines.ledgers.process import Submission, process_file
from pipelines.synthetic import synth


def _people(n: int, origin: str = "451324", seed: int = 3) -> list[synth.Person]:
    rng = random.Random(seed)
    return [synth.make_person(rng, origin) for _ in range(n)]


def _placements(n: int, period: str = "2024-10") -> list[dict]:
    rng = random.Random(9)
    return [synth.placement_row(rng, p, period) for p in _people(n)]


def _run(tmp_path, kind, rows, period="2024-10", writer="xlsx", **kw):
    f = tmp_path / f"{kind}.{writer}"
    (synth.write_xlsx if writer == "xlsx" else synth.write_csv)(f, kind, rows, **kw)
    return process_file(Submission(f, f"{kind}/{period}/{f.name}", kind, period), b"k" * 16)


def _reasons(result) -> list[tuple[int, str, str]]:
    return sorted(result.rejections.select("source_row", "column", "reason_code").iter_rows())


def test_placement_rules_each_reason_once(tmp_path):
    rows = _placements(12)
    rows[0]["id_number"] = synth.corrupt_check(rows[0]["id_number"])  # row 2
    rows[1]["destination_category"] = "外省"  # row 3
    rows[2]["employer"] = None  # row 4
    rows[3]["employment_date"] = date(2024, 11, 2)  # row 5: after 2024-10-31
    rows[4]["origin_code"] = "459999"  # row 6: no such code
    rows[5]["is_poverty"] = "可能"  # row 7
    rows[6]["monthly_wage"] = -100  # row 8
    rows[7]["id_number"] = "45132419900101123"  # row 9: 17 chars
    rows[8]["id_number"] = "451324" + "19901301" + "1234"  # row 10: month 13
    rows[9]["origin_code"] = "451300"  # row 11: a city, not a county
    rows[10]["channel"] = "朋友介绍"  # row 12
    result = _run(tmp_path, "placements", rows, float_ids=[11])  # row 13: number cell
    assert _reasons(result) == [
        (2, "身份证号码", "id_check_digit"),
        (3, "就业地区类别", "not_in_list"),
        (4, "就业单位", "required"),
        (5, "就业日期", "date_after_period"),
        (6, "户籍地行政区划代码", "region_unknown"),
        (7, "是否脱贫劳动力", "bad_flag"),
        (8, "月工资(元)", "negative"),
        (9, "身份证号码", "id_length"),
        (10, "身份证号码", "id_birth_date"),
        (11, "户籍地行政区划代码", "region_not_county"),
        (12, "就业渠道", "not_in_list"),
        (13, "身份证号码", "id_lost_digits"),
    ]
    assert result.rows_read == 12 and result.rows_rejected == 12 and result.loaded.height == 0
    text = dict(zip(result.rejections["reason_code"], result.rejections["reason"], strict=True))
    assert text["id_check_digit"] == "身份证号码校验位错误"
    assert text["required"] == "缺少必填项「就业单位」"
    assert "2024-10-31" in text["date_after_period"]


def test_rejected_ids_and_names_are_masked(tmp_path):
    rows = _placements(2)
    bad = synth.corrupt_check(rows[0]["id_number"])
    rows[0]["id_number"] = bad
    result = _run(tmp_path, "placements", rows)
    value = result.rejections["value"].to_list()[0]
    assert value == bad[:6] + "********" + bad[-4:]
    assert bad not in str(result.rejections.to_dicts())


def test_csv_float_id_in_scientific_notation_is_rejected(tmp_path):
    rows = _placements(2)
    rows[1]["id_number"] = "4.51324E+17"
    result = _run(tmp_path, "placements", rows, writer="csv")
    assert _reasons(result) == [(3, "身份证号码", "id_lost_digits")]


def test_several_problems_in_one_row_count_as_one_rejected_row(tmp_path):
    rows = _placements(3)
    rows[1].update(employer=None, destination_category=None)
    result = _run(tmp_path, "placements", rows)
    assert result.rows_rejected == 1 and result.rejections.height == 2
    assert result.loaded.height == 2


def test_origin_derived_from_id_when_absent_and_historical_codes_move_on(tmp_path):
    rows = _placements(2)
    rows[0]["origin_code"] = None
    rows[1]["origin_code"] = "452131"  # 天等县's code until 2002, now 451425
    result = _run(tmp_path, "placements", rows)
    assert result.rows_rejected == 0
    got = result.loaded.select("origin_code", "origin_code_reported", "origin_derived").rows()
    assert got == [("451324", "451324", True), ("451425", "452131", False)]
    assert "推算" in result.message


def test_id_issued_under_an_abolished_code_is_valid(tmp_path):
    p = synth.Person("韦一", synth.make_id("452131", date(1980, 1, 1), 5), "451425", True)
    row = synth.placement_row(random.Random(1), p, "2024-10")
    result = _run(tmp_path, "placements", [row])
    assert result.rows_rejected == 0


def test_workshop_subtotal_above_total_and_negative_count(tmp_path):
    rng = random.Random(2)
    rows = [synth.workshop_row(rng, f"W{i}", "520422") for i in range(3)]
    rows[0].update(employed=10, poverty_employed=12)
    rows[1].update(employed=-1, poverty_employed=0)
    result = _run(tmp_path, "workshops", rows)
    assert _reasons(result) == [
        (2, "其中脱贫劳动力", "subtotal_exceeds"),
        (3, "吸纳就业人数", "negative"),
    ]
    assert (
        "大于「吸纳就业人数」"
        in result.rejections.filter(pl.col("reason_code") == "subtotal_exceeds")["reason"][0]
    )


def test_training_date_order_and_check_mark_flags(tmp_path):
    rows = synth.training_rows(random.Random(4), "K1", _people(3), date(2024, 10, 1))
    rows[0].update(end_date=date(2024, 9, 1))
    for r in rows:
        r["is_two_after"] = "√" if r is rows[1] else None  # √-style column: blank = 否
    result = _run(tmp_path, "trainings", rows, date_style="dot")
    assert _reasons(result) == [(2, "结业日期", "date_order")]
    assert result.loaded["is_two_after"].to_list() == [True, False]


def test_targets_year_must_match_folder_and_indicator_must_exist(tmp_path):
    rows = [
        {
            "year": 2024,
            "region_code": "451324",
            "indicator": "帮助农村劳动力就业人数",
            "target_value": 100,
        },
        {
            "year": 2023,
            "region_code": "451324",
            "indicator": "employed_persons",
            "target_value": 100,
        },
        {"year": 2024, "region_code": "451300", "indicator": "幸福指数", "target_value": 1},
        {"year": 2024, "region_code": "金秀县", "indicator": "employed_persons", "target_value": 5},
    ]
    result = _run(tmp_path, "targets", rows, period="2024")
    assert _reasons(result) == [(3, "年度", "year_mismatch"), (4, "指标", "indicator_unknown")]
    assert result.loaded["region_code"].to_list() == ["451324", "451324"]  # 金秀县 resolved by name


@pytest.mark.parametrize("code", sorted(zh.REASONS))
def test_every_reason_has_chinese_text(code):
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.REASONS[code])


@pytest.mark.parametrize("writer", ["xlsx", "csv"])
def test_transport_rules_each_reason_once(tmp_path, writer):
    """有组织输送台账: each bad value rejected with its reason; good trips loaded."""

    def trip(trip_id: str, **change) -> dict:
        row = {
            "batch": "第1批", "trip_id": trip_id, "transport_mode": "包车", "direction": "返岗",
            "departure_date": date(2024, 10, 3), "departure_code": "451324",
            "destination_province": "广东省", "destination_city": "广州市", "persons": 40,
            "poverty_persons": 10, "is_free": "是",
        }  # fmt: skip
        return row | change

    rows = [
        trip("T1"),  # row 2: fine
        trip("T2", transport_mode="大巴"),  # row 3
        trip("T3", direction="出发"),  # row 4
        trip("T4", persons=-5),  # row 5 (其中 is not compared with a negative total)
        trip("T5", poverty_persons=41),  # row 6: 其中 > total
        trip("T6", departure_date=date(2024, 11, 2)),  # row 7: after the period
        trip("T7", departure_code="459999"),  # row 8: no such code
        trip("T8", departure_code="451300"),  # row 9: a city, not a county
        trip(None),  # row 10: 班次编号 missing
        trip("T1"),  # row 11: the same trip again
    ]
    result = _run(
        tmp_path, "transports", rows, writer=writer, title="金秀县2024年10月有组织输送台账"
    )
    assert _reasons(result) == [
        (4, "输送方式", "not_in_list"),
        (5, "方向", "not_in_list"),
        (6, "输送人数", "negative"),
        (7, "其中脱贫劳动力", "subtotal_exceeds"),
        (8, "出发日期", "date_after_period"),
        (9, "出发地行政区划代码", "region_unknown"),
        (10, "出发地行政区划代码", "region_not_county"),
        (11, "班次编号", "required"),
    ]
    assert result.rows_read == 10 and result.loaded.height == 2  # T1 twice: resolved later


@pytest.mark.parametrize("writer", ["xlsx", "csv"])
def test_followup_rules_each_reason_once(tmp_path, writer):
    """就业服务跟踪台账: a 岗位推介 names its unit and post, a 就业回访 its result; each bad
    value rejected with its reason; the same service twice loaded once."""
    p = synth.Person("韦一", synth.make_id("451324", date(1990, 1, 1), 11), "451324", True)

    def service(service_type: str = "岗位推介", **change) -> dict:
        row = {
            "id_number": p.id_number, "name": p.name, "origin_code": p.origin,
            "service_type": service_type, "service_date": date(2024, 10, 8),
            "recommend_unit": "广州明华电子有限公司", "recommend_post": "普工",
            "class_id": "K1", "service_agency": "县公共就业服务中心",
        }  # fmt: skip
        if service_type != "岗位推介":
            row |= {"recommend_unit": None, "recommend_post": None, "visit_result": "未就业"}
        return row | change

    rows = [
        service(),  # row 2: fine
        service(recommend_unit=None),  # row 3
        service(recommend_post=None, service_date=date(2024, 10, 9)),  # row 4
        service("就业回访", visit_result=None),  # row 5
        service("上门走访"),  # row 6: not a service type
        service("就业回访", visit_result="已退休"),  # row 7
        service(service_date=date(2024, 11, 1)),  # row 8: after the period
        service(service_agency=None, service_date=date(2024, 10, 10)),  # row 9
        service(id_number=synth.corrupt_check(p.id_number)),  # row 10
        service(),  # row 11: row 2 again
        service("职业指导"),  # row 12: fine, no unit or result needed
    ]
    result = _run(
        tmp_path, "followups", rows, writer=writer, title="金秀县2024年10月就业服务跟踪台账"
    )
    assert _reasons(result) == [
        (4, "推介单位", "required_for"),
        (5, "推介岗位", "required_for"),
        (6, "回访结果", "required_for"),
        (7, "服务类型", "not_in_list"),
        (8, "回访结果", "not_in_list"),
        (9, "服务日期", "date_after_period"),
        (10, "服务机构", "required"),
        (11, "身份证号码", "id_check_digit"),
    ]
    reasons = dict(zip(result.rejections["source_row"], result.rejections["reason"], strict=True))
    assert reasons[4] == "「服务类型」为“岗位推介”时必须填写「推介单位」"
    assert reasons[6] == "「服务类型」为“就业回访”时必须填写「回访结果」"
    assert result.rows_read == 11 and result.loaded.height == 3  # row 2 twice: resolved later
    assert {"id_number", "name"}.isdisjoint(result.loaded.columns)
    assert (
        result.loaded["id_masked"].to_list()[0] == p.id_number[:6] + "********" + p.id_number[-4:]
    )
