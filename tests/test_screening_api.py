"""摸排 over HTTP (#16): a registry export uploaded and matched, its possible rows decided (kept
for the next run), the target list, and the merge candidates merged or set apart — with the
scope of the token respected — then the same on the review page in a real browser."""
from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from graph.memory.store import MemoryStore
from graph.screening.decisions import Decisions
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer
from tests.browser import serve
from tests.test_duplicates import _ledgers
from tests.test_screening import _market_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app(tmp_path):
    store = MemoryStore()
    Loader(store).load([_ledgers(tmp_path)])
    app, admin = app_with_admin(lambda: store)
    return store, app, admin


def _export(tmp_path):
    path = _market_xlsx(tmp_path / "市场监管.xlsx")
    return [("files", (path.name, path.read_bytes(), XLSX))]


def test_a_registry_is_matched_decided_and_listed_as_targets(tmp_path):
    store, app, admin = _app(tmp_path)
    with TestClient(app) as client:
        r = client.post("/screen/registry", params={"source": "市场监管"}, files=_export(tmp_path), headers=bearer(admin))
        assert r.status_code == 200, r.text
        got = r.json()
        by_row = {m["row"]: m for m in got["rows"]}
        assert sorted(by_row) == [3, 4, 5, 6, 7] and got["counts"]["match"] + got["counts"]["possible"] \
            + got["counts"]["new"] == 5
        assert by_row[3]["status"] == "match" and by_row[3]["evidence"] == ["统一社会信用代码一致"]
        assert by_row[3]["unit"] == "DW9"
        assert by_row[6]["status"] == "new"  # 新光电子商务: no unit of the graph
        # a person says row 6 is in fact 华西物流 (DW2): the next run says so, with who decided
        r = client.post("/screen/decisions", json={"source": "市场监管", "name": by_row[6]["name"], "unit": "DW2"},
                        headers=bearer(admin))
        assert r.status_code == 200, r.text
        again = client.post("/screen/registry", params={"source": "市场监管"}, files=_export(tmp_path),
                            headers=bearer(admin)).json()
        row6 = next(m for m in again["rows"] if m["row"] == 6)
        assert (row6["status"], row6["unit"]) == ("match", "DW2") and "人工确认" in row6["evidence"][0]
        assert client.post("/screen/decisions", json={"source": "市场监管", "name": "x"},
                           headers=bearer(admin)).status_code == 422  # neither a unit nor new
        assert client.post("/screen/decisions", json={"source": "市场监管", "name": "x", "unit": "NOPE"},
                           headers=bearer(admin)).status_code == 404
        sheet = client.post("/screen/registry", params={"source": "市场监管", "format": "xlsx"},
                            files=_export(tmp_path), headers=bearer(admin))
        assert sheet.status_code == 200 and sheet.headers["content-type"] == XLSX
        targets = client.post("/screen/targets", params={"source": "市场监管"}, files=_export(tmp_path),
                              headers=bearer(admin)).json()["targets"]
        closed = [t for t in targets if t["kind"] == "已注销仍计入"]
        assert [t["unit"] for t in closed] == ["DW2"]  # row 7: 华西物流 吊销, still counted (now DW2)
    events = app.state.audit.events()
    assert events[0]["action"] == "摸排决定" and "DW2" in events[0]["detail"]


def test_merges_over_http_respect_the_scope(tmp_path):
    store, app, admin = _app(tmp_path)
    south, _ = app.state.tokens.create("analyst", "region", "510603002000", name="城南街道分析员")
    viewer, _ = app.state.tokens.create("viewer", name="查看者")
    with TestClient(app) as client:
        listed = client.get("/screen/duplicates", headers=bearer(admin)).json()
        assert {(d["label"], d["keep"], d["drop"]) for d in listed} == {
            ("Unit", "DW9", "DW1"), ("Unit", "DW2", "DW8"), ("Organization", "Z9", "Z1")}
        assert client.get("/screen/duplicates", headers=bearer(south)).json() == []  # none wholly its own
        assert client.get("/screen/duplicates", headers=bearer(viewer)).status_code == 403
        # another street's units: answered as missing, nothing merged
        r = client.post("/screen/merge", json={"kind": "单位", "keep": "DW1", "drop": "DW9"}, headers=bearer(south))
        assert r.status_code == 404 and store.get("Unit", "DW9") is not None
        r = client.post("/screen/merge", json={"kind": "单位", "keep": "DW1", "drop": "DW9"}, headers=bearer(admin))
        assert r.status_code == 200 and r.json()["links_moved"] == 3, r.text
        assert store.get("Unit", "DW9") is None and store.get("Unit", "DW1").props["aliases"] == ["DW9"]
        r = client.post("/screen/merge", json={"kind": "单位", "keep": "DW2", "drop": "DW8", "apart": True},
                        headers=bearer(admin))
        assert r.status_code == 200 and store.get("Unit", "DW8") is not None
        assert [(d["keep"], d["drop"]) for d in client.get("/screen/duplicates", headers=bearer(admin)).json()] \
            == [("Z9", "Z1")]
        # the old code still finds the unit
        assert client.get("/entities/Unit/DW1", headers=bearer(admin)).json()["props"]["aliases"] == ["DW9"]
        moved = client.get("/entities/Unit/DW9", headers=bearer(admin), follow_redirects=False)
        assert moved.status_code == 307 and moved.headers["location"].endswith("/entities/Unit/DW1")
        assert client.get("/entities/单位/DW9", headers=bearer(admin)).json()["id"] == "DW1"
        assert client.get("/entities/Unit/DW9", headers=bearer(south)).status_code == 404  # not its own: missing
    assert [e["action"] for e in app.state.audit.events()[:2]] == ["确认不是重复", "合并重复"]


def test_the_review_page_decides_and_merges_in_a_real_browser(browser, tmp_path):
    from tests.test_history_demo import ARTIFACTS, open_page

    store, app, admin = _app(tmp_path)
    export = _market_xlsx(tmp_path / "市场监管.xlsx")
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(app) as url:
        page, watch = open_page(browser, f"{url}/views/screening", admin)
        rows = page.locator("#duplicate-list tr")
        assert rows.count() == 4  # the header and three pairs
        pair = page.locator("#duplicate-list tr[data-drop='DW1']")
        pair.locator("button[data-merge='swap']").click()  # keep DW1 (the one on the right)
        page.wait_for_selector("#duplicate-list tr.done")
        assert "已并入" in pair.inner_text()
        assert store.get("Unit", "DW9") is None and store.get("Unit", "DW1").props["aliases"] == ["DW9"]
        page.set_input_files("#registry-files", str(export))
        page.click("#registry-go")
        page.wait_for_selector("#possible-list")
        possible = page.locator("#possible-list tr", has_text="好邻居超市")  # one in each street: a person says
        assert possible.count() == 1
        page.screenshot(path=str(ARTIFACTS / "screening.png"))
        possible.locator("button", has_text="是它").click()
        page.wait_for_selector("#possible-list tr.done")
        assert "已确认：是 好邻居超市有限公司" in possible.inner_text()
        with page.expect_download() as got:  # the target list for the visiting teams
            page.click("button[data-download='targets']")
        assert got.value.suggested_filename == "目标对象清单.xlsx"
        sheet = load_workbook(io.BytesIO(got.value.path().read_bytes()))
        assert sheet.sheetnames == ["未入台账", "应走访", "已注销仍计入"] and sheet["未入台账"].max_row == 2
        assert "已下载：目标对象清单.xlsx" in page.locator("#registry-result").inner_text()
    assert next(iter(Decisions(app.state.settings.home).all().values()))["unit"] == "DW3"
    assert not watch.external and not watch.errors, (watch.external, watch.errors)
