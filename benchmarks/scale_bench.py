"""Sizing figures for docs/scale.md (#18): prints figures, asserts nothing.

    python -m benchmarks.scale_bench [--members 100000 1000000 3000000] [--pagecache 2048]

For each size, into a fresh local Neo4j: the first load (``tupu ingest --initial``) and its
phases, the store's size on disk, the 18 rules in the database, the whole gaps answer (every
rule, who must act, paths) cold and again, and the memory each side holds: the JVM's resident
set and the Python process's peak.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from benchmarks.common import TODAY, ledgers, start_neo4j
from benchmarks.initial_bench import run_initial


def rss_mb(pid: int | None) -> float:
    if pid is None:
        return 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache", type=int, default=2048, help="MB")
    args = ap.parse_args()
    from graph.analyses.engine import engine_for
    from graph.analyses.gaps import find_gaps
    from graph.neo4j.store import Neo4jStore
    from graph.policy import load_policy
    from graph.rules import RULES, rule_params

    print(f"machine: 2 cores (shared), 24 GB; Neo4j heap {args.heap}, page cache {args.pagecache} MB")
    for members in args.members:
        folder = ledgers(members)
        inst, uri = start_neo4j("bench-scale", heap=args.heap, pagecache_mb=args.pagecache)
        try:
            r = run_initial(folder, "bench-scale")
            disk = sum(f.stat().st_size for d in inst.database_files for f in d.rglob("*") if f.is_file())
            print(f"\n{members:,} members: {r['rows']:,} rows -> {r['nodes']:,} nodes, {r['rels']:,} relationships;"
                  f" first load {r['seconds']:.0f} s ({r['rows'] / r['seconds']:,.0f} rows/s), loader peak"
                  f" {r['peak_mb']:.0f} MB" + (f"  ERROR {r['error']}" if r["error"] else ""))
            print("  phases: " + "; ".join(f"{t.split('（')[0].rstrip('…')} {s:.1f} s" for t, s in r["phases"]))
            print(f"  store on disk {disk / 2**20:,.0f} MB ({disk / r['nodes'] / 1024 * 1e3 / 1e3:.2f} KB a node"
                  f" with its relationships)")
            store = Neo4jStore(uri)
            policy = load_policy()
            params = rule_params(policy, TODAY)
            engine = engine_for(store)
            t = time.perf_counter()
            rows = sum(len(engine.rule_rows(rule, params)) for rule in RULES)
            print(f"  18 rules in the database: {time.perf_counter() - t:.1f} s ({rows:,} gap rows)")
            for run in ("cold", "again"):
                store._touch()  # a new version: a full computation, not the kept answer
                t = time.perf_counter()
                n = len(find_gaps(store, as_of=TODAY, policy=policy))
                print(f"  whole gaps answer ({run}): {time.perf_counter() - t:.1f} s, {n:,} gaps")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  memory: Neo4j JVM resident {rss_mb(inst.pid()):,.0f} MB; this Python process peak {peak:,.0f} MB")
            store.close()
        finally:
            inst.remove()


if __name__ == "__main__":
    main()
