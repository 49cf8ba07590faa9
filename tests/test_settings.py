"""Each TUPU_ variable, set in the environment, changes what the CLI and what the API do: one
settings object per process (``graph.config.Settings``) reaches every command and route.

The CLI runs as a user runs it (a subprocess in another folder); the API is the app
``create_app()`` builds from the same environment. Upload limits have their API tests in
``test_security`` (the CLI reads no uploads); the row, cell and report limits are checked on the
CLI here."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import graph.config
from api.app import create_app
from tests.apps import bearer
from tests.ledger_files import write_csv

ROOT = Path(__file__).resolve().parent.parent
ORGS = [["组织编码", "组织名称", "组织类别"], ["O1", "甲党支部", "党支部"]]

# Where each variable's effect is checked, on the CLI and on the API.
TESTED = {
    "TUPU_HOME": ("test_home", "test_home"),
    "TUPU_DATA": ("test_data", "test_data"),
    "TUPU_BACKEND": ("test_backend_and_uri", "test_backend_and_uri"),
    "TUPU_NEO4J_URI": ("test_backend_and_uri", "test_backend_and_uri"),
    "TUPU_NEO4J_USER": ("test_user_and_password", "test_user_and_password"),
    "TUPU_NEO4J_PASSWORD": ("test_user_and_password", "test_user_and_password"),
    "TUPU_NEO4J_DATABASE": ("test_database", "test_database"),
    "TUPU_POLICY": ("test_cli_settings.test_tupu_policy_reaches_the_cli", "test_policy"),
    "TUPU_MAX_UPLOAD_MB": (None, "test_security.test_uploads_over_the_limits_are_refused_in_chinese"),
    "TUPU_MAX_UNZIPPED_MB": ("test_read_limits", "test_security.test_uploads_over_the_limits_are_refused_in_chinese"),
    "TUPU_MAX_ROWS": ("test_read_limits", "test_security.test_uploads_over_the_limits_are_refused_in_chinese"),
    "TUPU_MAX_CELL_CHARS": ("test_read_limits", "test_security.test_uploads_over_the_limits_are_refused_in_chinese"),
    "TUPU_MAX_REPORT_ISSUES": ("test_read_limits", "test_security.test_uploads_over_the_limits_are_refused_in_chinese"),
    "TUPU_MAX_CONCURRENT_LOADS": (None, "test_security.test_concurrent_loads_are_bounded"),
    "TUPU_REQUESTS_PER_CONNECTION": ("test_api.test_one_served_process_keeps_its_connections_several_turn_them_over",
                                     "test_requests_per_connection"),
    "TUPU_API_NICE": (None, "test_api_nice"),
    "TUPU_PAGE_MAKER": (None, "test_page_maker"),
}


def test_every_documented_variable_has_its_tests():
    documented = set(re.findall(r"``(TUPU_\w+)``", graph.config.__doc__ or ""))
    assert documented == set(TESTED)


def tupu(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "COLUMNS": "200",
            "XDG_DATA_HOME": str(cwd / "xdg")}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=180)


def api(monkeypatch, env: dict[str, str]) -> TestClient:
    """A client of the app built from ``env`` (and nothing else of the test's environment)."""
    for k in list(os.environ):
        if k.startswith("TUPU_"):
            monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return TestClient(create_app())


def admin_of(client: TestClient) -> dict[str, str]:
    secret, _ = client.app.state.tokens.create("admin", name="测试")  # type: ignore[attr-defined]
    return bearer(secret)


def test_home(tmp_path, monkeypatch):
    env = {"TUPU_HOME": str(tmp_path / "家")}
    r = tupu(["token", "create", "--role", "viewer", "--name", "甲"], tmp_path, env)
    assert r.returncode == 0, r.stderr
    secret = r.stdout.strip().splitlines()[-1]
    assert (tmp_path / "家" / "tokens.json").exists()
    r = tupu(["ingest", str(write_csv(tmp_path / "党组织.csv", ORGS))], tmp_path, env)
    assert r.returncode == 0 and (tmp_path / "家" / "tupu-graph.pickle").exists()
    with api(monkeypatch, env) as c:
        assert c.get("/health").json()["home"] == str(tmp_path / "家")
        # the CLI's token, kept in TUPU_HOME, opens the API of the same TUPU_HOME
        assert c.get("/search", params={"q": "甲党支部"}, headers=bearer(secret)).json()[0]["id"] == "O1"


def test_data(tmp_path, monkeypatch):
    data = tmp_path / "别处" / "图.pickle"
    env = {"TUPU_HOME": str(tmp_path / "home"), "TUPU_DATA": str(data)}
    assert tupu(["ingest", str(write_csv(tmp_path / "党组织.csv", ORGS))], tmp_path, env).returncode == 0
    assert data.exists() and not (tmp_path / "home" / "tupu-graph.pickle").exists()
    assert "别处" in tupu(["stats"], tmp_path, env).stdout
    with api(monkeypatch, env) as c:
        assert c.get("/search", params={"q": "甲党支部"}, headers=admin_of(c)).json()[0]["id"] == "O1"
    with api(monkeypatch, {"TUPU_HOME": str(tmp_path / "home")}) as c:  # without it: another store
        r = c.get("/search", params={"q": "甲党支部"}, headers=admin_of(c))
        assert r.status_code == 404 and "图谱为空" in r.json()["detail"]


def test_policy(tmp_path, monkeypatch):
    members = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                                *[[f"M{i}", "张三", "正式", "O1"] for i in range(4)]])
    env = {"TUPU_HOME": str(tmp_path / "home")}
    assert tupu(["ingest", str(write_csv(tmp_path / "党组织.csv", ORGS)), str(members)], tmp_path, env).returncode == 0
    policy = tmp_path / "p.yaml"
    policy.write_text("o1_min_formal: 5\n", encoding="utf-8")
    for extra, expected in (({}, []), ({"TUPU_POLICY": str(policy)}, ["O1"])):
        with api(monkeypatch, {**env, **extra}) as c:
            assert [g["id"] for g in c.get("/gaps", params={"rule": "O1"}, headers=admin_of(c)).json()] == expected


@pytest.mark.neo4j
def test_backend_and_uri(tmp_path, monkeypatch, neo4j_uri):
    """TUPU_BACKEND=neo4j with TUPU_NEO4J_URI: the CLI loads into that Neo4j and the API reads
    it; a URI where nothing listens is named in a clear error, not a traceback."""
    db_env = {"TUPU_HOME": str(tmp_path / "home"), "TUPU_BACKEND": "neo4j", "TUPU_NEO4J_URI": neo4j_uri}
    code = f"O{uuid.uuid4().hex[:8].upper()}"
    f = write_csv(tmp_path / "党组织.csv", [ORGS[0], [code, "乙党支部", "党支部"]])
    assert tupu(["ingest", str(f)], tmp_path, db_env).returncode == 0
    assert f"Neo4j {neo4j_uri}" in tupu(["stats"], tmp_path, db_env).stdout
    assert not (tmp_path / "home" / "tupu-graph.pickle").exists()
    with api(monkeypatch, db_env) as c:
        assert c.get("/health").json()["backend"] == "neo4j"
        r = c.get(f"/entities/Organization/{code}", headers=admin_of(c))
        assert r.status_code == 200 and r.json()["props"]["name"] == "乙党支部", r.text

    nowhere = {**db_env, "TUPU_NEO4J_URI": "bolt://127.0.0.1:9"}
    r = tupu(["stats"], tmp_path, nowhere)
    assert r.returncode == 1 and "无法连接" in r.stdout + r.stderr and "127.0.0.1:9" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    with api(monkeypatch, nowhere) as c:
        r = c.get("/health")
        assert r.status_code == 503 and "无法连接" in r.json()["message"]


@pytest.mark.neo4j
def test_database(tmp_path, monkeypatch, neo4j_uri):
    env = {"TUPU_HOME": str(tmp_path / "home"), "TUPU_BACKEND": "neo4j", "TUPU_NEO4J_URI": neo4j_uri,
           "TUPU_NEO4J_DATABASE": "nosuchdb"}
    r = tupu(["stats"], tmp_path, env)
    assert r.returncode == 1 and "没有名为“nosuchdb”的数据库" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    with api(monkeypatch, env) as c:
        r = c.get("/health")
        assert r.status_code == 503 and "nosuchdb" in r.json()["message"]
        assert c.get("/gaps", headers=admin_of(c)).status_code == 503


@pytest.fixture(scope="module")
def neo4j_with_auth(local_neo4j, tmp_path_factory):
    """A second local Neo4j, started with a password (auth on)."""
    if local_neo4j is None:
        pytest.skip("an outside Neo4j was given (TUPU_TEST_NEO4J_URI): auth is its own")
    from neo4j_local.launcher import LocalNeo4j, free_port

    inst = LocalNeo4j(tmp_path_factory.mktemp("auth"), instance="auth")
    try:
        yield inst.start(port=free_port(), heap="512m", pagecache_mb=64, password="甲乙-secret")
    finally:
        inst.remove()


@pytest.mark.neo4j
def test_user_and_password(tmp_path, monkeypatch, neo4j_with_auth):
    base = {"TUPU_HOME": str(tmp_path / "home"), "TUPU_BACKEND": "neo4j", "TUPU_NEO4J_URI": neo4j_with_auth}
    good = {**base, "TUPU_NEO4J_USER": "neo4j", "TUPU_NEO4J_PASSWORD": "甲乙-secret"}
    assert tupu(["ingest", str(write_csv(tmp_path / "党组织.csv", ORGS))], tmp_path, good).returncode == 0
    assert "甲党支部" in tupu(["search", "甲党支部"], tmp_path, good).stdout
    with api(monkeypatch, good) as c:
        assert c.get("/health").json()["reachable"] is True
        assert c.get("/search", params={"q": "甲党支部"}, headers=admin_of(c)).json()[0]["id"] == "O1"
    for bad in ({**good, "TUPU_NEO4J_PASSWORD": "wrong"}, base):
        r = tupu(["stats"], tmp_path, bad)
        assert r.returncode == 1 and ("拒绝登录" in r.stdout + r.stderr or "未授权" in r.stdout + r.stderr), \
            r.stdout + r.stderr
        assert "Traceback" not in r.stderr and "甲乙-secret" not in r.stdout + r.stderr
        with api(monkeypatch, bad) as c:
            r = c.get("/health")
            assert r.status_code == 503 and "甲乙-secret" not in r.text


def test_read_limits(tmp_path):
    """The row, cell, unpacked-size and report limits bound what ``tupu ingest`` reads."""
    head = ORGS[0]
    for d in ("rows", "cells", "bomb"):
        (tmp_path / d).mkdir()
    rows = write_csv(tmp_path / "rows" / "党组织.csv", [head, *[[f"O{i}", "甲", "党委"] for i in range(30)]])
    cells = write_csv(tmp_path / "cells" / "党组织.csv", [head, *[[f"P{i}", "名" * 60, "党委"] for i in range(12)]])

    def ingest(path: Path, **limits: int) -> dict:
        env = {"TUPU_HOME": str(tmp_path / "home"), **{k: str(v) for k, v in limits.items()}}
        report = tmp_path / f"{uuid.uuid4().hex}.json"
        r = tupu(["ingest", str(path), "--report", str(report)], tmp_path, env)
        assert r.returncode in (0, 1, 3) and "Traceback" not in r.stderr, r.stderr  # 3: nothing landed
        return json.loads(report.read_text(encoding="utf-8"))

    rep = ingest(rows, TUPU_MAX_ROWS=10)
    assert rep["landed"] == {"党组织": 10} and "超过行数上限" in rep["rejected"][-1]["reason"]
    assert ingest(rows)["landed"] == {"党组织": 30}
    rep = ingest(cells, TUPU_MAX_CELL_CHARS=50, TUPU_MAX_REPORT_ISSUES=5)
    assert len(rep["rejected"]) == 5 and rep["not_listed"]["rejected"] == 7
    assert "单元格内容过长" in rep["rejected"][0]["reason"]

    from tests.ledger_files import forged_xlsx
    from tests.test_security import _row
    bomb = tmp_path / "bomb" / "党组织.xlsx"
    bomb.write_bytes(forged_xlsx(_row(1, *head) + "".join(_row(i, f"Q{i}", "x" * 1000, "党委") for i in range(2, 3000))))
    assert "解压后" in ingest(bomb, TUPU_MAX_UNZIPPED_MB=1)["rejected"][0]["reason"]
    assert ingest(bomb, TUPU_MAX_CELL_CHARS=2000)["landed"] == {"党组织": 2998}


def test_requests_per_connection(monkeypatch, tmp_path):
    """The served app closes a keep-alive connection after that many requests (api/turnover.py)."""
    import gc

    from api.app import serve_app

    monkeypatch.setattr(gc, "set_threshold", lambda *a: None)  # (serve_app's, for this process)
    monkeypatch.setattr("api.app.yield_cpu", lambda nice: None)  # (the same: not the test process's)
    for k in list(os.environ):
        if k.startswith("TUPU_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_REQUESTS_PER_CONNECTION", "2")
    with TestClient(serve_app()) as c:
        said = [c.get("/health").headers.get("connection") for _ in range(4)]
    assert said == [None, "close", None, "close"]
    monkeypatch.setenv("TUPU_REQUESTS_PER_CONNECTION", "很多")
    with pytest.raises(ValueError, match="TUPU_REQUESTS_PER_CONNECTION"):
        graph.config.Settings.from_env()


def served(code: str, folder: Path, **env: str) -> list[str]:
    """What ``code`` prints in a process of its own that builds the served app (niceness is not
    given back) from ``env`` alone."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "TUPU_HOME": str(folder)}
    out = subprocess.run([sys.executable, "-c", "import os; from api.app import serve_app; " + code],
                         cwd=folder, env={**base, **env}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_api_nice(tmp_path):
    """The served app's process runs at that niceness."""
    def nice(**env: str) -> int:
        return int(served("serve_app(); print(os.getpriority(os.PRIO_PROCESS, 0))", tmp_path, **env)[-1])

    mine = os.getpriority(os.PRIO_PROCESS, 0)  # (a child starts at its parent's)
    assert nice() == max(mine, 10)
    assert nice(TUPU_API_NICE="3") == max(mine, 3)
    assert nice(TUPU_API_NICE="0") == mine  # as started
    with pytest.raises(ValueError, match="TUPU_API_NICE"):
        graph.config.Settings.from_env({"TUPU_API_NICE": "低"})


def test_page_maker(tmp_path):
    """Served on Neo4j, each process starts a page maker at the niceness it was started with
    (api/page_maker.py); none with TUPU_PAGE_MAKER=0, nor on the embedded store."""
    code = ("m = serve_app().state.maker; "
            "print('none' if m is None else os.getpriority(os.PRIO_PROCESS, m._proc.pid), "
            "os.getpriority(os.PRIO_PROCESS, 0)); m and m.close()")

    def maker(**env: str) -> list[str]:
        return served(code, tmp_path, TUPU_NEO4J_URI="bolt://127.0.0.1:9", **env)  # (never asked: nothing served)

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert maker(TUPU_BACKEND="neo4j") == [str(mine), str(max(mine, 10))]
    assert maker(TUPU_BACKEND="neo4j", TUPU_PAGE_MAKER="0") == ["none", str(max(mine, 10))]
    assert maker(TUPU_BACKEND="memory")[0] == "none"
    with pytest.raises(ValueError, match="TUPU_PAGE_MAKER"):
        graph.config.Settings.from_env({"TUPU_PAGE_MAKER": "是"})
