"""Asset checks of the ingest assets, computed during materialisation from the load's
quality figures (pipelines.database.quality). Metadata is written for a person: counts per
reason, a few masked sample rows."""

from __future__ import annotations

import dagster as dg

from pipelines.database.quality import Quality
from pipelines.ledgers.regions import divisions
from pipelines.settings import max_rejected_share


def CHECK_SPECS(key: dg.AssetKey, monthly: bool = True) -> list[dg.AssetCheckSpec]:  # noqa: N802 - reads as a constant
    specs = [
        dg.AssetCheckSpec("rows_accounted_for", asset=key, blocking=True,
                          description="Per file: rows read = rows loaded + rows rejected, and the table holds the loaded rows."),
        dg.AssetCheckSpec("rejected_share_within_limit", asset=key, blocking=True,
                          description="Rejected rows stay under COLLAB_MAX_REJECTED_SHARE (default 50%) of rows read; above it a ledger is systematically wrong and publishing stops."),
        dg.AssetCheckSpec("no_rejected_rows", asset=key,
                          description="Warns with counts per reason and masked samples when any row was rejected."),
        dg.AssetCheckSpec("files_readable", asset=key,
                          description="Warns when a file could not be read at all (empty, corrupt, wrong kind, no header); lists what under raw/ is not a ledger (skipped)."),
    ]  # fmt: skip
    if monthly:
        specs.append(dg.AssetCheckSpec(
            "submissions_complete", asset=key,
            description="Warns with the counties expected this month (COLLAB_EXPECTED_COUNTIES, or those that reported earlier in the year) whose ledger has not arrived.",
        ))  # fmt: skip
    return specs


def table(header: tuple[str, ...], rows: list[tuple]) -> dg.MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join("" if v is None else str(v).replace("|", "/") for v in r) + " |"
        for r in rows
    ]
    return dg.MetadataValue.md("\n".join(lines))


def check_results(
    key: dg.AssetKey, q: Quality, missing: dict[str, list[str]] | None = None, months: str = "all"
) -> list[dg.AssetCheckResult]:
    """The checks of one materialisation. A run may cover several months (one step
    loads a range); each result names them in its `months` metadata, since Dagster's
    per-partition asset checks are still a preview feature."""
    limit = max_rejected_share()
    results = [
        dg.AssetCheckResult(
            asset_key=key,
            check_name="rows_accounted_for",
            passed=not q.unbalanced_files,
            metadata={"months": months, "rows_read": q.rows_read, "rows_loaded": q.rows_loaded, "rows_rejected": q.rows_rejected,
                      "unbalanced_files": ", ".join(q.unbalanced_files) or "none"},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="rejected_share_within_limit",
            passed=q.rejected_share <= limit,
            metadata={"months": months, "rejected_share": round(q.rejected_share, 4), "limit": limit},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="no_rejected_rows",
            passed=q.rows_rejected == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"months": months, "rows_rejected": q.rows_rejected,
                      "per_reason": table(("reason", "problems"), q.reasons),
                      "samples": table(("file", "row", "column", "value (masked)", "reason"), q.samples)},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="files_readable",
            passed=not q.failed_files,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"months": months, "failed_files": table(("file", "reason"), q.failed_files),
                      "skipped_not_ledgers": table(("path", "reason"), q.skipped)},
        ),
    ]  # fmt: skip
    if missing is not None:
        divs = divisions()
        rows = [
            (period, code, divs.name(code) or "?")
            for period, codes in sorted(missing.items())
            for code in codes
        ]
        results.append(dg.AssetCheckResult(
            asset_key=key,
            check_name="submissions_complete",
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"months": months, "missing": len(rows), "counties": table(("period", "code", "county"), rows)},
        ))  # fmt: skip
    return results
