"""ID numbers: the vectorised check agrees with python-stdnum; pseudonyms are keyed;
no ID number or name leaves the system in clear."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import subprocess
import sys
from datetime import date

import duckdb
import polars as pl
import pytest
from stdnum.cn import ric

from pipelines.ledgers import pii
from pipelines.ledgers.normalise import normalise_id
from pipelines.synthetic import synth
from tests.conftest import TEST_KEY
from tests.scenario import PEOPLE


def _ids(n: int) -> list[str]:
    rng = random.Random(7)
    codes = ["451324", "520422", "452131", "110101", "440305"]
    out = []
    for _ in range(n):
        idn = synth.make_person(rng, rng.choice(codes)).id_number
        roll = rng.random()
        if roll < 0.3:
            idn = synth.corrupt_check(idn)
        elif roll < 0.4:
            idn = idn[:10] + "1399" + idn[14:]  # month 13: birth date invalid
        elif roll < 0.45:
            idn = idn[:17] + "x"
        elif roll < 0.6:
            # edge dates with a correct check digit, so only the date decides
            ymd = rng.choice(
                ["19990229", "20000229", "19000229", "19960229", "19850431", "19850430",
                 "19851131", "19850100", "19851232", "19851231", "19000101"]
            )  # fmt: skip
            body = idn[:6] + ymd + idn[14:17]
            idn = body + ric.calc_check_digit(body + "0")
        out.append(idn)
    return out


def test_check_digit_and_birth_date_agree_with_stdnum():
    ids = _ids(3000)
    frame = pl.DataFrame({"raw": ids}).with_columns(idn=normalise_id(pl.col("raw")))
    ours = (
        frame.select(
            pii.well_formed(pl.col("idn"))
            & pii.valid_birth_date(pl.col("idn"), date(2030, 1, 1))
            & pii.valid_check_digit(pl.col("idn"))
        )
        .to_series()
        .to_list()
    )

    def theirs(v: str) -> bool:
        # ric.validate also tests the birth place against the year, which real IDs fail
        # (see the issue); the hard rules are its check digit and birth date.
        v = ric.compact(v).upper()
        if len(v) != 18 or not v[:17].isdigit() or ric.calc_check_digit(v) != v[-1]:
            return False
        try:
            ric.get_birth_date(v)
        except Exception:
            return False
        return True

    assert ours == [theirs(v) for v in ids]
    assert 0 < sum(ours) < len(ours)


def test_pseudonym_is_hmac_with_the_key_not_a_plain_hash():
    idn = PEOPLE[0].id_number
    got = pii.pseudonymise(pl.Series([idn, idn, None]), b"k" * 16).to_list()
    assert got[0] == hmac.new(b"k" * 16, idn.encode(), hashlib.sha256).hexdigest() == got[1]
    assert got[2] is None
    assert got[0] != hashlib.sha256(idn.encode()).hexdigest()
    assert pii.pseudonymise(pl.Series([idn]), b"j" * 16).to_list()[0] != got[0]


@pytest.mark.parametrize("key", [b"k" * 16, b"long key " * 10])  # > 64 bytes is hashed first
def test_pseudonyms_match_hmac_row_for_row(key):
    ids = [f"{i:018d}" for i in range(5000)] + [None, "中文"]
    got = pii.pseudonymise(pl.Series(ids), key).to_list()
    want = [
        None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in ids
    ]
    assert got == want


def test_key_handling(monkeypatch):
    monkeypatch.delenv("COLLAB_PII_KEY")
    assert pii.is_demo_key(pii.pii_key(profile="dev"))
    with pytest.raises(pii.MissingKeyError):
        pii.pii_key(profile="prod")
    monkeypatch.setenv("COLLAB_PII_KEY", "short")
    with pytest.raises(pii.MissingKeyError):
        pii.pii_key()


def test_masks():
    frame = pl.DataFrame({"v": ["452123199001011234", "4.52127E+17", "12345", "韦一二"]})
    assert frame.select(pii.mask_id(pl.col("v"))).to_series().to_list() == [
        "452123********1234",
        "4.5212*E+17",
        "*****",
        "***",
    ]
    assert frame.select(pii.mask_name(pl.col("v"))).to_series().to_list()[3] == "韦**"


def test_no_id_or_name_anywhere_after_a_run(scenario_run, tmp_path):
    """Every text cell of every table in both DuckDB files, the Parquet marts, and the
    output of `collabstats check` on a bad file: no 18-digit ID, no ledger name."""
    ids = {p.id_number for p in PEOPLE} | {synth.corrupt_check(PEOPLE[5].id_number)}
    names = {p.name for p in PEOPLE}
    blobs: list[str] = []
    for db in (scenario_run.build_db, scenario_run.serving_db):
        con = duckdb.connect(str(db), read_only=True)
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall():
            blobs.append(repr(con.execute(f'select * from "{schema}"."{table}"').fetchall()))
        con.close()
    for f in scenario_run.marts_dir.glob("*.parquet"):
        blobs.append(repr(pl.read_parquet(f).rows()))
    bad = scenario_run.raw_dir / "placements" / "2024-11" / "金秀县.xlsx"
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "check", str(bad), "--out", str(tmp_path)],
        capture_output=True, text=True, env={"COLLAB_PII_KEY": TEST_KEY, "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    blobs += [out.stdout, out.stderr]
    text = "\n".join(blobs)
    assert not (ids & set(re.findall(r"\d{17}[\dX]", text)))
    assert not [n for n in names if n in text]
