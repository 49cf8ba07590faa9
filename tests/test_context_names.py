"""Names carry their context (#13): a grid named "第2网格" and a building named "3号楼" are shown
as "蒋路社区 第2网格" and "幸福小区 3号楼" in gap lists, their 路径, exports and views, on both
stores. A name that already says where it is stays as it is."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.analyses.gaps import find_gaps
from ingest.loader import Loader
from tests.ledger_files import write_csv
from viz.views import coverage_view

AS_OF = dt.date(2025, 11, 22)


@pytest.fixture
def street(store, tmp_path):
    write_csv(tmp_path / "行政区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                         ["110101001", "北镇街街道", "街道", ""], ["110101001001", "蒋路社区", "社区", "110101001"],
                                         ["110101001002", "秦街社区", "社区", "110101001"]])
    write_csv(tmp_path / "网格.csv", [["网格编码", "网格名称", "网格层级", "上级网格编码", "区划代码"],
                                     ["G1", "第2网格", "一般网格", "", "110101001001"],
                                     ["G2", "第2网格", "一般网格", "", "110101001002"],
                                     ["G3", "秦街社区第3网格", "一般网格", "", "110101001002"],
                                     ["G1M", "第1微网格", "微网格", "G1", ""]])
    write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别", "上级单位编码", "区划代码"],
                                     ["XQ", "幸福小区", "小区", "", "110101001001"], ["LD", "3号楼", "楼栋", "XQ", ""],
                                     ["LD2", "5号楼", "楼栋", "", "110101001002"]])
    write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别", "区划代码"],
                                       ["DW", "北镇街街道党工委", "党工委", "110101001"]])
    write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码", "居住单位编码"],
                                     *[[f"M{i}", "张三", "正式", "DW", "LD"] for i in range(3)]])
    report = Loader(store).load([tmp_path])
    assert not report.rejected
    return store


def test_gaps_name_grids_and_buildings_with_their_context(street):
    gaps = {(g.rule, g.id): g for g in find_gaps(street, as_of=AS_OF)}
    assert gaps[("G1", "G1")].name == "蒋路社区 第2网格"
    assert gaps[("G1", "G2")].name == "秦街社区 第2网格"  # two grids of one name, told apart
    assert gaps[("G1", "G3")].name == "秦街社区第3网格"  # already says where it is
    assert gaps[("G2", "LD")].name == "幸福小区 3号楼"
    assert gaps[("G2", "LD")].path_names[0] == "幸福小区 3号楼"


def test_contexts_of_a_micro_grid_and_a_building_without_a_compound(street):
    from graph.analyses.context import names_in_context

    full = names_in_context(street.engine(), [("Grid", "G1M", "第1微网格"), ("Unit", "LD2", "5号楼"),
                                              ("Unit", "XQ", "幸福小区"), ("Organization", "DW", "x")])
    assert full == {("Grid", "G1M"): "蒋路社区 第2网格 第1微网格", ("Unit", "LD2"): "秦街社区 5号楼"}


def test_views_name_them_with_their_context(street):
    names = {n.id: n.name for n in coverage_view(street, "110101001000", as_of=AS_OF).nodes}
    assert names["Grid:G1"] == "蒋路社区 第2网格" and names["Grid:G2"] == "秦街社区 第2网格"
    assert names["Unit:LD"] == "幸福小区 3号楼"
