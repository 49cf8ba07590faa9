"""Pages not kept yet are made by a process of the API process's own (#18, api/page_maker.py):
the same bytes as made in-process, for every scope; when the maker fails or is gone, the page is
made in-process as before."""
from __future__ import annotations

import asyncio
import gzip
import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.entity_json import entity_json
from api.page_maker import BATCH, THREADS, MakerUnavailable, PageMaker, _entities, serve
from graph.analyses.scope import Scope
from graph.neo4j.store import Neo4jStore
from ingest.demo import generate
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer
from tests.test_access import MINE

GZIP = {"Accept-Encoding": "gzip"}


def _maker_in_a_thread(make) -> PageMaker:
    """A maker serving ``make`` from a thread of this process (the protocol, without a process)."""
    ours, theirs = socket.socketpair()
    threading.Thread(target=serve, args=(theirs, make), daemon=True).start()
    return PageMaker(ours, None)


def _run(coroutine):
    """``asyncio.run`` on a thread of its own (the browser tests' driver keeps a loop running
    on this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _each(make_one):
    """A maker's ``make`` (a list of jobs) from a function of one job."""
    return lambda jobs: [make_one(job) for job in jobs]


def test_jobs_come_back_as_their_pages_and_a_failed_job_as_unavailable():
    @_each
    def make(job):
        if job[0] == "boom":
            raise RuntimeError("身份证号 110101199003070014 不在")  # masked on the way back
        return None if job[0] == "none" else (json.dumps({"job": job[1]}).encode(), {"X-N": str(job[1])})

    maker = _maker_in_a_thread(make)

    async def ask():
        pages = await asyncio.gather(*(maker.make(("page", i)) for i in range(20)))
        none = await maker.make(("none",))
        with pytest.raises(MakerUnavailable) as failed:
            await maker.make(("boom",))
        return pages, none, str(failed.value)

    pages, none, failed = _run(ask())
    assert [json.loads(gzip.decompress(body)) for body, _ in pages] == [{"job": i} for i in range(20)]
    assert [headers for _, headers in pages] == [{"X-N": str(i)} for i in range(20)]
    assert none is None
    assert "RuntimeError" in failed and "110101199003070014" not in failed
    maker.close()


def test_jobs_queued_while_the_threads_are_busy_are_made_together():
    """The first visits after a start come in a burst: the jobs that queue up meanwhile are
    made in batches of at most BATCH, each page still going back to its own asker."""
    held = threading.Event()
    batches: list[list] = []

    def make(jobs):
        held.wait(10)  # every thread busy until all the jobs are queued
        batches.append(jobs)
        return [(json.dumps({"job": job[1]}).encode(), {}) for job in jobs]

    maker = _maker_in_a_thread(make)
    count = THREADS + 3 * BATCH

    async def ask():
        asked = [asyncio.ensure_future(maker.make(("page", i))) for i in range(count)]
        await asyncio.sleep(0.5)
        held.set()
        return await asyncio.gather(*asked)

    pages = _run(ask())
    assert [json.loads(gzip.decompress(body)) for body, _ in pages] == [{"job": i} for i in range(count)]
    assert sum(len(b) for b in batches) == count and max(len(b) for b in batches) == BATCH
    assert len(batches) < count / 4  # (made one by one, there would be one batch per job)
    maker.close()


def test_a_failed_batch_fails_each_of_its_jobs_alone():
    def make(jobs):
        raise RuntimeError("数据库中断")

    maker = _maker_in_a_thread(make)

    async def ask():
        return await asyncio.gather(*(maker.make(("page", i)) for i in range(5)), return_exceptions=True)

    failed = _run(ask())
    assert all(isinstance(f, MakerUnavailable) and "数据库中断" in str(f) for f in failed)
    maker.close()


def test_a_maker_gone_is_unavailable_at_once(caplog):
    ours, theirs = socket.socketpair()
    maker = PageMaker(ours, None)
    theirs.close()

    async def ask():
        for _ in range(2):
            with pytest.raises(MakerUnavailable):
                await maker.make(("page", 1))

    with caplog.at_level(logging.WARNING, "tupu.api"):
        _run(ask())
    assert sum("page maker gone" in r.getMessage() for r in caplog.records) == 1
    maker.close()


def test_a_maker_gone_is_started_again_after_a_while(monkeypatch, caplog):
    """Meanwhile its pages are made in-process; then a new maker makes them again."""
    ends: list[socket.socket] = []

    def spawn():
        ours, theirs = socket.socketpair()
        ends.append(theirs)
        threading.Thread(target=serve, args=(theirs, _each(lambda job: (b'{"n": %d}' % len(ends), {}))),
                         daemon=True).start()
        return ours, None

    maker = PageMaker(*spawn(), spawn=spawn)

    async def page():
        return gzip.decompress((await maker.make(("page", 1)))[0])

    async def ask():  # (one event loop, as in the served app)
        pages = [await page()]
        ends[0].shutdown(socket.SHUT_RDWR)  # the maker dies
        await asyncio.sleep(0.2)
        for _ in range(2):  # gone, and started too lately to start again: made in-process
            with pytest.raises(MakerUnavailable):
                await page()
        monkeypatch.setattr("api.page_maker.RESTART_SECONDS", 0.0)
        pages.append(await page())
        maker.close()
        with pytest.raises(MakerUnavailable):  # a maker closed stays closed
            await page()
        return pages

    with caplog.at_level(logging.WARNING, "tupu.api"):
        assert _run(ask()) == [b'{"n": 1}', b'{"n": 2}']
    messages = [r.getMessage() for r in caplog.records]
    assert sum("page maker gone" in m for m in messages) == 1 and sum("restarted" in m for m in messages) == 1
    assert len(ends) == 2


@pytest.fixture(scope="module")
def neo4j_city(tmp_path_factory, neo4j_store):
    neo4j_store.clear()
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, scale=1, fmt="csv")
    Loader(neo4j_store).load([folder])
    return neo4j_store


@pytest.mark.neo4j
def test_the_maker_process_makes_the_same_pages_for_every_scope(neo4j_city, neo4j_uri, monkeypatch, caplog):
    store = neo4j_city
    monkeypatch.setenv("TUPU_BACKEND", "neo4j")
    monkeypatch.setenv("TUPU_NEO4J_URI", neo4j_uri)
    street = Scope(store, "region", MINE)
    orgs = store.list_nodes("Organization", limit=5000)
    mine = next(o for o in orgs if street.allows("Organization", o.key))
    other = next(o for o in orgs if not street.allows("Organization", o.key))
    member = store.list_nodes("Member", limit=1)[0]
    asked = [f"/entities/Organization/{mine.key}", f"/entities/Organization/{other.key}",
             f"/entities/Member/{member.key}"]

    def pages(maker: PageMaker | None) -> tuple[list, list]:
        app, admin = app_with_admin(lambda: Neo4jStore(neo4j_uri), maker=maker)  # (closed with the app)
        viewer, _ = app.state.tokens.create("viewer", "region", MINE, name="昆明街书记")
        with TestClient(app) as c:
            answers = [c.get(path, headers={**bearer(token), **GZIP})
                       for token in (admin, viewer) for path in asked]
            again = [c.get(path, headers={**bearer(admin), **GZIP}).headers["x-tupu-kept"] for path in asked]
        return [(a.status_code, a.headers.get("x-tupu-kept"), a.content) for a in answers], again

    in_process, _ = pages(None)
    maker = PageMaker.start()
    try:
        # made in-process, the test would fail: so every page below is the maker's
        monkeypatch.setattr("api.routers.entities.entity_json", lambda *a: pytest.fail("made in-process"))
        by_maker, again = pages(maker)
    finally:
        maker.close()
    assert by_maker == in_process
    assert [status for status, _, _ in by_maker][:5] == [200, 200, 200, 200, 404]  # the viewer's street only
    assert {kept for status, kept, _ in by_maker if status == 200} == {"no"} and again == ["yes"] * 3
    assert json.loads(by_maker[0][2])["id"] == mine.key  # (httpx unpacks the gzip)
    assert maker._proc is not None and maker._proc.poll() is not None  # stopped with the app


@pytest.mark.neo4j
def test_pages_made_together_are_the_pages_made_one_by_one(neo4j_city):
    """A batch mixing labels, scopes, keys outside the scope, missing and repeated keys."""
    from graph.policy import load_policy

    store, policy = neo4j_city, load_policy()
    street = Scope(store, "region", MINE)
    orgs = store.list_nodes("Organization", limit=5000)
    mine = [o.key for o in orgs if street.allows("Organization", o.key)][:3]
    other = next(o.key for o in orgs if not street.allows("Organization", o.key))
    members = [m.key for m in store.list_nodes("Member", limit=4)]
    jobs = [("entity", "Organization", key, kind, value)
            for key in [*mine, other, "无此组织", mine[0]] for kind, value in (("all", None), ("region", MINE))]
    jobs += [("entity", "Member", key, "all", None) for key in members]
    batched = _entities(store, policy, jobs)
    one_by_one = [entity_json(store, Scope(store, kind, value, policy), label, key)
                  for _, label, key, kind, value in jobs]
    assert batched == one_by_one
    assert sum(page is None for page in batched) == 3  # the missing code twice, the other street's once
    assert all(json.loads(page[0])["links"] for page in batched if page is not None)


@pytest.mark.neo4j
def test_pages_are_made_in_process_when_the_maker_dies(neo4j_city, neo4j_uri, monkeypatch, caplog):
    store = neo4j_city
    monkeypatch.setenv("TUPU_BACKEND", "neo4j")
    monkeypatch.setenv("TUPU_NEO4J_URI", neo4j_uri)
    orgs = [o.key for o in store.list_nodes("Organization", limit=3)]
    maker = PageMaker.start()
    app, admin = app_with_admin(lambda: Neo4jStore(neo4j_uri), maker=maker)
    with TestClient(app) as c, caplog.at_level(logging.WARNING, "tupu.api"):
        first = c.get(f"/entities/Organization/{orgs[0]}", headers={**bearer(admin), **GZIP})
        assert maker._proc is not None
        maker._proc.kill()
        maker._proc.wait()
        after = [c.get(f"/entities/Organization/{o}", headers=bearer(admin)) for o in orgs[1:]]
    assert first.status_code == 200 and [a.status_code for a in after] == [200, 200]
    assert [a.json()["id"] for a in after] == orgs[1:]
    assert any("page maker gone" in r.getMessage() for r in caplog.records)
