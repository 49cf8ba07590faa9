"""Names at a country's scale (#35): with China's whole statistical division tree loaded (NBS
2023, 665,262 regions), how long `--region` (resolution) and `search` take, and how long loading
a city's subtree (`tupu regions use 成都市`) takes. Prints figures (docs/benchmarks.md).

    python -m benchmarks.regions_bench [--neo4j] [--repeat 3]

The first question after a load also builds the region tree and its name index (kept until the
store changes): printed apart as "冷" (cold); the others are the median of ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from graph.analyses.resolve import Ambiguous, resolve, search_names
from graph.memory.store import MemoryStore
from graph.store import GraphStore, RelRow, batched
from ingest.divisions import find_area, load_area, national

QUESTIONS: dict[str, Callable[[GraphStore], Any]] = {
    "--region 应城市杨河镇红星村": lambda s: resolve(s, "应城市杨河镇红星村", ["Region"]).key,
    "--region 锦江区东湖街道观音桥社区": lambda s: resolve(s, "锦江区东湖街道观音桥社区", ["Region"]).key,
    "--region 红星村（46 个同名）": lambda s: _ambiguous(s, "红星村"),
    "--region 420981101225（代码）": lambda s: resolve(s, "420981101225", ["Region"]).key,
    "search 红星村": lambda s: _search(s, "红星村"),
    "search 应城市杨河镇红星村": lambda s: _search(s, "应城市杨河镇红星村"),
    "search 东湖街道": lambda s: _search(s, "东湖街道"),
    "search 社区（常用词）": lambda s: _search(s, "社区"),
}


def _ambiguous(store: GraphStore, text: str) -> str:
    try:
        resolve(store, text, ["Region"])
    except Ambiguous as e:
        return str(e).rsplit("等", 1)[-1].strip()
    return "?"


def _search(store: GraphStore, text: str) -> str:
    hits, total = search_names(store, text, limit=20)
    return f"{hits[0].name}… 共 {total} 个" if hits else "无"


def load_country(store: GraphStore, batch: int = 20_000) -> float:
    """The whole tree written as nodes and PART_OF links (a 行政区划 ledger's load writes the same)."""
    tree = national()
    t = time.perf_counter()
    for rows in batched(({"code": c, "name": tree.name[c], "level": tree.level[c]} for c in tree.name), batch):
        store.upsert_nodes("Region", rows)
    for links in batched((RelRow(c, p) for c, p in tree.parent.items() if p), batch):
        store.upsert_relationships("PART_OF", "Region", "Region", links)
    return time.perf_counter() - t


def forget_answers(store: GraphStore) -> None:
    from graph.analyses.cache import _caches

    _caches.pop(store, None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--neo4j", action="store_true", help="a throw-away local Neo4j instead of the embedded store")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    inst = None

    def new_store() -> GraphStore:
        nonlocal inst
        if not args.neo4j:
            return MemoryStore()
        from benchmarks.common import start_neo4j
        from graph.neo4j.store import Neo4jStore

        if inst is None:
            inst, uri = start_neo4j("bench-regions")
            new_store.uri = uri  # type: ignore[attr-defined]
        s = Neo4jStore(new_store.uri)  # type: ignore[attr-defined]
        s.clear()
        return s

    backend = "Neo4j" if args.neo4j else "内存库"
    try:
        t = time.perf_counter()
        national()
        print(f"读取随包区划文件（665,276 行）：{time.perf_counter() - t:.1f} s")
        store = new_store()
        t = time.perf_counter()
        report = load_area(store, find_area("成都市"))
        print(f"[{backend}] tupu regions use 成都市：{store.counts()['Region']} 个区划，"
              f"{time.perf_counter() - t:.1f} s（拒绝 {len(report.rejected)}，警告 {len(report.warnings)}）")
        store.clear()
        print(f"[{backend}] 全国区划写入：{load_country(store):.0f} s，{store.counts()['Region']} 个区划")
        for name, ask in QUESTIONS.items():
            forget_answers(store)
            t = time.perf_counter()
            answer = ask(store)
            cold = time.perf_counter() - t
            warm = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                ask(store)
                warm.append(time.perf_counter() - t)
            print(f"[{backend}] {name}：{statistics.median(warm):.3f} s（冷 {cold:.2f} s）→ {answer}")
    finally:
        if inst is not None:
            inst.stop()
            inst.remove()


if __name__ == "__main__":
    main()
