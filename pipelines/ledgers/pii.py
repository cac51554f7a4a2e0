"""ID numbers: validity (GB 11643), keyed pseudonyms and masking.

The check-digit rule is written as a Polars expression rather than calling
python-stdnum per row: ledgers reach tens of millions of rows, where a Python call
per row would dominate the run. tests/test_pii.py checks this expression against
stdnum.cn.ric on generated and corrupted IDs, so stdnum stays the reference.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import date
from functools import cache

import duckdb
import polars as pl

from pipelines import settings, zh

log = logging.getLogger(__name__)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
DEMO_KEY = b"collabstats-demo-key-not-for-real-data"


class MissingKeyError(RuntimeError):
    pass


def pii_key(profile: str | None = None) -> bytes:
    """The HMAC key from COLLAB_PII_KEY. Without one, the demo key with a loud warning;
    the production profile (COLLAB_PROFILE=prod) refuses to start."""
    key = settings.pii_key_text()
    profile = profile or settings.profile()
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


_FINGERPRINT_MESSAGE = b"collabstats: fingerprint of the pseudonymisation key, v1"


def key_fingerprint(key: bytes) -> str:
    """HMAC of a fixed constant under the key: the same key always gives the same
    fingerprint, and the fingerprint says nothing about the key (nor about any ID). The
    build database keeps it, so a run under another key - which would give every person
    a second pseudonym and silently grow every distinct count - refuses to start."""
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()


class KeyMismatchError(RuntimeError):
    """The build database was built under another key (message for the data team)."""


# --- validity, as expressions over a normalised ID column ----------------------------------


def lost_digits(idn: pl.Expr, numeric_cell: pl.Expr, body: pl.Expr | None = None) -> pl.Expr:
    """An ID that went through a spreadsheet number (Excel keeps 15 significant digits).
    `idn` is the normalised ID (normalise_id). Certain: an xlsx number cell, scientific
    notation (CSV: 4.52127E+17), a decimal point. Likely, and so only when the check
    digit also fails (a real ID never fails it, so a clerk who retypes a real ID is never
    rejected again): 18 digits ending in 000 (a number exported as text), or the exact
    integer of the float nearest its 15-digit rounding (how a number cell reads back as
    text)."""
    n = idn.cast(pl.Int64, strict=False)
    rounded = ((n + 500) // 1000 * 1000).cast(pl.Float64).cast(pl.Int64)
    looks_cut = idn.str.contains(r"^\d{15}000$") | (
        idn.str.contains(r"^\d{18}$") & (rounded == n)
    ).fill_null(False)
    return (
        numeric_cell.fill_null(False)
        | idn.str.contains(r"^\d+(\.\d+)?E\+?\d+$")
        | idn.str.contains(r"^\d+\.\d+$")
        | (looks_cut & ~valid_check_digit(idn, body).fill_null(False))
    )


def well_formed(idn: pl.Expr) -> pl.Expr:
    return idn.str.contains(r"^\d{17}[\dX]$")


def id_body(idn: pl.Expr) -> pl.Expr:
    """The first 17 characters as one integer (null unless they are 17 digits; 10^17 fits
    in Int64). Digit arithmetic on it keeps the ID rules vectorised, with no 17-way split of
    the string into one-character strings. The functions below take it
    as `body` so a frame computes it once (a column); without it they derive it."""
    head = idn.str.slice(0, 17)
    return pl.when(head.str.contains(r"^\d{17}$")).then(head.cast(pl.Int64, strict=False))


def valid_birth_date(idn: pl.Expr, latest: date, body: pl.Expr | None = None) -> pl.Expr:
    """The ID's birth date (digits 7–14) exists — month 1–12, day within that month,
    leap years included — and lies between 1900-01-01 and `latest` (the period end)."""
    ymd = (id_body(idn) if body is None else body) // 1000 % 100_000_000
    y, m, d = ymd // 10_000, ymd // 100 % 100, ymd % 100
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    latest_ymd = latest.year * 10_000 + latest.month * 100 + latest.day
    return (
        m.is_between(1, 12) & d.is_between(1, month_days) & ymd.is_between(19_000_101, latest_ymd)
    ).fill_null(False)


def expected_check_char(idn: pl.Expr, body: pl.Expr | None = None) -> pl.Expr:
    """GB 11643 check character of the first 17 digits (null when they are not digits)."""
    body = id_body(idn) if body is None else body
    total = pl.sum_horizontal([body // 10 ** (16 - i) % 10 * w for i, w in enumerate(_WEIGHTS)])
    return (
        pl.when(body.is_not_null())
        .then(total % 11)
        .replace_strict(dict(enumerate(_CHECK_CHARS)), default=None, return_dtype=pl.String)
    )


def valid_check_digit(idn: pl.Expr, body: pl.Expr | None = None) -> pl.Expr:
    return expected_check_char(idn, body) == idn.str.slice(17, 1)


# --- pseudonyms and masks -------------------------------------------------------------------


def _hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """RFC 2104's inner and outer padded keys for SHA-256 (block size 64)."""
    k = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def pseudonymise(ids: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256(key, UTF-8 of the normalised ID) as lowercase hex. A plain hash would
    not do: the ID space is small enough to enumerate. Computed by DuckDB's sha256 over
    the padded keys (HMAC = H(K⊕opad ‖ H(K⊕ipad ‖ m))), vectorised on both cores
    rather than a Python hmac call per ID. An in-memory connection; the
    IDs are never written anywhere. tests/test_pii.py checks it against hmac.new."""
    ipad, opad = _hmac_pads(key)
    con = duckdb.connect(config={"preserve_insertion_order": True})  # row i ↔ ID i
    try:
        frame = pl.DataFrame({"id": ids})  # noqa: F841 - scanned by the query below
        out = con.sql(
            "select case when id is not null "
            "then sha256($opad || unhex(sha256($ipad || encode(id)))) end as key from frame",
            params={"ipad": ipad, "opad": opad},
        ).pl()
    finally:
        con.close()
    return out.to_series().rename(ids.name)


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
