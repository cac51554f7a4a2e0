"""dbt seeds derived from zh.py, so the Chinese indicator names live in one place.

`python -m pipelines.lib.seeds` rewrites them; tests/test_seeds.py fails on drift.
"""

from __future__ import annotations

import csv
import io

from pipelines.lib import zh
from pipelines.settings import DBT_PROJECT_DIR

INDICATOR_SEED = DBT_PROJECT_DIR / "seeds" / "indicators.csv"


def indicator_seed_text() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "indicator_name", "unit", "sort_order"])
    for i, (code, (name, unit)) in enumerate(zh.INDICATORS.items(), start=1):
        w.writerow([code, name, unit, i])
    return buf.getvalue()


if __name__ == "__main__":
    INDICATOR_SEED.write_text(indicator_seed_text(), encoding="utf-8")
