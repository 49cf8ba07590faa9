"""Say how each column was read (docs/ledgers.md, "How each column was read"): the report — its
JSON, the CLI's printout, the web upload's result and the return list's first sheet — opens
with every sheet's column map, and a whole column passed over that names a parent, a branch, a
region or the key is a warning, never silent."""
from __future__ import annotations

import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from graph.memory.store import MemoryStore
from ingest.loader import Loader
from ingest.returns import write_returns
from tests.ledger_files import write_xlsx
from tests.test_system_exports import BRANCH, BRANCH2, national_export, people

# headers no ledger reads (and no synonym is likely to): one like a parent, one like a region
PARENT_LIKE, REGION_LIKE = "原上级党组织单位", "党组织驻地所在行政区划代号"


def _orgs(tmp_path):
    return write_xlsx(tmp_path / "组织.xlsx", {"党组织": [
        ["序号", "党组织代码", "名称", "组织类别", PARENT_LIKE, REGION_LIKE, "党旗悬挂情况", "出生日期"],
        [1, "D0", "东湖街道党工委", "党的工作委员会", "", "四川省成都市锦江区东湖街道", "是", ""],
        [2, "D1", BRANCH, "党支部委员会", "东湖街道党工委", "四川省成都市锦江区东湖街道", "是", ""],
        [3, "D2", BRANCH2, "党支部委员会", "东湖街道党工委", "四川省成都市锦江区东湖街道", "否", ""],
    ]})


def test_the_report_opens_with_each_sheets_column_map(tmp_path):
    crowd = people(5)
    report = Loader(MemoryStore()).load([_orgs(tmp_path), national_export(tmp_path / "党员.xlsx", crowd)])
    d = report.to_dict()
    assert next(iter(d)) == "column_maps"  # the JSON opens with it
    orgs, members = d["column_maps"]
    assert (orgs["ledger"], orgs["sheet"], orgs["header_row"]) == ("党组织", "党组织", 1)
    assert {c["header"]: c["field"] for c in orgs["read"]} == {"党组织代码": "组织编码", "名称": "组织名称", "组织类别": "组织类别"}
    passed = {c["header"]: c for c in orgs["passed"]}
    assert passed["序号"]["note"] == "行号，不读取" and not passed["序号"]["warned"]
    assert passed[PARENT_LIKE]["nearest"] == "上级组织编码" and passed[PARENT_LIKE]["warned"]
    assert passed[REGION_LIKE]["nearest"] == "区划代码" and passed[REGION_LIKE]["warned"]
    assert passed["党旗悬挂情况"]["nearest"] is None and not passed["党旗悬挂情况"]["warned"]
    assert passed["出生日期"]["nearest"] is None  # not 流出日期: a header merely like a name is no field
    # the member export: the ID number read, and the member code made from it
    read = {c["header"]: c for c in members["read"]}
    assert read["公民身份号码"]["field"] == "身份证号" and "党员编码由它生成" in read["公民身份号码"]["note"]
    assert read["人员类别"]["field"] == "党员类别" and read["所在党支部"]["field"] == "所在党组织编码"
    assert read["是否失联党员"]["field"] == "是否失联" and read["外出流向"]["field"] == "外出流向"
    assert {c["header"] for c in members["passed"]} == {"序号", "民族", "出生日期", "学历", "工作岗位", "家庭住址"}
    assert not any(c["warned"] for c in members["passed"])
    # the columns that name a parent or a region, passed over: warnings, with their header cell
    warned = {w.column: w for w in report.warnings}
    assert set(warned) == {PARENT_LIKE, REGION_LIKE}
    assert warned[PARENT_LIKE].cell == "E1" and "上级关系没有载入" in warned[PARENT_LIKE].reason
    assert warned[REGION_LIKE].cell == "F1" and "所在区划没有载入" in warned[REGION_LIKE].reason
    assert report.ledgers["党组织"].warnings == 2


def test_a_column_whose_field_another_column_gives_is_no_warning(tmp_path):
    f = write_xlsx(tmp_path / "o.xlsx", {"党组织": [
        ["组织编码", "组织名称", "组织类别", "上级组织编码", PARENT_LIKE],
        ["D0", "党工委", "党工委", "", ""], ["D1", "甲支部", "党支部", "D0", "党工委"]]})
    report = Loader(MemoryStore()).load([f])
    assert report.warnings == []
    [cmap] = report.column_maps
    [passed] = cmap.passed
    assert passed.nearest == "上级组织编码" and passed.note == "该项已从另一列读取" and not passed.warned


def test_the_return_lists_first_sheet_is_the_column_map(tmp_path):
    report = Loader(MemoryStore()).load([_orgs(tmp_path)])
    [path] = write_returns(report, tmp_path / "退回")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["各列读取方式", "退回清单"] and wb.active.title == "各列读取方式"
    rows = [tuple(r) for r in wb["各列读取方式"].iter_rows(min_row=2, values_only=True)]
    assert rows[0] == ("党组织", None, "第1行表头", "按「党组织」台账读取", None)
    by_header = {r[2]: r for r in rows[1:]}
    assert [r[1] for r in rows[1:]] == list("ABCDEFGH")  # in the sheet's column order
    assert by_header["名称"][3] == "组织名称"
    assert by_header[PARENT_LIKE][3:] == ("（未读取）", "像是「上级组织编码」；整列未读取（警告）")
    listed = {(r[4], r[1]) for r in wb["退回清单"].iter_rows(min_row=2, values_only=True)}
    assert (PARENT_LIKE, "警告（已载入，该项留空）") in listed


def test_the_cli_prints_the_column_map_first(tmp_path):
    from api.cli import app

    crowd = people(3)
    files = [str(_orgs(tmp_path)), str(national_export(tmp_path / "党员.xlsx", crowd))]
    result = CliRunner().invoke(app, ["ingest", *files, "--report", str(tmp_path / "r.json")],
                                env={"COLUMNS": "250"})
    out = result.output
    assert "各列的读取方式" in out and out.index("各列的读取方式") < out.index("载入结果")
    assert "公民身份号码→身份证号（党员编码由它生成" in out
    assert f"{PARENT_LIKE}（像是「上级组织编码」）" in out
    assert "1 名党员" not in out  # no member is stopped here: no note
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [m["ledger"] for m in report["column_maps"]] == ["党组织", "党员"]
    for p in crowd:
        assert p["id"] not in out and p["id"] not in json.dumps(report, ensure_ascii=False)


def test_the_upload_answers_with_the_column_map_under_the_files_own_names(tmp_path):
    from fastapi.testclient import TestClient

    from tests.apps import app_with_admin

    store = MemoryStore()
    app, token = app_with_admin(lambda: store)
    f = _orgs(tmp_path)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        r = c.post("/ingest", files=[("files", ("东湖街道党组织.xlsx", f.read_bytes()))])
    assert r.status_code == 200, r.text
    body = r.json()
    assert next(iter(body)) == "column_maps"
    [cmap] = body["column_maps"]
    assert cmap["file"] == "东湖街道党组织.xlsx" and cmap["read"][0]["header"] == "党组织代码"


def test_the_upload_page_shows_the_column_map(browser, tmp_path):
    """In a real browser: the upload's result opens with the column map of each sheet (the
    screenshot in the README is this page)."""
    from pathlib import Path

    from tests.apps import app_with_admin
    from tests.browser import Watch, serve

    store = MemoryStore()
    app, token = app_with_admin(lambda: store)
    files = [_orgs(tmp_path), national_export(tmp_path / "党员信息.xlsx", people(6))]
    with serve(app) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000},
                                extra_http_headers={"Authorization": f"Bearer {token}"})
        watch = Watch(page)
        page.goto(base + "/", wait_until="load")
        page.set_input_files("#upload-files", [str(f) for f in files])
        page.click("#upload-go")
        page.wait_for_function("!document.getElementById('upload-go').disabled", timeout=30_000)
        maps = page.locator("#upload-result details.column-map")
        assert maps.count() == 2
        text = maps.nth(1).inner_text()
        assert "公民身份号码\t身份证号\t党员编码由它生成" in text and "民族\t（未读取）" in text
        assert "像是「上级组织编码」" in maps.nth(0).inner_text()
        artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.locator("#upload-result").screenshot(path=str(artifacts / "column-map.png"))
        assert watch.external == [] and watch.failed == [] and watch.errors == []
        page.close()


def test_an_organisation_sheet_keyed_by_its_names_says_so_of_its_own_key(tmp_path):
    """An organisation export with no code column: its names make the 组织编码, and the map says
    that (not the member sheet's 党员编码)."""
    f = write_xlsx(tmp_path / "o.xlsx", {"党组织": [
        ["党组织名称", "党组织类别", "批准成立的上级党组织"],
        ["东湖街道党工委", "党的工作委员会", ""], ["甲社区党委", "党的基层委员会", "东湖街道党工委"]]})
    report = Loader(MemoryStore()).load([f])
    [cmap] = report.column_maps
    notes = {c.header: c.note for c in cmap.read}
    assert notes["党组织名称"] == "组织编码由它生成（本表没有组织编码列）"
    assert notes["批准成立的上级党组织"] == ""
