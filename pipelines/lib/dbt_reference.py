"""The dbt nodes a data run may leave out: the reference subgraph, when it stands as built.

Seeds (division codes, school pairings, indicators), the models built only on them
(int_regions_resolved, int_region_ancestors, the dimensions) and their tests depend on
project files alone, never on a ledger. Rebuilding and re-testing them in every monthly
run bought nothing, and the three period-incremental models, which wait for
int_region_ancestors, started ~2 s into the build instead of right after staging.

A build that ran them records two fingerprints in the build database: the code (every
reference node's checksum, SQL, config and test arguments, every macro, the dbt version)
and the content (row count and a hash of every row of each reference relation). A later
run leaves them out only when both match: an edited seed or model, a dbt upgrade, or a
table changed by hand (a `dbt seed` run outside the pipeline) all mean a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import duckdb

STATE_TABLE = "ingest.dbt_reference_state"
_BUILT = ("seed", "model", "snapshot")  # resource types that leave a relation
_NODES = (*_BUILT, "test")


def reference_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """unique_id → node for every seed, model, snapshot and data test with no source
    among its ancestors."""
    nodes = manifest["nodes"]
    parents = manifest["parent_map"]

    @cache
    def from_source(uid: str) -> bool:
        return uid.startswith("source.") or any(from_source(p) for p in parents.get(uid, ()))

    return {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] in _NODES and not from_source(uid)
    }


def code_fingerprint(manifest: Mapping[str, Any], nodes: Mapping[str, Mapping[str, Any]]) -> str:
    """What the reference nodes are built from: their checksums (a seed's is its file's
    sha256), SQL, config and test arguments, every macro (materialisations and generic
    tests included) and the dbt version."""
    parts: list[Any] = [manifest["metadata"].get("dbt_version")]
    for uid in sorted(nodes):
        n = nodes[uid]
        parts.append(
            [uid, n["checksum"], n.get("raw_code"), n["config"], n.get("test_metadata"),
             n["depends_on"]]
        )  # fmt: skip
    parts.append(sorted((uid, m["macro_sql"]) for uid, m in manifest["macros"].items()))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def relations(nodes: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(schema, name) of the relations the reference nodes build (ephemeral ones none)."""
    return sorted(
        (n["schema"], n.get("alias") or n["name"])
        for n in nodes.values()
        if n["resource_type"] in _BUILT and n["config"].get("materialized") != "ephemeral"
    )


def content_fingerprint(conn: duckdb.DuckDBPyConnection, rels: list[tuple[str, str]]) -> str | None:
    """Row count and row hash of each relation; None when one is missing."""
    existing = set(
        conn.execute("select table_schema, table_name from information_schema.tables").fetchall()
    )
    if not set(rels) <= existing:
        return None
    if not rels:
        return ""
    query = " union all ".join(
        f"select '{s}.{t}' as rel, count(*) || ':' || coalesce(sum(hash(r)), 0) as fp "
        f'from "{s}"."{t}" as r'
        for s, t in rels
    )
    rows = conn.execute(f"select rel, fp from ({query}) order by rel").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _skippable(nodes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Names of the reference nodes a run can leave out: all but the marts models. The
    serving file depends on every mart, and Dagster skips an asset when a parent was not
    materialised in the run, so the few reference marts (dim_regions …) are rebuilt, from
    the unchanged tables below them. Their tests are left out with the rest: the same code
    (fingerprinted) over the same tables (fingerprinted) gives the rows those tests passed
    on when the state was recorded. Re-running them put 12 nodes ahead of the longest
    model (int_employment_firsts_counted) in dbt's queue: 38 nodes started before it in a
    December build, 26 without them."""
    return sorted(
        n["name"]
        for n in nodes.values()
        if not (n["resource_type"] == "model" and n["fqn"][1:2] == ["marts"])
    )


def unchanged(conn: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> list[str]:
    """Names of the reference nodes to leave out of this build (see _skippable) when the
    recorded code and content fingerprints match what is there now, else none."""
    nodes = reference_nodes(manifest)
    if not nodes or not _has_state(conn):
        return []
    row = conn.execute(f"select code, content from {STATE_TABLE}").fetchone()
    if row is None or row[0] != code_fingerprint(manifest, nodes):
        return []
    if row[1] != content_fingerprint(conn, relations(nodes)):
        return []
    return _skippable(nodes)


def forget(conn: duckdb.DuckDBPyConnection) -> None:
    """Before a build that rebuilds the reference nodes: if it fails halfway, its tables
    match neither the old fingerprints nor the new ones."""
    if _has_state(conn):
        conn.execute(f"delete from {STATE_TABLE}")


def record(conn: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> None:
    """After a successful build that ran the reference nodes."""
    nodes = reference_nodes(manifest)
    content = content_fingerprint(conn, relations(nodes))
    conn.execute("create schema if not exists ingest")
    conn.execute(f"create or replace table {STATE_TABLE} (code VARCHAR, content VARCHAR)")
    if content is not None:
        conn.execute(
            f"insert into {STATE_TABLE} values (?, ?)", [code_fingerprint(manifest, nodes), content]
        )


def _has_state(conn: duckdb.DuckDBPyConnection) -> bool:
    schema, table = STATE_TABLE.split(".")
    return bool(
        conn.execute(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    )
