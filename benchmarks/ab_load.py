"""The same load on the code of another revision and on this checkout's, alternating: prints
figures, asserts nothing.

    python -m benchmarks.ab_load --before de03e1a [--members 100000] [--rounds 3]

The demo ledgers (CSV) of the given size go into the embedded store, each load in a process of
its own, the two revisions taking turns so that a shared machine's slow minutes fall on both.
The other revision is checked out once as a git worktree under ``$TUPU_HOME/ab/``. What a change
costs is the ratio of the medians, within one run.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess

from benchmarks.common import HOME, ROOT, ledgers, printed_json

LOAD = """
import json, sys, time
from pathlib import Path
from graph.memory.store import MemoryStore
from ingest.loader import Loader
t = time.perf_counter()
report = Loader(MemoryStore(None)).load([Path(sys.argv[1])])
print(json.dumps({"seconds": time.perf_counter() - t, "rows": sum(c.read for c in report.ledgers.values()),
                  "rejected": len(report.rejected), "warnings": len(report.warnings)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="the revision to compare with (a commit, a tag)")
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rev = subprocess.run(["git", "rev-parse", "--short", args.before], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    before = HOME / "ab" / rev
    if not before.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(before), rev], cwd=ROOT, check=True,
                       capture_output=True)
    folder = ledgers(args.members)
    times: dict[str, list[float]] = {rev: [], "this": []}
    for n in range(args.rounds):
        for name, root in ((rev, before), ("this", ROOT)):
            got = printed_json("-c", LOAD, str(folder), root=root)
            times[name].append(got["seconds"])
            print(f"round {n + 1}  {name:>8}: {got['seconds']:6.1f} s  {got['rows']:,} rows  "
                  f"rejected {got['rejected']}  warnings {got['warnings']}", flush=True)
    a, b = statistics.median(times[rev]), statistics.median(times["this"])
    print(f"median {rev}: {a:.1f} s, this checkout: {b:.1f} s — {b / a:.2f}× the time")


if __name__ == "__main__":
    main()
