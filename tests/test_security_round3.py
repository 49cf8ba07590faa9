"""Security round three (#36, items 6–13): cross-origin posts refused, the entity page cache keyed
by the graph it was made from, past graphs bounded, control characters in cells, hostile registry
files, numbers typed inside names, file modes under TUPU_HOME, and the return list's copy masked
for anyone but its uploader."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.apps import app_with_admin, bearer
from tests.ledger_files import write_csv

ORG_HEAD = ["组织编码", "组织名称", "组织类别", "上级组织编码", "区划代码"]


def served(store):
    """(app, admin token) serving ``store``: a Neo4j store through a driver of the app's own (the
    app closes its store as it stops; the fixture's stays open for the test to look)."""
    from graph.neo4j.store import Neo4jStore

    return app_with_admin((lambda: Neo4jStore(store.uri)) if isinstance(store, Neo4jStore) else (lambda: store))


# --- 6. cross-site request forgery ------------------------------------------------------------
def _ledger(tmp_path):
    f = write_csv(tmp_path / "组织.csv", [ORG_HEAD, ["DW1", "甲街道党工委", "党工委", "", ""]])
    return [("files", (f.name, f.read_bytes(), "text/csv"))]


@pytest.mark.parametrize("attack", [
    {"Origin": "http://testserver:18809"},  # another port of the same host: the same site
    {"Origin": "null"},  # a sandboxed page, or a referrer policy that hides it
    {"Sec-Fetch-Site": "same-site"},
    {"Referer": "http://testserver:18809/evil.html"},
])
def test_a_cross_origin_form_post_with_the_admins_cookie_loads_nothing(store, tmp_path, attack):
    app, admin = served(store)
    with TestClient(app) as c:
        # the admin opened a link with ?token=: the cookie is set, the token leaves the address
        r = c.get(f"/?token={admin}", headers={"Accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303 and "token" not in r.headers["location"]
        assert admin in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
        assert r.headers["referrer-policy"] == "same-origin"
        assert c.cookies.get("tupu_token") == admin
        r = c.post("/ingest", files=_ledger(tmp_path), headers=attack)
        assert r.status_code == 403 and "跨站" in r.json()["detail"]
        assert r.headers["referrer-policy"] == "same-origin"
        assert store.get("Organization", "DW1") is None and sum(store.counts().values()) == 0
        for method, url in (("DELETE", "/loads/x"), ("PUT", "/meetings/x"), ("PATCH", "/campaigns/x")):
            assert c.request(method, url, headers=attack).status_code == 403
        # the same page's own post, with the same cookie, works
        r = c.post("/ingest", files=_ledger(tmp_path), headers={"Origin": "http://testserver"})
        assert r.status_code == 200, r.text
        assert store.get("Organization", "DW1").props["name"] == "甲街道党工委"


def test_api_clients_with_a_bearer_token_are_not_affected(store, tmp_path):
    app, admin = served(store)
    with TestClient(app) as c:
        # a script's origin is nobody's business: its token is in a header no page can set
        r = c.post("/ingest", files=_ledger(tmp_path), headers={**bearer(admin), "Origin": "http://elsewhere"})
        assert r.status_code == 200, r.text
        # an API client's ?token= on a JSON read is answered at once, not redirected
        r = c.get(f"/health?token={admin}", follow_redirects=False)
        assert r.status_code == 200 and r.headers["referrer-policy"] == "same-origin"
        # a page's other parameters survive the redirect
        r = c.get(f"/search?q=%E7%94%B2&token={admin}&limit=3", headers={"Accept": "text/html"},
                  follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/search?q=%E7%94%B2&limit=3"


# --- 10. hostile registry files ----------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _hostile(tmp_path):
    import os

    long_field = tmp_path / "市场监管长字段.csv"  # one field past the CSV reader's 131,072 characters
    long_field.write_text("企业名称,统一社会信用代码\n" + "甲" * 140_000 + ",x\n", encoding="utf-8")
    late = tmp_path / "市场监管后段.csv"  # fine for 2,000 rows, then a field too long
    late.write_text("企业名称,登记状态\n" + "".join(f"公司{i},存续\n" for i in range(2000)) + '"' + "乙" * 140_000 + '",存续\n',
                    encoding="utf-8")
    noise = tmp_path / "登记信息.xlsx"
    noise.write_bytes(os.urandom(20_000))  # random bytes named .xlsx
    fake_xls = tmp_path / "登记信息.xls"
    fake_xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(5_000))  # an OLE header, then noise
    return [long_field, noise, fake_xls], late


def test_hostile_registry_files_are_clear_errors_not_500s(store, tmp_path):
    from ingest.loader import Loader
    from tests.test_duplicates import _ledgers

    Loader(store).load([_ledgers(tmp_path)])
    bad, late = _hostile(tmp_path)
    app, admin = served(store)
    with TestClient(app, raise_server_exceptions=False) as c:
        for f in bad:
            for route in ("/screen/registry", "/screen/targets"):
                r = c.post(route, params={"source": "市场监管"}, files=[("files", (f.name, f.read_bytes(), XLSX))],
                           headers=bearer(admin))
                assert r.status_code == 422, (f.name, route, r.text)
                assert f.name in r.json()["detail"] and "无法读取文件" in r.json()["detail"]
            # /ingest says the same of the same file
            r = c.post("/ingest", params={"dry_run": True}, files=[("files", (f.name, f.read_bytes(), XLSX))],
                       headers=bearer(admin))
            assert r.status_code == 200 and "无法读取文件" in r.json()["rejected"][0]["reason"]
        # rows read before a field too long are matched; the file is said to be unreadable after them
        r = c.post("/screen/registry", params={"source": "市场监管"},
                   files=[("files", (late.name, late.read_bytes(), "text/csv"))], headers=bearer(admin))
        assert r.status_code == 200, r.text
        assert len(r.json()["rows"]) == 2000 and any("无法读取文件" in p for p in r.json()["problems"])


def test_hostile_registry_files_are_clean_errors_in_the_cli(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app as cli
    from graph.memory.store import MemoryStore
    from ingest.loader import Loader
    from tests.test_duplicates import _ledgers

    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    s = MemoryStore(tmp_path / "g.pickle")
    Loader(s).load([_ledgers(tmp_path)])
    s.save()
    bad, _ = _hostile(tmp_path)
    for f in bad:
        for command in ("registry", "targets"):
            r = CliRunner().invoke(cli, ["screen", command, str(f), "--source", "市场监管"])
            assert r.exit_code == 2, r.output
            assert "无法读取文件" in r.output and f.name in r.output and "Traceback" not in r.output
            assert isinstance(r.exception, SystemExit)  # said and exited, not raised
    # a review sheet read back that is not one
    for f in (bad[1], bad[0]):
        r = CliRunner().invoke(cli, ["screen", "decide", "--from", str(f)])
        assert r.exit_code == 2 and "复核表" in r.output and "Traceback" not in r.output, r.output


# --- 11. numbers typed inside a registry row's text ----------------------------------------------
ID18, ID15, PHONE = "11010519491231002X", "110105491231002", "13812345678"


def test_numbers_typed_in_a_registry_name_are_masked_in_screening_answers(store, tmp_path):
    import io

    from openpyxl import Workbook, load_workbook

    from ingest.loader import Loader
    from tests.test_duplicates import _ledgers

    Loader(store).load([_ledgers(tmp_path)])
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "住所", "登记状态", "参保人数", "法定代表人"])
    ws.append([f"张三便利店（经营者身份证{ID18}）", "91510100MA6CB1X2XY", f"旌阳区某路1号 电话{PHONE}", "存续", 30,
               f"张三{ID15}"])
    ws.append([f"李四{PHONE}餐饮有限公司", None, "旌阳区", "存续", 12, "李四"])
    data = io.BytesIO()
    wb.save(data)
    files = [("files", ("市场监管.xlsx", data.getvalue(), XLSX))]
    app, admin = served(store)
    with TestClient(app) as c:
        texts = []
        for route in ("/screen/registry", "/screen/targets"):
            r = c.post(route, params={"source": "市场监管"}, files=files, headers=bearer(admin))
            assert r.status_code == 200, r.text
            texts.append(r.text)
            sheet = c.post(route, params={"source": "市场监管", "format": "xlsx"}, files=files, headers=bearer(admin))
            assert sheet.status_code == 200
            book = load_workbook(io.BytesIO(sheet.content))
            texts.append(" ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row))
        for text in texts:
            assert ID18 not in text and ID15 not in text and PHONE not in text
        assert "1101**********002X" in texts[0] and "138****5678" in texts[0]
        assert "张三便利店" in texts[0] and "李四" in texts[0]  # the names themselves stay readable


# --- 12. personal data at rest: 0600 / 0700 under TUPU_HOME --------------------------------------
def _loose(home) -> list[str]:
    """Every file or folder under ``home`` that its group or others may read, write or enter."""
    import os
    import stat

    found = []
    for folder, dirs, files in os.walk(home):
        for name in (*dirs, *files, *(("",) if folder == str(home) else ())):
            path = os.path.join(folder, name)
            if not os.path.islink(path) and stat.S_IMODE(os.lstat(path).st_mode) & 0o077:
                found.append(f"{oct(stat.S_IMODE(os.lstat(path).st_mode))} {os.path.relpath(path, home)}")
    return found


@pytest.fixture
def shell_umask():
    """A user's usual umask (022: files 0644) while the test runs, and the old one after."""
    import os

    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_home_is_its_owners_only_after_a_demo_an_ingest_an_undo_a_screening_and_a_backup(
        tmp_path, monkeypatch, shell_umask):
    import os

    from typer.testing import CliRunner

    from api.cli import app as cli

    home = tmp_path / "home"
    home.mkdir()
    (home / "history").mkdir()
    (home / "history" / "loads.jsonl").write_text("")  # left by an older version, world-readable
    os.chmod(home, 0o755)
    monkeypatch.setenv("TUPU_HOME", str(home))
    monkeypatch.delenv("TUPU_DATA", raising=False)
    monkeypatch.setenv("TUPU_BACKEND", "memory")
    run = CliRunner().invoke
    r = run(cli, ["demo", "--format", "csv"])
    assert r.exit_code == 0, r.output
    bad = write_csv(tmp_path / "组织.csv", [ORG_HEAD, ["DW-X1", "补录党支部", "党支部", "不存在的上级", ""],
                                           ["", "缺编码的党支部", "党支部", "", ""]])
    r = run(cli, ["ingest", str(bad), "--date", "2099-01-01"])
    assert r.exit_code in (0, 3), r.output
    assert list((home / "退回清单").rglob("*.xlsx"))  # a return list was written under the home
    from graph.history import History

    last = History(home).loads()[-1].id
    r = run(cli, ["loads", "undo", last, "--yes"])
    assert r.exit_code == 0, r.output
    register = home / "demo-registers" / "市场监管导出.xlsx"
    r = run(cli, ["screen", "registry", str(register), "--source", "市场监管", "--format", "xlsx",
                  "-o", str(home / "比对结果.xlsx")])
    assert r.exit_code == 0, r.output
    r = run(cli, ["export", str(home / "backups" / "今天")])
    assert r.exit_code == 0, r.output
    assert (home / "history" / "history.sqlite").exists() and (home / "tupu-graph.pickle").exists()
    assert _loose(home) == []


def test_the_apis_writes_are_its_owners_only(store, tmp_path, monkeypatch, shell_umask):
    from tests.test_duplicates import _ledgers

    home = tmp_path / "home"
    monkeypatch.setenv("TUPU_HOME", str(home))
    app, admin = served(store)
    ledgers = _ledgers(tmp_path)
    with TestClient(app) as c:
        files = [("files", (f.name, f.read_bytes(), "text/csv")) for f in sorted(ledgers.iterdir())]
        r = c.post("/ingest", params={"date": "2025-01-31"}, files=files, headers=bearer(admin))
        assert r.status_code == 200, r.text
        r = c.post("/ingest", params={"date": "2025-02-28"}, files=_ledger(tmp_path), headers=bearer(admin))
        assert r.status_code == 200, r.text
        bad = write_csv(tmp_path / "坏.csv", [ORG_HEAD, ["", "缺编码的党支部", "党支部", "", ""]])
        r = c.post("/ingest", files=[("files", (bad.name, bad.read_bytes(), "text/csv"))], headers=bearer(admin))
        assert r.json()["return_files"]
        last = c.get("/loads", headers=bearer(admin)).json()
        last_id = (last["loads"] if isinstance(last, dict) else last)[-1]["id"]
        assert c.post(f"/loads/{last_id}/undo", headers=bearer(admin)).status_code == 200
        r = c.post("/screen/registry", params={"source": "市场监管"}, files=_ledger(tmp_path), headers=bearer(admin))
        assert r.status_code in (200, 422)
    assert (home / "history" / "history.sqlite").exists() and list((home / "returns").rglob("*.xlsx"))
    assert _loose(home) == []


# --- 13. the return list's copy of the sheet: the uploader's own, masked for anyone else ------------
def test_the_return_list_is_masked_for_anyone_but_its_uploader(store, tmp_path):
    import io

    from openpyxl import load_workbook

    member_head = ["党员编码", "姓名", "身份证号", "联系电话", "所在党组织编码", "党员类别"]
    rows = [member_head,
            ["DY1", "张三", "11010519491231002X", "13812345678", "不存在的支部", "正式党员"],
            ["DY2", "李四", "1101051949123100", "1381234567", "不存在的支部", "正式党员"],  # wrong lengths: still personal
            ["DY3", "王五", "110105491231002", "电话13912345678", "", "正式党员"]]
    f = write_csv(tmp_path / "党员.csv", rows)
    app, admin = served(store)
    analyst, _ = app.state.tokens.create("analyst", name="另一位分析员")
    viewer, _ = app.state.tokens.create("viewer", name="查看者")
    with TestClient(app) as c:
        r = c.post("/ingest", files=[("files", (f.name, f.read_bytes(), "text/csv"))], headers=bearer(admin))
        assert r.status_code == 200, r.text
        (ret,) = r.json()["return_files"]

        def cells(token) -> str:
            got = c.get(ret["url"], headers=bearer(token))
            assert got.status_code == 200, got.text
            book = load_workbook(io.BytesIO(got.content))
            return " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row
                            if v is not None)

        own = cells(admin)  # the uploader gets the file as sent back, to correct and resend
        assert "11010519491231002X" in own and "13812345678" in own
        other = cells(analyst)
        for full in ("11010519491231002X", "13812345678", "1101051949123100", "1381234567", "110105491231002",
                     "13912345678"):
            assert full not in other
        assert "张三" in other and "1101**********002X" in other and "138****5678" in other
        assert c.get(ret["url"], headers=bearer(viewer)).status_code == 403  # a viewer: not at all


# --- 9. control characters in cells ------------------------------------------------------------
def test_control_characters_are_stripped_at_reading_and_never_break_an_export(store, tmp_path):
    import io

    from openpyxl import load_workbook

    f = write_csv(tmp_path / "组织.csv", [ORG_HEAD, ["DW1", "甲街道\x01党工委\x0b", "党工委", "", ""],
                                          ["DW2", "乙\x1f支部", "党支部", "DW1", ""]])
    app, admin = served(store)
    with TestClient(app) as c:
        r = c.post("/ingest", files=[("files", (f.name, f.read_bytes(), "text/csv"))], headers=bearer(admin))
        assert r.status_code == 200, r.text
        warned = {(w["cell"], w["column"]) for w in r.json()["warnings"] if "控制字符" in w["reason"]}
        assert warned == {("B2", "组织名称"), ("B3", "组织名称")}
        assert store.get("Organization", "DW1").props["name"] == "甲街道党工委"
        assert store.get("Organization", "DW2").props["name"] == "乙支部"
        (ret,) = r.json()["return_files"]  # its copy of the sheet is there, the characters gone
        book = load_workbook(io.BytesIO(c.get(ret["url"], headers=bearer(admin)).content))
        assert book.sheetnames[:2] == ["各列读取方式", "退回清单"] and book.worksheets[2]["B2"].value == "甲街道党工委"
        # a string stored some other way (an older version, a script): every export still works
        store.upsert_nodes("Organization", [{"id": "DW3", "name": "丙\x02支部\x00", "kind": "党支部"}])
        for url in ("/entities/Organization?format=xlsx", "/gaps?format=xlsx", "/coverage?format=xlsx"):
            got = c.get(url, headers=bearer(admin))
            assert got.status_code == 200, (url, got.text)
            load_workbook(io.BytesIO(got.content))
    from ingest.backup import export_ledgers

    counts = export_ledgers(store, tmp_path / "备份")
    assert counts["organizations"] == 3
    book = load_workbook(tmp_path / "备份" / "党组织.xlsx")
    assert "丙支部" in [row[1] for row in book.active.iter_rows(values_only=True)]


def test_a_backup_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    from graph.memory.store import MemoryStore
    from ingest import writers
    from ingest.backup import export_ledgers

    store = MemoryStore()
    store.upsert_nodes("Organization", [{"id": f"DW{i}", "name": f"第{i}支部", "kind": "党支部"} for i in range(50)])
    store.upsert_nodes("Unit", [{"id": "U1", "name": "某单位", "kind": "企业"}])
    real = writers.LedgerWriter.write

    def failing(self, ledger, row):
        if ledger == "units":  # the disk fills after the organisations were written
            raise OSError(28, "No space left on device")
        return real(self, ledger, row)

    monkeypatch.setattr(writers.LedgerWriter, "write", failing)
    with pytest.raises(OSError):
        export_ledgers(store, tmp_path / "新备份")
    assert not (tmp_path / "新备份").exists() and list(tmp_path.iterdir()) == []  # nothing half-written
    old = tmp_path / "旧备份"
    old.mkdir()
    (old / "党组织.xlsx").write_bytes(b"the last good backup")
    with pytest.raises(OSError):
        export_ledgers(store, old)
    assert (old / "党组织.xlsx").read_bytes() == b"the last good backup" and [p.name for p in tmp_path.iterdir()] == ["旧备份"]
    monkeypatch.setattr(writers.LedgerWriter, "write", real)
    assert export_ledgers(store, old)["organizations"] == 50 and (old / "党组织.xlsx").read_bytes()[:2] == b"PK"


# --- 7, 8. pages and graphs of past dates --------------------------------------------------------
def _monthly(store, home, months: int):
    """``months`` loads, one a month from January 2025, each renaming organisation A: the
    dates they were recorded for."""
    import datetime as dt

    from graph.history import History

    history, days = History(home), []
    for m in range(1, months + 1):
        store.upsert_nodes("Organization", [{"id": "A", "name": f"第{m}月的甲支部", "kind": "党支部"}])
        day = dt.date(2025, m, 1)
        history.record(store, date=day, files=[f"{m}.csv"], who="测试")
        days.append(day)
    return days


def test_a_past_dates_page_is_its_own_and_never_evicts_current_pages(store, tmp_path, monkeypatch):
    import datetime as dt

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    days = _monthly(store, tmp_path / "home", 4)
    app, admin = served(store)
    with TestClient(app) as c:
        def page(day=None):
            r = c.get("/entities/Organization/A", params={"as_of": day.isoformat()} if day else {},
                      headers=bearer(admin))
            assert r.status_code == 200, r.text
            return r.json()["name"], r.headers["x-tupu-kept"]

        assert page() == ("第4月的甲支部", "no")
        assert page() == ("第4月的甲支部", "yes")
        # past graphs are rebuilt with version numbers of their own, which they share: each date's
        # page is the graph's of its own load
        for m, day in enumerate(days[:3], start=1):
            assert page(day + dt.timedelta(days=3)) == (f"第{m}月的甲支部", "no")
        for m, day in enumerate(days[:3], start=1):
            assert page(day + dt.timedelta(days=9)) == (f"第{m}月的甲支部", "yes")  # same load: same page
        assert page() == ("第4月的甲支部", "yes")  # the current page was kept all along


def test_past_graphs_are_one_per_load_and_bounded(store, tmp_path, monkeypatch):
    import datetime as dt
    import gc
    import weakref

    from graph.history import records

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUPU_PAST_GRAPHS", "2")
    days = _monthly(store, tmp_path / "home", 6)
    records._past.clear()
    built = []
    real = records.History._rebuilt

    def rebuilt(self, rec):
        made = real(self, rec)
        built.append((rec.id, weakref.ref(made.g)))  # its networkx graph: views of it hold it in cycles
        return made

    monkeypatch.setattr(records.History, "_rebuilt", rebuilt)
    app, admin = served(store)
    with TestClient(app) as c:
        # 25 different dates inside January's interval: one graph
        for d in range(25):
            r = c.get("/gaps", params={"as_of": (days[0] + dt.timedelta(days=d)).isoformat()}, headers=bearer(admin))
            assert r.status_code == 200, r.text
        assert len(built) == 1
        # dates of five past loads, three days each, twice over: never more than two graphs kept
        for _ in range(2):
            for day in days[:5]:
                for d in (2, 5, 8):
                    for url in ("/entities/Organization/A", "/gaps", "/coverage"):
                        r = c.get(url, params={"as_of": (day + dt.timedelta(days=d)).isoformat()},
                                  headers=bearer(admin))
                        assert r.status_code == 200
                    assert len(records._past) <= 2
        # the graphs let go are gone from memory, their answers with them: not kept frozen by the
        # analyses' cache (gc.freeze), where no collection would ever free them
        gc.collect()
        alive = {rid for rid, ref in built if ref() is not None}
        assert len(alive) <= 2, alive


EVIL_PAGE = """<!DOCTYPE html><html><body>
<form id="f" method="post" enctype="multipart/form-data" action="TARGET/ingest">
<input type="file" name="files" id="files"></form>
<script>
const csv = "组织编码,组织名称,组织类别\\nDW-EVIL,被塞进来的党委,党委\\n";
const dt = new DataTransfer();
dt.items.add(new File([csv], "组织.csv", {type: "text/csv"}));
document.getElementById("files").files = dt.files;
const data = new FormData(); data.append("files", new File([csv], "组织.csv", {type: "text/csv"}));
fetch("TARGET/ingest", {method: "POST", body: data, mode: "no-cors", credentials: "include"})
  .finally(() => document.getElementById("f").submit());
</script></body></html>"""


def test_a_page_on_another_port_cannot_make_the_admins_browser_load_a_ledger(browser, tmp_path):
    """The attack of #36 in a real browser: the admin opened Tupu (the cookie is set), then a page
    served from another port of the same host posts a ledger to it, by a form and by fetch."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from graph.memory.store import MemoryStore
    from tests.browser import serve

    store = MemoryStore()
    app, admin = app_with_admin(lambda: store)
    with serve(app) as tupu:
        evil = Starlette(routes=[Route("/", lambda request: HTMLResponse(EVIL_PAGE.replace("TARGET", tupu)))])
        with serve(evil) as attacker:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{tupu}/?token={admin}")
            assert page.url == f"{tupu}/"  # the token left the address bar
            assert any(c["name"] == "tupu_token" for c in context.cookies())
            posts = []
            page.on("response", lambda r: posts.append(r.status) if r.request.method == "POST" else None)
            page.goto(f"{attacker}/")
            page.wait_for_url(f"{tupu}/ingest", timeout=15_000)  # the form was sent, with the cookie
            assert posts and set(posts) == {403}, posts
            assert "跨站" in page.content()
            assert store.get("Organization", "DW-EVIL") is None and sum(store.counts().values()) == 0
            # the admin's own page still uploads
            page.goto(f"{tupu}/")
            status = page.evaluate("""async () => {
                const data = new FormData();
                data.append("files", new File(["组织编码,组织名称,组织类别\\nDW1,甲党委,党委\\n"], "组织.csv"));
                return (await fetch("/ingest", {method: "POST", body: data, credentials: "same-origin"})).status;
            }""")
            assert status == 200 and store.get("Organization", "DW1") is not None
            context.close()
