"""Benchmark: the pipeline against two DuckDB floors and a pandas peer, on generated data.

    python bench/run_bench.py --quick        # 100k CSV rows, one repetition
    python bench/run_bench.py --full         # 100k / 1M / 10M CSV, 1M xlsx, incremental month
    python bench/run_bench.py --sizes 1000000 --reps 1 --xlsx --incremental
    python bench/run_bench.py --samples --reps 5 --keep   # what every run pays: raw/ samples

Every measurement is a fresh process (wall time, CPU seconds of the process and the
children it waited for, and peak RSS of its whole process tree, sampled every 50 ms with
psutil); each figure is the median of --reps runs. Per size the runs alternate - pipeline,
floor, independent floor, pipeline, … - so a drift in the machine's speed reaches all
three alike. The independent floor (`../shared/bench/floor_independent.py`, written
outside the product) must compute the same employment figures as the pipeline's
`metrics` in every run (asserted), or nothing is reported. Results are written to
BENCHMARKS.md with the machine, versions and command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PERSONS_PER_ROW = 1 / 1.18  # the generator makes ~1.18 placements per person
YEAR = 2024
INDEPENDENT = ROOT.parent / "shared" / "bench" / "floor_independent.py"
PII_KEY = "benchmark-key-0123456789abcdef"


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    steps: dict[str, float] = field(default_factory=dict)  # pipeline: ingest, dbt, … (s)
    cpu_seconds: float = 0.0  # user + system, the process and the children it waited for


def measure(cmd: list[str], env: dict | None = None, log: Path | None = None) -> Measure:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    # Write back what earlier steps left dirty (the incremental case copies a 1 GB
    # warehouse just before its December run), so no run pays for another's writes.
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(
        cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
    )
    peak = 0
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if log:
        out.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return Measure(seconds, peak / 2**20, _steps(log), cpu)


def _steps(log: Path | None) -> dict[str, float]:
    """The step times `collabstats run` prints in its summary: `│ time: step: ingest │
    12.3 s │` and, below the ingest, one line per ledger kind (`ingest_placements`)."""
    if not log:
        return {}
    text = log.read_text(encoding="utf-8", errors="replace")
    steps: dict[str, float] = {}
    step = ""
    for m in re.finditer(r"│ (time: (?:step: )?)?\s*([\w ()+,-]+?)\s*│\s*([\d.]+) s\s*│", text):
        if m[1]:
            step = m[2]
            steps[step] = float(m[3])
        elif step == "ingest":
            steps[f"ingest_{m[2]}"] = float(m[3])
    return steps


def median(ms: list[Measure]) -> Measure:
    steps = {k: statistics.median(m.steps.get(k, 0.0) for m in ms) for k in ms[0].steps}
    return Measure(
        statistics.median(m.seconds for m in ms),
        statistics.median(m.peak_rss_mb for m in ms),
        steps,
        statistics.median(m.cpu_seconds for m in ms),
    )


def dataset(rows: int, fmt: str) -> tuple[Path, int]:
    raw = OUT / f"data_{fmt}_{rows}"
    stamp = raw / ".rows"
    if not stamp.exists():
        shutil.rmtree(raw, ignore_errors=True)
        subprocess.run(
            [str(BIN / "collabstats"), "generate", "--persons", str(int(rows * PERSONS_PER_ROW)), "--year", str(YEAR), "--out", str(raw), "--format", fmt, "--seed", "1"],
            check=True,
        )  # fmt: skip
        n = placement_rows(raw, fmt)
        stamp.write_text(str(n))
    return raw, int(stamp.read_text())


def placement_rows(raw: Path, fmt: str) -> int:
    if fmt == "csv":
        return sum(f.read_bytes().count(b"\n") - 1 for f in (raw / "placements").rglob("*.csv"))
    import fastexcel

    return sum(
        fastexcel.read_excel(str(f)).load_sheet(0).height
        for f in (raw / "placements").rglob("*.xlsx")
    )


def pipeline(raw: Path, tag: str, keep: Path | None = None, month: str | None = None) -> Measure:
    wh = keep or OUT / f"wh_{tag}"
    if keep is None:
        shutil.rmtree(wh, ignore_errors=True)
    env = {"COLLAB_PII_KEY": PII_KEY}
    os.environ.pop("DAGSTER_HOME", None)  # an ephemeral Dagster instance, like CI
    return measure(
        [str(BIN / "collabstats"), "run", "--raw-dir", str(raw), "--warehouse-dir", str(wh)]
        + (["--month", month] if month else []),
        env,
        OUT / f"log_{tag}.txt",
    )


def pipeline_again(tag: str) -> Measure:
    """`collabstats run` again over the warehouse the last `pipeline(…, tag)` left."""
    return pipeline(ROOT / "raw", f"{tag}_again", keep=OUT / f"wh_{tag}")


def floor(raw: Path, tag: str) -> Measure:
    db = OUT / f"floor_{tag}.duckdb"
    db.unlink(missing_ok=True)
    return measure(
        [sys.executable, str(ROOT / "bench" / "floor.py"), str(raw), str(db)],
        log=OUT / f"log_floor_{tag}.txt",
    )


def independent(raw: Path, tag: str) -> Measure:
    """The independent floor, grouping files by header (at 10M rows union_by_name keeps
    every file open, past this machine's limit of open files; the same rows)."""
    db = OUT / f"independent_{tag}.duckdb"
    db.unlink(missing_ok=True)
    return measure(
        [sys.executable, str(INDEPENDENT), str(raw), str(db), "--year", str(YEAR), "--header-groups"],
        env={"COLLAB_PII_KEY": PII_KEY},
        log=OUT / f"log_independent_{tag}.txt",
    )  # fmt: skip


def employment_figures(db: Path, table: str) -> dict[tuple[str, str, str], float]:
    """(period, region, indicator) → value of the indicators the independent floor
    computes, at county and province level (its cities are the code's first four digits,
    not the division table's parents)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            (p, r, i): float(v)
            for p, r, i, v in con.execute(
                f"select period, region_code, indicator, value from {table} "
                "where region_level in ('county', 'province') and indicator in "
                f"(select unnest({sorted(EMPLOYMENT_INDICATORS)}))"
            ).fetchall()
        }
    finally:
        con.close()


EMPLOYMENT_INDICATORS = {
    "employed_persons", "employed_poverty_persons", "employed_guangdong_persons",
    "employed_guangdong_poverty_persons", "employed_other_east_persons",
    "employed_other_east_poverty_persons", "employed_in_province_persons",
    "employed_in_province_poverty_persons", "employed_organized_persons",
}  # fmt: skip


def assert_same_figures(tag: str) -> int:
    """The pipeline's serving file and the independent floor agree on every figure."""
    ours = employment_figures(OUT / f"wh_{tag}" / "serving.duckdb", "metrics")
    theirs = employment_figures(OUT / f"independent_{tag}.duckdb", "metrics")
    if ours != theirs or not ours:
        diff = sorted(set(ours.items()) ^ set(theirs.items()))[:10]
        raise SystemExit(f"{tag}: pipeline and independent floor differ (first: {diff})")
    return len(ours)


def peer(raw: Path, tag: str) -> Measure:
    return measure(
        [
            sys.executable,
            str(ROOT / "bench" / "peer_pandas.py"),
            str(raw),
            str(OUT / f"peer_{tag}.csv"),
        ],
        log=OUT / f"log_peer_{tag}.txt",
    )


def incremental(raw: Path, reps: int) -> tuple[Measure, Measure, Measure, list]:
    """Full run over January–November, then December added: (full year run, the
    December run over a warehouse that already holds the rest, as the monthly schedule
    and the sensor run it (`--month`), the same December as `collabstats run` over every
    month found, and each repetition's (December, full year) seconds: run minutes apart,
    a pair shows the ratio when the machine's speed drifts between repetitions)."""
    work = OUT / "incremental_raw"
    full, inc, inc_all = [], [], []
    for r in range(reps):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(raw, work)
        dec = [p for p in work.glob(f"*/{YEAR}-12")]
        held = OUT / "incremental_dec"
        shutil.rmtree(held, ignore_errors=True)
        for d in dec:
            shutil.move(str(d), held / d.parent.name / d.name)
        wh = OUT / "wh_incremental"
        shutil.rmtree(wh, ignore_errors=True)
        pipeline(work, f"incr_base_{r}", keep=wh)
        base = OUT / "wh_incremental_all"
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(wh, base)
        for d in held.glob(f"*/{YEAR}-12"):
            shutil.move(str(d), work / d.parent.name / d.name)
        inc.append(pipeline(work, f"incr_dec_{r}", keep=wh, month=f"{YEAR}-12"))
        inc_all.append(pipeline(work, f"incr_dec_all_{r}", keep=base))
        full.append(pipeline(raw, f"incr_full_{r}"))
    pairs = [(i.seconds, f.seconds) for i, f in zip(inc, full, strict=True)]
    return median(full), median(inc), median(inc_all), pairs


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
        platform.processor(),
    )
    return f"{cpu}, {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, {platform.system()} {platform.release()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="*")
    ap.add_argument("--reps", type=int)
    ap.add_argument(
        "--xlsx", action="store_true", help="1M rows as ~2,000 xlsx files: pipeline vs pandas"
    )
    ap.add_argument("--incremental", action="store_true")
    ap.add_argument(
        "--samples",
        action="store_true",
        help="the bundled samples (raw/): a run on a fresh warehouse, then the same again",
    )
    ap.add_argument(
        "--no-peer", action="store_true", help="skip the pandas peer on CSV (slow at 10M)"
    )
    ap.add_argument(
        "--peer-max",
        type=int,
        default=1_000_000,
        help="run the pandas peer on CSV only up to this size (at 10M it needs ~10 GB)",
    )
    ap.add_argument(
        "--incremental-size", type=int, default=1_000_000, help="placement rows of that year"
    )
    ap.add_argument(
        "--keep",
        action="store_true",
        help="keep the other rows of the last report (bench/out/results.json) and replace "
        "only what this run measured",
    )
    args = ap.parse_args()
    if args.quick:
        sizes, reps, xlsx, incr = [100_000], args.reps or 1, False, False
    elif args.full:
        sizes, reps, xlsx, incr = [100_000, 1_000_000, 10_000_000], args.reps or 3, True, True
        args.incremental_size = 10_000_000
    else:
        sizes, reps, xlsx, incr = (
            args.sizes if args.sizes is not None else [100_000],  # --sizes alone: no CSV
            args.reps or 1,
            args.xlsx,
            args.incremental,
        )
    OUT.mkdir(parents=True, exist_ok=True)
    rows_out = []
    if sizes and not INDEPENDENT.exists():
        raise SystemExit(f"the independent floor is not at {INDEPENDENT}")
    for size in sizes:
        raw, n = dataset(size, "csv")
        tag = f"csv_{size}"
        ps, fs, ins = [], [], []
        for _ in range(reps):  # alternated: pipeline, floor, independent floor, …
            ps.append(pipeline(raw, tag))
            fs.append(floor(raw, tag))
            ins.append(independent(raw, tag))
            figures = assert_same_figures(tag)
        p, f, i = median(ps), median(fs), median(ins)
        skip_peer = args.no_peer or size > args.peer_max
        q = None if skip_peer else median([peer(raw, tag) for _ in range(reps)])
        rows_out.append((f"CSV, {n:,} placement rows", n, p, f, q, i, figures))
        print(rows_out[-1], flush=True)
    if xlsx:
        raw, n = dataset(1_000_000, "xlsx")
        files = sum(1 for _ in (raw / "placements").rglob("*.xlsx"))
        p = median([pipeline(raw, "xlsx") for _ in range(reps)])
        q = median([peer(raw, "xlsx") for _ in range(reps)])
        rows_out.append((f"xlsx, {n:,} placement rows in {files:,} files", n, p, None, q, None, 0))
        print(rows_out[-1], flush=True)
    samples = None
    if args.samples:  # alternated: fresh, unchanged, fresh, unchanged, …
        pairs = [
            (pipeline(ROOT / "raw", "samples"), pipeline_again("samples")) for _ in range(reps)
        ]
        samples = {"first": median([a for a, _ in pairs]), "again": median([b for _, b in pairs])}
        print("samples", samples, flush=True)
    incr_line = None
    if incr:
        raw, n = dataset(args.incremental_size, "csv")
        full, inc, inc_all, pairs = incremental(raw, reps)
        incr_line = (n, full, inc, inc_all, pairs)
        print("incremental", incr_line, flush=True)
    command = " ".join(sys.argv[1:])
    stamp = f"{command}; median of {reps} run(s); {datetime.now():%Y-%m-%d}"
    results = _load_results() if args.keep else {"rows": {}, "incremental": None}
    for label, n, p, f, q, i, figures in rows_out:
        results["rows"][label] = {
            "n": n, "pipeline": p, "floor": f, "peer": q, "independent": i,
            "figures_equal": figures, "run": stamp,
        }  # fmt: skip
    if samples:
        results["samples"] = {**samples, "run": stamp}
    if incr_line:
        n, full, inc, inc_all, pairs = incr_line
        results["incremental"] = {
            "n": n, "full": full, "inc": inc, "inc_all": inc_all, "pairs": pairs, "run": stamp
        }  # fmt: skip
    RESULTS.write_text(json.dumps(results, default=asdict, indent=1), encoding="utf-8")
    write_report(_load_results())


RESULTS = OUT / "results.json"


def _load_results() -> dict:
    """The measurements behind BENCHMARKS.md (Measures as dicts turned back)."""
    if not RESULTS.exists():
        return {"rows": {}, "incremental": None}
    data = json.loads(RESULTS.read_text(encoding="utf-8"))

    def m(d):
        return Measure(**d) if d else None

    if data.get("samples"):
        data["samples"].update(first=m(data["samples"]["first"]), again=m(data["samples"]["again"]))
    for row in data["rows"].values():
        row.update(
            pipeline=m(row["pipeline"]),
            floor=m(row["floor"]),
            peer=m(row["peer"]),
            independent=m(row.get("independent")),
        )
    if data["incremental"]:
        i = data["incremental"]
        i.update(full=m(i["full"]), inc=m(i["inc"]), inc_all=m(i.get("inc_all")))
    return data


def write_report(results: dict) -> None:
    versions = ", ".join(
        f"{p} {version(p)}"
        for p in ("duckdb", "polars", "pandera", "dagster", "dbt-core", "dbt-duckdb", "pandas")
    )
    runs = sorted({r["run"] for r in results["rows"].values()})
    if results["incremental"]:
        runs = sorted({*runs, results["incremental"]["run"]})
    if results.get("samples"):
        runs = sorted({*runs, results["samples"]["run"]})
    lines = [
        "# Benchmarks",
        "",
        f"- machine: {machine()}",
        f"- Python {platform.python_version()}; {versions}",
        *[
            "- run {}: `python bench/run_bench.py {}` ({})".format(i, *run.split("; ", 1))
            for i, run in enumerate(runs, 1)
        ],
        "- pipeline = `collabstats run` end to end (ingest with validation and pseudonymisation, dbt build with tests, publish, workbooks), fresh warehouse, one process",
        f"- independent floor = `../shared/bench/floor_independent.py --header-groups` (sha256 {_sha(INDEPENDENT)}), written outside the product: one DuckDB statement reads the placements CSVs, rejects bad check digits, pseudonymises and counts the nine employment indicators; in every run below it gave the same figures as the pipeline's `metrics` (county and province rows, compared by the benchmark; the number compared is in the table)",
        "- bench floor = `bench/floor.sql` in DuckDB (read_csv + the employment indicators, no validation); peer = `bench/peer_pandas.py` (pandas default readers)",
        "- runs alternate per size (pipeline, bench floor, independent floor, pipeline, …); CPU s = user + system seconds of the process and its children",
        "- ingest s / dbt s: the pipeline's own step times (its run summary); ingest reads, validates, pseudonymises and loads every kind; placements s: the placements ingest alone, the same files the peer reads",
        "",
        "| data | pipeline s | CPU s | independent floor s | CPU s | **× independent** | CPU × independent | figures equal | ingest s | placements s | dbt s | peak RSS MB | bench floor s | × bench floor | peer s | peer ÷ placements ingest | run |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = sorted(results["rows"].items(), key=lambda kv: (kv[0].startswith("xlsx"), kv[1]["n"]))
    for label, r in rows:
        p, f, q, i = r["pipeline"], r["floor"], r["peer"], r.get("independent")
        ingest, dbt = p.steps.get("ingest"), p.steps.get("dbt")
        placements = p.steps.get("ingest_placements")
        lines.append(
            f"| {label} | {p.seconds:.1f} | {_num(p.cpu_seconds)} | "
            f"{_num(i and i.seconds)} | {_num(i and i.cpu_seconds)} | "
            f"**{_num(i and p.seconds / i.seconds, 2)}** | "
            f"{_num(i and i.cpu_seconds and p.cpu_seconds / i.cpu_seconds, 2)} | "
            f"{_num(r.get('figures_equal'), 0)} | "
            f"{_num(ingest)} | {_num(placements)} | {_num(dbt)} | {p.peak_rss_mb:,.0f} | "
            f"{_num(f and f.seconds)} | {_num(f and p.seconds / f.seconds, 2)} | "
            f"{_num(q and q.seconds)} | {_num(q and placements and q.seconds / placements, 2)} | "
            f"{runs.index(r['run']) + 1} |"
        )
    if results["incremental"]:
        i = results["incremental"]
        n, full, inc, inc_all = i["n"], i["full"], i["inc"], i["inc_all"]
        lines += [
            "",
            f"Incremental month ({n:,}-row year, run {runs.index(i['run']) + 1}): full-year run {full.seconds:.1f} s; adding December to a warehouse holding January–November as the monthly schedule and the sensor run it (`collabstats run --month {YEAR}-12`) {inc.seconds:.1f} s = {inc.seconds / full.seconds:.1%} of the full run "
            f"(ingest {_num(inc.steps.get('ingest'))} s, dbt {_num(inc.steps.get('dbt'))} s, exports {_num(inc.steps.get('exports'))} s; peak RSS {inc.peak_rss_mb:,.0f} MB).",
        ]
        if inc_all:
            lines.append(
                f"The same December through `collabstats run` over every month found (it lists and checks all {YEAR} files): {inc_all.seconds:.1f} s = {inc_all.seconds / full.seconds:.1%}."
            )
        if i.get("pairs"):
            lines.append(
                "Per repetition (its December run ÷ its full-year run): "
                + ", ".join(f"{d:.1f}/{f:.1f} = {d / f:.1%}" for d, f in i["pairs"])
                + "."
            )
    if results.get("samples"):
        smp = results["samples"]
        lines += [
            "",
            f"Bundled samples (`raw/`, 674 rows; run {runs.index(smp['run']) + 1}), what every run pays whatever its size: "
            + "; ".join(
                f"{what} {m.seconds:.1f} s (ingest {_num(m.steps.get('ingest'))} s, dbt {_num(m.steps.get('dbt'))} s, "
                f"definitions + manifest {_num(m.steps.get('definitions + dbt manifest'))} s, peak RSS {m.peak_rss_mb:,.0f} MB)"
                for what, m in (
                    ("fresh warehouse", smp["first"]),
                    ("the same run again, nothing new", smp["again"]),
                )
            )
            + ".",
        ]
    report = ROOT / "BENCHMARKS.md"
    kept = report.read_text(encoding="utf-8").partition(KEPT)[2] if report.exists() else ""
    lines += ["", KEPT + kept.rstrip("\n")] if kept.strip() else []
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")


# BENCHMARKS.md below this line is written by hand (findings, one-off measurements) and
# kept when the tables above are rewritten.
KEPT = "<!-- written by hand below: kept by bench/run_bench.py -->"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "—"


def _num(v: float | None, digits: int = 1) -> str:
    return "—" if not v else f"{v:,.{digits}f}"


if __name__ == "__main__":
    main()
