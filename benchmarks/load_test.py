"""Load test: concurrent clients against the API on a city-size graph, on loopback, for a fixed
time; prints p50 / p99 per endpoint and the errors. Bounded in clients, requests and time.

    python -m benchmarks.load_test [--members 100000] [--clients 50] [--seconds 60] [--backend neo4j]

The clients are wrk (``apt-get install wrk``: C, so the load generator takes little of the
machine's CPU from the server it measures): each of its connections is one client doing a user's
mix of requests (entity pages 2 : member pages 1 : gaps 1 : search 1), one at a time, timed per
endpoint by the wrk script; without wrk, Python asyncio clients (httpx) do the same, heavier.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from benchmarks.common import HOME, ROOT, TODAY, ledgers, start_neo4j
from graph.access import TokenStore
from graph.rules import RULES
from neo4j_local.launcher import free_port


def load_data(backend: str, uri: str | None, data: str, members: int,
              history: Path | None = None) -> tuple[list[str], list[str]]:
    """Load the city; with ``history`` (a Tupu home), keep the load's record there as ``tupu
    ingest`` does, so that entity pages read their 历次变化 as in production."""
    from graph.history import History
    from graph.memory.store import MemoryStore
    from graph.neo4j.store import Neo4jStore
    from ingest.loader import Loader

    store = Neo4jStore(uri) if backend == "neo4j" else MemoryStore(data)
    if backend == "neo4j":
        store.clear()
    Loader(store).load([ledgers(members)])
    if history is not None:
        shutil.rmtree(history / "history", ignore_errors=True)
        History(history).record(store, date=TODAY, files=["load test"], who="load test")
    orgs = [n.key for n in store.list_nodes("Organization", limit=5000)]
    members_ = [n.key for n in store.list_nodes("Member", limit=5000)]
    store.close()
    return orgs, members_


KINDS = {"entity": 2, "member": 1, "gaps": 1, "search": 1}  # share of each client's requests
MIX = [kind for kind, share in KINDS.items() for _ in range(share)]  # a request's kind: one of these
NAMES = {"entity": "GET /entities/党组织/ID", "member": "GET /entities/党员/ID",
         "gaps": "GET /gaps?rule=R", "search": "GET /search?q="}
SEARCHES = ["社区", "党支部", "街道", "科技"]


def paths(kind: str, orgs: list[str], members: list[str]) -> list[str]:
    from urllib.parse import quote

    if kind == "entity":
        return [f"/entities/Organization/{o}" for o in orgs]
    if kind == "member":
        return [f"/entities/Member/{m}" for m in members]
    if kind == "gaps":
        return [f"/gaps?rule={r}" for r in RULES]
    return ["/search?q=" + quote(q) for q in SEARCHES]


# Each wrk thread drives one connection, so a request and its response alternate: the script
# times them itself (LuaJIT's ffi clock) and keeps the latency under the request's kind.
WRK_SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } tupu_ts; int clock_gettime(int, tupu_ts *); ]]
local ts = ffi.new("tupu_ts")
local function now_ms() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args)
  kinds, paths, got_kind, got_ms, got_status, got_kept = {}, {}, {}, {}, {}, {}
  for line in io.lines(args[1]) do
    local kind, path = line:match("^(%S+)\t(.+)$")
    if kind == "mix" then kinds[#kinds + 1] = path
    else paths[kind] = paths[kind] or {}; table.insert(paths[kind], path) end
  end
  math.randomseed(tonumber(args[2]) + id)
end
function request()
  current = kinds[math.random(#kinds)]
  started = now_ms()
  local list = paths[current]
  return wrk.format("GET", list[math.random(#list)])
end
function response(status, headers, body)
  local n = #got_ms + 1
  local kept = headers["x-tupu-kept"] or headers["X-Tupu-Kept"] or "-"
  got_kind[n], got_ms[n], got_status[n], got_kept[n] = current, now_ms() - started, status, kept
end
-- (flat arrays: thread:get copies them to the main state, nested tables it does not)
function done(summary, latency, requests)
  local out = io.open(OUT_FILE, "w")
  for _, t in ipairs(threads) do
    local ks, ms, ss, kk = t:get("got_kind"), t:get("got_ms"), t:get("got_status"), t:get("got_kept")
    for i = 1, #ms do out:write(ks[i], " ", ms[i], " ", ss[i], " ", kk[i], "\n") end
  end
  out:close()
end
"""


Results = list[tuple[str, int, int, float, float]]  # (kind, requests, errors, p50 ms, p99 ms)
# (kind, "yes" | "no") -> (p50, p99, requests) of the pages the API had kept or made (wrk only)
KeptSplit = dict[tuple[str, str], tuple[float, float, int]]


def run_wrk(base: str, token: str, seconds: int, clients: int, orgs: list[str],
            members: list[str]) -> tuple[Results, KeptSplit]:
    """``clients`` connections, each a client doing a user's mix (KINDS) one request at a time;
    (kind, requests, errors, p50 ms, p99 ms) per kind."""
    work = Path(tempfile.mkdtemp(prefix="tupu-wrk-"))
    out = work / "latencies.txt"
    (work / "mix.lua").write_text(WRK_SCRIPT.replace("OUT_FILE", f'"{out}"'))
    lines = [f"mix\t{kind}" for kind in MIX]
    lines += [f"{kind}\t{path}" for kind in KINDS for path in paths(kind, orgs, members)]
    (work / "paths.txt").write_text("\n".join(lines) + "\n")
    text = subprocess.run(
        ["wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s",
         "-H", f"Authorization: Bearer {token}", "-s", str(work / "mix.lua"), base,
         "--", str(work / "paths.txt"), str(random.randrange(1_000_000))],
        stdout=subprocess.PIPE, text=True, check=True).stdout
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    split: dict[tuple[str, str], list[float]] = defaultdict(list)
    for line in out.read_text().splitlines():
        kind, ms, status, kept = line.split(" ")
        lat[kind].append(float(ms))
        errors[kind] += status != "200"
        split[kind, kept].append(float(ms))
    by_kept = {k: _p50_p99(v) + (len(v),) for k, v in sorted(split.items()) if k[1] != "-"}
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    shutil.rmtree(work, ignore_errors=True)
    return _summary(lat, errors, socket_errors), by_kept


def _summary(lat: dict[str, list[float]], errors: dict[str, int],
             socket_errors: int = 0) -> Results:
    """(kind, requests, errors, p50 ms, p99 ms) per kind; socket errors count against every kind."""
    return [(kind, len(lat.get(kind, [])), errors[kind] + socket_errors, *_p50_p99(lat.get(kind) or [0.0]))
            for kind in KINDS]


def _p50_p99(xs: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(xs, n=100) if len(xs) > 1 else [xs[0]] * 99
    return statistics.median(xs), q[98]



async def client(base: str, token: str, deadline: float, urls: dict[str, list[str]],
                 lat: dict[str, list[float]], errors: dict[str, int], rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        while time.monotonic() < deadline:
            kind = rng.choice(MIX)
            t = time.perf_counter()
            try:
                r = await c.get(rng.choice(urls[kind]))
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            lat[kind].append((time.perf_counter() - t) * 1000)
            if not ok:
                errors[kind] += 1


def wait_until_warm(base: str, token: str, timeout: float = 600) -> None:
    """Until every API process has worked out its gaps (it does so as it starts): a server that
    has been up a while, not one answering its first questions."""
    from concurrent.futures import ThreadPoolExecutor

    def timed(_: int) -> float:
        t = time.perf_counter()
        httpx.get(base + "/gaps?rule=U1&limit=1", headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
        return time.perf_counter() - t

    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while time.monotonic() < deadline and max(pool.map(timed, range(8))) > 0.5:
            time.sleep(1)


def run_python_clients(base: str, token: str, seconds: int, clients: int, orgs: list[str],
                       members: list[str]) -> tuple[Results, KeptSplit]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + seconds
    rng = random.Random(1)
    urls = {kind: paths(kind, orgs, members) for kind in KINDS}

    async def run() -> None:
        await asyncio.gather(*(client(base, token, deadline, urls, lat, errors,
                                      random.Random(rng.random())) for _ in range(clients)))

    asyncio.run(run())
    return _summary(lat, errors), {}


class ConnectionSpread:
    """The API processes' shares of the clients' connections, sampled with ``ss`` once a second
    during the run (a process holding more of them than the others sets the tail)."""

    def __init__(self, port: int, seconds: int) -> None:
        import threading

        self.port = port
        self.samples: list[dict[str, int]] = []
        self._thread = threading.Thread(target=self._sample, args=(seconds,), daemon=True)
        self._thread.start()

    def _sample(self, seconds: int) -> None:
        for _ in range(seconds):
            time.sleep(1)
            out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{self.port} )"],
                                 capture_output=True, text=True).stdout
            self.samples.append(dict(Counter(re.findall(r"pid=(\d+)", out))))

    def means(self) -> list[float]:
        pids = {p for s in self.samples for p in s}
        n = max(1, len(self.samples))
        return sorted((sum(s.get(p, 0) for s in self.samples) / n for p in pids), reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--backend", choices=["neo4j", "memory"], default="neo4j")
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                    help="API processes (Neo4j backend): two per core by default")
    ap.add_argument("--warmup", type=int, default=15,
                    help="seconds of the same load first, not measured (a server that has been up a while)")
    ap.add_argument("--history", action="store_true",
                    help="keep the load's record first, as tupu ingest does: entity pages read their 历次变化")
    args = ap.parse_args()
    inst, uri = start_neo4j("load") if args.backend == "neo4j" else (None, None)
    data = str(HOME / "load-test.pickle")
    server = None
    try:
        api_home = HOME / "load-home"  # the API's own home (its tokens, and the load's record)
        orgs, members = load_data(args.backend, uri, data, args.members, api_home if args.history else None)
        tokens_file = HOME / "load-tokens.json"
        tokens_file.unlink(missing_ok=True)
        token, _ = TokenStore(tokens_file).create("admin", name="load test")
        port = free_port()
        env = dict(os.environ, TUPU_BACKEND=args.backend, TUPU_NEO4J_URI=uri or "", TUPU_DATA=data,
                   TUPU_HOME=str(HOME), TUPU_TOKENS=str(tokens_file))
        # the API reads its tokens from $TUPU_HOME/tokens.json: a home of its own for the test
        api_home.mkdir(parents=True, exist_ok=True)
        (api_home / "tokens.json").write_text(tokens_file.read_text(encoding="utf-8"), encoding="utf-8")
        env["TUPU_HOME"] = str(api_home)
        workers = args.workers if args.backend == "neo4j" else 1
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:serve_app", "--factory",
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
        have_wrk = shutil.which("wrk") is not None
        generator = "wrk" if have_wrk else "Python asyncio clients"
        wait_until_warm(base, token)
        run = run_wrk if have_wrk else run_python_clients
        if args.warmup:
            run(base, token, args.warmup, args.clients, orgs, members)
        spread = ConnectionSpread(port, args.seconds)
        results, kept = run(base, token, args.seconds, args.clients, orgs, members)
        print(f"{args.backend}, {args.members} members, {args.clients} clients ({generator}), "
              f"{args.seconds} s on loopback after {args.warmup} s of warm-up, {workers} API process(es), "
              "all on the same 2-core machine" + (", with the load's record (历次变化 read)" if args.history else ""))
        print(f"{'endpoint':>22} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
        for kind, n, errors, p50, p99 in results:
            print(f"{NAMES[kind]:>22} {n:>9} {errors:>7} {p50:>8.0f} {p99:>8.0f}")
        for (kind, was_kept), (p50, p99, n) in kept.items():
            print(f"{NAMES[kind]:>22}, {'kept' if was_kept == 'yes' else 'made':>4}: {n:>7} requests, "
                  f"p50 {p50:.0f} / p99 {p99:.0f} ms")
        print(f"clients' connections per API process (mean of {len(spread.samples)} samples, `ss`): "
              + " / ".join(f"{c:.1f}" for c in spread.means()))
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if inst:
            inst.remove()


if __name__ == "__main__":
    main()
