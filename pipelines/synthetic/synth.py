"""Hand-shaped ledgers, a row at a time: valid ID numbers, people, rows, and files in
the messy shapes real ledgers come in (title rows, 合计 rows, GBK, BOM, header variants,
date forms) through the one writer, dialects.write_ledger.

Used by the bundled sample script (pipelines/synthetic/samples.py) and the tests, where
each row is chosen by hand; `generate.py` makes ledgers at scale, vectorised, with the
same names and the same writer. Deterministic for a given random.Random.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from stdnum.cn import ric

from pipelines import zh
from pipelines.ledgers import spec
from pipelines.synthetic import dialects

# Programmes the synthetic ledgers run as 项目制 classes (the subsidies apply to those).
PROJECT_PROGRAMMES = ("八桂家政", "八桂建工", "八桂米粉师傅", "乡村工匠")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙莫陆"
EMPLOYERS = [
    "广州明华电子有限公司",
    "深圳宏达制衣厂",
    "东莞立信五金制品有限公司",
    "本县扶贫车间",
    "佛山美的物流",
]
GIVEN_NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂兰英华玉梅春红"


def check_char(first17: str) -> str:
    """GB 11643 check character (python-stdnum, the reference the vectorised rule in
    ledgers/pii.py is tested against)."""
    return ric.calc_check_digit(first17 + "?")  # it reads the first 17 of 18 characters


def make_id(region: str, birth: date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + check_char(body)


def corrupt_check(idn: str) -> str:
    """Same ID with a wrong check digit."""
    right = idn[-1]
    wrong = next(c for c in "10X98765432" if c != right)
    return idn[:-1] + wrong


def excel_float(idn: str) -> float:
    """What Excel stores when an ID is typed into a number cell: 15 significant digits."""
    return float(idn[:15] + "000")


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    origin: str
    poverty: bool


def make_person(rng: random.Random, origin: str, poverty_share: float = 0.5) -> Person:
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
    seq = rng.randrange(1, 999)
    name = rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN_NAMES) for _ in range(rng.choice((1, 2)))
    )
    return Person(name, make_id(origin, birth, seq), origin, rng.random() < poverty_share)


def placement_row(
    rng: random.Random, p: Person, period: str, category: str | None = None
) -> dict[str, object]:
    y, m = map(int, period.split("-"))
    day = rng.randint(1, 28)
    category = category or rng.choices(zh.DESTINATION_CATEGORIES, weights=(45, 20, 35))[0]
    province, city = {
        "广东省": ("广东省", rng.choice(["广州市", "深圳市", "东莞市", "佛山市", "中山市"])),
        "东部其他省份": (rng.choice(["浙江省", "江苏省", "福建省"]), ""),
        "省内就近": ("", ""),
    }[category]
    return {
        "name": p.name,
        "id_number": p.id_number,
        "origin_code": p.origin,
        "is_poverty": "是" if p.poverty else "否",
        "is_monitored": "否",
        "destination_category": category,
        "destination_province": province,
        "destination_city": city,
        "employer": rng.choice(EMPLOYERS),
        "industry": rng.choice(["制造业", "建筑业", "住宿和餐饮业", "居民服务业"]),
        "channel": rng.choice(zh.CHANNELS),
        "employment_date": date(y, m, day),
        "monthly_wage": rng.randrange(2600, 7200, 100),
        "contract_months": rng.choice([6, 12, 24, 36]),
        "reporting_unit": "县人力资源和社会保障局",
    }


def training_rows(
    rng: random.Random, class_id: str, people: Sequence[Person], start: date
) -> list[dict[str, object]]:
    programme = rng.choice(zh.PROGRAMMES)
    days = rng.choice([5, 10, 15, 20])
    end = start + timedelta(days=days - 1)
    rows = []
    for p in people:
        completed = rng.random() < 0.92
        cert = rng.choice(zh.CERTIFICATES[:3]) if completed and rng.random() < 0.7 else "无"
        employed = completed and rng.random() < 0.6
        rows.append(
            {
                "class_id": class_id,
                "programme": programme,
                "trade": {
                    "粤菜师傅": "中式烹调师",
                    "南粤家政": "家政服务员",
                    "八桂家政": "家政服务员",
                }.get(programme, "电工"),
                "training_type": "就业技能培训",
                "provider": "县职业技能培训中心",
                "training_region_code": p.origin,
                "start_date": start,
                "end_date": end,
                "training_days": days,
                "is_order_training": "否",
                "name": p.name,
                "id_number": p.id_number,
                "origin_code": p.origin,
                "is_poverty": "是" if p.poverty else "否",
                "is_two_after": "否",
                "attendance_days": days if completed else max(1, days // 2),
                "completed": "是" if completed else "否",
                "certificate": cert,
                "employed_after": "是" if employed else "否",
                "employed_in_trade": "是" if employed and rng.random() < 0.7 else "否",
                # no draws of their own, so the rows after these stay as they were
                "is_project_based": "是" if programme in PROJECT_PROGRAMMES else "否",
                "signed_contract": "是" if employed else "否",
            }
        )
    return rows


def workshop_row(
    rng: random.Random, workshop_id: str, location: str, wtype: str = "就业帮扶车间"
) -> dict[str, object]:
    employed = rng.randint(15, 120)
    poverty = rng.randint(employed // 3, employed * 2 // 3)
    return {
        "workshop_id": workshop_id,
        "workshop_name": f"{workshop_id}号帮扶车间",
        "location_code": location,
        "resettlement_site": "",
        "workshop_type": wtype,
        "main_industry": rng.choice(["服装加工", "电子组装", "竹编", "食品加工"]),
        "aid_region": "广东省",
        "recognised_date": date(2023, rng.randint(1, 12), 1),
        "employed": employed,
        "poverty_employed": poverty,
        "monitored_employed": rng.randint(0, 5),
        "avg_monthly_wage": rng.randrange(1800, 3200, 50),
    }


def transport_row(
    rng: random.Random, trip_id: str, departure_code: str, day: date, direction: str = "返岗"
) -> dict[str, object]:
    persons = rng.randint(20, 55)
    home = direction == "返乡"
    return {
        "batch": f"{day.year}年第{day.month}批",
        "trip_id": trip_id,
        "transport_mode": rng.choice(zh.TRANSPORT_MODES[:3]),
        "direction": direction,
        "departure_date": day,
        "departure_code": departure_code,
        "destination_province": "广西壮族自治区" if home else "广东省",
        "destination_city": "" if home else rng.choice(["广州市", "深圳市", "东莞市"]),
        "persons": persons,
        "poverty_persons": rng.randint(0, persons // 2),
        "is_free": "是",
    }


def followup_rows(rng: random.Random, trainee: dict[str, object]) -> list[dict[str, object]]:
    """Follow-up services to one trainee owed them: on time (3 recommendations, a visit
    within 3 months), late (the visit after), too few recommendations, or none."""
    course = rng.choice(("on_time", "on_time", "late", "few", "none"))
    person = {k: trainee[k] for k in ("id_number", "name", "origin_code", "class_id")}
    agency = {"service_agency": "县公共就业服务中心"}
    day = trainee["end_date"] + timedelta(days=rng.randint(3, 10))  # type: ignore[operator]
    first, rows = day, []
    for i in range({"on_time": 3, "late": 3, "few": rng.randint(1, 2), "none": 0}[course]):
        rows.append(person | agency | {
            "service_type": "岗位推介", "service_date": day, "recommend_unit": rng.choice(EMPLOYERS),
            "recommend_post": ("普工", "厨师", "保洁员")[i],
        })  # fmt: skip
        day += timedelta(days=rng.randint(5, 15))
    if course in ("on_time", "late"):
        after = rng.randint(40, 80) if course == "on_time" else rng.randint(95, 110)
        rows.append(person | agency | {
            "service_type": "就业回访", "service_date": first + timedelta(days=after),
            "visit_result": rng.choice(zh.VISIT_RESULTS),
        })  # fmt: skip
    return rows


# --- files: keyword arguments to the one writer (dialects.write_ledger) ------------------


def rows_frame(kind: str, rows: Iterable[dict[str, object]]) -> pl.DataFrame:
    """Row dicts as the writer's string frame: dates in ISO form, numbers as text."""
    names = [f.name for f in spec.fields(kind)]
    rows = list(rows)

    def text(v: object) -> str | None:
        if v is None or v == "":
            return None
        return v.isoformat() if isinstance(v, date) else str(v)

    return pl.DataFrame(
        {n: [text(r.get(n)) for r in rows] for n in names}, schema=dict.fromkeys(names, pl.String)
    )


def write_xlsx(
    path: Path,
    kind: str,
    rows: Iterable[dict[str, object]],
    title: str | None = None,
    total_row: bool = False,
    date_style: str = "cell",
    header_variant: int = 0,
    blank_after: int | None = None,
    float_ids: Iterable[int] = (),
    extra_column: str | None = None,
) -> None:
    """A ledger as a county clerk's Excel: merged title, header, rows, 合计 at the bottom.
    Rows in `float_ids` hold their ID in a number cell, as Excel makes of a typed ID."""
    frame = rows_frame(kind, rows)
    lost = frozenset(float_ids)
    if lost and "id_number" in frame.columns:
        floats = [
            repr(excel_float(v)) if i in lost and v else v
            for i, v in enumerate(frame["id_number"].to_list())
        ]
        frame = frame.with_columns(id_number=pl.Series(floats, dtype=pl.String))
    dialect = dialects.Dialect(
        "xlsx", "xlsx", titles=1 if title else 0, total="合计" if total_row else None,
        blank_after=blank_after, date_style=date_style, header_variant=header_variant,
        extra_column=extra_column,
    )  # fmt: skip
    dialects.write_ledger(path, kind, frame, dialect, title, lost)


def write_csv(
    path: Path,
    kind: str,
    rows: Iterable[dict[str, object]],
    encoding: str = "utf-8",
    title: str | None = None,
    total_row: bool = False,
    date_style: str = "iso",
    header_variant: int = 0,
) -> None:
    """A ledger as WPS/Excel export it: encoding 'utf-8', 'utf-8-sig', 'gbk' or 'gb18030'."""
    dialect = dialects.Dialect(
        "csv", "csv", encoding, titles=1 if title else 0, total="合计" if total_row else None,
        date_style=date_style, header_variant=header_variant,
    )  # fmt: skip
    dialects.write_ledger(path, kind, rows_frame(kind, rows), dialect, title)
