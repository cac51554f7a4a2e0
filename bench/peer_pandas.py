"""The peer: what an analyst would write in plain pandas (default readers), computing
the same employment indicators as bench/floor.sql. Output: a CSV of
period, region_code, indicator, value."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pipelines.ledgers.regions import DIVISIONS_CSV

INDICATORS = {
    "employed_persons": lambda d: d.index == d.index,
    "employed_poverty_persons": lambda d: d["poverty"],
    "employed_guangdong_persons": lambda d: d["category"] == "广东省",
    "employed_guangdong_poverty_persons": lambda d: (d["category"] == "广东省") & d["poverty"],
    "employed_other_east_persons": lambda d: d["category"] == "东部其他省份",
    "employed_other_east_poverty_persons": lambda d: (
        (d["category"] == "东部其他省份") & d["poverty"]
    ),
    "employed_in_province_persons": lambda d: d["category"] == "省内就近",
    "employed_in_province_poverty_persons": lambda d: (d["category"] == "省内就近") & d["poverty"],
    "employed_organized_persons": lambda d: d["channel"] == "有组织输出",
}


def read_all(raw: Path) -> pd.DataFrame:
    frames = []
    for f in sorted((raw / "placements").glob("*/*")):
        df = pd.read_excel(f, dtype=str) if f.suffix == ".xlsx" else pd.read_csv(f, dtype=str)
        df["period"] = f.parent.name
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({
        "period": df["period"], "person": df["身份证号码"], "origin": df["户籍地行政区划代码"],
        "poverty": df["是否脱贫劳动力"] == "是", "category": df["就业地区类别"], "channel": df["就业渠道"],
    })  # fmt: skip


def ancestors() -> pd.DataFrame:
    div = pd.read_csv(DIVISIONS_CSV, dtype=str)
    cur = div[div["状态"] == "在用"].drop_duplicates("代码")
    cities = set(cur.loc[cur["级别"] == "地级", "代码"])
    counties = cur.loc[cur["级别"] == "县级", "代码"]
    rows = [(c, c) for c in counties]
    rows += [(c, c[:4] + "00") for c in counties if c[:4] + "00" in cities]
    rows += [(c, c[:2] + "0000") for c in counties]
    return pd.DataFrame(rows, columns=["origin", "region_code"])


def compute(raw: Path) -> pd.DataFrame:
    df = read_all(raw).merge(ancestors(), on="origin")
    df["year"] = df["period"].str[:4]
    periods = sorted(df["period"].unique())
    out = []
    for name, rule in INDICATORS.items():
        part = df[rule(df)]
        firsts = part.groupby(["year", "region_code", "person"])["period"].min().reset_index()
        for p in periods:
            f = firsts[(firsts["year"] == p[:4]) & (firsts["period"] <= p)]
            counts = f.groupby("region_code").size()
            out.append(
                pd.DataFrame(
                    {
                        "period": p,
                        "region_code": counts.index,
                        "indicator": name,
                        "value": counts.values,
                    }
                )
            )
    result = pd.concat(out, ignore_index=True)
    # regions appear from their first placement; other indicators are 0 there, as in metrics
    active = result[result["indicator"] == "employed_persons"][["period", "region_code"]]
    grid = active.merge(pd.DataFrame({"indicator": list(INDICATORS)}), how="cross")
    result = grid.merge(result, on=["period", "region_code", "indicator"], how="left").fillna(
        {"value": 0}
    )
    return result


if __name__ == "__main__":
    compute(Path(sys.argv[1])).to_csv(sys.argv[2], index=False)
