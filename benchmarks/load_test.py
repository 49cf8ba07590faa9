"""Load test: concurrent clients against the API on a city-size graph, on loopback, for a fixed
time; prints p50 / p99 per endpoint and the errors. Bounded in clients, requests and time.

    python -m benchmarks.load_test [--members 100000] [--clients 50] [--seconds 60] [--backend neo4j]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict

import httpx

from benchmarks.common import HOME, ROOT, ledgers, start_neo4j
from graph.access import TokenStore
from graph.analyses.rules import RULES
from neo4j_local.launcher import free_port


def load_data(backend: str, uri: str | None, data: str, members: int) -> tuple[list[str], list[str]]:
    from graph.memory_store import MemoryStore
    from graph.neo4j_store import Neo4jStore
    from ingest.loader import Loader

    store = Neo4jStore(uri) if backend == "neo4j" else MemoryStore(data)
    if backend == "neo4j":
        store.clear()
    Loader(store).load([ledgers(members)])
    orgs = [n.key for n in store.list_nodes("Organization", limit=5000)]
    members_ = [n.key for n in store.list_nodes("Member", limit=5000)]
    store.close()
    return orgs, members_


async def client(base: str, token: str, deadline: float, orgs: list[str], members: list[str],
                 lat: dict[str, list[float]], errors: dict[str, int], rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        while time.monotonic() < deadline:
            kind = rng.choice(["entity", "entity", "member", "gaps", "search"])
            if kind == "entity":
                url = f"/entities/Organization/{rng.choice(orgs)}"
            elif kind == "member":
                url = f"/entities/Member/{rng.choice(members)}"
            elif kind == "gaps":
                url = f"/gaps?rule={rng.choice(list(RULES))}"
            else:
                url = "/search?q=" + rng.choice(["社区", "党支部", "街道", "科技"])
            t = time.perf_counter()
            try:
                r = await c.get(url)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            lat[kind].append((time.perf_counter() - t) * 1000)
            if not ok:
                errors[kind] += 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--backend", choices=["neo4j", "memory"], default="neo4j")
    ap.add_argument("--workers", type=int, default=2, help="API processes (Neo4j backend)")
    args = ap.parse_args()
    inst, uri = start_neo4j("load") if args.backend == "neo4j" else (None, None)
    data = str(HOME / "load-test.pickle")
    server = None
    try:
        orgs, members = load_data(args.backend, uri, data, args.members)
        tokens_file = HOME / "load-tokens.json"
        tokens_file.unlink(missing_ok=True)
        token, _ = TokenStore(tokens_file).create("admin", name="load test")
        port = free_port()
        env = dict(os.environ, TUPU_BACKEND=args.backend, TUPU_NEO4J_URI=uri or "", TUPU_DATA=data,
                   TUPU_HOME=str(HOME), TUPU_TOKENS=str(tokens_file))
        # the API reads its tokens from $TUPU_HOME/tokens.json: a home of its own for the test
        api_home = HOME / "load-home"
        api_home.mkdir(parents=True, exist_ok=True)
        (api_home / "tokens.json").write_text(tokens_file.read_text(encoding="utf-8"), encoding="utf-8")
        env["TUPU_HOME"] = str(api_home)
        workers = args.workers if args.backend == "neo4j" else 1
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                   "--workers", str(workers)], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        lat: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        deadline = time.monotonic() + args.seconds
        rng = random.Random(1)

        async def run() -> None:
            await asyncio.gather(*(client(base, token, deadline, orgs, members, lat, errors,
                                          random.Random(rng.random())) for _ in range(args.clients)))

        asyncio.run(run())
        print(f"{args.backend}, {args.members} members, {args.clients} clients, {args.seconds} s on loopback, "
              f"{workers} API process(es), load generator on the same 2-core machine")
        print(f"{'endpoint':>22} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
        names = {"entity": "GET /entities/党组织/ID", "member": "GET /entities/党员/ID",
                 "gaps": "GET /gaps?rule=R", "search": "GET /search?q="}
        for kind, xs in sorted(lat.items()):
            q = statistics.quantiles(xs, n=100) if len(xs) > 1 else [xs[0]] * 99
            print(f"{names[kind]:>22} {len(xs):>9} {errors[kind]:>7} {statistics.median(xs):>8.0f} {q[98]:>8.0f}")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if inst:
            inst.remove()


if __name__ == "__main__":
    main()
