"""Answers kept on disk (#18): prints figures, asserts nothing.

    python -m benchmarks.kept_bench [--members 1000000]

Loads the demo ledgers into a fresh local Neo4j (``--initial``), then, each in a new process as
a restarted or second API process would be: the whole gaps answer worked out and written to
disk, then read back from disk, then (the data unchanged) read again; then the home page (every
gap, coverage by region) asked of a new application process: first working coverage out and
keeping it, then in another new process with both answers on disk.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import HOME, TODAY, ledgers, printed_json, start_neo4j
from graph.access import TokenStore
from graph.neo4j.store import Neo4jStore
from ingest.initial import initial_load


def in_new_process(uri: str, folder: str) -> dict:
    code = f"""
import datetime as dt, json, time
from pathlib import Path
from graph.analyses import kept
from graph.analyses.gaps import find_gaps
from graph.access import TokenStore
from graph.neo4j.store import Neo4jStore
store = Neo4jStore({uri!r})
kept.keep_on_disk(store, Path({folder!r}))
t = time.perf_counter()
n = len(find_gaps(store, as_of=dt.date.fromisoformat({TODAY.isoformat()!r}), share=True))
print(json.dumps({{"seconds": time.perf_counter() - t, "gaps": n}}))
"""
    return printed_json("-c", code)


def home_in_new_process(uri: str, home: str, token: str) -> dict:
    code = f"""
import json, time
from pathlib import Path
from fastapi.testclient import TestClient
from graph.config import Settings
from api.app import create_app
# as `tupu serve` runs it: its store keeps answers in $TUPU_HOME/answers, and it warms as it starts
app = create_app(settings=Settings(backend="neo4j", neo4j_uri={uri!r}, home=Path({home!r})), warm=True)
with TestClient(app) as client:
    t = time.perf_counter()
    r = client.get("/", headers={{"Authorization": "Bearer {token}"}})
    print(json.dumps({{"seconds": time.perf_counter() - t, "status": r.status_code, "bytes": len(r.content)}}))
"""
    return printed_json("-c", code)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--uri", help="a Neo4j already loaded with the demo ledgers of --members (no load)")
    args = ap.parse_args()
    inst, uri = (None, args.uri) if args.uri else start_neo4j("bench-kept", pagecache_mb=4096)
    try:
        if inst is not None:
            store = Neo4jStore(uri)
            initial_load([ledgers(args.members)], store, inst)
            store.close()
        with tempfile.TemporaryDirectory(dir=HOME) as folder:
            home = Path(folder)  # the served app's $TUPU_HOME: its answers go to home/answers
            token, _ = TokenStore(home / "tokens.json").create("admin", name="kept bench")
            for what in ("worked out and written to disk", "a new process: read from disk",
                         "another new process: read from disk"):
                r = in_new_process(uri, str(home / "answers"))
                print(f"{args.members:,} members, whole gaps answer, {what}: {r['seconds']:.1f} s ({r['gaps']:,} gaps)")
            for what in ("coverage worked out and kept", "a new process: both read from disk"):
                r = home_in_new_process(uri, str(home), token)
                print(f"{args.members:,} members, home page in a new process, {what}: {r['seconds']:.1f} s"
                      f" (HTTP {r['status']}, {r['bytes']:,} bytes)")
    finally:
        if inst is not None:
            inst.remove()


if __name__ == "__main__":
    main()
