"""The unit inside an organisation row (ingest.row_units): an export of the 全国党员管理信息系统 or a
city 智慧党建 platform gives each organisation's unit in its row; the units are created or linked
from those rows alone, keyed stably, never duplicated, and the 两个覆盖 rules (U1–U3) run on them —
on both stores. The organisation's contact (书记, 联系人, 联系电话) is kept and shown masked."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from graph.analyses.coverage import coverage
from graph.analyses.gaps import find_gaps
from graph.memory.store import MemoryStore
from graph.name_forms import name_key
from ingest.checks import unit_key_of_name
from ingest.loader import Loader
from tests import export_street as ex
from tests.ledger_files import write_csv
from viz.entity import entity_html

AS_OF = dt.date(2026, 11, 30)


def _org(store, name: str):
    return next(n for n in store.iter_nodes("Organization") if n.props["name"] == name)


def _links(store, rel: str) -> dict[str, set[str]]:
    names = {n.key: n.props["name"] for n in store.iter_nodes("Organization")}
    units = {n.key: n.props["name"] for n in store.iter_nodes("Unit")}
    out: dict[str, set[str]] = {}
    for r in store.iter_relationships(rel):
        out.setdefault(names[r.start.key], set()).add(units[r.end.key])
    return out


def test_an_organisation_export_alone_gives_the_units_and_how_each_is_covered(tmp_path, store):
    s = ex.street()
    report = Loader(store).load([ex.national_orgs(tmp_path / "党组织信息.xlsx", s)])
    assert report.rejected == []
    units = {n.props["name"]: n for n in store.iter_nodes("Unit")}
    named = {o.unit for o in s.orgs if o.unit}
    assert set(units) == named and report.units_made == len(named) == 10
    # kinds as the system writes them, read as the ledger's (党政机关 → 机关, 民营企业 → 非公企业 …)
    assert {n: u.props.get("kind") for n, u in units.items()} == {
        f"成都市锦华区{ex.STREET}办事处": "机关", "华兴科技有限公司": "非公企业", "蜀锦文化传媒有限公司": "非公企业",
        "锦华区骆路社区卫生服务中心": "事业单位", "骆路街道老年协会": "社会组织", "锦华区新桥便民超市": "非公企业",
        **{f"{c}居民委员会": "社区" for c in ex.COMMUNITIES}}
    firm = units["华兴科技有限公司"]
    org = next(o for o in s.orgs if o.unit == "华兴科技有限公司")
    assert firm.key == org.uscc and firm.props["uscc"] == org.uscc and firm.props["employees"] == 85
    community = units[f"{ex.COMMUNITIES[0]}居民委员会"]
    assert community.key == unit_key_of_name(f"{ex.COMMUNITIES[0]}居民委员会")  # no USCC: from its name
    # 法人单位: established in it; 与上级党组织相同: in its parent's; 联合党支部: covers it
    established = _links(store, "ESTABLISHED_IN")
    for o in s.orgs:
        if o.situation == "法人单位":
            assert established[o.name] == {o.unit}
        elif o.situation == "与上级党组织相同":
            parent = next(p for p in s.orgs if name_key(p.short, True) == name_key(o.parent, True))
            assert established[o.name] == {parent.unit}
    joint = next(o for o in s.orgs if o.situation == "联合党支部")
    assert _links(store, "COVERS") == {joint.name: {joint.unit}} and joint.name not in established
    # every unit an organisation row names has its organisation: no U gap, all counted covered
    gaps = find_gaps(store, as_of=AS_OF)
    assert [g for g in gaps if g.rule in ("U1", "U2", "U3")] == []


def test_units_from_rows_lie_where_their_organisations_do_and_count_in_coverage(tmp_path, store):
    s = ex.street()
    regions = write_csv(tmp_path / "区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                                ["510104000000", "锦华区", "区县", ""],
                                                [ex.REGION + "000", ex.STREET, "街道乡镇", "510104000000"]])
    orgs = write_csv(tmp_path / "党组织.csv", [["党组织名称", "党组织简称", "党组织类别", "批准成立的上级党组织", "行政区划代码",
                                                 "单位名称", "统一社会信用代码", "单位性质类别", "党组织所在单位情况"]]
                     + [[o.name, o.short, o.kind, o.parent, ex.REGION, o.unit, o.uscc, o.unit_kind, o.situation]
                        for o in s.orgs])
    report = Loader(store).load([regions, orgs])
    assert report.rejected == []
    assert {r.start.key: r.end.key for r in store.iter_relationships("IN_REGION") if r.start.label == "Unit"} == {
        n.key: ex.REGION + "000" for n in store.iter_nodes("Unit")}
    street = next(r for r in coverage(store, as_of=AS_OF, scope="region") if r.id == ex.REGION + "000")
    est, cov = street.measures["units_established"], street.measures["units_covered"]
    assert (est.done, est.total, cov.done, cov.total) == (9, 10, 10, 10)


def test_units_are_linked_not_duplicated_and_their_gaps_are_right(tmp_path, store):
    """A 单位 ledger in the same load (a register of the street's firms, with codes of its own):
    the organisation rows link its units by 统一社会信用代码 or name; the firms with no organisation
    are the U gaps; a unit a joint branch covers with 3 members working there should build its own."""
    s = ex.street()
    firm = next(o for o in s.orgs if o.unit == "华兴科技有限公司")
    centre = next(o for o in s.orgs if o.unit == "锦华区骆路社区卫生服务中心")
    units = write_csv(tmp_path / "单位.csv", [
        ["单位编码", "单位名称", "单位类别", "统一社会信用代码", "党员数"],
        ["DW0001", "华兴科技有限公司", "非公企业", firm.uscc, "9"],            # by its USCC
        ["DW0002", "锦华区骆路社区卫生服务中心", "事业单位", "", "6"],          # by its name
        ["DW0003", "锦华区宏远物流有限公司", "非公企业", ex.uscc_of(_faker(), "企业"), "4"],  # no organisation: U1
        ["DW0004", "锦华区小橙子托育中心", "社会组织", "", "1"],                # U2
        ["DW0005", "锦华区老街面馆", "非公企业", "", "0"]])                      # U3
    roster = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党支部", "工作单位"]] + [
        [f"M{i}", f"党员{i}", "正式", "新桥小微企业联合党支部", "锦华区新桥便民超市"] for i in range(3)])
    report = Loader(store).load([units, ex.national_orgs(tmp_path / "党组织信息.xlsx", s), roster])
    assert report.rejected == [] and report.units_linked >= 2
    assert store.counts()["Unit"] == 5 + 10 - 2  # two of the rows' units were the ledger's
    assert _links(store, "ESTABLISHED_IN")[firm.name] == {"华兴科技有限公司"}
    assert {r.end.key for r in store.iter_relationships("ESTABLISHED_IN")
            if r.start.key == _org(store, centre.name).key} == {"DW0002"}
    assert store.get("Unit", "DW0001").props["members_reported"] == 9  # the ledger's values stand
    gaps = {(g.rule, g.name) for g in find_gaps(store, as_of=AS_OF) if g.rule.startswith("U")}
    assert gaps == {("U1", "锦华区宏远物流有限公司"), ("U2", "锦华区小橙子托育中心"), ("U3", "锦华区老街面馆"),
                    ("U1", "锦华区新桥便民超市")}  # covered by the joint branch, 3 members: build its own


def test_the_same_units_in_every_load_and_every_system(tmp_path, store):
    s = ex.street()
    national = ex.national_orgs(tmp_path / "全国.xlsx", s)
    # the street its 党组织所在行政区划 names (a reference not found is tried again by every load)
    Loader(store).load([write_csv(tmp_path / "行政区划.csv", [["区划代码", "名称", "层级"],
                                                            [ex.REGION, ex.STREET, "街道"]])])
    Loader(store).load([national])
    before = sorted(n.key for n in store.iter_nodes("Unit"))
    again = Loader(store).load([national])
    assert again.units_made == 0 and sorted(n.key for n in store.iter_nodes("Unit")) == before
    # nothing of a row changed: nothing written (but the street's row, whose parent is not in the export)
    assert again.counts("党组织").unchanged == len(s.orgs) - 1
    city = Loader(store).load([ex.city_orgs(tmp_path / "智慧党建.xlsx", s)])
    assert city.rejected == [] and city.units_made == 0
    assert sorted(n.key for n in store.iter_nodes("Unit")) == before
    assert len(list(store.iter_relationships("ESTABLISHED_IN"))) == 17


def test_an_organisations_contact_is_kept_and_its_phone_masked(tmp_path, store):
    s = ex.street()
    Loader(store).load([ex.city_orgs(tmp_path / "智慧党建.xlsx", s)])
    o = s.orgs[1]
    node = _org(store, ex.plain(o.name))
    assert (node.props["secretary"], node.props["contact"], node.props["phone"]) == (o.secretary, o.contact, o.phone)
    page = entity_html(node, [], [], AS_OF)
    assert "党组织书记" in page and o.secretary in page and "党组织联系人" in page and o.contact in page
    assert o.phone not in page and o.phone[:3] + "****" + o.phone[-4:] in page


def test_a_unit_name_two_units_share_links_neither(tmp_path):
    store = MemoryStore()
    units = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别"], ["D1", "便民超市", "非公企业"],
                                              ["D2", "便民超市", "非公企业"]])
    orgs = write_csv(tmp_path / "党组织.csv", [["党组织名称", "党组织类别", "单位名称", "党组织所在单位情况"],
                                                ["中共便民超市支部委员会", "党支部", "便民超市", "法人单位"]])
    report = Loader(store).load([units, orgs])
    assert [(w.column, w.reason) for w in report.warnings] == [
        ("单位名称", "「便民超市」是 2 个单位的名称（编码 D1、D2），未关联所在单位")]
    assert list(store.iter_relationships("ESTABLISHED_IN")) == [] and store.counts()["Unit"] == 2


def test_unit_kinds_and_situations_as_the_systems_write_them(tmp_path):
    rows = [["党组织名称", "党组织类别", "单位名称", "单位性质类别", "党组织所在单位情况"]]
    written = [("党政机关", "机关", "法人单位"), ("民营企业", "非公企业", "单独建立"), ("城市社区", "社区", "法人"),
               ("行政村", "村", "非法人单位"), ("民办非企业单位", "社会组织", "联合建立"), ("国有控股企业", "国有企业", "")]
    for i, (kind, _, situation) in enumerate(written):
        rows.append([f"中共单位{i}支部委员会", "党支部", f"单位{i}", kind, situation])
    store = MemoryStore()
    report = Loader(store).load([write_csv(tmp_path / "党组织.csv", rows)])
    assert report.rejected == [] and report.warnings == []
    assert {n.props["name"]: n.props["kind"] for n in store.iter_nodes("Unit")} == {
        f"单位{i}": kind for i, (_, kind, _) in enumerate(written)}
    assert Counter(r.type for r in store.iter_relationships("COVERS")) == Counter({"COVERS": 1})
    assert len(list(store.iter_relationships("ESTABLISHED_IN"))) == 5


def _faker():
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(7)
    return fake


def test_a_street_analysts_rows_neither_change_nor_link_another_streets_unit(tmp_path, store):
    from graph.analyses.scope import Scope
    from ingest.guard import OUTSIDE, WriteScope

    regions = write_csv(tmp_path / "区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                                ["510104000000", "锦华区", "区县", ""],
                                                ["510104012000", "骆路街道", "街道乡镇", "510104000000"],
                                                ["510104013000", "南街街道", "街道乡镇", "510104000000"]])
    theirs = ex.uscc_of(_faker(), "企业")
    units = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别", "统一社会信用代码", "区划代码"],
                                              ["S1", "南街物流有限公司", "非公企业", theirs, "510104013"]])
    Loader(store).load([regions, units])
    orgs = write_csv(tmp_path / "党组织.csv", [
        ["党组织名称", "党组织类别", "行政区划代码", "单位名称", "统一社会信用代码", "单位性质类别", "党组织所在单位情况"],
        ["中共骆路物流有限公司支部委员会", "党支部", "510104012", "骆路物流有限公司", theirs, "民营企业", "法人单位"],
        ["中共骆路面馆支部委员会", "党支部", "510104012", "骆路面馆", "", "个体工商户", "法人单位"]])
    guard = WriteScope(store, Scope(store, "region", "510104012000"))
    report = Loader(store, guard=guard).load([orgs])
    assert report.rejected == []
    assert [(w.row, w.reason) for w in report.warnings] == [(2, OUTSIDE + "，未关联所在单位")]
    assert store.get("Unit", "S1").props["name"] == "南街物流有限公司" and store.get("Unit", theirs) is None
    assert _links(store, "ESTABLISHED_IN") == {"中共骆路面馆支部委员会": {"骆路面馆"}}
