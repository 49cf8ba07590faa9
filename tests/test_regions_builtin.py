"""China's regions built in (#35): the shipped NBS division tree (2023) loaded for the area a
deployment covers, and 区划 columns that take a region's name, qualified or not, as exports
write it ("四川省成都市锦江区东湖街道观音桥社区居委会"), on both stores."""
from __future__ import annotations

import pytest
from faker import Faker

from graph.analyses.resolve import Ambiguous, resolve
from graph.analyses.scope import Scope
from graph.places import Places
from ingest.divisions import UnknownArea, area_rows, find_area, load_area, national
from ingest.loader import Loader
from tests.ledger_files import write_csv, write_xlsx

DONGHU = "510104018000"  # 四川省成都市锦江区东湖街道
JINGUANYI = "510104017000"  # 锦官驿街道, the street next door


def test_the_shipped_tree_resolves_a_qualified_village_and_counts_a_common_name_truly():
    """665,276 rows of the NBS 2023 tree, read from the package: 应城市杨河镇红星村 is one
    village; 46 villages are named exactly 红星村, and the message says 46, not the first few."""
    tree = national()
    assert len(tree.name) == 665_276 - 9 - 5  # less the placeholders and the codes repeated once padded
    places = Places(tree)
    assert places.find("应城市杨河镇红星村") == ["420981101225"]
    assert places.find("湖北省孝感市应城市杨河镇红星村") == ["420981101225"]
    assert len(places.named("红星村")) == 46
    with pytest.raises(Ambiguous) as e:
        find_area("红星村")
    assert "等 46 个" in str(e.value) and "市辖区" not in str(e.value)
    assert places.qualified("110105043000") == "北京市朝阳区东湖街道"  # never 北京市市辖区朝阳区…
    assert all(tree.name[c] not in ("市辖区", "县", "省直辖县级行政区划") for c in tree.name)
    assert tree.parent["429004000000"] == "420000000000"  # 仙桃市 hangs from 湖北省, not a placeholder
    with pytest.raises(UnknownArea):
        find_area("不存在市")


def test_an_area_is_its_ancestors_itself_and_everything_under_it():
    rows = list(area_rows(find_area("锦江区")))
    codes = [r["区划代码"] for r in rows]
    assert codes[:3] == ["510000000000", "510100000000", "510104000000"]
    assert DONGHU in codes and "510104018001" in codes and "510107000000" not in codes
    assert {r["层级"] for r in rows} == {"省", "市", "区县", "街道乡镇", "社区村"}
    assert find_area("四川省成都市锦江区") == find_area("510104") == "510104000000"


def _export(tmp_path, rows):
    """An organisation page exported as a city platform writes it: a title above the headers,
    the region as a name in 党组织所在行政区划."""
    head = ["序号", "党组织名称", "党组织编码", "党组织类别", "上级党组织编码", "党组织所在行政区划", "成立日期"]
    body = [[i + 1, *r] for i, r in enumerate(rows)]
    return write_xlsx(tmp_path / "党组织信息.xlsx", {"党组织": [["锦江区党组织信息导出"], head, *body]})


def test_an_export_with_region_names_lands_every_organisation_in_its_region(store, tmp_path):
    """After `tupu regions use 成都市` (no 行政区划 ledger): every 党组织所在行政区划 name lands
    its organisation in the region, and a street-scoped viewer sees its street's organisations."""
    fake = Faker("zh_CN")
    fake.seed_instance(35)
    report = load_area(store, find_area("成都市"))
    assert not report.rejected and not report.warnings
    assert store.counts()["Region"] == 3330
    companies = [fake.unique.company() for _ in range(3)]
    rows = [
        ["锦江区东湖街道党工委", "D001", "党工委", "", "四川省成都市锦江区东湖街道", "2019-05-01"],
        ["观音桥社区党委", "D002", "党委", "D001", "四川省成都市锦江区东湖街道观音桥社区居委会", "2019-05-01"],
        ["东怡社区党委", "D003", "党委", "D001", "锦江区东湖街道东怡社区", ""],
        ["永兴社区党委", "D004", "党委", "D001", "锦江区 东湖街道 永兴社区居委会", ""],
        [f"{companies[0]}党支部", "D005", "党支部", "D001", "510104018004", ""],  # a code still is one
        [f"{companies[1]}党支部", "D006", "党支部", "D001", "东湖街道（锦江区）", ""],
        [f"{companies[2]}党支部", "D007", "党支部", "", "成都市锦江区锦官驿街道", ""],
    ]
    report = Loader(store).load([_export(tmp_path, rows)])
    assert not report.rejected, report.rejected
    assert not report.warnings, [w.reason for w in report.warnings]
    where = {r.start.key: r.end.key for r in store.iter_relationships("IN_REGION")}
    assert where == {"D001": DONGHU, "D002": "510104018001", "D003": "510104018002", "D004": "510104018003",
                     "D005": "510104018004", "D006": DONGHU, "D007": JINGUANYI}
    street = Scope(store, "region", DONGHU)
    assert street.allowed("Organization", [f"D00{i}" for i in range(1, 8)]) == {f"D00{i}" for i in range(1, 7)}
    assert resolve(store, "锦江区东湖街道", ["Region"]).key == DONGHU


def test_a_name_of_several_regions_is_warned_with_their_qualified_names_and_no_placeholder(store, tmp_path):
    """Two 东湖街道 (北京市朝阳区 and 成都市锦江区), with 北京's 市辖区 row in a 行政区划 ledger as
    the NBS's CSV has it: the warning and every hint name them 北京市朝阳区东湖街道, never 市辖区."""
    load_area(store, find_area("锦江区"))
    write_csv(tmp_path / "行政区划.csv", [
        ["区划代码", "名称", "层级", "上级区划代码"],
        ["11", "北京市", "省级", ""], ["1101", "市辖区", "地级", "11"], ["110105", "朝阳区", "县级", "1101"],
        ["110105043", "东湖街道", "乡级", "110105"], ["110105043001", "望京西园一区社区居委会", "村级", "110105043"],
        ["22", "吉林省", "省级", ""], ["2201", "长春市", "地级", "22"], ["220104", "朝阳区", "县级", "2201"]])
    report = Loader(store).load([tmp_path / "行政区划.csv"])
    assert not report.rejected and not report.warnings, [w.reason for w in report.warnings]
    assert store.get("Region", "110000000000").props["level"] == "省"  # NBS level names, 2/4-digit codes
    assert store.get("Region", "110105043000").props["level"] == "街道乡镇"
    assert store.get("Region", "220104000000").props["level"] == "区县"

    orgs = tmp_path / "orgs"
    orgs.mkdir()
    write_csv(orgs / "党组织.csv", [["组织编码", "组织名称", "组织类别", "所在行政区划"],
                                   ["B1", "东湖街道党工委", "党工委", "东湖街道"],
                                   ["B2", "望京西园一区社区党委", "党委", "朝阳区东湖街道望京西园一区社区"],
                                   ["B3", "某党支部", "党支部", "北京市市辖区朝阳区东湖街道"],
                                   ["B4", "另一党支部", "党支部", "火星街道"]])
    report = Loader(store).load([orgs])
    warned = {w.row: w.reason for w in report.warnings}
    assert set(warned) == {2, 5}, warned
    assert "2 个行政区划" in warned[2] and "北京市朝阳区东湖街道" in warned[2] and "成都市锦江区东湖街道" in warned[2]
    assert "没有行政区划叫「火星街道」" in warned[5]
    where = {r.start.key: r.end.key for r in store.iter_relationships("IN_REGION")}
    assert where == {"B2": "110105043001", "B3": "110105043000"}
    with pytest.raises(Ambiguous) as e:
        resolve(store, "东湖街道", ["Region"])
    assert "北京市朝阳区东湖街道" in str(e.value) or "朝阳区东湖街道" in str(e.value)
    assert all("市辖区" not in text for text in (*warned.values(), str(e.value), *(str(c) for c in e.value.candidates)))


def test_a_region_name_with_no_regions_loaded_says_how_to_load_them(store, tmp_path):
    write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别", "党组织所在行政区划"],
                                       ["B1", "东湖街道党工委", "党工委", "锦江区东湖街道"]])
    report = Loader(store).load([tmp_path])
    assert [w.column for w in report.warnings] == ["区划代码"]
    assert "tupu regions use" in report.warnings[0].reason
    assert store.get("Organization", "B1") is not None


def test_a_ledger_adds_a_new_street_to_the_shipped_tree_and_names_reach_it(store, tmp_path):
    """A 行政区划 ledger loaded with the organisations (its parent given by name) adds a street the
    2023 tree lacks; an organisation in the same load names it qualified."""
    load_area(store, find_area("锦江区"))
    write_csv(tmp_path / "行政区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                         ["510104099", "新城街道", "街道", "成都市锦江区"]])
    write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别", "行政区划"],
                                       ["N1", "新城街道党工委", "党工委", "锦江区新城街道"]])
    report = Loader(store).load([tmp_path])
    assert not report.warnings and not report.rejected, [w.reason for w in report.warnings]
    assert {(r.start.key, r.end.key) for r in store.iter_relationships("IN_REGION")} == {("N1", "510104099000")}
    assert Scope(store, "region", "510104000000").allowed("Organization", ["N1"]) == {"N1"}


def _villages(store, exact: int, holding: int):
    """A county of ``exact`` villages named 红星村 (one street each) and ``holding`` named with
    红星村 inside, keyed so that the latter come first in key order; and 应城市杨河镇红星村."""
    from graph.store import RelRow

    regions = [{"code": "420000000000", "name": "湖北省"}, {"code": "420900000000", "name": "孝感市"},
               {"code": "420981000000", "name": "应城市"}, {"code": "420981101000", "name": "杨河镇"},
               {"code": "420981101225", "name": "红星村"}]
    links = [RelRow("420900000000", "420000000000"), RelRow("420981000000", "420900000000"),
             RelRow("420981101000", "420981000000"), RelRow("420981101225", "420981101000")]
    for i in range(holding):  # 100000000001…: before 4209… in key order
        regions.append({"code": f"1{i:011d}", "name": f"老红星村{i}组"})
    for i in range(exact - 1):
        street = f"4300{i:05d}000"
        regions += [{"code": street, "name": f"第{i}镇"}, {"code": f"4300{i:05d}001", "name": "红星村"}]
        links.append(RelRow(f"4300{i:05d}001", street))
    store.upsert_nodes("Region", regions)
    store.upsert_relationships("PART_OF", "Region", "Region", links)


def test_names_are_ranked_and_counted_whatever_the_number_that_hold_them(store):
    """find_names: the name itself first, then names that begin with it, then the rest, each
    counted truly; never the first N in key order."""
    _villages(store, exact=3, holding=250)
    store.upsert_nodes("Region", [{"code": "500000000001", "name": "红星村委会"}])
    hits = store.find_names("红星村", ["Region"], limit=5)
    assert (hits.exact, hits.prefix, hits.total) == (3, 1, 254)
    assert [n.name for n in hits.nodes] == ["红星村"] * 3 + ["红星村委会", "老红星村0组"]


def test_a_qualified_or_common_name_is_resolved_at_any_number_of_matches(store):
    """More than 200 names hold 红星村: 应城市杨河镇红星村 still resolves, 红星村 alone names its
    true number, and search lists the exact names first with the true total."""
    from graph.analyses.resolve import search_names

    _villages(store, exact=210, holding=230)
    assert resolve(store, "应城市杨河镇红星村", ["Region"]).key == "420981101225"
    assert resolve(store, "湖北省应城市杨河镇红星村").key == "420981101225"
    with pytest.raises(Ambiguous) as e:
        resolve(store, "红星村", ["Region"])
    assert "等 210 个" in str(e.value)
    hits, total = search_names(store, "红星村", limit=20)
    assert total == 440 and [n.name for n in hits] == ["红星村"] * 20
    first, _ = search_names(store, "杨河镇红星村")
    assert first[0].key == "420981101225"
