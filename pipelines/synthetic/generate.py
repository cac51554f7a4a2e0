"""Synthetic ledgers at scale (`collabstats generate`), in the contract's layout.

Counties come from the reference divisions (Guangxi and Guizhou; every province above
2M persons). IDs are valid (check digit, birth date, some under historical codes);
about half of those helped are 脱贫劳动力; destinations split ~45/20/35 between 广东省,
东部其他省份 and 省内就近; 20% of people have a second placement later in the year. At
the `messy` rate placement rows are broken (bad check digit, missing category, unknown
region, unreadable date, an ID Excel turned into a float), and messy files take, in
turn, each ledger dialect of dialects.DIALECTS - csv or xlsx whatever `fmt` says, so a
messy set covers them all. `GenerateStats.written` says, per file, its dialect, rows
and broken rows: what reading it must give. Deterministic for a seed; generated and written one county at a time, vectorised
(numpy + Polars), so memory holds one county's rows, never the whole set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines import zh
from pipelines.ledgers import pii
from pipelines.ledgers.regions import divisions
from pipelines.synthetic import dialects, synth

_SURNAMES = list(synth.SURNAMES)
_GIVEN = list(synth.GIVEN_NAMES)
_EMPLOYERS = [
    "广州明华电子有限公司",
    "深圳宏达制衣厂",
    "东莞立信五金制品有限公司",
    "佛山美的物流",
    "中山华帝电器",
    "宁波服装厂",
    "苏州电子厂",
    "本县帮扶车间",
    "县城建筑工地",
]
BIG = 2_000_000


@dataclass(frozen=True)
class GeneratedFile:
    """One ledger written: where, in which dialect, and what reading it must give."""

    rel: str  # path under the output folder
    kind: str
    dialect: str  # a dialects.DIALECTS name, or "plain"
    rows: int  # data rows written
    broken: int  # of them, rows written broken on purpose (each must be rejected)
    poverty_clean: int  # clean rows whose 是否脱贫劳动力 is 是 (0 for workshops)


@dataclass
class GenerateStats:
    counties: int = 0
    files: int = 0
    messy_files: int = 0
    written: list[GeneratedFile] = field(default_factory=list)
    placement_rows: int = 0
    training_rows: int = 0
    workshop_rows: int = 0
    transport_rows: int = 0
    followup_rows: int = 0


def counties_for(persons: int) -> list[str]:
    divs = divisions()
    prefixes = ("45", "52") if persons <= BIG else tuple(f"{i:02d}" for i in range(11, 66))
    return sorted(
        c
        for c, d in divs.by_code.items()
        if d.in_use and d.level == "county" and c[:2] in prefixes and c[2:4] != "01"
    )


def _predecessors() -> dict[str, list[str]]:
    """Current county → abolished codes that lead to it (IDs issued before a change)."""
    divs = divisions()
    out: dict[str, list[str]] = {}
    for code, d in divs.by_code.items():
        if not d.in_use and d.level == "county":
            cur = divs.current(code)
            if cur:
                out.setdefault(cur, []).append(code)
    return out


def _ids(rng: np.random.Generator, county: str, n: int, old: list[str]) -> pl.DataFrame:
    prefix = np.full(n, county, dtype=object)
    if old:
        use_old = rng.random(n) < 0.05
        prefix[use_old] = rng.choice(old, size=int(use_old.sum()))
    birth = np.datetime64("1965-01-01") + rng.integers(0, 40 * 365, n).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "prefix": prefix.astype(str),
            "birth": birth.astype("datetime64[D]"),
            "seq": rng.integers(1, 999, n),
        }
    )
    body = pl.concat_str(
        [
            pl.col("prefix"),
            pl.col("birth").dt.strftime("%Y%m%d"),
            pl.col("seq").cast(pl.String).str.zfill(3),
        ]
    )
    frame = frame.with_columns(body=body).with_columns(
        id_number=pl.col("body") + pii.expected_check_char(pl.col("body") + "0")
    )
    names = np.char.add(
        rng.choice(_SURNAMES, n),
        np.char.add(
            rng.choice(_GIVEN, n), np.where(rng.random(n) < 0.6, rng.choice(_GIVEN, n), "")
        ),
    )
    return pl.DataFrame(
        {"name": names, "id_number": frame["id_number"], "origin_code": np.full(n, county)}
    )


def _placements(rng: np.random.Generator, people: pl.DataFrame, year: int) -> pl.DataFrame:
    n = people.height
    poverty = rng.random(n) < 0.5
    first = rng.integers(1, 13, n)
    # a second placement comes in a later month (the same person, employer and day twice
    # would be a true 重复记录)
    second = (rng.random(n) < 0.2) & (first < 12)
    idx = np.concatenate([np.arange(n), np.flatnonzero(second)])
    months = np.concatenate([first, rng.integers(first[second] + 1, 13)])
    m = len(idx)
    cats = np.array(zh.DESTINATION_CATEGORIES)[rng.choice(3, m, p=[0.45, 0.2, 0.35])]
    days = rng.integers(1, 29, m)
    rows = people[idx].with_columns(
        is_poverty=pl.Series(np.where(poverty[idx], "是", "否")),
        is_monitored=pl.lit("否"),
        destination_category=pl.Series(cats),
        destination_province=pl.Series(
            np.where(cats == "广东省", "广东省", np.where(cats == "东部其他省份", "浙江省", ""))
        ),
        destination_city=pl.lit(""),
        employer=pl.Series(np.array(_EMPLOYERS)[rng.integers(0, len(_EMPLOYERS), m)]),
        industry=pl.lit("制造业"),
        channel=pl.Series(
            np.array(zh.CHANNELS)[
                rng.choice(len(zh.CHANNELS), m, p=[0.3, 0.1, 0.15, 0.1, 0.05, 0.25, 0.05])
            ]
        ),
        employment_date=pl.Series(
            [date(year, int(mo), int(d)) for mo, d in zip(months, days, strict=True)]
        ),
        monthly_wage=pl.Series(rng.integers(26, 72, m) * 100),
        contract_months=pl.Series(rng.choice([6, 12, 24, 36], m)),
        reporting_unit=pl.lit("县人力资源和社会保障局"),
        _month=pl.Series(months),
    )
    return rows


BROKEN, LOST = "_broken", "_lost_digits"  # row marks: rejected when read; ID written as a float


def _mess(rng: np.random.Generator, rows: pl.DataFrame, rate: float) -> pl.DataFrame:
    """Break a `rate` share of rows in one of five ways (bad check digit, missing
    category, unknown region, unreadable date, an ID that went through a spreadsheet
    number), marking them in `_broken` (and `_lost_digits` for the last)."""
    if rate <= 0 or rows.height == 0:
        return rows.with_columns(pl.lit(False).alias(BROKEN), pl.lit(False).alias(LOST))
    broken = rng.random(rows.height) < rate
    how = rng.integers(0, 5, rows.height)
    idn = pl.col("id_number")
    wrong = pl.when(idn.str.slice(17, 1) == "0").then(pl.lit("1")).otherwise(pl.lit("0"))
    return rows.with_columns(
        pl.Series(BROKEN, broken),
        pl.Series(LOST, broken & (how == 4)),
        id_number=pl.when(pl.Series(broken & (how == 0)))
        .then(idn.str.slice(0, 17) + wrong)
        .otherwise(idn),
        destination_category=pl.when(pl.Series(broken & (how == 1)))
        .then(None)
        .otherwise(pl.col("destination_category")),
        origin_code=pl.when(pl.Series(broken & (how == 2)))
        .then(pl.lit("459999"))
        .otherwise(pl.col("origin_code")),
        employment_date=pl.when(pl.Series(broken & (how == 3)))
        .then(pl.lit("某月某日"))
        .otherwise(pl.col("employment_date").cast(pl.String)),
    )


def _trainings(
    rng: np.random.Generator, people: pl.DataFrame, county: str, year: int
) -> pl.DataFrame:
    trained = people.sample(fraction=0.1, seed=int(rng.integers(0, 2**31)))
    if trained.height < 20:
        return pl.DataFrame()
    sizes: list[int] = []
    left = trained.height
    while left >= 20:
        s = int(min(left, rng.integers(20, 61)))
        sizes.append(s)
        left -= s
    trained = trained.head(sum(sizes))
    k = len(sizes)
    class_of = np.repeat(np.arange(k), sizes)
    # classes start by the 9th and last at most 20 days, so they end (and are reported)
    # in the month they start
    starts = [
        date(year, int(mo), int(d))
        for mo, d in zip(rng.integers(1, 13, k), rng.integers(1, 10, k), strict=True)
    ]
    days = rng.choice([5, 10, 15, 20], k)
    programmes = np.array(zh.PROGRAMMES)[rng.integers(0, len(zh.PROGRAMMES), k)]
    n = trained.height
    completed = rng.random(n) < 0.92
    cert = np.where(
        completed & (rng.random(n) < 0.7),
        np.array(zh.CERTIFICATES[:3])[rng.integers(0, 3, n)],
        "无",
    )
    employed = completed & (rng.random(n) < 0.6)
    start_arr = np.array(starts, dtype="datetime64[D]")[class_of]
    return trained.with_columns(
        class_id=pl.Series([f"{county}-{year}-{c:03d}" for c in class_of]),
        programme=pl.Series(programmes[class_of]),
        trade=pl.lit("中式烹调师"),
        training_type=pl.lit("就业技能培训"),
        provider=pl.lit("县职业技能培训中心"),
        training_region_code=pl.lit(county),
        start_date=pl.Series(start_arr),
        end_date=pl.Series(start_arr + (days[class_of] - 1).astype("timedelta64[D]")),
        training_days=pl.Series(days[class_of]),
        is_order_training=pl.lit("否"),
        is_poverty=pl.Series(np.where(rng.random(n) < 0.45, "是", "否")),
        is_two_after=pl.lit("否"),
        attendance_days=pl.Series(np.where(completed, days[class_of], days[class_of] // 2)),
        completed=pl.Series(np.where(completed, "是", "否")),
        certificate=pl.Series(cert),
        employed_after=pl.Series(np.where(employed, "是", "否")),
        employed_in_trade=pl.Series(np.where(employed & (rng.random(n) < 0.7), "是", "否")),
        is_project_based=pl.Series(
            np.where(np.isin(programmes[class_of], synth.PROJECT_PROGRAMMES), "是", "否")
        ),
        signed_contract=pl.Series(np.where(employed, "是", "否")),
        _month=pl.Series(start_arr.astype("datetime64[M]").astype(int) % 12 + 1),
    )


def _workshops(rng: np.random.Generator, county: str, year: int) -> pl.DataFrame:
    k = int(rng.integers(2, 9))
    rows = []
    base = rng.integers(15, 120, k)
    for month in range(1, 13):
        employed = np.maximum(0, base + rng.integers(-5, 6, k))
        poverty = (employed * rng.uniform(0.3, 0.7, k)).astype(int)
        for i in range(k):
            rows.append({
                "workshop_id": f"{county}-W{i + 1:02d}", "workshop_name": f"{county}第{i + 1}帮扶车间",
                "location_code": county, "resettlement_site": "", "workshop_type": "稳岗就业基地" if i == 0 and k > 6 else "就业帮扶车间",
                "main_industry": "服装加工", "aid_region": "广东省", "recognised_date": str(date(year - 1, 6, 1)),
                "employed": int(employed[i]), "poverty_employed": int(poverty[i]), "monitored_employed": 0,
                "avg_monthly_wage": 2400, "_month": month,
            })  # fmt: skip
    return pl.DataFrame(rows)


def _transports(rng: np.random.Generator, county: str, year: int) -> pl.DataFrame:
    """Organised trips from the county: mostly 返岗 after the Spring Festival (Feb-Mar),
    返乡 before it (Dec-Jan), a few in other months."""
    rows = []
    for month in range(1, 13):
        peak = month in (1, 2, 3, 12)
        for i in range(int(rng.integers(0, 4 if peak else 2))):
            persons = int(rng.integers(20, 60))
            home = month in (1, 12) and rng.random() < 0.6
            rows.append({
                "batch": f"{year}年第{month}批", "trip_id": f"{county}-T{month:02d}{i + 1:02d}",
                "transport_mode": str(rng.choice(list(zh.TRANSPORT_MODES), p=[0.6, 0.1, 0.25, 0.05])),
                "direction": "返乡" if home else "返岗",
                "departure_date": str(date(year, month, int(rng.integers(1, 28)))),
                "departure_code": county, "destination_province": "广东省" if not home else divisions().name(county[:2] + "0000"),
                "destination_city": "广州市" if not home else "", "persons": persons,
                "poverty_persons": int(persons * rng.uniform(0.1, 0.5)), "is_free": "是", "_month": month,
            })  # fmt: skip
    return pl.DataFrame(rows)


def _followups(rng: np.random.Generator, trainings: pl.DataFrame, year: int) -> pl.DataFrame:
    """Follow-up services to the 脱贫 trainees who completed a class without a job: 0-4
    job recommendations 3-40 days apart from a few days after the class, and for most a
    return visit 20-110 days after the first (some late, some never), within the year."""
    if trainings.height == 0:
        return pl.DataFrame()
    owed = trainings.filter(
        (pl.col("completed") == "是")
        & (pl.col("is_poverty") == "是")
        & (pl.col("employed_after") == "否")
    ).unique("id_number", keep="first", maintain_order=True)
    n = owed.height
    if n == 0:
        return pl.DataFrame()
    recs = rng.integers(0, 5, n)
    person = np.repeat(np.arange(n), recs)
    start = np.repeat(np.cumsum(recs) - recs, recs)  # index of the person's first
    nth = np.arange(len(person)) - start
    first = owed["end_date"].to_numpy().astype("datetime64[D]") + rng.integers(2, 15, n)
    step = np.where(nth == 0, 0, rng.integers(3, 40, len(person)))  # days after the previous
    cum = np.cumsum(step)
    offset = cum - cum[start] if len(person) else cum
    visited = (recs > 0) & (rng.random(n) < 0.75)
    visit_dates = first + rng.integers(20, 110, n)
    units = np.array(_EMPLOYERS)
    frame = pl.concat(
        [
            pl.DataFrame({
                "_p": person, "service_type": "岗位推介",
                "service_date": first[person] + offset,
                "recommend_unit": units[rng.integers(0, len(units), len(person))],
                "recommend_post": np.array(["普工", "厨师", "保洁员", "电工"])[nth % 4],
                "visit_result": None,
            }, schema_overrides={"service_date": pl.Date, "recommend_unit": pl.String, "recommend_post": pl.String, "visit_result": pl.String}),
            pl.DataFrame({
                "_p": np.flatnonzero(visited), "service_type": "就业回访", "service_date": visit_dates[visited],
                "recommend_unit": None, "recommend_post": None,
                "visit_result": np.array(zh.VISIT_RESULTS)[rng.integers(0, 3, int(visited.sum()))],
            }, schema_overrides={"service_date": pl.Date, "recommend_unit": pl.String, "recommend_post": pl.String}),
        ]
    )  # fmt: skip
    people = owed.select("id_number", "name", "origin_code", "class_id").with_row_index("_p")
    return (
        frame.with_columns(pl.col("_p").cast(pl.UInt32))
        .join(people, on="_p")
        .filter(pl.col("service_date").dt.year() == year)
        .sort("_p", "service_date")
        .with_columns(
            service_agency=pl.lit("县公共就业服务中心"),
            _month=pl.col("service_date").dt.month(),
            service_date=pl.col("service_date").cast(pl.String),
        )
        .drop("_p")
    )


def _poverty_clean(part: pl.DataFrame) -> int:
    if "is_poverty" not in part.columns:
        return 0
    return int(((part["is_poverty"] == "是") & ~part[BROKEN]).sum())


def _lost_as_float_text(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows marked lost-digits carry their ID as Excel exports a number cell: 4.52127E+17."""
    if "id_number" not in rows.columns or not rows[LOST].any():
        return rows
    sci = (
        pl.col("id_number")
        .cast(pl.Float64, strict=False)
        .map_elements(lambda v: f"{v:.5E}", return_dtype=pl.String)
    )
    return rows.with_columns(
        id_number=pl.when(pl.col(LOST)).then(sci).otherwise(pl.col("id_number"))
    )


def generate(
    out: Path,
    persons: int,
    year: int,
    fmt: str = "csv",
    messy: float = 0.0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    max_counties: int | None = None,
) -> GenerateStats:
    counties = counties_for(persons)[:max_counties]
    old = _predecessors()
    rng = np.random.default_rng(seed)
    weights = rng.gamma(2.0, size=len(counties))
    per_county = rng.multinomial(persons, weights / weights.sum())
    names = {c: divisions().name(c) for c in counties}
    stats = GenerateStats(counties=len(counties))
    targets = []
    for i, (county, n) in enumerate(zip(counties, per_county, strict=True)):
        crng = np.random.default_rng([seed, i])
        if n == 0:
            continue
        people = _ids(crng, county, int(n), old.get(county, []))
        placements = _mess(crng, _placements(crng, people, year), messy)
        trainings = _trainings(crng, people, county, year)  # after: the same draws as before
        for kind, frame in (
            ("placements", placements),
            ("trainings", trainings),
            ("workshops", _workshops(crng, county, year)),
            # a generator of its own: the other kinds' files stay as they were for a seed
            ("transports", _transports(np.random.default_rng([seed, i, 4]), county, year)),
            ("followups", _followups(np.random.default_rng([seed, i, 5]), trainings, year)),
        ):
            if frame.height == 0:
                continue
            if BROKEN not in frame.columns:
                frame = frame.with_columns(pl.lit(False).alias(BROKEN), pl.lit(False).alias(LOST))
            for (month,), part in sorted(frame.partition_by("_month", as_dict=True).items()):
                period = f"{year}-{int(month):02d}"
                messy_file = messy > 0 and crng.random() < max(messy * 5, 0.2)
                title = f"{names[county]}{year}年{int(month)}月{zh.KIND_TITLES[kind]}"
                rows = dialects.as_strings(kind, _lost_as_float_text(part))
                lost = frozenset(np.flatnonzero(part[LOST].to_numpy()).tolist())
                if messy_file:
                    dialect = dialects.style_for(
                        dialects.DIALECTS[stats.messy_files % len(dialects.DIALECTS)], kind, rows
                    )
                    stats.messy_files += 1
                    rel = f"{kind}/{period}/{names[county]}_{county}.{dialect.fmt}"
                    dialects.write_ledger(out / rel, kind, rows, dialect, title, lost)
                else:
                    dialect = None
                    rel = f"{kind}/{period}/{names[county]}_{county}.{fmt}"
                    dialects.write_ledger(out / rel, kind, rows, dialects.Dialect(fmt=fmt))
                stats.files += 1
                stats.written.append(
                    GeneratedFile(
                        rel, kind, dialect.name if dialect else "plain", part.height,
                        int(part[BROKEN].sum()),
                        _poverty_clean(part),
                    )
                )  # fmt: skip
                setattr(
                    stats, f"{kind[:-1]}_rows", getattr(stats, f"{kind[:-1]}_rows") + part.height
                )
        targets.append(
            {
                "year": str(year),
                "region_code": county,
                "indicator": "employed_persons",
                "target_value": str(int(n * crng.uniform(0.9, 1.2))),
            }
        )
        if progress:
            progress(i + 1, len(counties))
    dialects.write_ledger(
        out / "targets" / str(year) / f"{year}年目标任务.{fmt}",
        "targets",
        pl.DataFrame(targets),
        dialects.Dialect(fmt=fmt),
    )
    stats.files += 1
    return stats
