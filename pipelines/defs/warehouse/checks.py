"""The statistical alarms (marts/metric_alarms) as an asset check of `metrics`: warn
severity, never blocking - an implausible month is for the data team to look at, not a
reason to hold back the figures."""

import dagster as dg

from pipelines.database.alarms import alarms, latest_period
from pipelines.defs.ingest.checks import table
from pipelines.defs.resources import Warehouse

METRICS = dg.AssetKey(["marts", "metrics"])
ALARMS = dg.AssetKey(["marts", "metric_alarms"])
LISTED = 20  # alarms named in the check's metadata


@dg.asset_check(
    asset=METRICS,
    additional_deps=[ALARMS],
    blocking=False,
    description=(
        "Warns when a county's figure of the latest month is implausible against its own "
        "history (metric_alarms: a fall or jump in new persons, a share that moves, a rate "
        "stuck at 100%, a ledger that stops arriving, a stock that doubles); lists them."
    ),
)
def no_statistical_alarms(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.build_db() as con:
        period = latest_period(con, schema="marts")
        found = alarms(con, period, schema="marts") if period else []
    per_rule: dict[str, int] = {}
    for a in found:
        per_rule[a.rule_name] = per_rule.get(a.rule_name, 0) + 1
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "period": period or "none",
            "alarms": len(found),
            "per_rule": table(("rule", "alarms"), sorted(per_rule.items())),
            "top": table(
                ("county", "indicator", "rule", "reason"),
                [(a.region_name, a.indicator, a.rule_name, a.reason_zh) for a in found[:LISTED]],
            ),
        },
    )
