"""Shared by the benchmarks: demo ledgers of a given size (cached), and a throw-away Neo4j."""
from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.demo import generate
from neo4j_local.launcher import LocalNeo4j, free_port

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("TUPU_HOME") or ROOT / ".tupu")
MEMBERS_PER_SCALE = 4_000  # the demo city has about this many members per scale step
TODAY = dt.date(2025, 11, 22)


def ledgers(members: int) -> Path:
    """Demo ledgers (CSV) with about ``members`` members, generated once and kept."""
    scale = max(1, round(members / MEMBERS_PER_SCALE))
    folder = HOME / "bench" / f"scale-{scale}"
    done = folder / ".complete"
    if not done.exists():
        t = time.perf_counter()
        generate(folder, scale=scale, fmt="csv", today=TODAY)
        done.write_text("ok")
        print(f"  generated scale {scale} in {time.perf_counter() - t:.0f} s")
    return folder


def start_neo4j(name: str = "bench", heap: str = "2g", pagecache_mb: int = 2048) -> tuple[LocalNeo4j, str]:
    inst = LocalNeo4j(HOME, instance=name)
    inst.remove()  # a fresh database
    return inst, inst.start(port=free_port(), heap=heap, pagecache_mb=pagecache_mb)


def count_rows(folder: Path) -> int:
    return sum(max(0, sum(1 for _ in open(p, encoding="utf-8-sig")) - 1) for p in folder.glob("*.csv"))


def median_time(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    """The median of ``runs`` timings of ``fn`` (seconds), and what it gave last."""
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def printed_json(*args: str, root: Path = ROOT) -> Any:
    """Run ``python *args`` in a process of its own (its memory and its collector its own) at
    the repository's root (or another checkout's, whose code it then runs); the JSON its last
    line printed. A failure raises with its stderr."""
    env = {**os.environ, "PYTHONPATH": str(root)} if root != ROOT else None
    out = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])
