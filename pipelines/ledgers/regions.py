"""Administrative-division codes: existence (historical codes count), successors,
hierarchy by code, and short-name resolution (金秀县 → 金秀瑶族自治县 → 451324).

Source: dbt_project/seeds/admin_divisions_cn.csv, a copy of
../shared/reference/admin_divisions_cn.csv (yescallop/areacodes, CC0) without its BOM.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

DIVISIONS_CSV = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "admin_divisions_cn.csv"
)

# Ethnic-group names that appear in the full names of autonomous counties and
# prefectures; the short name a ledger uses is the place name before the first of them.
ETHNIC = (
    "各族", "壮族", "瑶族", "苗族", "侗族", "布依族", "仫佬族", "毛南族", "仡佬族", "彝族", "回族",
    "水族", "土家族", "蒙古族", "满族", "藏族", "羌族", "傣族", "白族", "哈尼族", "傈僳族",
    "纳西族", "拉祜族", "佤族", "景颇族", "独龙族", "怒族", "普米族", "黎族", "畲族", "达斡尔族",
    "鄂温克族", "鄂伦春族", "哈萨克族", "塔吉克族", "撒拉族", "保安族", "东乡族", "土族",
    "裕固族", "朝鲜族", "锡伯族", "维吾尔族", "柯尔克孜族", "蒙古族",
)  # fmt: skip
_SUCCESSOR = re.compile(r"(\d{6})")

LEVELS = {"省级": "province", "地级": "city", "县级": "county"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province / city / county
    in_use: bool
    successors: tuple[str, ...]


def short_names(full: str) -> set[str]:
    """Names a ledger may use for a division: 金秀瑶族自治县 → {金秀县, 金秀};
    黔西南布依族苗族自治州 → {黔西南州, 黔西南}; 安顺市 → {安顺}."""
    out: set[str] = set()
    for suffix, short_suffix in (("自治县", "县"), ("自治州", "州"), ("自治旗", "旗")):
        if full.endswith(suffix):
            for i in range(1, len(full)):
                if full[i:].startswith(ETHNIC):
                    out |= {full[:i] + short_suffix, full[:i]}
                    break
    if full.endswith("自治区"):  # 广西壮族自治区 → 广西, 新疆维吾尔自治区 → 新疆
        stem = full[: -len("自治区")]
        for token in (*ETHNIC, "维吾尔"):
            stem = stem.replace(token, "")
        out.add(stem)
    for suffix in ("县", "市", "区", "州", "地区", "盟", "旗", "省"):
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            out.add(full[: -len(suffix)])
    out.discard(full)
    return out


class Divisions:
    """Lookup over every division code since 1981."""

    def __init__(self, path: Path = DIVISIONS_CSV):
        self.by_code: dict[str, Division] = {}
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                code = row["代码"].strip()
                div = Division(
                    code=code,
                    name=row["名称"].strip(),
                    level=LEVELS[row["级别"]],
                    in_use=row["状态"] == "在用",
                    successors=tuple(_SUCCESSOR.findall(row["新代码"] or "")),
                )
                # A code reused over time appears more than once: the row in use wins.
                prev = self.by_code.get(code)
                if prev is None or (div.in_use and not prev.in_use):
                    self.by_code[code] = div
        self._names: dict[str, set[str]] = {}
        self._short: dict[str, set[str]] = {}
        for d in self.by_code.values():
            if not d.in_use:
                continue
            self._names.setdefault(d.name, set()).add(d.code)
            for s in short_names(d.name):
                self._short.setdefault(s, set()).add(d.code)

    def exists(self, code: str) -> bool:
        return code in self.by_code

    def current(self, code: str) -> str | None:
        """The code in use today for a code that may have been abolished. A split goes to
        the first successor listed (the table lists the main one first)."""
        seen: set[str] = set()
        while code in self.by_code and code not in seen:
            seen.add(code)
            d = self.by_code[code]
            if d.in_use:
                return code
            if not d.successors:
                return None
            code = d.successors[0]
        return None

    def level(self, code: str) -> str | None:
        d = self.by_code.get(code)
        return d.level if d else None

    def name(self, code: str) -> str | None:
        d = self.by_code.get(code)
        return d.name if d else None

    def parent(self, code: str) -> str | None:
        """The city of a county, the province of a city (by code, as DESIGN rolls up)."""
        d = self.by_code.get(code)
        if d is None or d.level == "province":
            return None
        if d.level == "county":
            city = code[:4] + "00"
            c = self.by_code.get(city)
            if c is not None and c.in_use and c.level == "city":
                return city
        return code[:2] + "0000"

    def resolve(self, text: str, within: str | None = None) -> list[str]:
        """Codes in use whose full or short name is `text`; a 6-digit code resolves to
        itself. `within` (a province or city code) narrows ambiguous short names."""
        t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
        if re.fullmatch(r"\d{6}", t):
            cur = self.current(t)
            return [cur] if cur else []
        hits = self._names.get(t) or self._short.get(t) or set()
        if within and len(hits) > 1:
            prefix = within.rstrip("0")
            prefix = prefix[: 2 if len(prefix) <= 2 else 4]
            hits = {c for c in hits if c.startswith(prefix)}
        return sorted(hits)


@cache
def divisions() -> Divisions:
    return Divisions()


@cache
def known_codes() -> pl.Series:
    """Every division code since 1981, as a Series (is_in with a Series, unlike a list,
    is not re-parsed into a literal on every evaluation)."""
    return pl.Series(list(divisions().by_code), dtype=pl.String)


@cache
def county_codes() -> pl.Series:
    return pl.Series(
        [c for c, d in divisions().by_code.items() if d.level == "county"], dtype=pl.String
    )
