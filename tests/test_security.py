"""Security and reliability of writes and uploads: a scoped writer stays inside its scope (both
stores), uploads are bounded (size, unpacked size, rows, blank runs, cells, report), the CSV
reader cannot be made to backtrack, concurrent loads are bounded, and the return list is a
download only a writer can fetch."""
from __future__ import annotations

import io
import threading
import time

import pytest
from fastapi.testclient import TestClient

from graph.analyses.scope import Scope
from graph.memory.store import MemoryStore
from ingest.demo import generate
from ingest.guard import OUTSIDE, WriteScope
from ingest.loader import Loader
from tests.apps import DEMO_DAY, app_with_admin, bearer
from tests.ledger_files import forged_xlsx, write_csv

MINE, OTHER = "519901001000", "519901002000"
MY_STREET, OTHER_STREET = "JD519901001", "JD519901002"
OTHER_COMMUNITY = "SQ519901002001"
ORG_HEAD = ["组织编码", "组织名称", "组织类别", "上级组织编码", "区划代码"]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, scale=1, fmt="csv", today=DEMO_DAY)
    return folder


def _outside(store) -> list:
    """Every node and relationship of the other street, to see that nothing of it changes."""
    scope = Scope(store, "region", OTHER)
    keys = {label: sorted(scope.visible_keys(label)) for label in ("Organization", "Unit", "Member")}
    nodes = [(n.label, n.key, sorted((k, str(v)) for k, v in n.props.items() if k != "loaded_at"))
             for label, ks in keys.items() for n in store.get_many(label, ks)]
    rels = sorted((r.type, r.start.key, r.end.key) for label, ks in keys.items() for k in ks
                  for r, _ in store.neighbours(label, k))
    return [nodes, rels]


def test_a_scoped_writer_cannot_write_outside_its_scope(store, demo_folder, tmp_path):
    Loader(store).load([demo_folder])
    before = _outside(store)
    name_before = store.get("Organization", OTHER_COMMUNITY).props["name"]
    f = write_csv(tmp_path / "党组织.csv", [
        ORG_HEAD,
        [OTHER_COMMUNITY, "改名的社区党委", "党委", OTHER_STREET, OTHER[:9] + "001"],  # rename theirs
        [OTHER_COMMUNITY, "搬走的社区党委", "党委", MY_STREET, MINE[:9] + "001"],      # (a duplicate)
        ["NEW01", "本街道新建党支部", "党支部", MY_STREET, MINE[:9] + "001"],            # mine: lands
        ["NEW02", "挂到别处的党支部", "党支部", OTHER_STREET, OTHER[:9] + "001"],        # placed outside
        ["NEW03", "没有位置的党支部", "党支部", "", ""],                                  # placed nowhere
    ])
    f2 = write_csv(tmp_path / "党组织2.csv", [
        ORG_HEAD, [OTHER_COMMUNITY, "搬走的社区党委", "党委", MY_STREET, MINE[:9] + "001"]])  # move theirs
    guard = WriteScope(store, Scope(store, "region", MINE))
    report = Loader(store, guard=guard).load([f, f2])
    reasons = {(i.file.rsplit("/", 1)[-1], i.row): i.reason for i in report.rejected}
    assert reasons[("党组织.csv", 2)] == OUTSIDE and reasons[("党组织2.csv", 2)] == OUTSIDE
    assert reasons[("党组织.csv", 5)] == OUTSIDE and reasons[("党组织.csv", 6)] == OUTSIDE
    assert store.get("Organization", "NEW01") is not None
    assert store.get("Organization", "NEW02") is None and store.get("Organization", "NEW03") is None
    assert store.get("Organization", OTHER_COMMUNITY).props["name"] == name_before
    assert _outside(store) == before


def test_a_dry_run_tells_nothing_of_what_lies_outside(store, demo_folder, tmp_path):
    Loader(store).load([demo_folder])

    def dry(code: str):
        f = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                              ["DYNEW1", "张三", "正式", code]])
        guard = WriteScope(store, Scope(store, "region", MINE))
        report = Loader(store, dry_run=True, guard=guard).load([f])
        return [(i.row, i.column, i.reason) for i in report.rejected + report.warnings]

    assert dry(OTHER_COMMUNITY) == dry("SQ000000000000") == [(2, "所在党组织编码", OUTSIDE)]
    assert dry("SQ519901001001") == []  # a branch of my own street


def test_the_api_applies_the_scope_to_uploads(demo_folder, tmp_path):
    store = MemoryStore()
    Loader(store).load([demo_folder])
    app, admin = app_with_admin(lambda: store)
    analyst, _ = app.state.tokens.create("analyst", "region", MINE, name="北街分析员")
    f = write_csv(tmp_path / "o.csv", [ORG_HEAD, [OTHER_COMMUNITY, "改名", "党委", OTHER_STREET, ""]])
    with TestClient(app) as c:
        r = c.post("/ingest", files=[("files", ("o.csv", f.read_bytes(), "text/csv"))], headers=bearer(analyst))
        assert r.status_code == 200 and r.json()["rejected"][0]["reason"] == OUTSIDE
        assert store.get("Organization", OTHER_COMMUNITY).props["name"] != "改名"
        r = c.post("/ingest", files=[("files", ("o.csv", f.read_bytes(), "text/csv"))], headers=bearer(admin))
        assert r.json()["rejected"] == [] and store.get("Organization", OTHER_COMMUNITY).props["name"] == "改名"


# --- bounded uploads -------------------------------------------------------------------------
def _app(tmp_path, monkeypatch, **env):
    for k, v in env.items():
        monkeypatch.setenv(k, str(v))
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    return app_with_admin(lambda: store) + (store,)


def _post(c, token, name: str, data: bytes):
    return c.post("/ingest", files=[("files", (name, data, "application/octet-stream"))], headers=bearer(token))


def _row(n: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{n}">{cells}</row>'


def test_uploads_over_the_limits_are_refused_in_chinese(tmp_path, monkeypatch):
    app, admin, store = _app(tmp_path, monkeypatch, TUPU_MAX_UPLOAD_MB=1, TUPU_MAX_UNZIPPED_MB=5,
                             TUPU_MAX_ROWS=100, TUPU_MAX_CELL_CHARS=50, TUPU_MAX_REPORT_ISSUES=20)
    head = "组织编码,组织名称,组织类别\n"
    with TestClient(app) as c:
        r = _post(c, admin, "big.csv", (head + "O1,甲,党委\n" * 80_000).encode())
        assert r.status_code == 413 and "上传过大" in r.json()["detail"]
        # a zip bomb: a small file that unpacks to tens of MB
        bomb = forged_xlsx(_row(1, "组织编码", "组织名称", "组织类别")
                                    + "".join(_row(i, f"O{i}", "x" * 2000, "党委") for i in range(2, 4000)))
        assert len(bomb) < 1024 * 1024
        r = _post(c, admin, "bomb.xlsx", bomb)
        assert r.status_code == 200 and "解压后" in r.json()["rejected"][0]["reason"]
        assert store.counts()["Organization"] == 0
        # rows past the limit are not read, and the report says so
        r = _post(c, admin, "rows.csv", (head + "".join(f"O{i},甲,党委\n" for i in range(300))).encode())
        rep = r.json()
        assert rep["landed"] == {"党组织": 100} and "超过行数上限" in rep["rejected"][-1]["reason"]
        # a cell too long is not taken; a report lists at most the limit and counts the rest
        r = _post(c, admin, "cells.csv", (head + "".join(f"P{i},{'名' * 60},党委\n" for i in range(40))).encode())
        rep = r.json()
        assert len(rep["rejected"]) == 20 and rep["not_listed"]["rejected"] == 20
        assert "单元格内容过长" in rep["rejected"][0]["reason"]


def test_hostile_files_are_read_in_bounded_time(tmp_path, monkeypatch):
    app, admin, store = _app(tmp_path, monkeypatch)
    far = forged_xlsx(_row(1, "组织编码", "组织名称", "组织类别") + _row(99_999_999_999, "O1", "甲", "党委"))
    quotes = ("组织编码,组织名称,组织类别\n" + ',"a' * 21_000).encode()
    with TestClient(app) as c:
        for name, data in (("far.xlsx", far), ("quotes.csv", quotes)):
            started = time.perf_counter()
            r = _post(c, admin, name, data)
            assert r.status_code == 200, r.text
            assert time.perf_counter() - started < 20, name
        assert any("连续10000行为空" in w["reason"] for w in _post(c, admin, "far.xlsx", far).json()["warnings"])


def test_concurrent_loads_are_bounded(tmp_path, monkeypatch):
    app, admin, store = _app(tmp_path, monkeypatch, TUPU_MAX_CONCURRENT_LOADS=1)
    data = "组织编码,组织名称,组织类别\nO1,甲,党委\n".encode()
    with TestClient(app) as c:
        assert app.state.load_slots.acquire(blocking=False)  # a load under way
        try:
            r = _post(c, admin, "o.csv", data)
            assert r.status_code == 429 and "请稍后再试" in r.json()["detail"]
        finally:
            app.state.load_slots.release()
        assert _post(c, admin, "o.csv", data).status_code == 200


def test_a_long_file_name_and_the_return_list_download(tmp_path, monkeypatch):
    app, admin, store = _app(tmp_path, monkeypatch)
    viewer, _ = app.state.tokens.create("viewer", name="查看者")
    data = "组织编码,组织名称,组织类别,成立日期\nO1,甲,党委,去年\n".encode()
    with TestClient(app) as c:
        r = _post(c, admin, "台账" * 60 + ".csv", data)  # 360 bytes of name
        assert r.status_code == 200, r.text
        (ret,) = r.json()["return_files"]
        assert ret["url"].startswith("/ingest/returns/")
        got = c.get(ret["url"], headers=bearer(admin))
        assert got.status_code == 200 and got.content[:2] == b"PK"
        assert c.get(ret["url"], headers=bearer(viewer)).status_code == 403
        assert c.get(ret["url"]).status_code == 401
        rid = ret["url"].split("/")[3]
        assert c.get(f"/ingest/returns/{rid}/..%2F..%2Ftokens.json", headers=bearer(admin)).status_code == 404
        assert c.get(f"/ingest/returns/{'0' * 32}/x.xlsx", headers=bearer(admin)).status_code == 404


def test_health_answers_while_the_worst_upload_runs(tmp_path, monkeypatch):
    app, admin, store = _app(tmp_path, monkeypatch)
    far = forged_xlsx(_row(1, "组织编码", "组织名称", "组织类别")
                               + "".join(_row(i, f"O{i}", "甲", "党委") for i in range(2, 3000))
                               + _row(99_999_999_999, "O1", "甲", "党委"))
    with TestClient(app) as c:
        done = threading.Event()

        def upload() -> None:
            try:
                _post(c, admin, "far.xlsx", far)
            finally:
                done.set()

        t = threading.Thread(target=upload)
        t.start()
        slowest = 0.0
        while not done.is_set():
            started = time.perf_counter()
            assert c.get("/health").status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            time.sleep(0.05)
        t.join()
        assert slowest < 1.0


# --- formula injection -----------------------------------------------------------------------
HOSTILE_NAMES = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(1)", "=1+1"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_names_that_look_like_formulas_stay_text_and_backups_round_trip(tmp_path, fmt):
    from openpyxl import load_workbook

    from api.exports import gap_rows, gaps_xlsx, to_csv
    from graph.analyses.gaps import find_gaps
    from ingest.backup import export_ledgers

    rows = [["组织编码", "组织名称", "组织类别", "所属领域"]] + [
        [f"O{i}", name, "党支部", "机关"] for i, name in enumerate(HOSTILE_NAMES)]
    store = MemoryStore()
    assert Loader(store).load([write_csv(tmp_path / "o.csv", rows)]).rejected == []
    assert [store.get("Organization", f"O{i}").props["name"] for i in range(len(HOSTILE_NAMES))] == HOSTILE_NAMES
    gaps = find_gaps(store, rules=["O1"])
    wb = load_workbook(io.BytesIO(gaps_xlsx(gaps)))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert set(HOSTILE_NAMES) <= {c.value for c in cells}
    import csv

    names = {r["名称"] for r in csv.DictReader(io.StringIO(to_csv(gap_rows(gaps)).decode("utf-8-sig")))}
    assert names == {"'" + n for n in HOSTILE_NAMES}  # Excel shows them as text
    # a backup (tupu export) loads back exactly
    export_ledgers(store, tmp_path / "backup", fmt=fmt)
    if fmt == "xlsx":
        ws = load_workbook(tmp_path / "backup" / "党组织.xlsx").active
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    again = MemoryStore()
    assert Loader(again).load([tmp_path / "backup"]).rejected == []
    assert [again.get("Organization", f"O{i}").props["name"] for i in range(len(HOSTILE_NAMES))] == HOSTILE_NAMES


# --- clean logs ------------------------------------------------------------------------------
def test_the_access_log_shows_no_token_and_no_id_number(tmp_path, monkeypatch):
    import logging

    import httpx
    import uvicorn

    from neo4j_local.launcher import free_port

    app, admin, store = _app(tmp_path, monkeypatch)
    log_file = tmp_path / "access.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    port = free_port()
    # (uvicorn's Config sets up its loggers: the test's handler is added after it)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        id_number = "11010519491231002X"
        for url in (f"/?token={admin}", f"/trace/{id_number}", f"/search?q={id_number}&token={admin}",
                    f"/entities/Member/{id_number}", "/search?q=13812345678"):
            httpx.get(base + url, headers=bearer(admin))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(handler)
        handler.close()
    text = log_file.read_text(encoding="utf-8")
    assert text.count("GET ") == 5, text
    assert admin not in text and id_number not in text and "13812345678" not in text
    assert "token=***" in text and "1101**********002X" in text


# --- smaller things --------------------------------------------------------------------------
@pytest.mark.parametrize("content,says", [
    ("u1_min_members: 3\n".encode("gbk") + "注释：阈值".encode("gbk"), "UTF-8"),
    (b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n", "别名"),
    (b"u1_min_members: -1\n", "u1_min_members"),
    (b"m4_lost_contact_days: 0\n", "m4_lost_contact_days"),
    (b"x: " + b"a" * 70_000, "过大"),
])
def test_a_bad_policy_file_is_a_clear_error(tmp_path, content, says):
    from graph.policy import PolicyError, load_policy

    p = tmp_path / "policy.yaml"
    p.write_bytes(content)
    with pytest.raises(PolicyError) as e:
        load_policy(p)
    assert says in str(e.value)


def test_a_full_disk_leaves_the_saved_graph_served_and_reported(tmp_path, monkeypatch):
    import errno
    import pickle

    path = tmp_path / "g.pickle"
    store = MemoryStore(path)
    head = ["组织编码", "组织名称", "组织类别"]
    assert Loader(store).load([write_csv(tmp_path / "a.csv", [head, ["O1", "甲", "党委"]])]).error is None
    real_dump = pickle.dump

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pickle, "dump", full)
    report = Loader(store).load([write_csv(tmp_path / "b.csv", [head, ["O2", "乙", "党委"]])])
    assert "无法保存图谱文件" in report.error and "撤销" in report.error
    assert store.get("Organization", "O2") is None and store.get("Organization", "O1") is not None
    monkeypatch.setattr(pickle, "dump", real_dump)
    assert MemoryStore(path).get("Organization", "O1") is not None
    assert not list(tmp_path.glob(".tupu-*.tmp"))


def test_stale_temporary_files_are_cleaned_on_start(tmp_path):
    import os

    stale, fresh = tmp_path / ".tupu-old.tmp", tmp_path / ".tupu-new.tmp"
    for f in (stale, fresh):
        f.write_bytes(b"half a pickle")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    MemoryStore(tmp_path / "g.pickle")
    assert not stale.exists() and fresh.exists()  # another process may still be writing it


def test_issues_never_quote_an_id_number_in_full(tmp_path):
    f = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                          ["11010519491231002X", "张三", "正式", "O1"],
                                          ["11010519491231002X", "张三", "正式", "O1"]])  # an ID as the code
    report = Loader(MemoryStore()).load([f])
    text = str(report.to_dict())
    assert "11010519491231002X" not in text and "1101**********002X" in text
