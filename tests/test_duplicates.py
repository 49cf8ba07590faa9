"""摸排 (#16): duplicates inside the ledgers listed as merge candidates, and a confirmed merge that
keeps both codes, so that later ledgers with either code land on one node — on both stores."""
from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app as cli
from graph.access import AuditLog
from graph.memory.store import MemoryStore
from graph.model import ROW_DIGEST
from graph.screening.duplicates import Distinct, find_duplicates
from graph.screening.merge import merge
from ingest.loader import Loader
from tests.ledger_files import write_csv

REGIONS = [["区划代码", "名称", "层级", "上级区划代码"], ["510600000000", "德阳市", "市", ""],
           ["510603000000", "旌阳区", "区县", "510600000000"],
           ["510603001000", "城北街道", "街道乡镇", "510603000000"],
           ["510603002000", "城南街道", "街道乡镇", "510603000000"]]
UNITS = [["单位编码", "单位名称", "单位类别", "统一社会信用代码", "区划代码"],
         ["DW1", "德阳市鑫源科技有限公司", "非公企业", "", "510603001000"],
         ["DW9", "鑫源科技有限责任公司", "非公企业", "91945807QY7L1W53BX", "510603001000"],  # one unit, twice
         ["DW2", "华西物流有限公司", "非公企业", "91398259FLJ2K0XTF3", "510603001000"],
         ["DW8", "蓉城华西物流有限公司", "非公企业", "91398259FLJ2K0XTF3", "510603002000"],  # same credit code
         ["DW3", "好邻居超市有限公司", "非公企业", "", "510603001000"],
         ["DW4", "好邻居超市有限公司", "非公企业", "", "510603002000"],  # same name, another street: two
         ["DW5", "鑫源科技有限公司城北分公司", "非公企业", "", "510603001000"]]  # a branch: its own unit
ORGS = [["组织编码", "组织名称", "组织类别", "上级组织编码", "所在单位编码", "区划代码"],
        ["Z0", "旌阳区委组织部", "党委", "", "", "510603000000"],
        ["Z1", "鑫源科技党支部", "党支部", "Z0", "DW1", "510603001000"],
        ["Z9", "鑫源科技有限公司党支部", "党支部", "Z0", "DW9", "510603001000"],  # the same branch twice
        ["Z2", "城北街道第一党支部", "党支部", "Z0", "", "510603001000"],
        ["Z3", "城北街道第二党支部", "党支部", "Z0", "", "510603001000"]]  # one number apart: two
MEMBERS = [["党员编码", "姓名", "党员类别", "所在党组织编码", "工作单位编码"],
           ["M1", "张三", "正式党员", "Z1", "DW1"], ["M2", "李四", "正式党员", "Z9", "DW9"]]
PAIRS = [["甲方组织编码", "乙方组织编码", "结对形式", "开始日期"], ["Z9", "Z2", "结对共建", "2025-01-01"]]


def _ledgers(tmp_path, name="台账", members=MEMBERS):
    folder = tmp_path / name
    folder.mkdir()
    write_csv(folder / "行政区划.csv", REGIONS)
    write_csv(folder / "单位.csv", UNITS)
    write_csv(folder / "党组织.csv", ORGS)
    write_csv(folder / "党员.csv", members)
    write_csv(folder / "结对共建.csv", PAIRS)
    return folder


def test_candidates_are_the_same_unit_under_two_codes_and_nothing_else(store, tmp_path):
    Loader(store).load([_ledgers(tmp_path)])
    units = {(d.keep, d.drop): d for d in find_duplicates(store, "Unit")}
    # as many links each: the one with a credit code is kept
    assert set(units) == {("DW9", "DW1"), ("DW2", "DW8")}
    assert units[("DW2", "DW8")].evidence == ["统一社会信用代码相同"]
    assert units[("DW9", "DW1")].evidence[0] == "名称规范后相同：鑫源科技" and units[("DW9", "DW1")].score == 1.0
    orgs = [(d.keep, d.drop) for d in find_duplicates(store, "Organization")]
    assert orgs == [("Z9", "Z1")]  # Z9 has more links (its pairing); 第一 / 第二 are two


def test_a_merge_keeps_both_codes_and_later_ledgers_land_on_one_node(store, tmp_path):
    Loader(store).load([_ledgers(tmp_path)])
    nodes_before = store.counts()
    done = merge(store, "Unit", keep="DW1", drop="DW9")
    assert done.links_moved == 3 and "统一社会信用代码" in done.filled
    merge(store, "Organization", keep="Z1", drop="Z9")
    kept = store.get("Unit", "DW1")
    assert store.get("Unit", "DW9") is None and kept.props["aliases"] == ["DW9"]
    assert kept.props["uscc"] == "91945807QY7L1W53BX"
    assert kept.props.get(ROW_DIGEST) is None  # its next row is written again, not passed as unchanged
    assert sorted(o.key for _, o in store.neighbours("Unit", "DW1", ["ESTABLISHED_IN"], "in")) == ["Z1"]
    assert sorted(m.key for _, m in store.neighbours("Unit", "DW1", ["WORKS_AT"], "in")) == ["M1", "M2"]
    assert store.get("Member", "M2").props["org_code"] == "Z1"
    assert [o.key for _, o in store.neighbours("Organization", "Z1", ["PAIRED_WITH"])] == ["Z2"]
    # the same ledgers again, still with both codes: one node each, every link on it
    report = Loader(store).load([_ledgers(tmp_path, "下月台账")])
    assert store.counts()["Unit"] == nodes_before["Unit"] - 1
    assert store.counts()["Organization"] == nodes_before["Organization"] - 1
    assert store.get("Unit", "DW9") is None and store.get("Organization", "Z9") is None
    assert report.aliased > 0
    # the five other units are as they were; the kept one is written from its row again
    assert report.ledgers["单位"].unchanged == 5 and store.get("Unit", "DW1").props[ROW_DIGEST]
    dup = [i for i in report.rejected if i.column == "单位编码"]
    assert len(dup) == 1 and "DW9 已合并为 DW1" in dup[0].reason  # the street is told to drop one row
    assert dup[0].value == "DW9"  # the code as typed: the row under the merged code is the one left out
    assert sorted(m.key for _, m in store.neighbours("Organization", "Z1", ["MEMBER_OF"], "in")) == ["M1", "M2"]
    assert [o.key for _, o in store.neighbours("Organization", "Z1", ["PAIRED_WITH"])] == ["Z2"]
    assert find_duplicates(store, "Unit")[0].drop == "DW8"  # what is merged is no candidate any more
    assert ("DW1", "DW9") not in {(d.keep, d.drop) for d in find_duplicates(store, "Unit")}


def test_a_ledger_with_the_old_code_only_updates_the_kept_node(store, tmp_path):
    Loader(store).load([_ledgers(tmp_path)])
    merge(store, "Unit", keep="DW1", drop="DW9")
    later = tmp_path / "只有旧编码"
    later.mkdir()
    write_csv(later / "单位.csv", [UNITS[0], ["DW9", "鑫源科技有限公司", "非公企业", "", "510603001000"]])
    report = Loader(store).load([later])
    assert report.ok and report.aliased == 1
    assert store.get("Unit", "DW9") is None and store.get("Unit", "DW1").name == "鑫源科技有限公司"
    assert store.get("Unit", "DW1").props["aliases"] == ["DW9"]  # a reload does not lose them


def test_the_row_under_the_kept_code_wins_over_the_merged_one(store, tmp_path):
    Loader(store).load([_ledgers(tmp_path)])
    merge(store, "Unit", keep="DW1", drop="DW9")
    later = tmp_path / "两行都在"
    later.mkdir()  # the merged code's row first, under another name: the kept code's row stands
    write_csv(later / "单位.csv", [UNITS[0], ["DW9", "鑫源科技有限责任公司", "非公企业", "", "510603001000"],
                                  ["DW1", "德阳市鑫源科技有限公司", "非公企业", "", "510603001000"]])
    report = Loader(store).load([later])
    assert store.get("Unit", "DW1").name == "德阳市鑫源科技有限公司"
    assert [(i.row, i.value) for i in report.rejected] == [(2, "DW9")]
    assert "与第3行相同" in report.rejected[0].reason and "DW9 已合并为 DW1" in report.rejected[0].reason


def test_pairs_set_apart_are_not_listed_again(store, tmp_path):
    Loader(store).load([_ledgers(tmp_path)])
    home = tmp_path / "home"
    Distinct(home).decide("Unit", "DW8", "DW2", who="测试")
    assert [(d.keep, d.drop) for d in find_duplicates(store, "Unit", home)] == [("DW9", "DW1")]


def test_the_cli_lists_merges_and_audits(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    s = MemoryStore(tmp_path / "g.pickle")
    Loader(s).load([_ledgers(tmp_path)])
    s.save()
    run = CliRunner().invoke
    r = run(cli, ["screen", "duplicates", "--format", "json"])
    assert r.exit_code == 0, r.output
    listed = json.loads(r.output[r.output.index("["):])
    assert {(d["label"], d["keep"], d["drop"]) for d in listed} == {
        ("Unit", "DW9", "DW1"), ("Unit", "DW2", "DW8"), ("Organization", "Z9", "Z1")}
    r = run(cli, ["screen", "merge", "鑫源科技有限责任公司", "--into", "DW1"])  # by name, as staff think
    assert r.exit_code == 0 and "已并入" in r.output, r.output
    r = run(cli, ["screen", "merge", "DW8", "--into", "DW2", "--apart"])
    assert r.exit_code == 0 and "不再列出" in r.output, r.output
    listed = json.loads(run(cli, ["screen", "duplicates", "--format", "json"]).output)
    assert [(d["keep"], d["drop"]) for d in listed] == [("Z9", "Z1")]
    assert MemoryStore(tmp_path / "g.pickle").get("Unit", "DW1").props["aliases"] == ["DW9"]
    events = AuditLog(Path(os.environ["TUPU_HOME"]) / "audit.jsonl").events()
    assert [(e["action"], e["detail"]) for e in events] == [  # newest first
        ("确认不是重复", "Unit DW8 ≠ DW2"), ("合并重复", "Unit DW9 → DW1")]
