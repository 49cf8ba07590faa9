"""The analyses cache: one computation for many callers, stale answers served while refreshing."""
from __future__ import annotations

import threading
import time

import pytest

from graph.analyses.cache import cached
from graph.memory.store import MemoryStore


def test_concurrent_callers_share_one_computation():
    store, calls = MemoryStore(), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    out = []
    threads = [threading.Thread(target=lambda: out.append(cached(store, "k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [1] * 8 and len(calls) == 1
    from graph.analyses import cache

    assert not [k for k in cache._inflight if k[0] == id(store)]  # the waiters left no gate behind


def test_past_its_ttl_the_old_answer_is_served_while_one_refresh_runs():
    store, started, release = MemoryStore(), threading.Event(), threading.Event()
    assert cached(store, "k", lambda: "old", ttl=0.05) == "old"
    time.sleep(0.1)
    calls = []

    def refresh():
        calls.append(1)
        started.set()
        release.wait(5)
        return "new"

    t0 = time.monotonic()
    assert [cached(store, "k", refresh, ttl=0.05) for _ in range(5)] == ["old"] * 5
    assert time.monotonic() - t0 < 1.0  # nobody waited for the refresh
    assert started.wait(5) and calls == [1]  # one refresh, in the background
    release.set()
    for _ in range(50):
        if cached(store, "k", lambda: "never", ttl=60) == "new":
            break
        time.sleep(0.05)
    assert cached(store, "k", lambda: "never", ttl=60) == "new"


def test_a_write_by_this_process_is_seen_at_once():
    store = MemoryStore()
    assert cached(store, "k", lambda: store.counts()["Unit"]) == 0
    store.upsert_nodes("Unit", [{"id": "U1", "name": "甲", "kind": "村"}])
    assert cached(store, "k", lambda: store.counts()["Unit"]) == 1


def test_a_rules_gaps_are_a_slice_of_every_rules_answer_when_it_is_at_hand():
    from graph.analyses.gaps import find_gaps
    from tests.test_gap_rules import AS_OF, build

    store = MemoryStore()
    build(store)
    alone = find_gaps(store, rules=["U1", "P3"], as_of=AS_OF)  # computed for these rules only
    everything = find_gaps(store, as_of=AS_OF)
    sliced = find_gaps(store, rules=["P3", "U1"], as_of=AS_OF)  # now cut from everything
    assert alone and sliced == alone == [g for g in everything if g.rule in ("U1", "P3")]


def _warmed(store, what: str, timeout: float = 10) -> list:
    from graph.analyses import cache

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        keys = [k for k in cache._caches.get(store, {}) if k[0] == what]
        if keys:
            return keys
        time.sleep(0.05)
    return []


def test_the_served_app_warms_the_home_pages_answers_and_every_rules_gaps_at_start_and_after_a_load(tmp_path):
    import datetime as dt

    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.access import TokenStore
    from ingest.demo import generate

    store, tokens = MemoryStore(), TokenStore(tmp_path / "tokens.json")
    token, _ = tokens.create("admin", name="warm test")
    app = create_app(lambda: store, tokens=tokens, warm=True)
    with TestClient(app) as client:
        assert any(len(k[1]) == 18 for k in _warmed(store, "gaps"))
        assert _warmed(store, "gap counts") and _warmed(store, "coverage")
        generate(tmp_path / "demo", scale=1, fmt="csv", today=dt.date.today())
        files = [("files", (p.name, p.read_bytes())) for p in sorted((tmp_path / "demo").glob("*.csv"))]
        r = client.post("/ingest", files=files, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and sum(r.json()["landed"].values()) > 0
        counts = _warmed(store, "gap counts")  # the new data's, worked out before anyone asks
        assert counts
        from graph.analyses.cache import cached_if_present

        figures = cached_if_present(store, counts[0], lambda: None)
        assert figures and sum(figures.values()) > 0


@pytest.mark.neo4j
def test_a_write_by_another_process_is_seen_within_seconds(neo4j_uri, monkeypatch):
    """Two stores on one Neo4j stand for two processes (the API, and `tupu ingest`)."""
    from graph.neo4j import store as neo4j_store
    from graph.neo4j.store import Neo4jStore

    monkeypatch.setattr(neo4j_store, "VERSION_CHECK_SECONDS", 0.2)
    server, ingest = Neo4jStore(neo4j_uri), Neo4jStore(neo4j_uri)
    try:
        server.delete_nodes("Unit", ["XPROC"])

        def count() -> int:
            return int(server.get("Unit", "XPROC") is not None)

        assert cached(server, "xproc", count) == 0
        ingest.upsert_nodes("Unit", [{"id": "XPROC", "name": "另一进程写入", "kind": "村"}])
        time.sleep(0.3)  # older than the interval: read again behind the asker, who is not held
        seen = [cached(server, "xproc", count)]
        while seen[-1] == 0 and len(seen) < 100:
            time.sleep(0.01)
            seen.append(cached(server, "xproc", count))
        assert seen[-1] == 1 and len(seen) < 20  # the new data version shows within moments
        assert cached(server, "xproc", lambda: 99) == 1  # and is kept while nothing changes
        ingest.upsert_nodes("Unit", [{"id": "XPROC", "name": "再次写入", "kind": "村"}])
        time.sleep(0.45)  # twice the interval (an idle process): read while the asker waits
        assert cached(server, "xproc", lambda: 2) == 2
    finally:
        ingest.delete_nodes("Unit", ["XPROC"])
        server.close()
        ingest.close()


@pytest.mark.neo4j
def test_a_version_read_again_does_not_hold_the_asker(neo4j_uri, monkeypatch):
    """The served app asks for the version on its event loop: a version older than the interval
    is read in the background while the one known is answered (graph/neo4j/store.py)."""

    from graph.neo4j import store as neo4j_store
    from graph.neo4j.store import Neo4jStore

    monkeypatch.setattr(neo4j_store, "VERSION_CHECK_SECONDS", 0.2)
    store = Neo4jStore(neo4j_uri)
    release, asked = threading.Event(), threading.Event()
    try:
        known = store.version()
        real = store._run

        def slow(query, **kw):
            if query == neo4j_store.cy.DATA_VERSION:
                asked.set()
                assert release.wait(10)
            return real(query, **kw)

        monkeypatch.setattr(store, "_run", slow)
        time.sleep(0.25)
        assert store.version() == known  # answered while the database is still being asked
        assert asked.wait(5) and not release.is_set()
        assert store.version() == known  # one reader at a time
        release.set()
    finally:
        release.set()
        store.close()


def test_gates_are_forgotten_once_their_answer_is_in():
    from graph.analyses import cache

    store = MemoryStore()
    for i in range(50):
        cached(store, ("search", i), lambda i=i: i)
    assert not [k for k in cache._inflight if k[0] == id(store)]
