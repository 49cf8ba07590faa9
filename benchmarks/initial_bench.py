"""First-load benchmark (#18): prints figures, asserts nothing.

    python -m benchmarks.initial_bench [--members 1000000] [--merge]

Loads the demo ledgers of each size into an empty local Neo4j with ``tupu ingest --initial``
(``ingest.initial``) in a child process, and prints the rows/s end to end with each phase: the
loader's reading and checking (its writes become CSV files), Neo4j's offline importer (the
machine's limit: its own records/s are printed), restarting Neo4j, building the schema, and the
properties written after. ``--merge`` also loads the same ledgers through the MERGE path into a
fresh database of the same JVM settings, in the same run, for the ratio.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.common import HOME, ledgers, printed_json, start_neo4j
from benchmarks.ingest_bench import cpu_seconds, run_load

MERGE_TODAY = 6_698  # rows/s of the MERGE path at 1M members before #18 (docs/benchmarks.md)
GOAL = 30_000


def run_initial(folder: Path, instance: str) -> dict:
    code = f"""
import json, resource, time
from pathlib import Path
from graph.neo4j.store import Neo4jStore
from ingest.initial import initial_load
from neo4j_local.launcher import LocalNeo4j
inst = LocalNeo4j(Path({str(HOME)!r}), instance={instance!r})
store = Neo4jStore(inst.status())
marks = [("read and check", time.perf_counter())]
report = initial_load([Path({str(folder)!r})], store, inst,
                      on_phase=lambda text: marks.append((text, time.perf_counter())))
marks.append(("end", time.perf_counter()))
counts = store.counts(); rels = store.rel_counts()
store.close()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"rows": sum(c.read for c in report.ledgers.values()), "error": report.error,
                  "phases": [[t, b - a] for (t, a), (_, b) in zip(marks, marks[1:])],
                  "seconds": marks[-1][1] - marks[0][1], "peak_mb": ru.ru_maxrss / 1024,
                  "cpu": ru.ru_utime + ru.ru_stime, "nodes": sum(counts.values()), "rels": sum(rels.values())}}))
"""
    return printed_json("-c", code)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    ap.add_argument("--merge", action="store_true", help="also the MERGE path, same data, same run")
    args = ap.parse_args()
    print("machine: 2 cores (shared); Neo4j 2 GB heap, 2 GB page cache")
    for members in args.members:
        folder = ledgers(members)
        inst, uri = start_neo4j("bench-initial")
        try:
            r = run_initial(folder, "bench-initial")
            disk = sum(f.stat().st_size for d in inst.database_files for f in d.rglob("*") if f.is_file())
        finally:
            inst.remove()
        rate = r["rows"] / r["seconds"]
        print(f"\n{members:,} members: {r['rows']:,} rows -> {r['nodes']:,} nodes, {r['rels']:,} relationships"
              + (f"  ERROR {r['error']}" if r["error"] else ""))
        for text, secs in r["phases"]:
            print(f"  {secs:7.1f} s  {text[:60]}")
        importer = next((s for t, s in r["phases"] if "neo4j-admin" in t), 0.0)
        print(f"  end to end {r['seconds']:.1f} s = {rate:,.0f} rows/s "
              f"({rate / GOAL:.2f}x the 30k goal, {rate / MERGE_TODAY:.1f}x the MERGE path's {MERGE_TODAY:,} before #18)")
        if importer:
            print(f"  the importer alone: {(r['nodes'] + r['rels']) / importer:,.0f} records/s, "
                  f"{r['rows'] / importer:,.0f} ledger rows/s (the machine's limit)")
        print(f"  loader peak RSS {r['peak_mb']:.0f} MB, loader CPU {r['cpu']:.0f} s; store on disk {disk / 2**20:,.0f} MB")
        if args.merge:
            inst, uri = start_neo4j("bench-merge")
            try:
                jvm = cpu_seconds(inst.pid())
                m = run_load(folder, "neo4j", uri, 10_000)
                jvm = cpu_seconds(inst.pid()) - jvm
            finally:
                inst.remove()
            merge_rate = m["rows"] / m["seconds"]
            print(f"  MERGE path, same run: {m['seconds']:.1f} s = {merge_rate:,.0f} rows/s "
                  f"(Neo4j CPU {jvm:.0f} s); --initial is {rate / merge_rate:.1f}x faster")


if __name__ == "__main__":
    main()
