"""Synthetic ledgers: valid ID numbers, people, rows, and writers for the messy shapes
real ledgers come in (title rows, 合计 rows, GBK, BOM, header variants, date forms).

Used by the bundled sample script (pipelines/synthetic/samples.py), the tests, and the generator.
Everything is deterministic for a given random.Random.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter
from stdnum.cn import ric

from pipelines import zh
from pipelines.ledgers import spec

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙莫陆"
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
        "employer": rng.choice(
            [
                "广州明华电子有限公司",
                "深圳宏达制衣厂",
                "东莞立信五金制品有限公司",
                "本县扶贫车间",
                "佛山美的物流",
            ]
        ),
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


# --- writers -------------------------------------------------------------------------------


def headers(kind: str, variant: int = 0) -> list[str]:
    """Chinese headers; `variant` picks alternative wordings where a field has them."""
    out = []
    for f in spec.fields(kind):
        names = zh.HEADERS[kind][f.name]
        out.append(names[variant % len(names)])
    return out


def _cell(value: object, date_style: str) -> object:
    if isinstance(value, date):
        if date_style == "iso":
            return value.isoformat()
        if date_style == "slash":
            return f"{value.year}/{value.month}/{value.day}"
        if date_style == "dot":
            return f"{value.year}.{value.month}.{value.day}"
        if date_style == "cn":
            return f"{value.year}年{value.month}月{value.day}日"
        if date_style == "serial":
            return (value - date(1899, 12, 30)).days
        return value  # "cell": a real date cell (xlsx only)
    return value


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
    """A ledger as a county clerk's Excel: merged title, header, rows, 合计 at the bottom."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": datetime(2024, 1, 1)})  # byte-identical output per seed
    ws = wb.add_worksheet("Sheet1")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    hdr = headers(kind, header_variant) + ([extra_column] if extra_column else [])
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(hdr) - 1, title)
        r = 1
    ws.write_row(r, 0, hdr)
    r += 1
    float_ids = set(float_ids)
    names = [f.name for f in spec.fields(kind)]
    n = 0
    for i, row in enumerate(rows):
        if blank_after is not None and i == blank_after:
            r += 1  # a blank row in the middle
        for c, name in enumerate(names):
            v = _cell(row.get(name), date_style)
            if v is None or v == "":
                continue
            if name == "id_number" and i in float_ids:
                ws.write_number(r, c, excel_float(str(v)))
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, date_fmt)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
        r += 1
        n += 1
    if total_row:
        ws.write_string(r, 0, "合计")
        ws.write_string(r, 1, f"{n}人")
    wb.close()


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
    """A ledger as WPS/Excel export it: encoding 'utf-8', 'utf-8-sig' or 'gbk'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f.name for f in spec.fields(kind)]
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        if title:
            w.writerow([title])
        w.writerow(headers(kind, header_variant))
        n = 0
        for row in rows:
            w.writerow(["" if row.get(k) is None else _cell(row.get(k), date_style) for k in names])
            n += 1
        if total_row:
            w.writerow(["合计", f"{n}人"])
