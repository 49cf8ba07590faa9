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
