"""The local Neo4j launcher: start, status, stop, and a restart that keeps the data."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from graph.neo4j.store import Neo4jStore
from neo4j_local.launcher import LocalNeo4j, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.neo4j
def test_start_stop_restart_keeps_data(local_neo4j):
    if local_neo4j is None:
        pytest.skip("an outside Neo4j is in use (TUPU_TEST_NEO4J_URI)")
    inst = LocalNeo4j(local_neo4j.home, instance=local_neo4j.instance + "-restart")
    try:
        t0 = time.monotonic()
        uri = inst.start(port=free_port(), heap="512m")
        assert time.monotonic() - t0 < 60
        assert inst.status() == uri
        assert inst.start() == uri  # already running: the same URI, no second process
        s = Neo4jStore(uri)
        s.upsert_nodes("Organization", [{"id": "O1", "name": "持久化测试党支部", "kind": "党支部"}])
        s.close()
        assert inst.stop() is True
        assert inst.status() is None
        uri = inst.start(port=free_port(), heap="512m")
        s = Neo4jStore(uri)
        assert s.get("Organization", "O1").props["name"] == "持久化测试党支部"
        s.close()
    finally:
        inst.remove()
    assert inst.stop() is False
