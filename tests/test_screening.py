"""摸排 (#16, first part): registry exports read from each source's format, names brought to one
form by every rule, rows matched to the units of the graph (match / possible / new, with the
evidence) on both stores, and the review round trip (decisions survive a re-run)."""
from __future__ import annotations

import json

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from api.cli import app as cli
from graph.memory.store import MemoryStore
from graph.screening.names import normal
from graph.screening.screen import screen
from ingest.loader import Loader
from ingest.registries import read_registry
from tests.ledger_files import write_csv

UNITS = [["单位编码", "单位名称", "单位类别", "统一社会信用代码", "区划代码"],
         ["DW1", "德阳市鑫源科技有限公司", "非公企业", "91945807QY7L1W53BX", "510603000000"],
         ["DW2", "旌阳区好邻居超市有限公司", "非公企业", "", "510603000000"],
         ["DW3", "四川华西物流有限责任公司", "非公企业", "", "510603000000"],
         ["DW4", "旌阳区志愿者协会", "社会组织", "", "510603000000"],
         ["DW5", "蓉城快递服务有限公司", "非公企业", "", "510104000000"]]
REGIONS = [["区划代码", "名称", "层级", "上级区划代码"], ["510600000000", "德阳市", "市", ""],
           ["510603000000", "旌阳区", "区县", "510600000000"], ["510104000000", "锦江区", "区县", ""]]


@pytest.mark.parametrize("written, key", [
    ("ＡＢＣ電子科技有限公司", "abc电子科技"),  # full-width, traditional
    ("鑫源科技（德阳）有限公司", "鑫源科技"),  # a region in brackets before the legal form
    ("四川省德阳市鑫源科技有限公司", "鑫源科技"),  # province and city prefixes
    ("德阳市鑫源科技有限公司", "鑫源科技"),  # a city without its province
    ("四川 华西物流 有限责任公司", "华西物流"),  # spaces, 有限责任公司
    ("华西物流股份有限公司", "华西物流"),  # 股份有限公司
    ("华西（集团）股份有限公司", "华西集团"),  # 集团 in brackets is kept
    ("好又多超市有限公司", "好又多超市"),  # 超市 is no city
    ("某某（普通合伙）", "某某"),  # partnership form in brackets
])
def test_every_normalisation_rule(written, key):
    assert normal(written).key == key


def test_a_branch_is_its_own_unit():
    head, branch = normal("鑫源科技有限公司"), normal("鑫源科技有限公司旌阳分公司")
    assert head.branch is None and branch.branch == "分公司" and branch.key == "鑫源科技旌阳分公司"
    assert normal("好邻居超市东湖分店").branch == "分店"


def _market_xlsx(path):
    """市场监管: a title row above the header, its own header words."""
    wb = Workbook()
    ws = wb.active
    ws.append(["德阳市市场主体登记信息（导出）"])
    ws.append(["序号", "企业名称", "统一社会信用代码", "住所", "成立日期", "登记状态", "参保人数", "法定代表人"])
    ws.append([1, "四川省德阳市鑫源科技有限公司", "91945807QY7L1W53BX", "旌阳区某路1号", "2019-05-01", "存续", 40, "张三"])
    ws.append([2, "好邻居超市（旌阳）有限公司", None, "旌阳区某路2号", "2020-01-01", "在业", 12, "李四"])
    ws.append([3, "鑫源科技有限公司旌阳分公司", None, "旌阳区某路3号", "2021-01-01", "存续", 8, "王五"])
    ws.append([4, "旌阳区新光电子商务有限公司", None, "旌阳区某路4号", "2022-01-01", "存续", 30, "赵六"])
    ws.append([5, "华西物流有限公司", None, "锦江区某路5号", "2015-01-01", "吊销", 0, "钱七"])
    ws.append(["合计", None, None, None, None, None, 90])
    wb.save(path)
    return path


def test_each_source_format_is_read(tmp_path):
    market = read_registry([_market_xlsx(tmp_path / "市场监管.xlsx")], "市场监管")
    assert [r.row for r in market.rows] == [3, 4, 5, 6, 7] and market.rows[0].staff == 40
    assert market.rows[4].closed and not market.rows[0].closed
    (tmp_path / "民政").mkdir()
    civil = tmp_path / "民政" / "社会组织.csv"
    civil.write_bytes("社会组织名称,统一社会信用代码,住所,登记状态,从业人员数\n旌阳区志愿者协会,,旌阳区,正常,5\n"
                      .encode("gbk"))
    assert [(r.name, r.staff) for r in read_registry([tmp_path / "民政"], "民政").rows] == [("旌阳区志愿者协会", 5)]
    tax = write_csv(tmp_path / "税务.csv", [["纳税人名称", "纳税人识别号", "经营状态"], ["蓉城快递服务有限公司", "", "正常"]])
    assert read_registry([tax], "税务").rows[0].status == "正常"
    stats = write_csv(tmp_path / "统计.csv", [["单位详细名称", "统一社会信用代码", "行政区划代码", "从业人员"],
                                             ["某某机械厂", "91510600MA6B2XHF3X", "510603", "二十"]])
    got = read_registry([stats], "统计")
    assert got.rows[0].region == "510603000000" and got.rows[0].staff == 20
    assert got.rows[0].uscc is None and "校验位" in got.warnings[0].reason  # a bad code is dropped, said
    with pytest.raises(Exception, match="未知的来源"):
        read_registry([stats], "公安")


def test_rows_are_matched_with_evidence_on_both_stores(store, tmp_path):
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "行政区划.csv", REGIONS)
    write_csv(ledgers / "单位.csv", UNITS)
    Loader(store).load([ledgers])
    rows = read_registry([_market_xlsx(tmp_path / "市场监管.xlsx")], "市场监管").rows
    got = {m.row.row: m for m in screen(store, rows, tmp_path / "home")}
    assert (got[3].status, got[3].unit, got[3].evidence) == ("match", "DW1", ["统一社会信用代码一致"])
    assert (got[4].status, got[4].unit) == ("match", "DW2")  # region in brackets and in front
    assert got[5].status == "new" or got[5].unit != "DW1"  # a branch is not its head office
    assert got[6].status == "new" and got[6].unit is None
    assert (got[7].status, got[7].unit) == ("possible", "DW3")  # same name, another district
    assert "所在区县不同" in got[7].evidence


def _saved_graph(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "行政区划.csv", REGIONS)
    write_csv(ledgers / "单位.csv", UNITS)
    s = MemoryStore(tmp_path / "g.pickle")
    Loader(s).load([ledgers])
    s.save()


def test_the_cli_prints_one_object_per_row_and_decisions_survive_a_rerun(tmp_path, monkeypatch):
    _saved_graph(tmp_path, monkeypatch)
    export = _market_xlsx(tmp_path / "市场监管.xlsx")
    run = CliRunner().invoke
    r = run(cli, ["screen", "registry", str(export), "--source", "市场监管", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output[r.output.index("["):])
    assert [x["row"] for x in rows] == [3, 4, 5, 6, 7]
    assert all({"row", "status", "unit", "score", "evidence"} <= set(x) for x in rows)
    assert rows[0]["status"] == "match" and rows[0]["unit"] == "DW1"
    assert rows[4]["status"] == "possible"
    # the review round trip: the reviewer confirms row 7 is DW3 and says row 6 is new
    review = tmp_path / "复核.xlsx"
    assert run(cli, ["screen", "registry", str(export), "--source", "市场监管", "--format", "xlsx",
                     "-o", str(review)]).exit_code == 0
    wb = load_workbook(review)
    ws = wb["比对结果"]
    head = [c.value for c in ws[1]]
    for cells in ws.iter_rows(min_row=2):
        line = cells[head.index("行号")].value
        if line in (6, 7):
            cells[head.index("决定")].value = "是" if line == 7 else "新"
    wb.save(review)
    r = run(cli, ["screen", "decide", "--from", str(review)])
    assert r.exit_code == 0 and "2 条" in r.output, r.output
    again = json.loads(run(cli, ["screen", "registry", str(export), "--source", "市场监管", "--format", "json"]).output)
    by_row = {x["row"]: x for x in again}
    assert (by_row[7]["status"], by_row[7]["unit"]) == ("match", "DW3") and "人工确认" in by_row[7]["evidence"][0]
    assert by_row[6]["status"] == "new" and "人工确认" in by_row[6]["evidence"][0]
    # one row by command: row 5 (the branch) is its own unit? here: not in the graph
    r = run(cli, ["screen", "decide", str(export), "--source", "市场监管", "--row", "5", "--new"])
    assert r.exit_code == 0, r.output
    table = run(cli, ["screen", "registry", str(export), "--source", "市场监管"]).output
    assert "匹配 3，可能 0，新 2" in table


def test_the_target_list_on_both_stores(store, tmp_path, monkeypatch):
    """Registered and active but not in the ledgers; a unit with staff and nobody of the Party
    known (U3: visit); a unit the register says is closed — each with its region and the
    committee responsible (the district's two-new committee, as for the gaps)."""
    from graph.screening.screen import unit_index
    from graph.screening.targets import targets

    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "行政区划.csv", REGIONS)
    write_csv(ledgers / "单位.csv", UNITS)
    write_csv(ledgers / "党组织.csv", [["组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域", "区划代码"],
                                       ["QW", "中共旌阳区委员会", "党委", "", "机关", "510603000000"],
                                       ["LX", "旌阳区两新工委", "党工委", "QW", "行业", "510603000000"]])
    Loader(store).load([ledgers])
    export = write_csv(tmp_path / "市场监管.csv", [
        ["企业名称", "统一社会信用代码", "住所", "登记状态", "参保人数"],
        ["旌阳区新光电子商务有限公司", "", "德阳市旌阳区某路4号", "存续", "30"],  # not in the ledgers
        ["旌阳区旧光电子有限公司", "", "德阳市旌阳区某路9号", "注销", "0"],  # closed: no target
        ["好邻居超市（旌阳）有限公司", "", "旌阳区", "在业", "12"],  # DW2: staff, nobody known
        ["四川华西物流有限责任公司", "", "旌阳区", "吊销", "0"],  # DW3: closed, still counted
    ])
    rows = read_registry([export], "市场监管").rows
    index = unit_index(store)
    found = {t.row: t for t in targets(store, screen(store, rows, tmp_path / "home", index), index)}
    assert set(found) == {2, 4, 5}
    assert (found[2].kind, found[2].region, found[2].responsible, found[2].staff) == (
        "未入台账", "510603000000", "LX", 30)
    assert (found[4].kind, found[4].unit, found[4].responsible) == ("应走访", "DW2", "LX")
    assert (found[5].kind, found[5].unit) == ("已注销仍计入", "DW3") and "吊销" in found[5].reason
    if store.backend == "memory":  # the CLI's workbook for the visiting teams, one sheet a kind
        monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
        saved = MemoryStore(tmp_path / "g.pickle")
        Loader(saved).load([ledgers])
        saved.save()
        out = tmp_path / "目标对象.xlsx"
        r = CliRunner().invoke(cli, ["screen", "targets", str(export), "--source", "市场监管", "--format", "xlsx",
                                     "-o", str(out)])
        assert r.exit_code == 0, r.output
        wb = load_workbook(out)
        assert wb.sheetnames == ["未入台账", "应走访", "已注销仍计入"]
        assert [c.value for c in wb["未入台账"][2]][:2] == ["未入台账", "旌阳区新光电子商务有限公司"]
        assert wb["应走访"]["F2"].value == "旌阳区两新工委"
        # 已注销仍计入 acted on: the unit ends as the register says (吊销), with its row as the reason
        monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
        r = CliRunner().invoke(cli, ["screen", "targets", str(export), "--source", "市场监管", "--end", "--yes"])
        assert r.exit_code == 0, r.output
        dw3 = MemoryStore(tmp_path / "g.pickle").get("Unit", "DW3").props
        assert (dw3["end_reason"], dw3["end_source"]) == ("吊销", "市场监管登记状态“吊销”（第 5 行）")
        r = CliRunner().invoke(cli, ["screen", "targets", str(export), "--source", "市场监管", "--format", "json"])
        assert "已注销仍计入" not in r.output  # no longer counted: no longer a target


def _id_card(body17: str) -> str:
    from ingest.checks import _ID_CHECK, _ID_WEIGHTS

    return body17 + _ID_CHECK[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def test_a_roster_finds_members_whose_organisation_is_elsewhere_on_both_stores(store, tmp_path):
    """By 身份证号, else by name and birth date: M1 is the unit's own member; M2 works there with
    their 组织关系 elsewhere and no WORKS_AT (a 口袋党员 candidate); M3 is found by name and birth
    date; a non-member is not listed. Confirming sets the unit's 党员数, and U1 follows it."""
    from graph.analyses.gaps import find_gaps
    from graph.screening.rosters import apply_count, match_roster
    from ingest.registries import read_roster

    c1, c2, c3, c4 = (_id_card(f"51060319{y}0101{n:03d}") for y, n in ((80, 1), (85, 2), (90, 3), (95, 4)))
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "单位.csv", [["单位编码", "单位名称", "单位类别"], ["DW1", "鑫源科技有限公司", "非公企业"],
                                     ["DW9", "另一家公司", "非公企业"]])
    write_csv(ledgers / "党组织.csv", [["组织编码", "组织名称", "组织类别", "所在单位编码"],
                                       ["QY", "鑫源科技党支部", "党支部", "DW9"], ["SQ", "某某社区党委", "党委", ""]])
    write_csv(ledgers / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号", "工作单位编码"],
                                     ["M1", "张一", "正式", "SQ", c1, "DW1"], ["M2", "李二", "正式", "SQ", c2, ""],
                                     ["M3", "王三", "正式", "SQ", c3, ""]])
    Loader(store).load([ledgers])
    roster = write_csv(tmp_path / "花名册.csv", [["员工姓名", "身份证号码", "出生年月", "岗位"],
                                                 ["张一", c1, "", "经理"], ["李二", c2, "", "会计"],
                                                 ["王三", "", "1990-01-01", "技术员"], ["赵四", c4, "", "保安"]])
    rows, read = read_roster([roster])
    assert [r.name for r in rows] == ["张一", "李二", "王三", "赵四"] and not read.rejected
    result = match_roster(store, "DW1", rows)
    assert {m.member: m.how for m in result.found} == {"M1": "身份证号一致", "M2": "身份证号一致",
                                                       "M3": "姓名与出生日期一致"}
    assert {m.member for m in result.without_works_at} == {"M2", "M3"}
    assert {(m.member, m.org_name) for m in result.elsewhere} == {("M1", "某某社区党委"), ("M2", "某某社区党委"),
                                                                 ("M3", "某某社区党委")}
    shown = json.dumps(result.as_dict(), ensure_ascii=False)
    assert c2 not in shown and c2[:4] in shown  # masked
    assert (result.members_now, result.proposed) == (1, 3)
    assert "DW1" not in {g.id for g in find_gaps(store, rules=["U1"])}
    apply_count(store, result)
    assert "DW1" in {g.id for g in find_gaps(store, rules=["U1"])}  # three members now: should set up its own
    # the unit's next ledger row, the same as before, is written again: the ledger stands
    assert Loader(store).load([ledgers / "单位.csv"]).ledgers["单位"].unchanged == 1  # DW9 only


def test_the_roster_command_masks_and_confirms(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    card = _id_card("51060319800101001")
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "单位.csv", [["单位编码", "单位名称", "单位类别"], ["DW1", "鑫源科技有限公司", "非公企业"]])
    write_csv(ledgers / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["SQ", "某某社区党委", "党委"]])
    write_csv(ledgers / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号"],
                                     ["M1", "张一", "正式", "SQ", card]])
    s = MemoryStore(tmp_path / "g.pickle")
    Loader(s).load([ledgers])
    s.save()
    roster = write_csv(tmp_path / "花名册.csv", [["姓名", "身份证号"], ["张一", card]])
    run = CliRunner().invoke
    r = run(cli, ["screen", "roster", str(roster), "--unit", "鑫源科技有限公司", "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["members_found"] == 1 and body["elsewhere"][0]["org_name"] == "某某社区党委"
    assert card not in r.output
    r = run(cli, ["screen", "roster", str(roster), "--unit", "DW1", "--apply"])
    assert r.exit_code == 0 and "党员数记为 1" in r.output, r.output
    assert MemoryStore(tmp_path / "g.pickle").get("Unit", "DW1").props["members_reported"] == 1
    assert "花名册确认党员数" in run(cli, ["audit"]).output


def test_a_street_name_is_part_of_a_social_organisations_name(tmp_path):
    """Provinces, cities and districts are dropped from the start of a name; a street's name is
    not: 甲街道社工服务中心 and 乙街道社工服务中心 are two organisations."""
    from graph.screening.screen import unit_index

    s = MemoryStore()
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "行政区划.csv", [*REGIONS, ["510603001000", "甲街道", "街道乡镇", "510603000000"],
                                         ["510603002000", "乙街道", "街道乡镇", "510603000000"]])
    write_csv(ledgers / "单位.csv", [["单位编码", "单位名称", "单位类别", "区划代码"],
                                     ["SG1", "甲街道社工服务中心", "社会组织", "510603001000"]])
    Loader(s).load([ledgers])
    index = unit_index(s)
    from ingest.registries import RegistryRow

    assert index.match(RegistryRow("民政", "a.csv", 2, "乙街道社工服务中心")).status != "match"
    m = index.match(RegistryRow("民政", "a.csv", 3, "旌阳区甲街道社工服务中心"))
    assert (m.status, m.unit) == ("match", "SG1")
