"""The dbt project runs on DuckDB and on Spark (docs/spark.md): models,
macros and tests use neither double-quoted strings or names (a string literal on Spark,
a name on DuckDB), nor backslash regexes (escapes differ), nor DuckDB-only types or
syntax. Engine-specific SQL lives in macros/engine.sql alone, behind adapter.dispatch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.settings import DBT_PROJECT_DIR

ENGINE_MACROS = DBT_PROJECT_DIR / "macros" / "engine.sql"
# DuckDB-only spellings, each with the portable way.
NOT_PORTABLE = {
    r'"': "a double-quoted string or name: {{ adapter.quote('…') }} for a name, '…' for a string",
    r"\\": "a backslash escape: write [0-9], not \\d; no back-references",
    r"\b(hugeint|utinyint|usmallint|uinteger|ubigint|varchar)\b": "a DuckDB-only type: bigint, tinyint, string",
    r"//": "DuckDB's integer division: integer_divide()",
    r"\b(strptime|starts_with|regexp_matches|regexp_full_match|string_agg|unnest|list_\w+)\s*\(":
        "a DuckDB-only function: see macros/engine.sql",
    r"\b(exclude|replace)\s*\(": "* EXCLUDE / * REPLACE: name the columns",
    r"\bunpivot\b": "UNPIVOT's syntax differs: unpivot_columns()",
    r"\blateral\b": "LATERAL over outer columns is DuckDB's: long_rows()",
    r"\binterval\b": "interval arithmetic differs: months_after()",
    r"\bdatediff\s*\(": "datediff's arguments differ: days_between()",
}  # fmt: skip


def _sql_files() -> list[Path]:
    files = [
        p
        for folder in ("models", "macros", "tests")
        for p in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))
    ]
    return [p for p in files if p != ENGINE_MACROS]


def _code(text: str) -> str:
    """The SQL without comments ({# … #}, -- …), which may say anything, and without the
    Jinja inside {{ }} and {% %} (Python-like strings; what they render is checked where
    it is written). Line numbers are kept."""
    blank = lambda m: "\n" * m.group(0).count("\n")  # noqa: E731
    for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"--[^\n]*"):
        text = re.sub(pattern, blank, text, flags=re.S)
    return text


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: str(p.relative_to(DBT_PROJECT_DIR)))
def test_models_macros_and_tests_are_portable(path):
    code = _code(path.read_text(encoding="utf-8"))
    found = [
        f"line {code[: m.start()].count(chr(10)) + 1}: {m.group(0)!r} - {why}"
        for pattern, why in NOT_PORTABLE.items()
        for m in re.finditer(pattern, code, flags=re.I)
    ]
    assert not found, "\n".join(found)


def test_the_rule_catches_what_spark_reads_differently():
    bad = """select "代码" as code, regexp_replace(x, '(a)b', '\\1'), y::hugeint, z // 2
    from t cross join lateral (values (1)) as v (n)"""
    code = _code(bad)
    hits = {p for p in NOT_PORTABLE if re.search(p, code, flags=re.I)}
    assert hits >= {'"', r"\\", r"//", r"\blateral\b"}
    assert any("hugeint" in p for p in hits)
