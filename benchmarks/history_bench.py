"""History benchmark (#15): what keeping 12 months of history costs. Prints figures.

Two stores hold the same current graph — the demo city's twelfth month: one loaded once (no
history), one loaded month by month with every load recorded. The same current-state questions
are timed on both, alternating, in one run (the machine is shared and noisy; the ratio is what
counts; goal: within 20%). Also: what recording a load costs, the history's size on disk, and
rebuilding the graph as of a past load.

    python -m benchmarks.history_bench [--months 12] [--neo4j] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import TODAY, start_neo4j
from graph.analyses.cache import _caches
from graph.analyses.coverage import coverage
from graph.analyses.gaps import find_gaps
from graph.history import History
from graph.memory.store import MemoryStore
from graph.store import GraphStore
from ingest.demo_months import generate_months
from ingest.loader import Loader


def questions(store: GraphStore) -> dict[str, Callable[[], object]]:
    orgs = [n.key for n in store.list_nodes("Organization", limit=200)]
    return {
        "全部缺口": lambda: find_gaps(store, as_of=TODAY),
        "覆盖率": lambda: coverage(store, as_of=TODAY),
        "200 个组织页": lambda: [store.node_with_neighbours("Organization", k) for k in orgs],
        "搜索 50 次": lambda: [store.search(t) for t in ("社区", "支部", "街道", "公司", "委员会") * 10],
    }


def timed(fn: Callable[[], object], store: GraphStore) -> float:
    _caches.pop(store, None)  # the question itself, not the answer kept from last time
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--neo4j", action="store_true", help="the stores are two local Neo4j databases")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tupu-history-bench-"))
    months = generate_months(work / "ledgers", args.months, fmt="csv", today=TODAY)
    instances = []

    def new_store(name: str) -> GraphStore:
        if not args.neo4j:
            return MemoryStore()
        from graph.neo4j.store import Neo4jStore

        inst, uri = start_neo4j(f"bench-history-{name}")
        instances.append(inst)
        s = Neo4jStore(uri)
        s.clear()
        return s

    try:
        plain, kept = new_store("plain"), new_store("kept")
        Loader(plain).load([months[-1][1]])
        history = History(work / "home")
        load_s, record_s = [], []
        for day, folder in months:
            t = time.perf_counter()
            Loader(kept).load([folder])
            load_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            history.record(kept, date=day, files=[folder.name], who="基准")
            record_s.append(time.perf_counter() - t)
        size = sum(f.stat().st_size for f in (work / "home" / "history").iterdir())
        print(f"后端 {kept.backend} · {args.months} 个月 · 每月 {sum(plain.counts().values())} 个节点")
        load, record = statistics.median(load_s), statistics.median(record_s)
        print(f"载入（每月，中位数）{load:.2f} s · 记录（每月，中位数）{record:.2f} s（记录 / 载入 = {record / load:.2f}）")
        print(f"历史占用磁盘 {size / 1024:.0f} KB（每月 {size / 1024 / args.months:.0f} KB）")
        for day, _ in (months[0], months[len(months) // 2]):
            t = time.perf_counter()
            history.store_as_of(day)
            print(f"还原 {day} 的图谱 {time.perf_counter() - t:.2f} s")
        print(f"\n{'当前状态的问题':<14} {'无历史':>9} {'有12个月历史':>12} {'比值':>6}")
        worst = 0.0
        for store in (plain, kept):  # warm both alike (page cache, JIT) before timing
            for ask in questions(store).values():
                ask()
        for name in questions(plain):
            a, b = [], []
            for _ in range(args.repeat):  # alternate, so that noise falls on both alike
                a.append(timed(questions(plain)[name], plain))
                b.append(timed(questions(kept)[name], kept))
            ratio = statistics.median(b) / statistics.median(a)
            worst = max(worst, ratio)
            print(f"{name:<14} {statistics.median(a) * 1000:>7.0f}ms {statistics.median(b) * 1000:>10.0f}ms "
                  f"{ratio:>6.2f}")
        print(f"\n最大比值 {worst:.2f}（目标 ≤ 1.20）")
    finally:
        for inst in instances:
            inst.stop()


if __name__ == "__main__":
    main()
