"""Ingest benchmark: prints figures, asserts nothing.

    python -m benchmarks.ingest_bench [--members 100000 1000000] [--sweep]

For each size: rows/s of the whole ledger set end to end (read, validate, write) into Neo4j and
into the embedded store, the loader's peak memory (RSS of its own process, so each figure
is fresh), and the CPU seconds the loader and the Neo4j JVM spent (where the time goes). Then, in one run on the same data, batched UNWIND writes against one MERGE per row
(the ratio), and with --sweep the rows/s for several batch sizes.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks.common import ledgers, printed_json, start_neo4j


def run_load(folder: Path, backend: str, uri: str | None, batch: int, data: Path | None = None) -> dict:
    """Load in a child process; return its rows/s and peak RSS."""
    code = f"""
import json, resource, time, sys
from pathlib import Path
from ingest.loader import Loader
if {backend!r} == "neo4j":
    from graph.neo4j.store import Neo4jStore
    store = Neo4jStore({uri!r}, batch_size={batch})
    store.clear()
else:
    from graph.memory.store import MemoryStore
    store = MemoryStore({str(data) if data else None!r})
t = time.perf_counter()
report = Loader(store, batch_size={batch}).load([Path({str(folder)!r})])
store.close()
secs = time.perf_counter() - t
read = sum(c.read for c in report.ledgers.values())
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"rows": read, "seconds": secs, "peak_mb": ru.ru_maxrss / 1024, "cpu": ru.ru_utime + ru.ru_stime,
                  "rejected": len(report.rejected), "error": report.error}}))
"""
    return printed_json("-c", code)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc), 0 if unknown."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_row_vs_batched(uri: str, folder: Path, n: int = 3000) -> tuple[float, float]:
    """The first n member rows written one MERGE per row, then the same rows batched."""
    import csv

    from graph.neo4j.store import Neo4jStore

    with open(folder / "党员.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))[:n]
    nodes = [{"id": r["党员编码"], "name": r["姓名"], "category": r["党员类别"]} for r in rows]
    rates = []
    for batch in (1, 10_000):
        store = Neo4jStore(uri, batch_size=batch)
        store.delete_nodes("Member", [x["id"] for x in nodes])
        t = time.perf_counter()
        store.upsert_nodes("Member", nodes)
        rates.append(n / (time.perf_counter() - t))
        store.close()
    return rates[0], rates[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    ap.add_argument("--sweep", action="store_true", help="also try several batch sizes on Neo4j")
    args = ap.parse_args()
    inst, uri = start_neo4j()
    try:
        print(f"Neo4j 5.26 at {uri}; machine: 2 cores (shared)")
        print(f"{'members':>9} {'rows':>9} {'backend':>7} {'batch':>6} {'rows/s':>8} {'seconds':>8} {'peak MB':>8}"
              f" {'loader CPU s':>12} {'Neo4j CPU s':>11}")
        for members in args.members:
            folder = ledgers(members)
            for backend in ("neo4j", "memory"):
                batches = [2_000, 5_000, 10_000, 20_000] if (args.sweep and backend == "neo4j") else [10_000]
                for batch in batches:
                    jvm = cpu_seconds(inst.pid())
                    r = run_load(folder, backend, uri, batch,
                                 data=Path("/tmp/tupu-bench.pickle") if backend == "memory" else None)
                    jvm = cpu_seconds(inst.pid()) - jvm if backend == "neo4j" else 0.0
                    print(f"{members:>9} {r['rows']:>9} {backend:>7} {batch:>6} {r['rows'] / r['seconds']:>8.0f} "
                          f"{r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['cpu']:>12.0f} {jvm:>11.0f}"
                          + (f"  ERROR {r['error']}" if r["error"] else ""))
        folder = ledgers(args.members[0])
        one, many = per_row_vs_batched(uri, folder)
        print(f"per-row MERGE: {one:.0f} rows/s; batched UNWIND: {many:.0f} rows/s; ratio {many / one:.0f}x")
    finally:
        inst.remove()
        Path("/tmp/tupu-bench.pickle").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
