"""The API skeleton on both backends, and its answer when Neo4j is unreachable."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.schemas import EntityOut
from graph.neo4j.store import Neo4jStore
from neo4j_local.launcher import free_port
from tests.apps import app_with_admin, bearer
from tests.test_store_contract import seed


@pytest.fixture
def client(store):
    seed(store)
    store.upsert_nodes("Member", [{"id": "M1", "name": "张三", "category": "正式",
                                   "id_card": "51010519900101123X", "phone": "13812345678"}])
    yield from client_for(store)


def client_for(store):
    """A TestClient, with an admin token, whose app opens its own store on the same data (the
    app closes it)."""
    factory = (lambda: Neo4jStore(store.uri)) if store.backend == "neo4j" else (lambda: store)
    app, token = app_with_admin(factory)
    with TestClient(app, headers=bearer(token)) as c:
        yield c


def test_health(client, store):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body.pop("home")  # the data folder, said
    assert body == {"status": "ok", "backend": store.backend, "reachable": True, "message": "运行正常"}


def test_get_entity_with_links(client):
    r = client.get("/entities/Organization/O2")
    assert r.status_code == 200
    body = r.json()
    assert body["label_zh"] == "党组织" and body["name"] == "阳光社区党委"
    assert [(l["type_zh"], l["direction"], l["other"]["id"]) for l in body["links"]] == [
        ("结对", "in", "O3"), ("隶属", "out", "O1"), ("隶属", "in", "O4")]
    assert client.get("/entities/党组织/O2").json()["id"] == "O2"
    # encoded without the model: still exactly what the documented model says
    assert EntityOut.model_validate(body).model_dump(mode="json") == body


def test_missing_entity_and_label_are_404_in_chinese(client):
    r = client.get("/entities/Organization/NOPE")
    assert r.status_code == 404 and "未找到" in r.json()["detail"]
    r = client.get("/entities/Person/1")
    assert r.status_code == 404 and "未知的实体类型" in r.json()["detail"]


def test_personal_data_is_masked(client):
    body = client.get("/entities/Member/M1").json()
    assert body["props"]["id_card"] == "5101**********123X"
    assert body["props"]["phone"] == "138****5678"
    assert "51010519900101123X" not in client.get("/search", params={"q": "张三"}).text


def test_search_chinese(client):
    r = client.get("/search", params={"q": "阳光"})
    assert [(x["label"], x["id"]) for x in r.json()] == [
        ("Organization", "O2"), ("Organization", "O4"), ("Unit", "U1")]
    r = client.get("/search", params={"q": "阳光", "label": "单位"})
    assert [x["id"] for x in r.json()] == ["U1"]
    assert client.get("/search", params={"q": ""}).status_code == 422


def test_list_paginated(client):
    r = client.get("/entities/Organization", params={"skip": 1, "limit": 2})
    body = r.json()
    assert body["total"] == 4 and [x["id"] for x in body["items"]] == ["O2", "O3"]
    assert client.get("/entities/Organization", params={"limit": 0}).status_code == 422


def test_openapi_has_chinese_summaries(client):
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/search"]["get"]["summary"] == "按名称搜索（支持中文）"


def test_neo4j_unreachable_is_503_not_a_stack_trace():
    dead = Neo4jStore(f"bolt://127.0.0.1:{free_port()}")
    app, token = app_with_admin(lambda: dead)
    with TestClient(app, headers=bearer(token)) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["reachable"] is False
        r = c.get("/entities/Organization/O1")
        assert r.status_code == 503
        assert "无法连接" in r.json()["detail"]
        assert "Traceback" not in r.text


def test_post_ingest_returns_the_report(store, tmp_path):
    from tests.ledger_files import write_csv

    f = write_csv(tmp_path / "orgs.csv", [["组织编码", "组织名称", "组织类别"], ["O1", "甲", "党委"],
                                          ["O2", "乙", "党小队"]], "gbk")
    for c in client_for(store):
        with open(f, "rb") as fh:
            r = c.post("/ingest", files=[("files", ("orgs.csv", fh, "text/csv"))])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["landed"] == {"党组织": 1}
        assert body["rejected"][0]["file"] == "orgs.csv" and body["rejected"][0]["row"] == 3
        assert body["rejected"][0]["column"] == "组织类别"
        assert c.get("/entities/Organization/O1").json()["name"] == "甲"
        r = c.post("/ingest", files=[("files", ("x.txt", b"hello", "text/plain"))])
        assert r.status_code == 422


def test_list_exports_to_excel_with_chinese_headers_and_masking(client):
    import io

    from openpyxl import load_workbook

    r = client.get("/entities/Member", params={"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["党员"]
    headers = [c.value for c in ws[1]]
    assert "姓名" in headers and "身份证号" in headers
    row = dict(zip(headers, [c.value for c in ws[2]]))
    assert row["身份证号"] == "5101**********123X" and row["联系电话"] == "138****5678"


def test_an_entity_page_is_kept_until_the_data_changes(client, store, monkeypatch):
    monkeypatch.setattr("graph.neo4j.store.VERSION_CHECK_SECONDS", 0.0)  # the app's store sees it at once
    first = client.get("/entities/Organization/O2").json()
    assert client.get("/entities/Organization/O2").json() == first
    store.upsert_nodes("Organization", [{"id": "O2", "name": "阳光社区党委（更名）", "kind": "党委"}])
    assert client.get("/entities/Organization/O2").json()["name"] == "阳光社区党委（更名）"
    assert client.get("/entities/Organization/NOPE").status_code == 404  # not kept as a page


def test_a_keep_alive_connection_is_closed_now_and_then():
    """The served app closes a connection after every n-th request (api/turnover.py), so that
    connections spread over its processes by how busy each is."""
    from fastapi import FastAPI

    from api.turnover import ConnectionTurnover

    app = FastAPI()
    app.get("/x")(lambda: {"ok": True})
    app.add_middleware(ConnectionTurnover, every=3)
    with TestClient(app) as c:
        said = [c.get("/x").headers.get("connection") for _ in range(7)]
    assert said == [None, None, "close", None, None, "close", None]


def test_one_served_process_keeps_its_connections_several_turn_them_over(monkeypatch, tmp_path):
    """`tupu serve` with one process has nothing to spread connections over (api/turnover.py)."""
    import gc

    import uvicorn
    from typer.testing import CliRunner

    from api.app import serve_app
    from api.cli import app as cli
    from api.turnover import ConnectionTurnover

    monkeypatch.setattr(gc, "set_threshold", lambda *a: None)  # (serve_app's, for this process)
    monkeypatch.setattr("api.app.yield_cpu", lambda nice: None)  # (the same: not the test process's)
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_REQUESTS_PER_CONNECTION", "")  # restored afterwards
    monkeypatch.delenv("TUPU_REQUESTS_PER_CONNECTION")
    assert any(m.cls is ConnectionTurnover for m in serve_app().user_middleware)  # several: the default
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    assert CliRunner().invoke(cli, ["serve", "--workers", "1"]).exit_code == 0
    assert not any(m.cls is ConnectionTurnover for m in serve_app().user_middleware)
