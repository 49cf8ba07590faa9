"""A past load's graph (#15, #18): what answering ``--as-of`` / ``?as_of=`` for an earlier load
costs, in time and memory. Prints figures.

Builds (once, kept under ``$TUPU_HOME/bench``) a history of two monthly loads of the demo city at
about ``--members`` members in an embedded store, or uses the Tupu home given with ``--home``
(e.g. the one ``monthly_bench --history`` leaves). Then rebuilds the graph as of the first load
in a new process, as an API process asked for that date does, and prints the time, the memory
held afterwards and the process's peak.

    python -m benchmarks.past_bench [--members 100000] [--home PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import resource
import time
from pathlib import Path

from benchmarks.common import HOME, TODAY, printed_json


def build_history(members: int) -> Path:
    """A Tupu home with two monthly loads recorded (made once)."""
    from benchmarks.common import MEMBERS_PER_SCALE
    from graph.history import History
    from graph.memory.store import MemoryStore
    from ingest.demo_months import generate_months
    from ingest.loader import Loader

    scale = max(1, round(members / MEMBERS_PER_SCALE))
    home = HOME / "bench" / f"past-{scale}"
    if (home / ".complete").exists():
        return home
    home.mkdir(parents=True, exist_ok=True)
    store = MemoryStore()
    for day, folder in generate_months(home / "ledgers", 2, scale=scale, fmt="csv", today=TODAY):
        Loader(store).load([folder])
        History(home).record(store, date=day, files=[folder.name], who="基准")
    (home / ".complete").write_text("ok")
    return home


def rebuild(home: Path) -> dict:
    """In this process: the graph as of the first load recorded in ``home``."""
    from graph.history import History

    history = History(home)
    first = dt.date.fromisoformat(history.loads()[0].date)
    t = time.perf_counter()
    store = history.store_as_of(first)
    seconds = time.perf_counter() - t
    gc.collect()
    held = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    return {"nodes": sum(store.counts().values()), "seconds": seconds, "held_mb": held,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "loads": len(history.loads())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--home", type=Path, help="a Tupu home whose history to use (else one is built)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:  # the rebuild, alone in a process of its own
        print(json.dumps(rebuild(args.child)))
        return
    home = args.home or build_history(args.members)
    r = printed_json("-m", "benchmarks.past_bench", "--child", str(home))
    print(f"the graph as of the first of {r['loads']} loads ({home}): {r['nodes']:,} nodes rebuilt in "
          f"{r['seconds']:.1f} s; held afterwards {r['held_mb']:,.0f} MB, the process's peak {r['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
