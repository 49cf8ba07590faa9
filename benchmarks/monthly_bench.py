"""The monthly MERGE path (#18): prints figures, asserts nothing.

    python -m benchmarks.monthly_bench [--members 100000 1000000]

The demo city over two months (``ingest.demo_months``: the second month's ledgers are the
first's with a month of changes, as a street office sends them again). In one run, on one fresh
local Neo4j: the first month loaded through the MERGE path into the empty database, then the
second month loaded over it (the monthly path), then the second month once more (nothing
changed). Each load runs in a child process; its phases (nodes, links, pruning), the loader's and
Neo4j's CPU seconds are printed, with rows/s against the goal and the first load's rate.
``--history`` also times each load's record as ``tupu ingest`` keeps it (``graph.history``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import HOME, MEMBERS_PER_SCALE, ROOT, TODAY, start_neo4j
from benchmarks.ingest_bench import cpu_seconds
from ingest.demo_months import generate_months

GOAL = 10_000
MERGE_TODAY = 6_698  # rows/s of the MERGE path at 1M members into an empty database, before #18


def months(members: int) -> list[Path]:
    """Two months of demo ledgers (CSV) with about ``members`` members, generated once and kept."""
    scale = max(1, round(members / MEMBERS_PER_SCALE))
    folder = HOME / "bench" / f"months-{scale}"
    done = folder / ".complete"
    if not done.exists():
        t = time.perf_counter()
        generate_months(folder, 2, scale=scale, fmt="csv", today=TODAY)
        done.write_text("ok")
        print(f"  generated two months at scale {scale} in {time.perf_counter() - t:.0f} s")
    return sorted(p for p in folder.iterdir() if p.is_dir())


_CHILD = """
import json, resource, time, sys
from pathlib import Path
from graph.neo4j.store import Neo4jStore
from ingest import loader as L

phases = {}
def timed(name, fn):
    def run(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
    return run
for name in ("_load_table", "_resolve", "_prune", "_write_problems", "_load_needs"):
    setattr(L.Loader, name, timed(name.strip("_"), getattr(L.Loader, name)))
L._Writer.drain = timed("waiting for writes", L._Writer.drain)
store = Neo4jStore(sys.argv[1])
t = time.perf_counter()
report = L.Loader(store).load([Path(sys.argv[2])])
secs = time.perf_counter() - t
cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
record = delta = None
if len(sys.argv) > 3:  # the record of the load (its gaps, and what it changed), as `tupu ingest` keeps it
    import datetime as dt
    from graph.history import History
    t = time.perf_counter()
    rec = History(Path(sys.argv[3])).record(store, date=dt.date.fromisoformat(Path(sys.argv[2]).name),
                                             files=["bench"], who="bench")
    record = time.perf_counter() - t
    delta = rec.changes
store.close()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": sum(c.read for c in report.ledgers.values()), "seconds": secs,
                  "cpu": cpu, "phases": phases, "error": report.error, "record": record, "delta": delta,
                  "peak_mb": ru.ru_maxrss / 1024, "unchanged": sum(getattr(c, "unchanged", 0) for c in report.ledgers.values()),
                  "rejected": len(report.rejected)}))
"""


def load(uri: str, folder: Path, jvm_pid: int | None, history: Path | None = None) -> dict:
    jvm = cpu_seconds(jvm_pid)
    out = subprocess.run([sys.executable, "-c", _CHILD, uri, str(folder), *([str(history)] if history else [])],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    r: dict = json.loads(out.stdout.strip().splitlines()[-1])
    r["jvm"] = cpu_seconds(jvm_pid) - jvm
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    ap.add_argument("--history", action="store_true",
                    help="also keep each load's record (its gaps and what it changed) as tupu ingest does")
    args = ap.parse_args()
    print("machine: 2 cores (shared); Neo4j 2 GB heap, 2 GB page cache")
    for members in args.members:
        first, second = months(members)
        inst, uri = start_neo4j("bench-monthly")
        try:
            runs = [("first month, into the empty database", first),
                    ("second month, over the first (the monthly path)", second),
                    ("second month again (nothing changed)", second)]
            rates = []
            print(f"\n{members:,} members")
            history = HOME / "bench" / "monthly-history"
            shutil.rmtree(history, ignore_errors=True)
            for what, folder in runs:
                r = load(uri, folder, inst.pid(), history if args.history else None)
                rate = r["rows"] / r["seconds"]
                rates.append(rate)
                print(f"  {what}: {r['rows']:,} rows in {r['seconds']:.1f} s = {rate:,.0f} rows/s "
                      f"({rate / GOAL:.2f}x the {GOAL:,} goal; {rate / rates[0]:.2f}x the first load of this run, "
                      f"{rate / MERGE_TODAY:.2f}x the {MERGE_TODAY:,} before #18)"
                      + (f"  ERROR {r['error']}" if r["error"] else ""))
                print(f"    {r['unchanged']:,} rows unchanged; loader CPU {r['cpu']:.0f} s, Neo4j CPU {r['jvm']:.0f} s; "
                      "phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["phases"].items()))
                if r["record"] is not None:
                    print(f"    the load's record: {r['record']:.1f} s (its difference {r['delta']:,} entries); the process's peak RSS {r['peak_mb']:,.0f} MB")
        finally:
            inst.remove()


if __name__ == "__main__":
    main()
