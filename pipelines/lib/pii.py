"""ID numbers: validity (GB 11643), keyed pseudonyms and masking.

The check-digit rule is written as a Polars expression rather than calling
python-stdnum per row: ledgers reach tens of millions of rows and a per-row Python
call costs seconds per million. tests/test_pii.py checks this expression against
stdnum.cn.ric on generated and corrupted IDs, so stdnum stays the reference.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from datetime import date
from functools import cache

import polars as pl

from pipelines.lib import zh

log = logging.getLogger(__name__)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
DEMO_KEY = b"collabstats-demo-key-not-for-real-data"

PII_FIELDS = ("name", "id_number")


class MissingKeyError(RuntimeError):
    pass


def pii_key(profile: str | None = None) -> bytes:
    """The HMAC key from COLLAB_PII_KEY. Without one, the demo key with a loud warning;
    the production profile (COLLAB_PROFILE=prod) refuses to start."""
    key = os.environ.get("COLLAB_PII_KEY", "")
    profile = profile or os.environ.get("COLLAB_PROFILE", "dev")
    if key:
        if len(key) < 16:
            raise MissingKeyError("COLLAB_PII_KEY must be at least 16 characters")
        return key.encode("utf-8")
    if profile == "prod":
        raise MissingKeyError("COLLAB_PROFILE=prod requires COLLAB_PII_KEY; refusing to start")
    _warn_demo_key()
    return DEMO_KEY


@cache
def _warn_demo_key() -> None:
    """Loudly, but once per process (every ingest asset asks for the key)."""
    log.warning(zh.DEMO_KEY_WARNING)


def is_demo_key(key: bytes) -> bool:
    return key == DEMO_KEY


# --- validity, as expressions over a normalised ID column ----------------------------------


def lost_digits(raw: pl.Expr, numeric_cell: pl.Expr) -> pl.Expr:
    """An ID that went through a spreadsheet number (Excel keeps 15 significant digits).
    Certain: an xlsx number cell, scientific notation (CSV: 4.52127E+17), a decimal
    point. Likely, and so only when the check digit also fails (a real ID never fails
    it, so a clerk who retypes a real ID is never rejected again): 18 digits ending in
    000 (a number exported as text), or the exact integer of the float nearest its
    15-digit rounding (how a number cell reads back as text)."""
    s = raw.str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    n = s.cast(pl.Int64, strict=False)
    rounded = ((n + 500) // 1000 * 1000).cast(pl.Float64).cast(pl.Int64)
    looks_cut = s.str.contains(r"^\d{15}000$") | (
        s.str.contains(r"^\d{18}$") & (rounded == n)
    ).fill_null(False)
    return (
        numeric_cell.fill_null(False)
        | s.str.contains(r"^\d+(\.\d+)?E\+?\d+$")
        | s.str.contains(r"^\d+\.\d+$")
        | (looks_cut & ~valid_check_digit(s).fill_null(False))
    )


def well_formed(idn: pl.Expr) -> pl.Expr:
    return idn.str.contains(r"^\d{17}[\dX]$")


def birth_date(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def valid_birth_date(idn: pl.Expr, latest: date) -> pl.Expr:
    """The ID's birth date exists and lies between 1900 and `latest` (the period end)."""
    d = birth_date(idn)
    return d.is_not_null() & (d >= pl.date(1900, 1, 1)) & (d <= pl.lit(latest))


def expected_check_char(idn: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [idn.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_WEIGHTS)]
    )
    return (total % 11).replace_strict(
        dict(enumerate(_CHECK_CHARS)), default=None, return_dtype=pl.String
    )


def valid_check_digit(idn: pl.Expr) -> pl.Expr:
    return expected_check_char(idn) == idn.str.slice(17, 1)


# --- pseudonyms and masks -------------------------------------------------------------------


def pseudonymise(ids: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256(key, normalised ID) as hex, computed once per distinct ID. A plain hash
    would not do: the ID space is small enough to enumerate."""
    proto = hmac.new(key, digestmod=hashlib.sha256)
    uniques = ids.drop_nulls().unique()

    def one(v: str) -> str:
        h = proto.copy()
        h.update(v.encode("ascii", "replace"))
        return h.hexdigest()

    mapping = dict(zip(uniques.to_list(), map(one, uniques.to_list()), strict=True))
    return ids.replace_strict(mapping, default=None, return_dtype=pl.String)


def mask_id(expr: pl.Expr) -> pl.Expr:
    """452123199001011234 → 452123********1234; short or odd values are starred whole
    except what cannot identify (length ≥ 10: first 6 and last 4 kept)."""
    n = expr.str.len_chars()
    return (
        pl.when(n >= 10)
        .then(
            pl.concat_str(
                [
                    expr.str.slice(0, 6),
                    pl.lit("*").repeat_by(n - 10).list.join(""),
                    expr.str.slice(-4, 4),
                ]
            )
        )
        .otherwise(pl.lit("*").repeat_by(n).list.join(""))
    )


def mask_name(expr: pl.Expr) -> pl.Expr:
    n = expr.str.len_chars()
    return pl.concat_str([expr.str.slice(0, 1), pl.lit("*").repeat_by(n - 1).list.join("")])
