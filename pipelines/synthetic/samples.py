"""Write the bundled sample ledgers under raw/ (deterministic; `make samples`, i.e.
`python -m pipelines.synthetic.samples`). It lives outside raw/ so that raw/ holds ledgers
only: anything else there is reported as skipped.

Four counties, two in Guangxi (来宾市) and two in Guizhou (安顺市), October to December
2024, every ledger kind, in the shapes counties really send: title rows, 合计 rows,
GBK and BOM CSVs, header variants, every date form, an ID Excel turned into a number,
a wrong check digit, a missing required value, and a duplicate across two files.
"""

from __future__ import annotations

import random
import shutil
from datetime import date

from pipelines.ledgers import spec
from pipelines.settings import REPO_ROOT
from pipelines.synthetic import synth

RAW = REPO_ROOT / "raw"
SEED = 20241231
COUNTIES = {"451321": "忻城县", "451324": "金秀县", "520422": "普定县", "520424": "关岭县"}
MONTHS = ("2024-10", "2024-11", "2024-12")


def main() -> None:
    rng = random.Random(SEED)
    for kind in spec.KINDS:
        shutil.rmtree(RAW / kind, ignore_errors=True)
    pools = {code: [synth.make_person(rng, code) for _ in range(40)] for code in COUNTIES}
    trained: list[dict] = []  # every training row, for the follow-up services below

    for mi, month in enumerate(MONTHS):
        y, m = month.split("-")
        for ci, (code, county) in enumerate(COUNTIES.items()):
            people = rng.sample(pools[code], 14)
            rows = [synth.placement_row(rng, p, month) for p in people]
            if mi == 1 and ci == 0:
                rows[2]["id_number"] = synth.corrupt_check(str(rows[2]["id_number"]))
                rows[5]["destination_category"] = None
                rows[7]["origin_code"] = None  # derived from the ID
            title = f"{county}{y}年{int(m)}月转移就业台账"
            folder = RAW / "placements" / month
            if ci == 0:
                synth.write_xlsx(
                    folder / f"{county}.xlsx", "placements", rows, title=title, total_row=True
                )
            elif ci == 1:
                synth.write_csv(
                    folder / f"{county}.csv",
                    "placements",
                    rows,
                    encoding="gbk",
                    title=title,
                    date_style="cn",
                    header_variant=1,
                )
                if mi == 1:  # a supplementary file repeating one row of the main one
                    synth.write_csv(
                        folder / f"{county}_补报.csv",
                        "placements",
                        rows[:1] + [synth.placement_row(rng, pools[code][39], month)],
                        encoding="gbk",
                    )
            elif ci == 2:
                synth.write_csv(
                    folder / f"{county}.csv",
                    "placements",
                    rows,
                    encoding="utf-8-sig",
                    date_style="slash",
                    total_row=True,
                )
            else:
                synth.write_xlsx(
                    folder / f"{county}.xlsx", "placements", rows, title=title, date_style="serial", header_variant=2,
                    blank_after=6, float_ids=[9] if mi == 2 else [], extra_column="联系电话",
                )  # fmt: skip

            # One training class per county every month, 20–30 trainees.
            start = date(int(y), int(m), rng.randint(1, 10))
            trainees = rng.sample(pools[code], rng.randint(20, 30))
            t_rows = synth.training_rows(rng, f"{code}-{y}{m}-01", trainees, start)
            trained += t_rows
            synth.write_xlsx(
                RAW / "trainings" / month / f"{county}培训台账.xlsx",
                "trainings",
                t_rows,
                title=f"{county}{y}年{int(m)}月培训台账",
                date_style=["cell", "cn", "dot", "iso"][ci],
            )

            # Workshops: two per county, monthly headcount; 普定 also has a 稳岗就业基地.
            w_rows = [synth.workshop_row(rng, f"{code}-W{i}", code) for i in (1, 2)]
            if code == "520422":
                w_rows.append(synth.workshop_row(rng, f"{code}-B1", code, "稳岗就业基地"))
            synth.write_xlsx(
                RAW / "workshops" / month / f"{county}帮扶车间.xlsx",
                "workshops",
                w_rows,
                title=f"{county}就业帮扶车间台账（{y}年{int(m)}月）",
            )

    # Organised trips: a random stream of their own, so the other ledgers stay as they were.
    trips = random.Random(SEED + 1)
    for month in MONTHS:
        y, m = map(int, month.split("-"))
        for ci, (code, county) in enumerate(COUNTIES.items()):
            direction = "返乡" if m == 12 else "返岗"
            rows = [
                synth.transport_row(
                    trips, f"{code}-T{m:02d}{i}", code, date(y, m, 3 + 7 * i), direction
                )
                for i in range(1, trips.randint(1, 3) + 1)
            ]
            path = (
                RAW / "transports" / month / f"{county}有组织输送台账.{'xlsx' if ci % 2 else 'csv'}"
            )
            title = f"{county}{y}年{m}月有组织输送台账"
            if ci % 2:
                synth.write_xlsx(path, "transports", rows, title=title, total_row=True)
            else:
                synth.write_csv(
                    path, "transports", rows, encoding="gbk", title=title, date_style="cn"
                )

    followups(trained, pools)

    targets = [
        {
            "year": 2024,
            "region_code": code,
            "indicator": "帮助农村劳动力就业人数",
            "target_value": 30,
        }
        for code in COUNTIES
    ]
    targets += [
        {
            "year": 2024,
            "region_code": "451300",
            "indicator": "employed_persons",
            "target_value": 55,
        },
        {
            "year": 2024,
            "region_code": "520400",
            "indicator": "employed_persons",
            "target_value": 65,
        },
    ]
    synth.write_xlsx(
        RAW / "targets" / "2024" / "2024年目标任务.xlsx",
        "targets",
        targets,
        title="2024年东西部劳务协作目标任务",
    )


def followups(trained: list[dict], pools: dict[str, list[synth.Person]]) -> None:
    """就业服务跟踪台账: services to the 脱贫 trainees who completed a class without a job.
    金秀 and 普定 also report (in October) a June class, so some duties are overdue by
    the samples' months. A random stream of its own, so the other ledgers stay as they
    were."""
    frng = random.Random(SEED + 2)
    for code in ("451324", "520422"):
        late_class = synth.training_rows(
            frng, f"{code}-202406-01", frng.sample(pools[code], 8), date(2024, 6, 3)
        )
        for row in late_class:
            row.update(
                is_poverty="是",
                completed="是",
                employed_after="否",
                employed_in_trade="否",
                signed_contract="否",
            )
        synth.write_xlsx(
            RAW / "trainings" / "2024-10" / f"{COUNTIES[code]}培训台账_补报.xlsx", "trainings", late_class,
            title=f"{COUNTIES[code]}2024年6月培训班（补报）",
        )  # fmt: skip
        trained += late_class
    services: dict[tuple[str, str], list[dict]] = {}
    for row in trained:
        if not (
            row["is_poverty"] == "是" and row["completed"] == "是" and row["employed_after"] == "否"
        ):
            continue
        for service in synth.followup_rows(frng, row):
            day = service["service_date"]
            month = max(f"{day.year}-{day.month:02d}", MONTHS[0])  # earlier ones in October's
            if month <= MONTHS[-1]:
                services.setdefault((month, str(row["origin_code"])), []).append(service)
    for (month, code), rows in sorted(services.items()):
        y, m = month.split("-")
        path = RAW / "followups" / month / f"{COUNTIES[code]}就业服务跟踪台账"
        title = f"{COUNTIES[code]}{y}年{int(m)}月就业服务跟踪台账"
        if code in ("451324", "451321"):
            synth.write_xlsx(
                path.with_suffix(".xlsx"), "followups", rows, title=title, date_style="cn"
            )
        else:
            synth.write_csv(
                path.with_suffix(".csv"), "followups", rows, encoding="gbk", title=title
            )


if __name__ == "__main__":
    main()
