"""Things end (graph.ends, ingest.ends): a unit a street office's ledger marks 注销, one left out of
a complete ledger, an organisation dissolved, a member transferred out — on both stores.

The ledgers are written as a street office keeps them (openpyxl: a title row, Chinese headers,
序号, the status column as the 国家企业信用信息公示系统 and 全国党员管理信息系统 exports write it). The gaps
that really closed are found without the code under test: the month's ledgers with the closed
unit's row simply gone, loaded into an empty store.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc as std_uscc
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.gaps import find_gaps
from graph.history import History
from graph.history.changes import gap_key
from graph.memory.store import MemoryStore
from ingest.loader import Loader
from ingest.returns import write_returns

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)
STREET, COMMUNITY = "510107001000", "510107001001"


def _uscc(body: str) -> str:
    return body + std_uscc.calc_check_digit(body)


def workbook(path: Path, title: str, headers: list[str], rows: list[list[Any]]) -> Path:
    """One sheet as a street office keeps it: a merged title row, the headers, 序号, text codes."""
    wb = Workbook()
    ws = wb.active
    ws.title = path.stem + "台账"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers) + 1)
    ws.append(["序号", *headers])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    ws.append([])
    ws.append(["填表人：王芳", None, "填表日期：2026年2月28日"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


UNIT_HEADERS = ["单位编码", "单位名称", "单位类别", "统一社会信用代码", "区划代码", "从业人员数", "党员数"]
UNITS = {
    "DW001": ["DW001", "成都甲科技有限公司", "民营企业", _uscc("91510107MA6CAAAA0"), COMMUNITY, "35", "4"],
    "DW002": ["DW002", "成都乙物流有限公司", "民营企业", _uscc("91510107MA6CBBBB0"), COMMUNITY, "80", "3"],
    "DW003": ["DW003", "丙记餐饮店", "个体工商户", None, COMMUNITY, "6", "1"],
    "DW004": ["DW004", "丁家物业服务有限公司", "物业企业", _uscc("91510107MA6CDDDD0"), COMMUNITY, "20", "0"],
    **{f"DW00{i}": [f"DW00{i}", f"骆路{shop}", "个体工商户", None, COMMUNITY, "3", "0"]
       for i, shop in ((5, "戊记便利店"), (6, "己氏理发店"), (7, "庚记五金店"), (8, "辛家水果店"))},
}
REGION_HEADERS = ["区划代码", "名称", "层级", "上级区划代码"]
REGIONS = [["510100000000", "成都市", "地级市", None], ["510107000000", "武侯区", "区", "510100000000"],
           [STREET, "骆路街道", "街道", "510107000000"], [COMMUNITY, "骆路社区", "社区居委会", STREET]]
ORG_HEADERS = ["组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域", "所在单位编码", "覆盖单位编码", "区划代码"]
ORGS = [
    ["DZZ01", "骆路街道党工委", "党工委", None, "社区", None, None, STREET],
    ["DZZ02", "骆路社区党委", "党委", "DZZ01", "社区", None, None, COMMUNITY],
    ["DZZ03", "成都乙物流有限公司党支部", "党支部", "DZZ02", "非公企业", "DW002", None, COMMUNITY],
]
COVERING = ["DZZ04", "骆路社区物业联合党支部", "联合党支部", "DZZ02", "社区", None, "DW004", COMMUNITY]
MEMBER_HEADERS = ["党员编码", "姓名", "党员类别", "所在党组织编码", "工作单位编码"]
MEMBERS = [
    ["DY0001", "李强", "正式党员", "DZZ03", "DW002"],
    ["DY0002", "王秀英", "正式党员", "DZZ03", "DW002"],
    ["DY0003", "张伟", "预备党员", "DZZ03", "DW002"],
]


def units_file(folder: Path, month: str, status: dict[str, tuple[str, Any]] | None = None,
               without: tuple[str, ...] = ()) -> Path:
    """The units ledger; ``status``: code -> (登记状态, 注销日期) as the register's export writes
    them (None: the ledger has no status columns); ``without``: rows left out."""
    headers = UNIT_HEADERS + (["登记状态", "注销日期"] if status is not None else [])
    rows = []
    for code, row in UNITS.items():
        if code in without:
            continue
        if status is not None:
            state, day = status.get(code, ("存续（在营、开业、在册）", None))
            row = [*row, state, day]
        rows.append(row)
    return workbook(folder / "单位.xlsx", f"骆路街道辖区单位台账（{month}）", headers, rows)


def month(folder: Path, name: str, orgs: list[list[Any]], **units: Any) -> list[Path]:
    return [workbook(folder / "行政区划.xlsx", "武侯区行政区划", REGION_HEADERS, REGIONS),
            units_file(folder, name, **units),
            workbook(folder / "党组织.xlsx", f"骆路街道党组织台账（{name}）", ORG_HEADERS, orgs),
            workbook(folder / "党员.xlsx", f"骆路街道党员花名册（{name}）", MEMBER_HEADERS, MEMBERS)]


def closed_for_real(tmp_path: Path, first: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The gaps of January that February closes: February's ledgers with the closed unit's row
    gone (no status column at all), loaded into an empty store."""
    fresh = MemoryStore()
    Loader(fresh, date=FEB).load(month(tmp_path / "oracle", "2026年2月", [*ORGS, COVERING], without=("DW001",)))
    return first - {gap_key(g) for g in find_gaps(fresh, as_of=FEB)}


def test_a_unit_marked_closed_in_the_status_column_closes_exactly_its_gaps(store, tmp_path):
    history = History(tmp_path / "home")
    Loader(store, date=JAN).load(month(tmp_path / "1", "2026年1月", ORGS, status={}))
    first = history.record(store, date=JAN, files=["1月"], who="骆路街道")
    # February: 甲科技 closed on 15 February (the register's word), and a joint branch now covers 丁家物业
    report = Loader(store, date=FEB).load(month(tmp_path / "2", "2026年2月", [*ORGS, COVERING],
                                                status={"DW001": ("注销", dt.datetime(2026, 2, 15))}))
    assert report.ok, report.rejected
    assert [(e["id"], e["date"], e["reason"], e["source"]) for e in report.ended] == \
        [("DW001", "2026-02-15", "注销", "单位.xlsx 第 3 行")]
    (returned,) = write_returns(report, tmp_path / "退回")  # the street office sees what its ledger closed
    sheet = load_workbook(returned)["已终止"]
    assert [c.value for c in sheet[2]][1:] == ["单位终止", "DW001", "成都甲科技有限公司", "2026-02-15", "注销",
                                             "单位.xlsx 第 3 行"]
    history.record(store, date=FEB, files=["2月"], who="骆路街道")
    ch = history.changes(JAN)
    expected = closed_for_real(tmp_path, {gap_key(g) for g in history.gaps_of(first)})
    assert {gap_key(g) for g in ch.closed} == expected
    assert ("U1", "DW001") in expected and ("U3", "DW004") in expected  # one ended, one covered
    body = ch.as_dict()
    why = {g["id"]: g.get("why") for g in body["gaps_closed"]}
    assert why["DW001"] == "单位注销" and why["DW004"] is None
    assert ("单位注销", "DW001") in {(e["kind"], e["id"]) for e in body["entities"]}
    # kept, and said: its page, the graph before its date, search on request
    unit = store.get("Unit", "DW001")
    assert unit is not None and unit.props["ended"] == "2026-02-15"
    assert not any(g.id == "DW001" for g in find_gaps(store, as_of=dt.date(2026, 3, 1)))
    assert any(g.id == "DW001" for g in find_gaps(store, as_of=dt.date(2026, 2, 14)))  # before its date
    assert [n.key for n in store.search("甲科技")] == []
    assert [n.key for n in store.search("甲科技", ended=True)] == ["DW001"]
    assert "DW001" not in [n.key for n in store.list_nodes("Unit")]
    assert history.store_as_of(dt.date(2026, 2, 1)).get("Unit", "DW001").props.get("ended") is None


def test_a_unit_left_out_of_a_complete_ledger_closes_exactly_its_gaps(store, tmp_path):
    history = History(tmp_path / "home")
    Loader(store, date=JAN).load(month(tmp_path / "1", "2026年1月", ORGS))
    first = history.record(store, date=JAN, files=["1月"], who="骆路街道")
    february = month(tmp_path / "2", "2026年2月", [*ORGS, COVERING], without=("DW001",))
    trial = Loader(store, date=FEB, complete=True, dry_run=True).load(february)  # what would end
    units = next(c for c in trial.complete if c["label"] == "Unit")
    assert (units["scope"], units["in_scope"], units["listed"]) == ("骆路社区（510107001001）", 8, 7)
    assert [e["id"] for e in units["ending"]] == ["DW001"] and store.get("Unit", "DW001").props.get("ended") is None
    report = Loader(store, date=FEB, complete=True).load(february)
    assert [(e["id"], e["date"], e["reason"], e["source"]) for e in report.ended] == \
        [("DW001", "2026-02-28", "注销", "完整台账 单位.xlsx 未列出")]
    history.record(store, date=FEB, files=["2月"], who="骆路街道")
    ch = history.changes(JAN)
    assert {gap_key(g) for g in ch.closed} == closed_for_real(tmp_path, {gap_key(g) for g in history.gaps_of(first)})
    assert {g["id"]: g.get("why") for g in ch.as_dict()["gaps_closed"]}["DW001"] == "单位注销"
    # half of March's ledger: a partial file, not a month's changes — nothing ends
    half = month(tmp_path / "3", "2026年3月", [*ORGS, COVERING], without=("DW001", "DW005", "DW006", "DW007"))
    report = Loader(store, date=dt.date(2026, 3, 31), complete=True).load(half)
    units = next(c for c in report.complete if c["label"] == "Unit")
    assert units["refused"] and "超过 20%" in units["refused"] and report.ended == []
    assert all(store.get("Unit", k).props.get("ended") is None for k in ("DW005", "DW006", "DW007"))
    # listed again in a complete ledger: restored, and said
    report = Loader(store, date=dt.date(2026, 3, 31), complete=True).load(
        month(tmp_path / "4", "2026年3月", [*ORGS, COVERING]))
    assert [e["id"] for e in report.restored] == ["DW001"] and store.get("Unit", "DW001").props.get("ended") is None


def test_the_cli_shows_what_a_complete_ledger_ends_refuses_a_partial_one_and_says_why_gaps_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    run = CliRunner().invoke
    month(tmp_path / "1", "2026年1月", ORGS)
    assert run(cli, ["ingest", str(tmp_path / "1"), "--date", "2026-01-31"]).exit_code == 0
    half = tmp_path / "half"
    month(half, "2026年2月", [*ORGS, COVERING], without=("DW001", "DW005", "DW006", "DW007"))
    r = run(cli, ["ingest", str(half), "--date", "2026-02-28", "--complete", "--yes"])
    assert r.exit_code == 2 and "超过20%" in flat(r) and "未载入" in flat(r)
    assert "2026-02-28" not in run(cli, ["loads"]).output  # nothing was written
    month(tmp_path / "2", "2026年2月", [*ORGS, COVERING], without=("DW001",))
    r = run(cli, ["ingest", str(tmp_path / "2"), "--date", "2026-02-28", "--complete"], input="n\n")
    assert r.exit_code == 1 and "成都甲科技有限公司" in flat(r) and "继续载入" in flat(r)
    r = run(cli, ["ingest", str(tmp_path / "2"), "--date", "2026-02-28", "--complete"], input="y\n")
    assert r.exit_code == 0, r.output
    assert "范围：骆路社区（510107001001）" in flat(r) and "完整台账单位.xlsx未列出" in flat(r)
    body = json.loads(run(cli, ["changes", "--since", "2026-01-31", "--format", "json"]).output)
    assert {"rule": "U1", "id": "DW001", "why": "单位注销"}.items() <= \
        next(g for g in body["gaps_closed"] if g["id"] == "DW001").items()
    assert not any(g["id"] == "DW001" for g in body["gaps_opened"])
    assert "其中已注销、撤销或转出" in flat(run(cli, ["stats"]))
    r = run(cli, ["search", "甲科技"])
    assert r.exit_code == 1
    r = run(cli, ["search", "甲科技", "--all", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["状态"] == "已于 2026-02-28 注销（完整台账 单位.xlsx 未列出）"


def flat(result: Any) -> str:
    """The CLI's output without the line breaks and spaces a terminal's width puts in it."""
    return "".join(result.output.split())


def test_ending_and_restoring_by_hand_round_trip(store, tmp_path):
    from graph.history.by_hand import end, find_ended, restore

    home = tmp_path / "home"
    history = History(home)
    Loader(store, date=JAN).load(month(tmp_path / "1", "2026年1月", ORGS))
    history.record(store, date=JAN, files=["1月"], who="骆路街道")
    before = {gap_key(g) for g in find_gaps(store, as_of=JAN)}
    branch = store.get("Organization", "DZZ03")
    rec = end(store, home, branch, date=dt.date(2026, 2, 10), reason="撤销", who="组织委员")
    assert rec.date == "2026-02-10" and rec.files == ["手工组织撤销：成都乙物流有限公司党支部（DZZ03）"]
    gaps = {gap_key(g): g for g in find_gaps(store, as_of=dt.date(2026, 2, 10))}
    # its members now have no organisation, said as the data problem it is; its unit is no longer established
    m2 = gaps[("M2", "DY0001")]
    assert m2.message == "所在党组织 DZZ03 已于 2026-02-10 撤销，请转接组织关系"
    assert ("U1", "DW002") in gaps and ("O1", "DZZ03") not in gaps and ("P2", "DZZ03") not in gaps
    ch = history.changes(JAN)
    assert ("组织撤销", "DZZ03") in {(e.kind, e.id) for e in ch.entities}
    assert ch.closed_why[("P2", "DZZ03")] == "组织撤销"
    assert [n.key for n in find_ended(store, "乙物流")] == ["DZZ03"]
    restore(store, home, store.get("Organization", "DZZ03"), who="组织委员", date=dt.date(2026, 2, 12))
    assert store.get("Organization", "DZZ03").props.get("ended") is None
    assert {gap_key(g) for g in find_gaps(store, as_of=JAN)} == before
    # undone as a load is: the end comes back, then goes
    history.undo(store, history.loads()[-1].id, "组织委员")
    assert store.get("Organization", "DZZ03").props["ended"] == "2026-02-10"
    history.undo(store, history.loads()[-1].id, "组织委员")
    assert store.get("Organization", "DZZ03").props.get("ended") is None


def test_the_api_takes_a_complete_ledger_and_ends_and_restores_by_hand_within_scope(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from tests.apps import app_with_admin, bearer, upload_folder

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    app, admin = app_with_admin(lambda: store)
    with TestClient(app) as c:
        month(tmp_path / "1", "2026年1月", ORGS)
        upload_folder(c, tmp_path / "1", JAN, admin)

        def upload(folder: Path, **params: Any):
            files = [("files", (f.name, f.read_bytes())) for f in sorted(folder.iterdir())]
            return c.post("/ingest", params={"date": FEB.isoformat(), "complete": "true", **params},
                          files=files, headers=bearer(admin))

        month(tmp_path / "half", "2026年2月", ORGS, without=("DW001", "DW005", "DW006", "DW007"))
        r = upload(tmp_path / "half")
        assert r.status_code == 409 and "超过 20%" in r.json()["detail"]
        month(tmp_path / "2", "2026年2月", ORGS, without=("DW001",))
        body = upload(tmp_path / "2").json()
        assert [(e["id"], e["reason"]) for e in body["ended"]] == [("DW001", "注销")]
        closed = c.get("/changes", params={"since": "2026-01-31"}, headers=bearer(admin)).json()["gaps_closed"]
        assert {(g["rule"], g["id"], g.get("why")) for g in closed} == {("U1", "DW001", "单位注销")}
        unit = c.get("/entities/Unit/DW001", headers=bearer(admin)).json()
        assert unit["ended"] == "已于 2026-02-28 注销（完整台账 单位.xlsx 未列出）"
        assert c.get("/search", params={"q": "甲科技"}, headers=bearer(admin)).json() == []
        assert [h["id"] for h in c.get("/search", params={"q": "甲科技", "ended": "true"},
                                       headers=bearer(admin)).json()] == ["DW001"]
        listed = c.get("/entities/Unit", headers=bearer(admin)).json()
        assert listed["total"] == 7 and "DW001" not in [u["id"] for u in listed["items"]]
        # by hand: an analyst of another street sees nothing; a viewer may not; an admin may
        viewer, _ = app.state.tokens.create("viewer", name="观察员")
        other, _ = app.state.tokens.create("analyst", "org", "DZZ99", name="别的街道")
        url = "/entities/Organization/DZZ03"
        assert c.post(url + "/end", json={"reason": "撤销"}, headers=bearer(viewer)).status_code == 403
        assert c.post(url + "/end", json={"reason": "撤销"}, headers=bearer(other)).status_code == 404
        r = c.post(url + "/end", json={"date": "2026-03-05", "reason": "已撤销"}, headers=bearer(admin))
        assert r.status_code == 200 and r.json()["entity"]["ended"].startswith("已于 2026-03-05 撤销")
        assert c.post(url + "/end", json={}, headers=bearer(admin)).status_code == 409
        gaps = c.get("/gaps", params={"rule": "M2", "as_of": "2026-03-05"}, headers=bearer(admin)).json()
        assert {g["id"] for g in gaps if "撤销" in g["message"]} >= {"DY0001", "DY0002", "DY0003"}
        assert c.post(url + "/restore", headers=bearer(admin)).status_code == 200
        assert c.get(url, headers=bearer(admin)).json()["ended"] is None
        audit = (app.state.audit.path).read_text(encoding="utf-8")
        assert "手工终止" in audit and "手工恢复" in audit
        # a street's analyst: the scope of its complete ledger is its own (a unit it lists again is restored,
        # one it leaves out ends)
        street, _ = app.state.tokens.create("analyst", "region", COMMUNITY, name="骆路社区")
        month(tmp_path / "3", "2026年3月", ORGS, without=("DW008",))
        files = [("files", (f.name, f.read_bytes())) for f in sorted((tmp_path / "3").iterdir()) if f.name == "单位.xlsx"]
        r = c.post("/ingest", params={"date": "2026-03-31", "complete": "true"}, files=files, headers=bearer(street))
        assert r.status_code == 200, r.text
        body = r.json()
        assert [(c["scope"], c["in_scope"], c["listed"]) for c in body["complete"]] == [("本令牌的权限范围", 8, 7)]
        assert [e["id"] for e in body["ended"]] == ["DW008"] and [e["id"] for e in body["restored"]] == ["DW001"]


def test_the_upload_page_asks_before_a_complete_ledger_ends_anything(browser, tmp_path, monkeypatch):
    from tests.apps import app_with_admin
    from tests.browser import Watch, serve

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    Loader(store, date=JAN).load(month(tmp_path / "1", "2026年1月", ORGS))
    app, token = app_with_admin(lambda: store)
    february = units_file(tmp_path / "2", "2026年2月", without=("DW001",))
    with serve(app) as base:
        page = browser.new_page(extra_http_headers={"Authorization": f"Bearer {token}"})
        watch = Watch(page)
        asked: list[str] = []

        def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.dismiss() if len(asked) == 1 else dialog.accept()

        page.on("dialog", answer)
        page.goto(base + "/", wait_until="load")
        page.set_input_files("#upload-files", str(february))
        page.check("#upload-complete")
        page.click("#upload-go")  # the first time: shown, and declined
        page.wait_for_function("!document.getElementById('upload-go').disabled", timeout=20_000)
        assert "成都甲科技有限公司" in asked[0] and "继续载入" in asked[0]
        assert "已取消" in page.locator("#upload-result").inner_text()
        assert store.get("Unit", "DW001").props.get("ended") is None
        page.click("#upload-go")  # the second time: accepted
        page.wait_for_function("!document.getElementById('upload-go').disabled", timeout=20_000)
        text = page.locator("#upload-result").inner_text()
        assert "已终止 单位 成都甲科技有限公司（DW001）" in text and "范围 骆路社区（510107001001）" in text
        assert store.get("Unit", "DW001").props["end_reason"] == "注销"
        assert watch.external == [] and watch.failed == [] and watch.errors == []
        page.close()


def test_an_entity_page_ends_and_restores_it_for_an_analyst_only(browser, tmp_path, monkeypatch):
    from tests.apps import app_with_admin
    from tests.browser import Watch, serve

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    Loader(store, date=JAN).load(month(tmp_path / "1", "2026年1月", ORGS))
    app, admin = app_with_admin(lambda: store)
    viewer, _ = app.state.tokens.create("viewer", name="观察员")
    with serve(app) as base:
        page = browser.new_page(extra_http_headers={"Authorization": f"Bearer {viewer}"})
        page.goto(base + "/entities/Unit/DW003", wait_until="load")
        assert page.locator("#end-go").count() == 0  # a viewer sees no button
        page.close()
        page = browser.new_page(extra_http_headers={"Authorization": f"Bearer {admin}"})
        watch = Watch(page)
        page.on("dialog", lambda d: d.accept())
        page.goto(base + "/entities/Unit/DW003", wait_until="load")
        page.fill("#end-date", "2026-02-20")
        page.select_option("#end-reason", "吊销")
        with page.expect_navigation():
            page.click("#end-go")
        assert "单位已于 2026-02-20 吊销（手工：测试管理员" in page.locator("main").inner_text()
        assert store.get("Unit", "DW003").props["end_reason"] == "吊销"
        with page.expect_navigation():
            page.click("#restore-go")
        assert store.get("Unit", "DW003").props.get("ended") is None and page.locator("#end-go").count() == 1
        assert watch.external == [] and watch.failed == [] and watch.errors == []
        page.close()


def test_a_dissolved_branch_its_members_its_pairing_and_a_later_ledger_that_names_it(store, tmp_path):
    pairing = workbook(tmp_path / "p" / "结对共建.xlsx", "结对共建台账", ["甲方组织编码", "乙方组织编码", "结对形式", "开始日期"],
                       [["DZZ03", "DZZ02", "结对共建", "2025-01-01"]])
    Loader(store, date=JAN).load([*month(tmp_path / "1", "2026年1月", ORGS), pairing])
    jan = {gap_key(g) for g in find_gaps(store, as_of=JAN)}
    assert ("P2", "DZZ02") not in jan and ("P2", "DZZ03") not in jan  # paired with each other
    # February: the branch dissolved (组织状态 已撤销, 撤销日期 a text date as typed)
    orgs = [[*row, "正常", None] for row in ORGS[:2]] + [[*ORGS[2], "已撤销", "2026年2月10日"]]
    report = Loader(store, date=FEB).load([workbook(tmp_path / "2" / "党组织.xlsx", "骆路街道党组织台账",
                                                    [*ORG_HEADERS, "组织状态", "撤销日期"], orgs)])
    assert [(e["id"], e["date"], e["reason"]) for e in report.ended] == [("DZZ03", "2026-02-10", "撤销")]
    gaps = {gap_key(g): g for g in find_gaps(store, as_of=FEB)}
    assert gaps[("M2", "DY0002")].message == "所在党组织 DZZ03 已于 2026-02-10 撤销，请转接组织关系"
    assert ("P2", "DZZ02") in gaps  # its pairing ended with it: the community is unpaired now
    assert ("U1", "DW002") in gaps and ("O1", "DZZ03") not in gaps
    # March: the roster still names it, and a unit row names the closed company's code: warned
    report = Loader(store, date=dt.date(2026, 3, 31)).load(
        [workbook(tmp_path / "3" / "党员.xlsx", "党员花名册", MEMBER_HEADERS, MEMBERS)])
    said = [w for w in report.warnings if w.value == "DZZ03"]
    assert len(said) == 3 and "已于 2026-02-10 撤销" in said[0].reason and said[0].column == "所在党组织编码"
    # April: re-established — 正常 restores it, and the report says so
    orgs[2][-2:] = ["正常", None]
    report = Loader(store, date=dt.date(2026, 4, 30)).load([workbook(tmp_path / "4" / "党组织.xlsx", "骆路街道党组织台账",
                                                                     [*ORG_HEADERS, "组织状态", "撤销日期"], orgs)])
    assert [e["id"] for e in report.restored] == ["DZZ03"]
    assert any("已恢复" in w.reason and w.value == "DZZ03" for w in report.warnings)
    assert {gap_key(g) for g in find_gaps(store, as_of=dt.date(2026, 4, 30))} >= {("O1", "DZZ03")}
    assert ("P2", "DZZ02") not in {gap_key(g) for g in find_gaps(store, as_of=dt.date(2026, 4, 30))}


def test_a_closure_said_again_next_month_keeps_its_first_date_and_writes_nothing(store, tmp_path):
    closed = {"DW001": ("注销", dt.datetime(2026, 2, 15))}
    Loader(store, date=FEB).load(month(tmp_path / "2", "2026年2月", ORGS, status=closed))
    again = Loader(store, date=dt.date(2026, 3, 31)).load(month(tmp_path / "3", "2026年3月", ORGS,
                                                                 status={"DW001": ("已注销", None)}))
    assert again.ended == [] and again.ledgers["单位"].unchanged == len(UNITS)
    assert again.warnings == []  # 存续（在营、开业、在册）, as the register's export writes it, is read
    assert store.get("Unit", "DW001").props["ended"] == "2026-02-15"
