"""Loading into a real DuckDB file: idempotent by path and content, replacement of one
file's rows, duplicates across files, removal, and rows accounted for per file."""

from __future__ import annotations

import random
import shutil

import duckdb
import pytest

from pipelines.database.ingest import ingest_kind
from pipelines.database.quality import quality
from pipelines.synthetic import synth
from tests.scenario import write_scenario

KINDS = ("placements", "trainings", "workshops", "targets")


def _snapshot(conn) -> dict[str, list]:
    tables = [f"raw.{k}" for k in KINDS] + ["raw.rejected_rows", "raw.ingestion_log"]
    return {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}


def _load_all(conn, raw, key):
    return {k: ingest_kind(conn, raw, k, key) for k in KINDS}


@pytest.fixture
def raw(tmp_path):
    raw = tmp_path / "raw"
    write_scenario(raw)
    return raw


@pytest.fixture
def conn(tmp_path):
    c = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield c
    c.close()


def test_loading_the_same_folder_twice_changes_nothing(raw, conn, key):
    _load_all(conn, raw, key)
    before = _snapshot(conn)
    second = _load_all(conn, raw, key)
    assert all(s.unchanged == s.files_seen and not s.results for s in second.values())
    assert _snapshot(conn) == before


def test_only_files_whose_size_or_mtime_moved_are_read_again(raw, conn, key, monkeypatch):
    import pipelines.database.ingest as load

    _load_all(conn, raw, key)
    hashed = []
    real = load.sha256_of
    monkeypatch.setattr(load, "sha256_of", lambda p: hashed.append(p) or real(p))
    touched = sorted((raw / "placements" / "2024-11").iterdir())[0]
    touched.write_bytes(touched.read_bytes())  # saved again, same content
    again = _load_all(conn, raw, key)
    assert hashed == [touched]
    assert all(s.unchanged == s.files_seen and not s.results for s in again.values())
    _load_all(conn, raw, key)  # the new stamp was logged
    assert hashed == [touched]


def test_months_with_ledgers_are_the_months_discover_finds(raw):
    from pipelines.ledgers.process import discover, months_with_ledgers

    for kind, month, name in [
        ("placements", "2024-09", "说明.txt"),  # not a ledger
        ("workshops", "2025-01", "~$锁.xlsx"),  # an Excel lock file
        ("trainings", "2024-13", "a.csv"),  # not a month
        ("trainings", "2024-08", "a.CSV"),  # a ledger
    ]:
        (raw / kind / month).mkdir(parents=True, exist_ok=True)
        (raw / kind / month / name).write_text("x")
    (raw / "placements" / "2024-07").mkdir()  # empty
    found = sorted({s.period for s in discover(raw) if s.kind != "targets"})
    assert "2024-08" in found and not {"2024-07", "2024-09", "2024-13", "2025-01"} & set(found)
    assert months_with_ledgers(raw) == found


def test_a_month_loaded_in_slices_ends_as_one_loaded_whole(raw, conn, key, tmp_path, monkeypatch):
    """The last month is loaded in slices of files (so one is read while another is
    processed); slices of one file each must give what one batch gives: same load order,
    same duplicates resolved, same counts."""
    import pipelines.database.ingest as load

    def state(c):
        tables = [f"raw.{k}" for k in KINDS] + ["raw.rejected_rows"]
        got = {t: sorted(c.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}
        got["log"] = sorted(
            c.execute("select * exclude (loaded_at) from raw.ingestion_log").fetchall(), key=repr
        )
        return got

    _load_all(conn, raw, key)
    monkeypatch.setattr(load, "SLICE_FILES", 1)
    sliced = duckdb.connect(str(tmp_path / "sliced.duckdb"))
    _load_all(sliced, raw, key)
    assert state(sliced) == state(conn)
    sliced.close()


def test_every_row_read_is_loaded_or_rejected(raw, conn, key):
    _load_all(conn, raw, key)
    rows = conn.execute(
        "select path, rows_read, rows_loaded, rows_rejected from raw.ingestion_log where is_current"
    ).fetchall()
    assert all(r == lo + rj for _, r, lo, rj in rows)
    counts = dict(
        conn.execute("select source_path, count(*) from raw.placements group by 1").fetchall()
    )
    assert {p: lo for p, _, lo, _ in rows if p.startswith("placements") and lo} == counts
    q = quality(conn, "placements", None)
    assert (q.rows_read, q.rows_loaded, q.rows_rejected, q.unbalanced_files) == (11, 8, 3, [])


def test_changed_file_replaces_exactly_its_rows(raw, conn, key):
    _load_all(conn, raw, key)
    others = conn.execute(
        "select * from raw.placements where source_path <> 'placements/2024-10/金秀县.xlsx' order by all"
    ).fetchall()
    rng = random.Random(5)
    new_rows = [
        synth.placement_row(rng, synth.make_person(rng, "451324"), "2024-10") for _ in range(3)
    ]
    synth.write_xlsx(raw / "placements" / "2024-10" / "金秀县.xlsx", "placements", new_rows)
    s = ingest_kind(conn, raw, "placements", key)
    assert (len(s.results), s.unchanged) == (1, s.files_seen - 1)
    assert (
        conn.execute(
            "select count(*) from raw.placements where source_path = 'placements/2024-10/金秀县.xlsx'"
        ).fetchone()[0]
        == 3
    )
    assert (
        conn.execute(
            "select * from raw.placements where source_path <> 'placements/2024-10/金秀县.xlsx' order by all"
        ).fetchall()
        == others
    )
    versions = conn.execute(
        "select is_current, rows_read from raw.ingestion_log where path = 'placements/2024-10/金秀县.xlsx' order by load_id"
    ).fetchall()
    assert versions == [(False, 2), (True, 3)]  # the log keeps every version


def test_duplicate_across_files_is_loaded_once_and_reported(raw, conn, key):
    _load_all(conn, raw, key)
    dup = conn.execute(
        "select path, source_row, reason, value from raw.rejected_rows where reason_code = 'duplicate'"
    ).fetchall()
    assert dup == [
        (
            "placements/2024-11/普定县_补报.csv",
            2,
            "重复记录",
            "与 placements/2024-11/普定县.csv 第2行相同",
        )
    ]
    assert (
        conn.execute(
            "select count(*) from raw.placements where period = '2024-11' and origin_code = '520422'"
        ).fetchone()[0]
        == 1
    )


def test_removing_the_original_promotes_the_repeat(raw, conn, key):
    _load_all(conn, raw, key)
    (raw / "placements" / "2024-11" / "普定县.csv").unlink()
    s = ingest_kind(conn, raw, "placements", key)
    assert s.removed == 1
    assert conn.execute(
        "select source_path from raw.placements where origin_code = '520422'"
    ).fetchall() == [("placements/2024-11/普定县_补报.csv",)]
    assert (
        conn.execute(
            "select count(*) from raw.rejected_rows where reason_code = 'duplicate'"
        ).fetchone()[0]
        == 0
    )
    log = conn.execute(
        "select rows_loaded, rows_rejected from raw.ingestion_log where path = 'placements/2024-11/普定县_补报.csv' and is_current"
    ).fetchone()
    assert log == (1, 0)


def test_inconsistent_class_is_rejected_across_files(raw, conn, key):
    _load_all(conn, raw, key)
    rows = conn.execute(
        "select column_name, value from raw.rejected_rows where reason_code = 'class_inconsistent'"
    ).fetchall()
    assert rows == [("班次编号", "K2"), ("班次编号", "K2")]
    assert (
        conn.execute("select count(*) from raw.trainings where class_id = 'K2'").fetchone()[0] == 0
    )


def test_a_later_month_that_contradicts_a_class_rejects_its_earlier_rows(raw, conn, key):
    """K1 (October) is consistent until a December ledger reports it with another
    provider: then its October rows are rejected too, though October's file did not
    change; when the December ledger is withdrawn, they come back."""
    from datetime import date

    from tests.scenario import P6

    def k1() -> tuple[int, int, int]:
        return conn.execute(
            """
            select (select count(*) from raw.trainings where class_id = 'K1'),
                   (select count(*) from raw.rejected_rows where value = 'K1'
                      and reason_code = 'class_inconsistent'),
                   (select rows_loaded from raw.ingestion_log where is_current
                      and path = 'trainings/2024-10/来宾市培训台账.xlsx')
            """
        ).fetchone()

    _load_all(conn, raw, key)
    assert k1() == (4, 0, 4)
    dec = raw / "trainings" / "2024-12" / "补报.csv"
    row = synth.training_rows(random.Random(0), "K1", [P6], date(2024, 10, 8))[0]
    synth.write_csv(dec, "trainings", [row | {"provider": "另一家机构"}])
    assert ingest_kind(conn, raw, "trainings", key).touched_periods == {"2024-12"}
    assert k1() == (0, 5, 0)
    dec.unlink()
    ingest_kind(conn, raw, "trainings", key)
    assert k1() == (4, 0, 4)


def test_a_partition_load_leaves_other_months_alone(raw, conn, key):
    _load_all(conn, raw, key)
    before = conn.execute(
        "select * from raw.placements where period <> '2024-11' order by all"
    ).fetchall()
    for f in (raw / "placements" / "2024-11").iterdir():
        f.write_bytes(f.read_bytes())  # same content: nothing to do
    shutil.rmtree(raw / "placements" / "2024-10")  # outside the partition: must not be retired
    s = ingest_kind(conn, raw, "placements", key, periods={"2024-11"})
    assert s.removed == 0 and not s.results
    assert (
        conn.execute(
            "select * from raw.placements where period <> '2024-11' order by all"
        ).fetchall()
        == before
    )


def test_unreadable_file_is_logged_and_the_run_goes_on(raw, conn, key):
    (raw / "placements" / "2024-10" / "坏文件.xlsx").write_bytes(b"not a workbook")
    s = ingest_kind(conn, raw, "placements", key)
    assert len(s.failed) == 1
    status, message = conn.execute(
        "select status, message from raw.ingestion_log where path like '%坏文件%'"
    ).fetchone()
    assert status == "failed" and "Excel" in message
    assert conn.execute("select count(*) from raw.placements").fetchone()[0] == 8


def test_a_crash_between_periods_is_finished_by_the_next_run(raw, conn, key, tmp_path, monkeypatch):
    """Periods commit one by one; a run that dies after the first leaves it marked
    unresolved, and the next run ends where a clean run does."""
    import pipelines.database.ingest as load

    real, calls = load.process_files, []

    def dies_on_the_second_period(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "process_files", dies_on_the_second_period)
    with pytest.raises(KeyboardInterrupt):
        ingest_kind(conn, raw, "placements", key)
    assert conn.execute("select count(*) from ingest.unresolved").fetchall() == [(1,)]
    assert conn.execute("select count(*) from raw.placements").fetchall() == [(0,)]  # not yet
    monkeypatch.setattr(load, "process_files", real)
    ingest_kind(conn, raw, "placements", key)

    clean = duckdb.connect(str(tmp_path / "clean.duckdb"))
    ingest_kind(clean, raw, "placements", key)

    def state(c):
        return {
            t: sorted(c.execute(q).fetchall(), key=repr)
            for t, q in {
                "rows": "select * from raw.placements",
                "rejected": "select * from raw.rejected_rows",
                "log": "select * exclude (loaded_at) from raw.ingestion_log",
                "unresolved": "select * from ingest.unresolved",
            }.items()
        }

    assert state(conn) == state(clean)
    assert state(conn)["rows"] and not state(conn)["unresolved"]
    clean.close()
