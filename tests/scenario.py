"""A small world with answers worked out by hand (see EXPECTED in test_metrics.py).

Counties: A = 451324 金秀 and B = 451321 忻城 (来宾市 451300, 广西 450000),
C = 520422 普定 (安顺市 520400, 贵州 520000).

Placements
  2023-12  P2 (A) 广东省                         previous year
  2024-10  P1 (A, 脱贫) 广东省 有组织输出; P3 (B, 脱贫) 广东省; P5 (origin A, 监测对象) 省内就近
  2024-11  P1 (A) 省内就近; P2 (A) 东部其他省份; P4 (C) 省内就近 in two files (重复记录);
           P5 (origin B now) 广东省; P6 wrong check digit; P7 no 就业地区类别
Trainings  class K1 (2024-10): P1 done+cert+job in trade, P3 done+cert no job,
           P5 done no cert job not in trade, P2 not done; class K2 (2024-11) rows disagree.
           K1 is 项目制, 10 days: P1 (脱贫, contract) 1,000 training (capped from 2,000);
           every trainee 500 living.
Workshops  C: Oct W1 50/20, W2 30/10; Nov W1 55/21, W3 10/12 (其中 > total: rejected)
Transports 2024-10 A: T1 返岗 40 seats (10 脱贫), T2 返乡 30 (5), T9 其中 > total (rejected);
           2024-11 B: T3 返岗 20 (4)
Targets    2024: A 4, 来宾市 3
Follow-up  owed: P3 (B, 脱贫, K1 done, no job, from 2024-10-17); class K3 (started 2023-12,
           reported in 2024-10, no 2024 training figure): P7 (B, 脱贫) and P4 (C, 监测对象),
           done 2023-12-10, no job.
           P3: recommendations 10-20, 11-05, 11-06 (+ the 11-06 one again: 重复记录, and one
           without 推介单位: rejected), visit 11-20 → 按期完成 in November (deadline
           2025-01-20). P7: three recommendations in January, no visit → 逾期未完成 from
           the deadline 04-05 (its November placement is rejected, so it closes nothing).
           P4: no recommendation → deadline 2024-03-10, overdue in October; placed
           2024-11-10 → 逾期完成 in November.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from pipelines.synthetic import synth

A, B, C = "451324", "451321", "520422"


def person(origin: str, birth: date, seq: int, name: str, poverty: bool) -> synth.Person:
    return synth.Person(name, synth.make_id(origin, birth, seq), origin, poverty)


P1 = person(A, date(1990, 1, 1), 11, "韦一", True)
P2 = person(A, date(1985, 5, 5), 22, "覃二", False)
P3 = person(B, date(1992, 2, 2), 33, "蒙三", True)
P4 = person(C, date(1980, 3, 3), 44, "杨四", False)
P5 = person(A, date(1995, 7, 7), 55, "莫五", False)
P6 = person(A, date(1991, 1, 1), 66, "陆六", True)
P7 = person(B, date(1993, 3, 3), 77, "黄七", True)
PEOPLE = (P1, P2, P3, P4, P5, P6, P7)


def _placement(
    p: synth.Person,
    period: str,
    category: str | None,
    channel: str = "自主就业",
    origin: str | None = None,
    employer: str = "广州明华电子有限公司",
) -> dict:
    row = synth.placement_row(random.Random(0), p, period, category or "广东省")
    row.update(
        channel=channel,
        employer=employer,
        employment_date=date(int(period[:4]), int(period[5:]), 10),
    )
    row["destination_category"] = category
    row["origin_code"] = origin or p.origin
    return row


def write_scenario(raw: Path) -> None:
    pl_dir = raw / "placements"
    synth.write_xlsx(
        pl_dir / "2023-12" / "金秀县.xlsx",
        "placements",
        [_placement(P2, "2023-12", "广东省")],
        title="金秀县2023年12月转移就业台账",
    )
    synth.write_xlsx(
        pl_dir / "2024-10" / "金秀县.xlsx", "placements",
        [_placement(P1, "2024-10", "广东省", "有组织输出"), _placement(P5, "2024-10", "省内就近") | {"is_monitored": "是"}],
        title="金秀县2024年10月转移就业台账", total_row=True,
    )  # fmt: skip
    synth.write_csv(
        pl_dir / "2024-10" / "忻城县.csv",
        "placements",
        [_placement(P3, "2024-10", "广东省")],
        encoding="gbk",
        title="忻城县2024年10月转移就业台账",
        date_style="cn",
    )
    bad = _placement(P6, "2024-11", "广东省")
    bad["id_number"] = synth.corrupt_check(P6.id_number)
    synth.write_xlsx(
        pl_dir / "2024-11" / "金秀县.xlsx", "placements",
        [_placement(P1, "2024-11", "省内就近"), _placement(P2, "2024-11", "东部其他省份"), bad],
        title="金秀县2024年11月转移就业台账", date_style="serial", header_variant=1,
    )  # fmt: skip
    synth.write_csv(
        pl_dir / "2024-11" / "忻城县.csv", "placements",
        [_placement(P5, "2024-11", "广东省", origin=B), _placement(P7, "2024-11", None)],
        encoding="utf-8-sig", date_style="slash", total_row=True,
    )  # fmt: skip
    synth.write_csv(
        pl_dir / "2024-11" / "普定县.csv",
        "placements",
        [_placement(P4, "2024-11", "省内就近")],
        date_style="dot",
    )
    synth.write_csv(
        pl_dir / "2024-11" / "普定县_补报.csv",
        "placements",
        [_placement(P4, "2024-11", "省内就近")],
        date_style="iso",
    )

    def trainee(
        p: synth.Person,
        done: bool,
        cert: str,
        job: bool,
        in_trade: bool,
        class_id: str = "K1",
        provider: str = "县职业技能培训中心",
    ) -> dict:
        row = synth.training_rows(random.Random(0), class_id, [p], date(2024, 10, 8))[0]
        row.update(
            programme="粤菜师傅", provider=provider, end_date=date(2024, 10, 17), training_days=10, attendance_days=10,
            completed="是" if done else "否", certificate=cert, employed_after="是" if job else "否",
            employed_in_trade="是" if in_trade else "否",
            is_project_based="是", signed_contract="是" if job else "否",
        )  # fmt: skip
        return row

    synth.write_xlsx(
        raw / "trainings" / "2024-10" / "来宾市培训台账.xlsx", "trainings",
        [trainee(P1, True, "职业技能等级证书", True, True), trainee(P3, True, "专项职业能力证书", False, False),
         trainee(P5, True, "无", True, False), trainee(P2, False, "无", False, False)],
        title="2024年10月培训台账",
    )  # fmt: skip
    synth.write_xlsx(
        raw / "trainings" / "2024-11" / "来宾市培训台账.xlsx", "trainings",
        [trainee(P1, True, "无", False, False, "K2", "机构甲"), trainee(P3, True, "无", False, False, "K2", "机构乙")],
    )  # fmt: skip

    def shop(wid: str, employed: int, poverty: int) -> dict:
        row = synth.workshop_row(random.Random(0), wid, C)
        row.update(employed=employed, poverty_employed=poverty, monitored_employed=0)
        return row

    synth.write_xlsx(
        raw / "workshops" / "2024-10" / "普定县.xlsx",
        "workshops",
        [shop("W1", 50, 20), shop("W2", 30, 10)],
        title="普定县帮扶车间台账",
    )
    synth.write_csv(
        raw / "workshops" / "2024-11" / "普定县.csv",
        "workshops",
        [shop("W1", 55, 21), shop("W3", 10, 12)],
        encoding="gbk",
    )
    synth.write_xlsx(
        raw / "targets" / "2024" / "目标.xlsx", "targets",
        [{"year": 2024, "region_code": A, "indicator": "帮助农村劳动力就业人数", "target_value": 4},
         {"year": 2024, "region_code": "451300", "indicator": "employed_persons", "target_value": 3}],
    )  # fmt: skip

    def trip(
        trip_id: str, direction: str, day: date, origin: str, persons: int, poverty: int
    ) -> dict:
        return {
            "batch": "第1批", "trip_id": trip_id, "transport_mode": "包车", "direction": direction,
            "departure_date": day, "departure_code": origin, "destination_province": "广东省",
            "destination_city": "广州市", "persons": persons, "poverty_persons": poverty, "is_free": "是",
        }  # fmt: skip

    synth.write_xlsx(
        raw / "transports" / "2024-10" / "金秀县.xlsx", "transports",
        [trip("T1", "返岗", date(2024, 10, 3), A, 40, 10), trip("T2", "返乡", date(2024, 10, 20), A, 30, 5),
         trip("T9", "返岗", date(2024, 10, 21), A, 10, 12)],
        title="金秀县2024年10月有组织输送台账",
    )  # fmt: skip
    synth.write_csv(
        raw / "transports" / "2024-11" / "忻城县.csv", "transports",
        [trip("T3", "返岗", date(2024, 11, 5), B, 20, 4)], encoding="gbk",
    )  # fmt: skip

    k3 = [trainee(P7, True, "无", False, False, "K3"), trainee(P4, True, "无", False, False, "K3")]
    for row in k3:
        row.update(start_date=date(2023, 12, 1), end_date=date(2023, 12, 10))
    k3[1].update(is_monitored="是")
    synth.write_xlsx(
        raw / "trainings" / "2024-10" / "忻城县培训台账_补报.xlsx", "trainings", k3,
        title="2023年12月培训班（补报）",
    )  # fmt: skip

    def service(
        p: synth.Person, kind: str, day: date, unit: str | None = None, post: str | None = None
    ) -> dict:
        return {
            "id_number": p.id_number, "name": p.name, "origin_code": p.origin, "service_type": kind,
            "service_date": day, "recommend_unit": unit, "recommend_post": post,
            "visit_result": "已就业" if kind == "就业回访" else None, "service_agency": "县公共就业服务中心",
        }  # fmt: skip

    synth.write_xlsx(
        raw / "followups" / "2024-10" / "忻城县.xlsx", "followups",
        [service(P7, "岗位推介", date(2024, 1, 5), "甲厂", "普工"), service(P7, "岗位推介", date(2024, 1, 10), "乙厂", "普工"),
         service(P7, "岗位推介", date(2024, 1, 20), "乙厂", "电工"), service(P3, "岗位推介", date(2024, 10, 20), "甲厂", "普工")],
        title="忻城县2024年10月就业服务跟踪台账", date_style="cn",
    )  # fmt: skip
    synth.write_csv(
        raw / "followups" / "2024-11" / "忻城县.csv", "followups",
        [service(P3, "岗位推介", date(2024, 11, 5), "丙厂", "厨师"), service(P3, "岗位推介", date(2024, 11, 6), "丙厂", "帮厨"),
         service(P3, "岗位推介", date(2024, 11, 6), "丙厂", "帮厨"), service(P3, "岗位推介", date(2024, 11, 7), None, "保安"),
         service(P3, "就业回访", date(2024, 11, 20))],
        encoding="gbk", total_row=True,
    )  # fmt: skip
