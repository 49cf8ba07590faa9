"""The gaps export (#18): the whole gaps answer as an Excel workbook, as `tupu gaps --format
xlsx` and `GET /gaps?format=xlsx` write it. Prints figures.

The demo city at about ``--members`` members is loaded into an embedded store and its gaps
worked out; the export is then timed on those gaps repeated ``--times`` times (each copy under
other codes: 10 copies of 100k's ~20,000 gaps stand for 1M's ~197,000), in a process of its own
so that its peak memory is the export's and the graph's alone.

    python -m benchmarks.export_bench [--members 100000] [--times 10]
"""
from __future__ import annotations

import argparse
import json
import resource
import time

from benchmarks.common import TODAY, ledgers, printed_json


def measure(members: int, times: int) -> dict:
    from api.exports import gaps_xlsx
    from graph.analyses.gaps import find_gaps
    from graph.memory.store import MemoryStore
    from ingest.loader import Loader

    store = MemoryStore()
    Loader(store).load([ledgers(members)])
    gaps = find_gaps(store, as_of=TODAY)
    many = [g.model_copy(update={"id": f"{g.id}-{i}"}) if i else g for i in range(times) for g in gaps]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    body = gaps_xlsx(many)
    seconds = time.perf_counter() - t
    return {"gaps": len(many), "seconds": seconds, "mb": len(body) / 2**20, "peak_before": before,
            "peak_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.members, args.times)))
        return
    r = printed_json("-m", "benchmarks.export_bench", "--child", "--members", str(args.members), "--times", str(args.times))
    print(f"{r['gaps']:,} gaps to xlsx: {r['seconds']:.1f} s ({r['gaps'] / r['seconds']:,.0f} rows/s), {r['mb']:.1f} MB; "
          f"the process's peak {r['peak_before']:,.0f} MB before the export (the graph and its gaps), "
          f"{r['peak_after']:,.0f} MB after")


if __name__ == "__main__":
    main()
