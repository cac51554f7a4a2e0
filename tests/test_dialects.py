"""Every ledger dialect DESIGN lists, as `collabstats generate --messy` writes it, loads
exactly its clean rows: a row is rejected only if it was written broken, and only for a
reason DESIGN names."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest

from pipelines.database.ingest import ingest_kind
from pipelines.ledgers import spec
from pipelines.synthetic import dialects
from pipelines.synthetic.generate import generate

# The reasons DESIGN ("What happens to every row") names for a rejection.
DESIGN_REASONS = {
    "required", "not_in_list", "bad_flag", "bad_date", "date_after_period", "bad_number",
    "negative", "subtotal_exceeds", "id_length", "id_lost_digits", "id_birth_date",
    "id_check_digit", "region_unknown", "region_not_county", "region_from_id_unknown",
    "duplicate",
}  # fmt: skip


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    raw = tmp_path_factory.mktemp("dialects") / "raw"
    stats = generate(raw, 3000, 2024, "csv", messy=0.2, seed=11, max_counties=4)
    conn = duckdb.connect(str(raw.parent / "build.duckdb"))
    for kind in spec.KINDS:
        ingest_kind(conn, raw, kind, b"dialect-test-key-0123")
    yield stats, conn
    conn.close()


def test_a_messy_set_covers_every_dialect_for_every_monthly_kind(messy):
    stats, _ = messy
    seen = defaultdict(set)
    for f in stats.written:
        seen[f.dialect].add(f.kind)
    assert set(seen) >= {d.name for d in dialects.DIALECTS}
    assert sum(f.broken for f in stats.written) > 0


def test_each_dialect_loads_exactly_its_clean_rows(messy):
    stats, conn = messy
    log = {
        path: (status, message, read, loaded, rejected)
        for path, status, message, read, loaded, rejected in conn.execute(
            "select path, status, message, rows_read, rows_loaded, rows_rejected "
            "from raw.ingestion_log where is_current"
        ).fetchall()
    }
    wrong = []
    for f in stats.written:
        status, message, read, loaded, rejected = log[f.rel]
        if (status, read, loaded, rejected) != ("loaded", f.rows, f.rows - f.broken, f.broken):
            wrong.append(
                (f.dialect, f.rel, status, message, read, loaded, rejected, f.rows, f.broken)
            )
    assert not wrong


def test_flags_in_every_style_keep_their_meaning(messy):
    """Per dialect, the 脱贫劳动力 among loaded placements and trainings equal those
    generated: a blank in a ticked column is 否, never 是 and never missing."""
    stats, conn = messy
    expected, loaded = defaultdict(int), defaultdict(int)
    by_path = {f.rel: f for f in stats.written}
    for kind in ("placements", "trainings"):
        for path, n in conn.execute(
            f"select source_path, count(*) filter (where is_poverty) from raw.{kind} group by 1"
        ).fetchall():
            loaded[by_path[path].dialect] += n
    for f in stats.written:
        expected[f.dialect] += f.poverty_clean
    assert loaded == {d: n for d, n in expected.items() if n}


def test_rows_are_rejected_only_for_reasons_design_names(messy):
    _, conn = messy
    codes = {
        c for (c,) in conn.execute("select distinct reason_code from raw.rejected_rows").fetchall()
    }
    assert codes and codes <= DESIGN_REASONS
