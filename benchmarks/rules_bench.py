"""Rules benchmark: every gap rule at the given sizes on both stores (median of 3 runs), all
rules with their explanations (who must act, paths), and pairing suggestions for 2,560
grassroots × 1,100 organ organisations. Prints figures.

    python -m benchmarks.rules_bench [--members 100000 1000000]
"""
from __future__ import annotations

import argparse

from benchmarks.common import TODAY, ledgers, median_time, start_neo4j
from graph.analyses.engine import engine_for
from graph.analyses.gaps import find_gaps
from graph.analyses.pairing import suggest_pairings
from graph.memory.store import MemoryStore
from graph.neo4j.store import Neo4jStore
from graph.policy import load_policy
from graph.rules import RULES, rule_params
from ingest.loader import Loader


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    args = ap.parse_args()
    policy = load_policy()
    params = rule_params(policy, TODAY)
    inst, uri = start_neo4j("bench-rules")
    try:
        for members in args.members:
            folder = ledgers(members)
            neo = Neo4jStore(uri)
            neo.clear()
            mem = MemoryStore()
            for s in (neo, mem):
                Loader(s).load([folder])
            print(f"\n{members} members ({mem.counts()['Member']} loaded), median of 3 runs, seconds")
            print(f"{'rule':>5} {'gaps':>7} {'neo4j':>8} {'memory':>8}")
            for rule in RULES:
                row = []
                for s in (neo, mem):
                    engine = engine_for(s)
                    engine.rule_rows(rule, params)  # warm: plan cache
                    t, rows = median_time(lambda e=engine, r=rule: e.rule_rows(r, params))
                    row.append((t, len(rows)))
                print(f"{rule:>5} {row[0][1]:>7} {row[0][0]:>8.3f} {row[1][0]:>8.3f}")
            tn, gaps = median_time(lambda s=neo: find_gaps(s, as_of=TODAY, policy=policy), runs=1)
            tm, _ = median_time(lambda s=mem: find_gaps(s, as_of=TODAY, policy=policy), runs=1)
            print(f"  all {len(gaps):>7} {tn:>8.2f} {tm:>8.2f}   (every rule, with who must act and paths)")
            neo.close()
        from benchmarks.views_bench import pairing_store

        s = pairing_store(1100, 2560)
        t, ps = median_time(lambda: suggest_pairings(s, as_of=TODAY, policy=policy), runs=1)
        print(f"\npair suggest, 2,560 grassroots x 1,100 organ organisations (embedded): "
              f"{len(ps)} proposals in {t:.2f} s")
    finally:
        inst.remove()


if __name__ == "__main__":
    main()
