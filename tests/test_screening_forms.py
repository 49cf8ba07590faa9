"""摸排 on names as registers and ledgers really write them (#40): region words taken from the
deployment's Region nodes (full and short, in front, in brackets, after the trade name), exact
names first, a 分公司 that names its head office, a one-character variant left to a person; and
recall / precision measured on a labelled set made apart from the matcher
(``benchmarks/screening_forms.py``: Faker zh_CN names, the real division tree of 德阳市)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app as cli
from benchmarks.screening_forms import make, measure, write
from graph.memory.store import MemoryStore
from graph.screening.screen import screen
from ingest.loader import Loader
from ingest.registries import RegistryRow, read_registry
from tests.ledger_files import write_csv

REGIONS = [["区划代码", "名称", "层级", "上级区划代码"], ["510000000000", "四川省", "省", ""],
           ["510600000000", "德阳市", "市", "510000000000"], ["510603000000", "旌阳区", "区县", "510600000000"],
           ["510604000000", "罗江区", "区县", "510600000000"]]
UNITS = [["单位编码", "单位名称", "单位类别", "区划代码"],
         ["DW1", "德阳市佳美医药有限公司", "非公企业", "510603000000"],
         ["DW2", "腾飞家政服务有限公司", "非公企业", "510603000000"],
         ["DW3", "鸿运物流有限公司", "非公企业", "510603000000"],
         ["DW4", "宏运达物流有限公司", "非公企业", "510603000000"],
         ["DW5", "鑫源科技有限公司", "非公企业", "510603000000"],
         ["DW6", "旌阳区华西建材有限公司", "非公企业", "510603000000"],
         ["DW7", "好又多超市有限公司", "非公企业", "510603000000"],
         ["DW8", "上海路便民商店", "个体工商户", "510603000000"],
         ["DW9", "德阳鑫源科技有限公司", "非公企业", "510604000000"]]


def _loaded(store, tmp_path):
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "行政区划.csv", REGIONS)
    write_csv(ledgers / "单位.csv", UNITS)
    Loader(store).load([ledgers])


def _one(store, tmp_path, name, address=None):
    row = RegistryRow("市场监管", "a.xlsx", 3, name, address=address)
    return screen(store, [row], tmp_path / "home")[0]


def test_region_words_from_the_region_nodes_on_both_stores(store, tmp_path):
    _loaded(store, tmp_path)
    m = _one(store, tmp_path, "德阳佳美医药有限公司")  # the city short, against the ledger's 德阳市
    assert (m.status, m.unit) == ("match", "DW1") and "去掉地名「德阳」" in m.evidence[0]
    m = _one(store, tmp_path, "腾飞（德阳）家政服务有限责任公司")  # in brackets after the trade name
    assert (m.status, m.unit) == ("match", "DW2")
    assert "括号地名「（德阳）」" in m.evidence[0], m.evidence
    m = _one(store, tmp_path, "腾飞德阳家政服务有限公司")  # after the trade name, no brackets
    assert (m.status, m.unit) == ("match", "DW2") and "去掉地名「德阳」" in m.evidence[0]
    m = _one(store, tmp_path, "旌阳华西建材有限责任公司")  # a district short
    assert (m.status, m.unit) == ("match", "DW6")
    assert (_one(store, tmp_path, "四川德阳好又多超市有限公司").unit) == "DW7"
    m = _one(store, tmp_path, "上海路便民商店")  # a road named after a province stays a name
    assert (m.status, m.unit, m.evidence[0]) == ("match", "DW8", "名称相同：上海路便民商店")
    # a region of another deployment is not dropped from inside a name: 绵阳 is no region here
    assert _one(store, tmp_path, "腾飞绵阳家政服务有限公司").status != "match"


def test_region_words_of_the_built_in_tree_on_both_stores(store, tmp_path):
    """The regions ``tupu regions use 德阳市`` loads (the shipped NBS tree, its 市辖区 no place)."""
    from ingest.divisions import find_area, load_area

    load_area(store, find_area("德阳市"), tmp_path / "区划")
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    write_csv(ledgers / "单位.csv", [["单位编码", "单位名称", "单位类别", "区划代码"],
                                    ["DW1", "腾飞家政服务有限公司", "非公企业", "510603000000"],
                                    ["DW2", "罗江佳美医药有限公司", "非公企业", "510604000000"]])
    Loader(store).load([ledgers])
    m = _one(store, tmp_path, "腾飞（旌阳）家政服务有限责任公司", "四川省德阳市旌阳区长江路1号")
    assert (m.status, m.unit) == ("match", "DW1") and "括号地名「（旌阳）」" in m.evidence[0]
    assert (_one(store, tmp_path, "四川省德阳市罗江区佳美医药有限公司").unit) == "DW2"


def test_exact_names_win_and_rank_first_on_both_stores(store, tmp_path):
    _loaded(store, tmp_path)
    # DW5 is written exactly so; DW9 (another district's, written with 德阳) is the same once normalised
    m = _one(store, tmp_path, "鑫源科技有限公司")
    assert (m.status, m.unit) == ("match", "DW5") and m.evidence[0] == "名称相同：鑫源科技有限公司"
    assert m.candidates[0].unit == "DW9"
    m = _one(store, tmp_path, "德阳鑫源科技有限公司")
    assert (m.status, m.unit) == ("match", "DW9")


def test_a_one_character_variant_is_for_a_person_with_the_true_unit_first_on_both_stores(store, tmp_path):
    _loaded(store, tmp_path)
    m = _one(store, tmp_path, "宏运物流有限公司")  # the ledger has 鸿运物流 (and 宏运达物流)
    assert (m.status, m.unit) == ("possible", "DW3"), (m.status, m.unit, m.evidence)
    m = _one(store, tmp_path, "德阳市鸿运物流有限公司")  # the same name, written with the city: one unit
    assert (m.status, m.unit) == ("match", "DW3")


def test_a_branch_names_its_head_office_on_both_stores(store, tmp_path):
    _loaded(store, tmp_path)
    m = _one(store, tmp_path, "佳美医药有限公司旌阳分公司")
    assert m.status == "new" and m.unit is None
    assert m.evidence == ["总公司「德阳市佳美医药有限公司」已在台账（分公司应单独核实）"]
    m = _one(store, tmp_path, "好又多超市东湖分店")  # no legal form before the branch's own name
    assert m.evidence == ["总公司「好又多超市有限公司」已在台账（分店应单独核实）"]
    assert _one(store, tmp_path, "天马行空科技有限公司旌阳分公司").evidence == ["图谱中没有名称相近的单位"]
    # on the target list as a unit to find, saying its head office is known
    from graph.screening.screen import unit_index
    from graph.screening.targets import targets

    rows = [RegistryRow("市场监管", "a.xlsx", 3, "佳美医药有限公司旌阳分公司", status="存续")]
    index = unit_index(store)
    listed = targets(store, screen(store, rows, tmp_path / "home", index), index)
    assert [(t.kind, t.unit) for t in listed] == [("未入台账", None)]
    assert listed[0].reason.endswith("；总公司「德阳市佳美医药有限公司」已在台账（分公司应单独核实）")


def test_recall_and_precision_on_forms_the_matcher_did_not_write_on_both_stores(store, tmp_path):
    """A labelled set made apart from the matcher: every way of writing the name, look-alikes,
    branches and strangers."""
    units, rows = make(n_units=120, seed=7)
    write(units, rows, tmp_path / "台账", tmp_path / "市场监管导出.xlsx")
    Loader(store).load([tmp_path / "台账"])
    regs = read_registry([tmp_path / "市场监管导出.xlsx"], "市场监管").rows
    got = {m.row.row: m.as_dict() for m in screen(store, regs, tmp_path / "home")}
    figures = measure(rows, got)
    assert figures["recall"] >= 0.95 and figures["precision"] >= 0.99, figures
    assert figures["variants_possible_first"] >= 0.9 and figures["branches_head_named"] == 1.0, figures
    # no unit of the ledger is listed as new: every row with a true unit was found
    assert all(got[i + 3]["status"] != "new" for i, r in enumerate(rows) if r.truth and r.form != "variant")


def test_the_cli_on_the_labelled_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    units, rows = make(n_units=400, seed=40)
    write(units, rows, tmp_path / "台账", tmp_path / "市场监管导出.xlsx")
    s = MemoryStore(tmp_path / "g.pickle")
    Loader(s).load([tmp_path / "台账"])
    s.save()
    r = CliRunner().invoke(cli, ["screen", "registry", str(tmp_path / "市场监管导出.xlsx"), "--source", "市场监管",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    got = {x["row"]: x for x in json.loads(r.output[r.output.index("["):])}
    figures = measure(rows, got)
    assert figures["recall"] >= 0.95 and figures["precision"] >= 0.99, figures
    assert figures["variants_possible_first"] >= 0.9 and figures["branches_head_named"] == 1.0, figures
