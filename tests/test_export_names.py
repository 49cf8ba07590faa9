"""Exports of the systems staff already use, loaded as they are: organisations with no code and
parents by name (full name or 简称, in the forms each system writes), members in their branches by
the branch's full name and by its 简称 — on both stores; names compared after the normalisations
of docs/ledgers.md; a name of a rejected row said as such; a street analyst's upload by names."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.analyses.gaps import find_gaps
from graph.analyses.resolve import resolve
from graph.analyses.scope import Scope
from graph.name_forms import name_key
from ingest.guard import WriteScope
from ingest.loader import Loader
from tests import export_street as ex
from tests.ledger_files import write_csv, write_xlsx
from viz.entity import entity_html

AS_OF = dt.date(2026, 11, 30)


def _parents(store) -> dict[str, str]:
    names = {n.key: n.props["name"] for n in store.iter_nodes("Organization")}
    return {names[r.start.key]: names[r.end.key] for r in store.iter_relationships("SUBORDINATE_TO")}


def _branch_of(store) -> dict[str, str]:
    names = {n.key: n.props["name"] for n in store.iter_nodes("Organization")}
    return {r.start.key: names[r.end.key] for r in store.iter_relationships("MEMBER_OF")}


@pytest.mark.parametrize("by", ["name", "short"])
def test_a_national_export_lands_with_its_tree_and_every_member_in_its_branch(tmp_path, store, by):
    s = ex.street()
    orgs = ex.national_orgs(tmp_path / "党组织信息.xlsx", s)
    roster = ex.members(tmp_path / "党员信息.xlsx", s, by=by)
    report = Loader(store).load([orgs, roster])
    assert report.rejected == []
    # every organisation with its parent (the street's own parent is not in the street's export)
    assert report.counts("党组织").landed == len(s.orgs)
    expected = {o.name: next(p.name for p in s.orgs if name_key(o.parent, True) in
                             (name_key(p.name, True), name_key(p.short, True)))
                for o in s.orgs if o.parent != ex.DISTRICT_COMMITTEE}
    assert _parents(store) == expected
    assert [(w.column, w.value, w.reason) for w in report.warnings if w.column == "上级组织编码"] == [
        ("上级组织编码", ex.DISTRICT_COMMITTEE,
         f"引用的党组织编码不存在：{ex.DISTRICT_COMMITTEE}（也没有党组织叫这个名称），该关联未建立")]
    # 120 of 120 members in their branch, by its full name or by its 简称
    assert _branch_of(store) == {code: full for code, _, _, _, _, full, _, _ in s.members}
    assert len(_branch_of(store)) == 120
    gaps = find_gaps(store, as_of=AS_OF)
    assert [g for g in gaps if g.rule == "M2"] == []
    assert {g.name for g in gaps if g.rule == "O1"} == {  # the only short branches: 120 over 13
        o.name for o in s.branches() if sum(1 for m in s.members if m[5] == o.name and m[4] == "正式党员") < 3}
    # the 简称 is the organisation's: kept, shown, and a name that finds it
    branch = s.branches()[0]
    node = resolve(store, branch.short, ["Organization"])
    assert node.props["name"] == branch.name and node.props["short_name"] == branch.short


def test_the_city_export_and_the_national_one_are_the_same_organisations(tmp_path, store):
    """中共骆路街道观音桥社区第一支部委员会 in one system is 骆路街道观音桥社区第1党支部 in the other: both
    exports land on the same organisations (their keys come from their names' one form)."""
    s = ex.street()
    Loader(store).load([ex.national_orgs(tmp_path / "全国.xlsx", s)])
    before = store.counts()["Organization"]
    report = Loader(store).load([ex.city_orgs(tmp_path / "智慧党建.xlsx", s)])
    assert report.rejected == [] and store.counts()["Organization"] == before == len(s.orgs)
    assert len(_parents(store)) == len(s.orgs) - 1
    # members of the city's roster by the city's names reach the same branches
    roster = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所属党支部"]] + [
        [code, name, "正式", ex.plain(full)] for code, name, _, _, _, full, _, _ in s.members[:20]])
    assert Loader(store).load([roster]).warnings == []
    assert len(_branch_of(store)) == 20


@pytest.mark.parametrize("stored,written", [
    ("中共骆路街道观音桥社区委员会", "骆路街道观音桥社区党委"),          # 中共 … 委员会 = … 党委
    ("中国共产党骆路街道观音桥社区委员会", "中共骆路街道观音桥社区委员会"),  # 中国共产党 = 中共
    ("骆路街道观音桥社区第一党支部", "骆路街道观音桥社区第1党支部"),        # 第一 = 第1
    ("中共骆路街道观音桥社区第十二支部委员会", "骆路街道观音桥社区第12党支部"),  # 支部委员会 = 党支部
    ("中共骆路街道观音桥社区总支部委员会", "骆路街道观音桥社区党总支"),      # 总支部委员会 = 党总支
    ("骆路街道观音桥社区党总支部委员会", "骆路街道观音桥社区党总支"),
    ("中共骆路街道工作委员会", "骆路街道党工委"),                        # 工作委员会 = 党工委
    ("华兴科技（成都）有限公司党支部", "华兴科技(成都)有限公司党支部"),    # brackets of either width
    ("华兴科技【成都】有限公司党支部", "华兴科技（成都）有限公司党支部"),
    ("观音桥社区 第一 党支部", "观音桥社区第一党支部"),                  # spaces
    ("ABC Tech 公司党支部", "abc tech公司党支部"),                       # Latin letters, any case
    ("ＡＢＣ科技公司党支部", "ABC科技公司党支部"),                        # full-width letters
])
def test_each_normalisation_of_a_name(tmp_path, store, stored, written):
    """A member's branch written in another form than the organisation's name: linked, whether the
    organisation is in the same load or in the graph from an earlier one."""
    orgs = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["B1", stored, "党支部"],
                                                ["B2", "骆路街道观音桥社区第二党支部", "党支部"]])
    roster = write_xlsx(tmp_path / "党员.xlsx", {"党员": [["党员编码", "姓名", "党员类别", "所在党支部"],
                                                          ["M1", "张三", "正式", written]]})
    report = Loader(store).load([orgs, roster])
    assert report.warnings == [] and report.by_name == 1
    assert store.get("Member", "M1").props["org_code"] == "B1"
    later = write_xlsx(tmp_path / "党员2.xlsx", {"党员": [["党员编码", "姓名", "党员类别", "所在党支部"],
                                                          ["M2", "李四", "正式", written]]})
    assert Loader(store).load([later]).warnings == []  # from the graph this time
    assert store.get("Member", "M2").props["org_code"] == "B1"


def test_a_short_name_is_an_alias_of_its_organisation(tmp_path, store):
    orgs = write_csv(tmp_path / "党组织.csv", [
        ["组织编码", "组织名称", "党组织简称", "组织类别", "上级党组织"],
        ["C1", "中共骆路街道观音桥社区委员会", "观音桥社区党委", "党委", ""],
        ["B1", "中共骆路街道观音桥社区第一支部委员会", "观音桥一支部", "党支部", "观音桥社区党委"]])
    roster = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所属党支部"],
                                               ["M1", "张三", "正式", "观音桥一支部"], ["M2", "李四", "正式", "观音桥一党支部"]])
    report = Loader(store).load([orgs, roster])
    assert report.warnings == []
    assert {r.start.key: r.end.key for r in store.iter_relationships("MEMBER_OF")} == {"M1": "B1", "M2": "B1"}
    assert store.get("Organization", "B1").props["short_name"] == "观音桥一支部"
    # the entity page shows it, under its Chinese name; its name's keys are never shown
    text = entity_html(store.get("Organization", "B1"), [], [], AS_OF)
    assert "党组织简称" in text and "观音桥一支部" in text and "name_key" not in text and "short_key" not in text
    assert resolve(store, "观音桥一支部").key == "B1"  # search by the alias


def test_a_reference_to_a_rejected_row_of_the_load_says_so(tmp_path, store):
    orgs = write_xlsx(tmp_path / "党组织.xlsx", {"党组织": [
        ["党组织名称", "党组织类别", "批准成立的上级党组织"],
        ["中共骆路街道观音桥社区委员会", "", ""],  # rejected: no 党组织类别
        ["中共骆路街道观音桥社区第一支部委员会", "党支部委员会", "骆路街道观音桥社区党委"]]})
    roster = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党支部"],
                                               ["M1", "张三", "正式", "骆路街道观音桥社区党委"]])
    report = Loader(store).load([orgs, roster])
    assert [(i.row, i.reason) for i in report.rejected] == [(2, "缺少必填项：组织类别")]
    warned = {(w.file.rsplit("/", 1)[-1], w.row): w.reason for w in report.warnings}
    assert warned[("党组织.xlsx", 3)] == ("批准成立的上级党组织「骆路街道观音桥社区党委」在本表第2行，但该行未载入："
                                          "缺少必填项：组织类别，该关联未建立")
    assert warned[("党员.csv", 2)] == ("所在党支部「骆路街道观音桥社区党委」在党组织.xlsx「党组织」第2行，"
                                       "但该行未载入：缺少必填项：组织类别，该关联未建立")
    # the member's gap says it is a data problem, not a missing branch
    (m2,) = [g for g in find_gaps(store, as_of=AS_OF) if g.rule == "M2"]
    assert "党组织.xlsx[党组织] 第2行" in " ".join(m2.data_problems)


def test_two_rows_of_one_name_in_a_sheet_with_no_code_are_one_organisation(tmp_path):
    from graph.memory.store import MemoryStore

    orgs = write_csv(tmp_path / "党组织.csv", [["党组织名称", "党组织类别"], ["中共甲社区委员会", "党委"],
                                                ["甲社区党委", "党委"]])
    report = Loader(MemoryStore()).load([orgs])
    assert [(i.row, i.column, i.reason) for i in report.rejected] == [
        (3, "组织名称", "名称重复：与第2行是同一党组织（本表没有「组织编码」列，按名称识别；名称确有重复时请加上组织编码列），本行未载入")]


def test_a_street_analyst_uploads_its_branches_and_members_by_name(tmp_path, store):
    """Issue 39: a street-scoped analyst's members whose 所在党支部 names a branch of the same
    upload (or of its street in the graph) land; a branch of another street is outside."""
    regions = write_csv(tmp_path / "区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                                ["510104000000", "锦华区", "区县", ""],
                                                ["510104012000", "骆路街道", "街道乡镇", "510104000000"],
                                                ["510104013000", "南街街道", "街道乡镇", "510104000000"]])
    theirs = write_csv(tmp_path / "南街.csv", [["组织编码", "组织名称", "组织类别", "区划代码"],
                                               ["N1", "中共南街街道南街社区第一支部委员会", "党支部", "510104013"]])
    Loader(store).load([regions, theirs])
    s = ex.street(members=30)
    orgs = write_csv(tmp_path / "党组织.csv", [["党组织名称", "党组织简称", "党组织类别", "批准成立的上级党组织", "行政区划代码"]]
                     + [[o.name, o.short, o.kind, "" if o.parent == ex.DISTRICT_COMMITTEE else o.parent, ex.REGION]
                        for o in s.orgs])  # (the street's parent is the district's: not the street's to link)
    roster = ex.members(tmp_path / "党员.xlsx", s, by="short")
    guard = WriteScope(store, Scope(store, "region", "510104012000"))
    report = Loader(store, guard=guard).load([orgs, roster])
    assert report.rejected == [] and len(_branch_of(store)) == 30
    outside = write_csv(tmp_path / "党员2.csv", [["党员编码", "姓名", "党员类别", "所在党支部"],
                                                 ["X1", "王五", "正式", "南街街道南街社区第1党支部"],
                                                 ["X2", "赵六", "正式", "观音桥社区第1党支部"]])
    guard = WriteScope(store, Scope(store, "region", "510104012000"))
    report = Loader(store, guard=guard).load([outside])
    assert [(i.row, i.column) for i in report.rejected] == [(2, "所在党组织编码")]  # another street's
    assert _branch_of(store)["X2"] == s.branches()[0].name


def test_every_reference_column_takes_a_name_or_a_short_name(tmp_path, store):
    """Pairing sides, alliance members, activities' organisations, roles' 对象, a unit's grid:
    each by the full name in another form, or by the organisation's 简称."""
    orgs = write_csv(tmp_path / "党组织.csv", [
        ["组织编码", "组织名称", "党组织简称", "组织类别"],
        ["A", "中共锦华区财政局机关委员会", "财政局机关党委", "党委"],
        ["B", "中共骆路街道观音桥社区委员会", "观音桥社区党委", "党委"],
        ["C", "中共骆路街道新桥社区第一支部委员会", "新桥一支部", "党支部"]])
    grids = write_csv(tmp_path / "网格.csv", [["网格编码", "网格名称", "网格层级"], ["G1", "观音桥社区第一网格", "一般网格"]])
    units = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别", "所在网格"],
                                              ["U1", "华兴科技（成都）有限公司", "非公企业", "观音桥社区第1网格"]])
    pairs = write_csv(tmp_path / "结对.csv", [["甲方党组织", "乙方党组织", "结对形式"],
                                              ["财政局机关党委", "骆路街道观音桥社区党委", "结对共建"]])
    alliance = write_csv(tmp_path / "联盟.csv", [["联盟编码", "联盟名称", "牵头党组织", "成员党组织"],
                                                 ["L1", "骆路街道区域化党建联盟", "观音桥社区党委", "新桥一支部、财政局机关党委"]])
    activity = write_csv(tmp_path / "活动.csv", [["活动编码", "活动日期", "参与党组织"],
                                                 ["H1", "2026-10-01", "财政局机关党委；中共骆路街道观音桥社区委员会"]])
    members = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党支部"], ["M1", "张三", "正式", "新桥一支部"]])
    roles = write_csv(tmp_path / "职务.csv", [["党员编码", "职务", "任职对象"], ["M1", "党建指导员", "华兴科技(成都)有限公司"],
                                              ["M1", "兼职委员", "骆路街道新桥社区第1党支部"]])
    report = Loader(store).load([orgs, grids, units, pairs, alliance, activity, members, roles])
    assert report.rejected == [] and report.warnings == []
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("PAIRED_WITH")] == [("A", "B")]
    assert {(r.start.key, r.props["role"]) for r in store.iter_relationships("IN_ALLIANCE")} == {
        ("B", "牵头"), ("C", "成员"), ("A", "成员")}
    assert {r.start.key for r in store.iter_relationships("TOOK_PART_IN")} == {"A", "B"}
    assert {(r.end.key, r.props["role"]) for r in store.iter_relationships("HOLDS_ROLE")} == {
        ("U1", "党建指导员"), ("C", "兼职委员")}
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("IN_GRID")] == [("U1", "G1")]
