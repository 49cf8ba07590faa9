"""The whole gaps answer (``tupu gaps``: every rule, who must act, paths) taken apart on Neo4j:
the rules in the database (chunked, and a record per row, measured in the same run), the two
trees, the lookups (regions of units and grids, members' home organisations, names in context),
and the gaps built in Python; then the whole answer, where these overlap. Prints seconds per phase
and the whole, each the median of 3 runs with the answer cache cleared.

    python -m benchmarks.gaps_bench [--members 100000 1000000] [--memory]
"""
from __future__ import annotations

import argparse

from benchmarks.common import HOME, TODAY, ledgers, median_time, start_neo4j
from graph.analyses.engine import engine_for
from graph.analyses.gaps import _explain, find_gaps, lookups
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import OrgTree, RegionTree
from graph.collector import collector_paused
from graph.memory.store import MemoryStore
from graph.neo4j.store import Neo4jStore
from graph.policy import load_policy
from graph.rules import RULES, rule_params
from graph.store import GraphStore
from ingest.initial import initial_load
from ingest.loader import Loader
from neo4j_local.launcher import LocalNeo4j, free_port


def phases(store: GraphStore) -> dict[str, float]:
    policy = load_policy()
    params = rule_params(policy, TODAY)
    engine = engine_for(store)
    out: dict[str, float] = {}
    out["rules (database)"], rows = median_time(
        lambda: [(r, row) for r in RULES for row in engine.rule_rows(r, params)])
    if isinstance(store, Neo4jStore):  # the same rows, a record each (as before chunked reads)
        out["rules, a record per row"], _ = median_time(
            lambda: [(r, dict(x)) for r in RULES for x in store._run(RULES[r].cypher, read=True, **params)])
    out["trees"], (regions, orgs) = median_time(lambda: (RegionTree.of(engine.region_tree()), OrgTree.of(engine.org_tree())))
    who = Responsibility(regions, orgs, policy)
    by_entity: dict[str, list[tuple[str, dict]]] = {}
    for r, row in rows:
        by_entity.setdefault(RULES[r].entity, []).append((r, row))
    out["lookups (who, names)"], found = median_time(
        lambda: {e: lookups(engine, e, [row for _, row in pairs]) for e, pairs in by_entity.items()})
    out["data problems"], problems = median_time(engine.data_problems)

    def explain() -> list:
        with collector_paused():  # as find_gaps explains them
            return [g for e, pairs in by_entity.items() for g in _explain(who, params, pairs, problems, found[e])]

    out["explain (Python)"], gaps = median_time(explain)

    def whole() -> int:
        store._touch()  # answers are kept per version: a new version, a full computation
        return len(find_gaps(store, as_of=TODAY, policy=policy))

    out["whole answer"], n = median_time(whole)
    print(f"  {len(rows)} gap rows, {n} gaps")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, nargs="+", default=[100_000])
    ap.add_argument("--memory", action="store_true", help="also on the embedded store")
    ap.add_argument("--keep", action="store_true",
                    help="keep the loaded Neo4j for the next run with --keep (one size), and reuse it")
    args = ap.parse_args()
    if args.keep:
        inst = LocalNeo4j(HOME, instance="bench-gaps")
        uri = inst.status() or inst.start(port=free_port(), heap="2g", pagecache_mb=2048)
    else:
        inst, uri = start_neo4j("bench-gaps")
    try:
        for members in args.members:
            folder = ledgers(members)
            stores: list[tuple[str, GraphStore]] = [("neo4j", Neo4jStore(uri))]
            if args.memory:
                stores.append(("embedded", MemoryStore()))
            for name, store in stores:
                if isinstance(store, Neo4jStore):
                    if not (args.keep and store.counts()["Member"]):
                        store.clear()  # a first load through the offline importer: faster to set up
                        initial_load([folder], store, inst)
                else:
                    Loader(store).load([folder])
                print(f"\n{members} members on {name} ({store.counts()['Member']} loaded), seconds:")
                for phase, secs in phases(store).items():
                    print(f"  {phase:<26} {secs:>7.2f}")
                store.close()
    finally:
        if not args.keep:
            inst.remove()


if __name__ == "__main__":
    main()
