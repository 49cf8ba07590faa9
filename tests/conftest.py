"""Shared fixtures: one real Neo4j per test session, and the ``store`` fixture that runs every
contract test against both backends.

With ``CI=true`` a Neo4j that cannot start fails the run; elsewhere (no Java) the Neo4j half of
the suite is skipped with a loud reason. ``TUPU_TEST_NEO4J_URI`` points the tests at a Neo4j
that is already running instead (its data is wiped by the tests).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.memory.store import MemoryStore
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def own_home(request, tmp_path_factory, monkeypatch) -> None:
    """Each test its own TUPU_HOME (what the CLI records — loads, campaigns, meetings — stays in
    it). Fixtures wider than a test were set up before this one and keep the suite's."""
    monkeypatch.setenv("TUPU_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def local_neo4j():
    """The session's throw-away Neo4j instance (None when an outside URI is given)."""
    if os.environ.get("TUPU_TEST_NEO4J_URI"):
        yield None
        return
    from neo4j_local.launcher import LocalNeo4j, Neo4jLaunchError, free_port

    home = Path(os.environ.get("TUPU_HOME") or ROOT / ".tupu")
    inst = LocalNeo4j(home, instance=f"test-{uuid.uuid4().hex[:8]}")
    try:
        inst.start(port=free_port(), heap="1g")
    except Neo4jLaunchError as e:
        inst.remove()
        if IN_CI:
            pytest.fail(f"CI=true but the local Neo4j could not start: {e}", pytrace=False)
        pytest.skip(f"!!! NEO4J TESTS SKIPPED: the local Neo4j could not start ({e}) !!!")
    yield inst
    inst.remove()


@pytest.fixture(scope="session")
def neo4j_uri(local_neo4j) -> str:
    return os.environ.get("TUPU_TEST_NEO4J_URI") or local_neo4j.status()


@pytest.fixture(scope="session")
def neo4j_store(neo4j_uri):
    from graph.neo4j.store import Neo4jStore

    store = Neo4jStore(neo4j_uri)
    yield store
    store.close()


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path) -> Iterator[GraphStore]:
    """An empty store of each backend."""
    if request.param == "memory":
        s = MemoryStore(tmp_path / "graph.pickle")
        yield s
        s.close()
    else:
        s = request.getfixturevalue("neo4j_store")
        s.clear()
        yield s


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser), one per session."""
    from tests.browser import CHROMIUM_FLAGS, chromium_path

    exe = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
        yield b
        b.close()
