"""One error root: every error Tupu reports is a TupuError whose kind gives the API's status and
the CLI's exit code, handled once in the app and once in the CLI."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.gaps import UnknownRule
from graph.analyses.trace import NotFound
from graph.errors import TupuError
from graph.memory.store import MemoryStore
from graph.model import UnknownLabel
from graph.policy import PolicyError
from graph.store import SaveFailed, StoreUnavailable
from ingest.checks import BadValue
from ingest.readers import TooLarge
from neo4j_local.launcher import Neo4jLaunchError
from tests.apps import app_with_admin, bearer
from viz.png import NoBrowser
from viz.views import ViewNotFound


def test_every_error_kind_has_one_root_and_a_status():
    kinds = {UnknownRule: 422, NotFound: 404, UnknownLabel: 404, PolicyError: 422, StoreUnavailable: 503,
             SaveFailed: 503, BadValue: 422, TooLarge: 413, Neo4jLaunchError: 503, NoBrowser: 503,
             ViewNotFound: 404}
    for kind, status in kinds.items():
        assert issubclass(kind, TupuError) and kind.status == status, kind
    # the built-in bases stay, so callers that caught ValueError or LookupError still do
    assert issubclass(BadValue, ValueError) and issubclass(NotFound, LookupError)


def test_the_api_answers_each_kind_with_its_status():
    store = MemoryStore()
    app, token = app_with_admin(lambda: store)
    with TestClient(app, headers=bearer(token)) as c:
        assert c.get("/gaps").status_code == 404  # an empty store is said: EmptyGraph
    store.upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部", "kind": "党支部"}])
    with TestClient(app, headers=bearer(token)) as c:
        assert c.get("/trace/NOPE").status_code == 404
        r = c.get("/gaps", params={"rule": "X9"})
        assert r.status_code == 422 and "未知的规则" in r.json()["detail"]
        assert c.get("/entities/Nothing").status_code == 404


def test_the_cli_prints_the_message_and_exits_with_the_kind_code(tmp_path, monkeypatch):
    store = MemoryStore(tmp_path / "g.pickle")
    store.upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部", "kind": "党支部"}])
    store.close()
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    r = CliRunner().invoke(cli, ["trace", "NOPE"])
    assert r.exit_code == 1 and "未找到“NOPE”" in r.output and "Traceback" not in r.output


def test_the_embedded_store_does_not_overwrite_another_processs_save(tmp_path):
    """`tupu serve` keeps the embedded graph in memory; a `tupu ingest` meanwhile saves the file.
    The server's next write must not save over it (the CLI's load was lost): it is undone, the
    file's graph read, and the writer told to load again."""
    path = tmp_path / "graph.pickle"
    MemoryStore(path).close()
    server, cli = MemoryStore(path), MemoryStore(path)
    cli.upsert_nodes("Unit", [{"id": "CLI1", "name": "命令行载入的公司", "kind": "非公企业"}])
    cli.save()
    server.upsert_nodes("Unit", [{"id": "API1", "name": "接口载入的公司", "kind": "非公企业"}])
    with pytest.raises(SaveFailed, match="另一个进程"):
        server.save()
    assert server.get("Unit", "CLI1") is not None and server.get("Unit", "API1") is None
    assert MemoryStore(path).get("Unit", "CLI1") is not None  # the CLI's load kept on disk
    server.upsert_nodes("Unit", [{"id": "API1", "name": "接口载入的公司", "kind": "非公企业"}])
    server.save()  # loaded again, now on top of it
    assert {MemoryStore(path).get("Unit", k) is not None for k in ("CLI1", "API1")} == {True}


def test_the_served_embedded_store_reads_another_processs_save(tmp_path, monkeypatch):
    """A `tupu ingest` while `tupu serve` runs on the embedded store shows in the server's answers
    (its store looks at the file at most every FILE_CHECK_SECONDS)."""
    from graph.analyses.cache import cached
    from graph.memory import store as memory_store

    monkeypatch.setattr(memory_store, "FILE_CHECK_SECONDS", 0.0)
    path = tmp_path / "graph.pickle"
    MemoryStore(path).close()
    server, cli = MemoryStore(path), MemoryStore(path)
    assert cached(server, "units", lambda: server.counts()["Unit"]) == 0
    cli.upsert_nodes("Unit", [{"id": "CLI1", "name": "命令行载入的公司", "kind": "非公企业"}])
    cli.save()
    assert cached(server, "units", lambda: server.counts()["Unit"]) == 1
