"""Exports of the systems staff already keep their members in (全国党员管理信息系统, city
智慧党建 platforms), loaded as they are (docs/ledgers.md, "从现有系统导出的台账"): members keyed by
公民身份号码 through a keyed hash, their values (人员类别 1/2, 党籍状态, 是否失联党员, 外出流向, 转正日期 "-"),
the same person on the same node next month, and no ID number in any key, URL, log, report or
view — on both stores, from real xlsx files written the way those systems write them."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import stat
from pathlib import Path

import pytest
from faker import Faker
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from graph.analyses.gaps import find_gaps
from graph.memory.store import MemoryStore
from ingest import member_keys
from ingest.backup import export_ledgers
from ingest.loader import Loader
from ingest.returns import write_returns

AS_OF = dt.date(2026, 11, 30)
BRANCH = "成都市锦江区东湖街道观音桥社区第一党支部"
BRANCH2 = "成都市锦江区东湖街道观音桥社区第二党支部"
# the member card's columns as the 全国党员管理信息系统 exports them
NATIONAL = ["序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期",
            "转正日期", "工作岗位", "联系电话", "家庭住址", "党籍状态", "是否失联党员", "失联日期", "是否流动党员", "外出流向"]
COUNTIES = ("510104", "510105", "510106", "510107", "110105", "120101")


# --- synthetic people: valid ID numbers by a generator of our own, checked by python-stdnum -----
def _check_char(body: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def make_ids(n: int, seed: int = 7) -> list[str]:
    rnd, out = random.Random(seed), []
    while len(out) < n:
        born = dt.date(1955, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 45))
        body = rnd.choice(COUNTIES) + born.strftime("%Y%m%d") + f"{rnd.randrange(1000):03d}"
        code = body + _check_char(body)
        if ric.is_valid(code) and code not in out:
            out.append(code)
    return out


def people(n: int, seed: int = 7) -> list[dict]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    out = []
    for i, id_no in enumerate(make_ids(n, seed)):
        mobile = i % 4 == 1
        lost = i % 7 == 3
        out.append({
            "name": fake.name(), "gender": "男" if int(id_no[16]) % 2 else "女", "id": id_no,
            "born": f"{id_no[6:10]}-{id_no[10:12]}-{id_no[12:14]}",
            "category": "预备党员" if i % 5 == 4 else "正式党员",
            "branch": BRANCH if i % 2 == 0 else BRANCH2,
            "joined": f"{2000 + i % 20}-07-01", "phone": fake.phone_number(),
            "status": "正常", "lost": "是" if lost else "否", "lost_since": "2025-03-01" if lost else "",
            "mobile": "是" if mobile else "否", "to": fake.city() if mobile else "",
            "post": rnd.choice(["职员", "退休", "教师", "个体"]),
        })
    return out


def national_export(path: Path, rows: list[dict], title: str = "党员信息表") -> Path:
    """A member export as the national system writes it: a title row above the header, every
    cell text (the ID number as text, as its export does), 转正日期 "-" for a 预备党员."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(NATIONAL))
    ws.append(NATIONAL)
    for i, p in enumerate(rows, start=1):
        ws.append([str(i), p["name"], p["gender"], p["id"], "汉族", p["born"], "大学本科", p["category"],
                   p["branch"], p["joined"], "-" if p["category"] == "预备党员" else f"{int(p['joined'][:4]) + 1}-07-01",
                   p["post"], p["phone"], "四川省成都市锦江区东湖街道", p["status"], p["lost"], p["lost_since"],
                   p["mobile"], p["to"]])
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.number_format = "@"
    wb.save(path)
    return path


def org_export(path: Path) -> Path:
    """The organisations as a platform exports them: 党组织代码, 名称, the kinds written out."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党组织"
    ws.append(["党组织代码", "名称", "组织类别", "上级党组织编码", "建立党组织日期"])
    ws.append(["0510104001", "中共成都市锦江区东湖街道工作委员会", "党的工作委员会", "", "2001-03-01"])
    ws.append(["0510104101", "中共观音桥社区委员会", "党的基层委员会", "0510104001", "2003-03-01"])
    ws.append(["0510104111", BRANCH, "党支部委员会", "0510104101", "2010-05-01"])
    ws.append(["0510104112", BRANCH2, "党支部委员会", "0510104101", "2012年5月1日"])
    wb.save(path)
    return path


def load(store, *files):
    return Loader(store, now=dt.datetime(2026, 11, 30, 9, 0)).load(list(files))


def members(store) -> dict[str, dict]:
    return {n.key: n.props for n in store.iter_nodes("Member")}


# --- the member key ---------------------------------------------------------------------------
def test_a_national_export_loads_unmodified_and_keys_members_by_a_keyed_hash(store, tmp_path):
    crowd = people(24)
    report = load(store, org_export(tmp_path / "组织.xlsx"), national_export(tmp_path / "党员.xlsx", crowd))
    assert report.rejected == [] and report.warnings == [], (report.rejected, report.warnings)
    assert report.landed == {"党组织": 4, "党员": 24}
    got = members(store)
    assert len(got) == 24
    by_name = {}
    for key, p in got.items():
        assert key.startswith("DY") and len(key) == 18 and key.isalnum()
        by_name[p["id_card"]] = (key, p)
    for person in crowd:
        key, p = by_name[person["id"]]
        assert person["id"] not in key and person["id"][:6] not in key[2:]
        assert key == member_keys.member_key(person["id"])
        assert p["category"] == ("预备" if person["category"] == "预备党员" else "正式")
        assert p["mobile"] is (person["mobile"] == "是")
        assert p["lost_contact"] is (person["lost"] == "是")
        assert p.get("lost_since") == (person["lost_since"] or None)
        assert p.get("outflow_to") == (person["to"] or None)
        assert p["joined"] == person["joined"] and p.get("ended") is None  # 党籍状态 正常: not ended
        assert ("confirmed" in p) is (person["category"] == "正式党员")  # "-" for a 预备党员: no date, no warning
    # every member in its branch, by the branch's full name
    rels = {(r.start.key, r.end.key) for r in store.iter_relationships("MEMBER_OF")}
    assert len(rels) == 24
    assert {e for _, e in rels} == {"0510104111", "0510104112"}
    # the organisation sheet: 党组织代码 / 名称 / 党的工作委员会 / 建立党组织日期
    top = store.get("Organization", "0510104001").props
    assert (top["name"], top["kind"], top["founded"]) == ("中共成都市锦江区东湖街道工作委员会", "党工委", "2001-03-01")
    assert store.get("Organization", "0510104112").props["founded"] == "2012-05-01"


def test_next_months_export_lands_on_the_same_members(store, tmp_path):
    crowd = people(20)
    load(store, org_export(tmp_path / "组织.xlsx"), national_export(tmp_path / "2026-10.xlsx", crowd))
    before = members(store)
    # next month: another file, rows in another order, a phone changed, one member confirmed
    later = [dict(p) for p in reversed(crowd)]
    later[0]["phone"] = "13900001111"
    prob = next(p for p in later if p["category"] == "预备党员")
    prob["category"] = "正式党员"
    report = load(store, national_export(tmp_path / "2026-11.xlsx", later, title="党员信息表（11月）"))
    assert report.rejected == [] and report.landed == {"党员": 20}
    after = members(store)
    assert set(after) == set(before) and store.counts()["Member"] == 20
    key = member_keys.member_key(prob["id"])
    assert before[key]["category"] == "预备" and after[key]["category"] == "正式"


def test_no_id_number_in_keys_urls_logs_reports_or_views(store, tmp_path, caplog):
    from fastapi.testclient import TestClient

    from graph.neo4j.store import Neo4jStore
    from tests.apps import app_with_admin

    crowd = people(12)
    bad = dict(crowd[0], id=crowd[0]["id"][:17] + ("0" if crowd[0]["id"][17] != "0" else "1"))  # a wrong check character
    rows = [bad, *crowd[1:]]
    caplog.set_level(logging.DEBUG)
    report = load(store, org_export(tmp_path / "组织.xlsx"), national_export(tmp_path / "党员.xlsx", rows))
    assert report.landed["党员"] == 12  # the member with a mistyped number still lands (with a warning)
    assert [w.column for w in report.warnings] == ["身份证号"] and "党员按所填号码识别" in report.warnings[0].reason
    raw = [p["id"] for p in rows] + [p["id"][:17] for p in rows]
    outputs = {"keys": " ".join(members(store)), "log": caplog.text}
    report.write_json(tmp_path / "report.json")
    outputs["json"] = (tmp_path / "report.json").read_text(encoding="utf-8")
    for path in write_returns(report, tmp_path / "returns"):  # its list (the sheets after it copy the uploader's own file)
        ws = load_workbook(path).worksheets[0]
        outputs[path.name] = " ".join(str(c.value) for row in ws.iter_rows() for c in row)
    factory = (lambda: Neo4jStore(store.uri)) if store.backend == "neo4j" else (lambda: store)
    app, token = app_with_admin(factory)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        for key in list(members(store))[:3]:
            page = c.get(f"/entities/Member/{key}")
            assert page.status_code == 200, page.text
            outputs[f"page {key}"] = page.text
        for url in ("/views/tree/0510104001", "/views/neighbourhood/0510104111?hops=2", "/gaps?format=json",
                    "/search?q=" + rows[1]["name"]):
            r = c.get(url)
            assert r.status_code == 200, url
            outputs[url] = r.text + " ".join(str(u) for u in r.url.params.values())
    for where, text in outputs.items():
        for number in raw:
            assert number not in text, f"{where} shows an ID number"


def test_a_stopped_membership_leaves_the_counts_and_says_so(store, tmp_path):
    crowd = people(6)
    for p in crowd:
        p["branch"], p["category"] = BRANCH, "正式党员"
    crowd[0]["status"] = "停止党籍"
    crowd = crowd[:3]  # three formal members, one of them stopped: two count
    report = load(store, org_export(tmp_path / "组织.xlsx"), national_export(tmp_path / "党员.xlsx", crowd))
    assert report.rejected == [] and report.landed["党员"] == 3
    assert any("1 名党员党籍状态为“停止党籍”" in n and "不计入" in n for n in report.notes)
    stopped = member_keys.member_key(crowd[0]["id"])
    kept = store.get("Member", stopped).props  # kept, ended as of the load's day (graph.ends)
    assert (kept["end_reason"], kept["ended"]) == ("停止党籍", "2026-11-30")
    gaps = {(g.rule, g.id): g for g in find_gaps(store, as_of=AS_OF)}
    o1 = gaps[("O1", "0510104111")]
    assert o1.figures["formal"] == 2 and o1.figures["stopped"] == 1
    assert "另有 1 名停止党籍，不计入" in o1.message
    assert ("O1", "0510104112") in gaps and gaps[("O1", "0510104112")].figures["stopped"] == 0


def test_stopped_members_are_not_counted_by_unit_and_building_rules(store, tmp_path):
    """U and G rules count active members only: two workers and three residents, one of
    each stopped, make a unit of 1 member (U2, not U1) and a building of 2 residents (no G2)."""
    from tests.ledger_files import write_xlsx

    ids = make_ids(4, seed=11)
    head = ["姓名", "公民身份号码", "人员类别", "所在党支部", "工作单位编码", "居住单位编码", "党籍状态"]
    f = write_xlsx(tmp_path / "all.xlsx", {
        "单位": [["单位编码", "单位名称", "单位类别"], ["U1", "华兴科技有限公司", "非公企业"],
                 ["B1", "1号楼", "楼栋"]],
        "党员": [head, ["甲", ids[0], "1", BRANCH, "U1", "B1", "正常"],
                 ["乙", ids[1], "1", BRANCH, "U1", "B1", "停止党籍"],
                 ["丙", ids[2], "2", BRANCH, "", "B1", "正常"]],
    })
    load(store, org_export(tmp_path / "组织.xlsx"), f)
    gaps = {(g.rule, g.id) for g in find_gaps(store, as_of=AS_OF)}
    assert ("U2", "U1") in gaps and ("U1", "U1") not in gaps
    assert ("G2", "B1") not in gaps
    load(store, write_xlsx(tmp_path / "again.xlsx", {"党员": [head, ["乙", ids[1], "1", BRANCH, "U1", "B1", "正常"]]}))
    gaps = {(g.rule, g.id) for g in find_gaps(store, as_of=AS_OF)}
    assert ("G2", "B1") in gaps  # restored: three residents


# --- what is rejected, and what says which column to add ---------------------------------------
def test_an_excel_rounded_id_number_is_rejected_when_it_is_the_key(tmp_path):
    ids = make_ids(2)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "公民身份号码", "人员类别", "所在党支部"])
    ws.append(["甲", ids[0], "正式党员", BRANCH])
    ws.append(["乙", int(ids[1][:17] + "0") if ids[1][17] != "X" else 510104199001011230, "正式党员", BRANCH])
    ws.append(["丙", "", "正式党员", BRANCH])
    wb.save(tmp_path / "m.xlsx")
    report = Loader(MemoryStore()).load([tmp_path / "m.xlsx"])
    assert report.landed == {"党员": 1}
    by_row = {i.row: i for i in report.rejected}
    assert set(by_row) == {3, 4}
    assert "文本" in by_row[3].reason and "无法据此识别党员" in by_row[3].reason and by_row[3].cell == "B3"
    assert "缺少身份证号" in by_row[4].reason and "党员编码" in by_row[4].reason
    assert [w.column for w in report.warnings] == ["所在党组织编码"]  # (no branch loaded); the rounded number's warning became its rejection


def test_a_code_column_keys_members_and_the_id_number_stands_in_for_a_blank_code(tmp_path):
    ids = make_ids(3)
    wb = Workbook()
    ws = wb.active
    ws.append(["人员编号", "姓名", "身份证号", "人员类别", "所在党支部"])
    ws.append(["P001", "甲", ids[0], "1", BRANCH])
    ws.append(["", "乙", ids[1], "2", BRANCH])
    ws.append(["", "丙", "", "1", BRANCH])
    wb.save(tmp_path / "m.xlsx")
    store = MemoryStore()
    report = Loader(store).load([tmp_path / "m.xlsx"])
    assert set(members(store)) == {"P001", member_keys.member_key(ids[1])}
    assert {k: p["category"] for k, p in members(store).items()} == {"P001": "正式", member_keys.member_key(ids[1]): "预备"}
    [rej] = report.rejected
    assert rej.row == 4 and rej.column == "党员编码" and "也没有填身份证号" in rej.reason


@pytest.mark.parametrize("header", ["工作证号", "编号", "人员编号", "党员编号"])
def test_member_code_headers(tmp_path, header):
    from tests.ledger_files import write_xlsx

    store = MemoryStore()
    f = write_xlsx(tmp_path / "m.xlsx", {"党员": [[header, "姓名", "人员类别", "所在党支部"], ["GZ-01", "甲", "正式党员", "D1"]]})
    report = Loader(store).load([f])
    assert report.landed == {"党员": 1} and list(members(store)) == ["GZ-01"]


def test_a_members_sheet_with_neither_code_nor_id_number_names_both_columns(tmp_path):
    from tests.ledger_files import write_xlsx

    f = write_xlsx(tmp_path / "m.xlsx", {"党员": [["序号", "姓名", "性别", "人员类别", "所在党支部"],
                                                 ["1", "甲", "男", "正式党员", BRANCH]]})
    report = Loader(MemoryStore()).load([f])
    assert report.landed == {}
    [problem] = report.rejected
    assert "党员编码" in problem.reason and "身份证号" in problem.reason


# --- the secret: made once, 0600, in backups, restored -----------------------------------------
def test_the_secret_is_private_backed_up_and_restored(tmp_path, monkeypatch):
    crowd = people(8)
    store = MemoryStore()
    load(store, org_export(tmp_path / "组织.xlsx"), national_export(tmp_path / "10.xlsx", crowd))
    home = Path(os.environ["TUPU_HOME"])
    path = home / member_keys.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 32
    keys = set(members(store))
    backup = tmp_path / "backup"
    export_ledgers(store, backup)
    assert stat.S_IMODE((backup / member_keys.SECRET_FILE).stat().st_mode) == 0o600
    assert (backup / member_keys.SECRET_FILE).read_bytes() == path.read_bytes()
    shared = tmp_path / "shared"
    export_ledgers(store, shared, mask=True)
    assert not (shared / member_keys.SECRET_FILE).exists()  # a copy for sharing leaves the key out
    # a new installation: restore the backup, then next month's export lands on the same members
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "new-home"))
    restored = MemoryStore()
    report = Loader(restored).load([backup])
    assert any("已从备份恢复党员编码密钥" in n for n in report.notes)
    assert set(members(restored)) == keys
    report = load(restored, national_export(tmp_path / "11.xlsx", crowd))
    assert report.rejected == [] and set(members(restored)) == keys


def test_a_different_secret_is_not_installed_over_members_keyed_with_this_one(tmp_path, monkeypatch):
    crowd = people(4)
    store = MemoryStore()
    load(store, national_export(tmp_path / "a.xlsx", crowd))
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / member_keys.SECRET_FILE).write_bytes(b"x" * 32)
    mine = (Path(os.environ["TUPU_HOME"]) / member_keys.SECRET_FILE).read_bytes()
    report = Loader(store).load([backup])
    assert any("未替换" in n for n in report.notes)
    assert (Path(os.environ["TUPU_HOME"]) / member_keys.SECRET_FILE).read_bytes() == mine


def test_rosters_still_match_members_keyed_by_their_id_number(tmp_path):
    from graph.screening.rosters import match_roster
    from ingest.registries import RosterRow
    from tests.ledger_files import write_xlsx

    crowd = people(3)
    store = MemoryStore()
    load(store, national_export(tmp_path / "a.xlsx", crowd),
         write_xlsx(tmp_path / "u.xlsx", {"单位": [["单位编码", "单位名称", "单位类别"], ["U1", "华兴科技有限公司", "非公企业"]]}))
    result = match_roster(store, "U1", [RosterRow("花名册.xlsx", 2, crowd[1]["name"], crowd[1]["id"])])
    [found] = result.found
    assert found.member == member_keys.member_key(crowd[1]["id"]) and found.how == "身份证号一致"
    assert crowd[1]["id"] not in json.dumps(result.as_dict(), ensure_ascii=False)


# --- values as those systems write them, each from a real xlsx cell -----------------------------
MEMBER_HEAD = ["党员编码", "姓名", "人员类别", "所在党组织编码"]


@pytest.mark.parametrize("header,value,prop,expected", [
    ("人员类别", "正式党员", "category", "正式"), ("人员类别", "预备党员", "category", "预备"),
    ("人员类别", 1, "category", "正式"), ("人员类别", "2", "category", "预备"),
    ("党籍状态", "正常", "ended", None), ("党籍状态", "停止党籍", "end_reason", "停止党籍"),
    ("是否失联党员", "是", "lost_contact", True), ("是否失联党员", "否", "lost_contact", False),
    ("失联日期", "2025年3月1日", "lost_since", "2025-03-01"),
    ("是否流动党员", "是", "mobile", True), ("外出流向", "广东省深圳市南山区", "outflow_to", "广东省深圳市南山区"),
    ("入党日期", "2001.07.01", "joined", "2001-07-01"), ("加入党组织日期", dt.date(2001, 7, 1), "joined", "2001-07-01"),
    ("转正日期", "2002-07-01", "confirmed", "2002-07-01"), ("转正日期", "-", "confirmed", None),
])
def test_member_values_as_the_systems_write_them(tmp_path, header, value, prop, expected):
    from tests.ledger_files import write_xlsx

    row = ["M1", "甲", "正式党员", "D1"]
    head = list(MEMBER_HEAD)
    if header == "人员类别":
        head[2], row[2] = header, value
    else:
        head.append(header)
        row.append(value)
    store = MemoryStore()
    report = Loader(store).load([write_xlsx(tmp_path / "m.xlsx", {
        "组织": [["组织编码", "组织名称", "组织类别"], ["D1", "甲支部", "党支部"]], "党员": [head, row]})])
    assert report.rejected == [] and report.warnings == []
    assert store.get("Member", "M1").props.get(prop) == expected


@pytest.mark.parametrize("header,value,prop,expected", [
    ("组织类别", "党的基层委员会", "kind", "党委"), ("组织类别", "党的工作委员会", "kind", "党工委"),
    ("组织类别", "党总支部委员会", "kind", "党总支"), ("组织类别", "党支部委员会", "kind", "党支部"),
    ("组织类别", "联合党支部", "kind", "联合党支部"),
    ("建立党组织日期", "2019/7/1", "founded", "2019-07-01"),
])
def test_organisation_values_as_the_systems_write_them(tmp_path, header, value, prop, expected):
    from tests.ledger_files import write_xlsx

    head, row = ["党组织代码", "党支部名称", "组织类别"], ["D1", "甲支部", "党支部"]
    if header == "组织类别":
        row[2] = value
    else:
        head.append(header)
        row.append(value)
    store = MemoryStore()
    report = Loader(store).load([write_xlsx(tmp_path / "o.xlsx", {"组织": [head, row]})])
    assert report.rejected == [] and report.warnings == []
    node = store.get("Organization", "D1").props
    assert node["name"] == "甲支部" and node[prop] == expected


def test_a_name_column_is_an_organisations_name_and_still_a_regions(tmp_path):
    from tests.ledger_files import write_xlsx

    f = write_xlsx(tmp_path / "two.xlsx", {
        "区划": [["区划代码", "名称", "层级", "上级区划代码"], ["510104000000", "锦江区", "区县", ""]],
        "组织": [["党组织代码", "名称", "组织类别", "区划代码"], ["D1", "甲支部", "党支部", "510104000000"]],
    })
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.landed == {"行政区划": 1, "党组织": 1} and report.rejected == []
    assert store.get("Region", "510104000000").props["name"] == "锦江区"
    assert store.get("Organization", "D1").props["name"] == "甲支部"
