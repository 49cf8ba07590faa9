"""Every rejection reason, in every file format users hand over, with file, row and column."""
from __future__ import annotations

import pytest

from graph.memory.store import MemoryStore
from ingest.loader import Loader
from tests.ledger_files import write_ledger

FORMATS = ["csv-utf8", "csv-bom", "csv-gbk", "xlsx"]
ORG_HEAD = ["组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域", "区划代码", "成立日期", "届满日期"]
UNIT_HEAD = ["单位编码", "单位名称", "单位类别", "统一社会信用代码", "从业人员数", "党员数"]
MEMBER_HEAD = ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号", "是否流动", "联系电话"]


def load(tmp_path, ledgers: dict[str, list[list]], fmt: str):
    files = [write_ledger(tmp_path / name, rows, fmt) for name, rows in ledgers.items()]
    store = MemoryStore()
    return Loader(store).load(files), store, files


def reasons(report):
    return {(i.row, i.column): i.reason for i in report.rejected}


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejections_and_warnings_are_reported_with_row_column_and_cell(tmp_path, fmt):
    """Only a missing or unreadable required value, a repeated key or a link to itself rejects
    a row; any other bad value is dropped with a warning and the row lands."""
    report, store, files = load(tmp_path, {
        "党组织": [
            ORG_HEAD,
            ["O1", "幸福街道党工委", "党工委", "", "社区", "110101001", "2020-01-01", "2025/06/30"],
            ["O2", "", "党支部", "O1", "", "", "", ""],                       # 3: no name
            ["O3", "某支部", "党小队", "O1", "", "", "", ""],                   # 4: unknown kind
            ["O4", "某支部", "党支部", "O1", "社区", "", "2021-13-01", ""],       # 5: no such date
            ["O5", "某支部", "党支部", "O1", "社区", "", "去年", ""],             # 6: not a date
            ["O6", "某支部", "党支部", "O1", "社区", "11010", "", ""],            # 7: region code
            ["O1", "重复党工委", "党工委", "", "", "", "", ""],                   # 8: duplicate
            ["O7", "某支部", "党支部", "O1", "天上", "", "", ""],                 # 9: unknown sector
            ["O8", "某支部", "党支部", "O1", "社区", "", "", "2026年1月5日"],
        ],
        "单位": [
            UNIT_HEAD,
            ["U1", "甲公司", "非公企业", "91350100M000100Y43", "35", "4"],
            ["U2", "乙公司", "非公企业", "91350100M000100Y44", "", ""],          # 3: USCC check
            ["U3", "丙公司", "非公企业", "91350100M000100", "", ""],             # 4: USCC length
            ["U4", "丁公司", "非公企业", "", "很多", ""],                        # 5: not a number
            ["U5", "戊公司", "外星企业", "", "", ""],                            # 6: unknown kind
        ],
        "党员": [
            MEMBER_HEAD,
            ["M1", "张三", "正式", "O1", "11010519491231002X", "否", "13812345678"],
            ["M2", "李四", "正式", "O1", "110105194912310021", "否", ""],        # 3: ID check
            ["M3", "王五", "正式", "O1", "", "也许", ""],                        # 4: bool
            ["M4", "赵六", "团员", "O1", "", "", ""],                            # 5: category
            ["M5", "钱七", "正式", "", "", "", ""],                              # 6: no org
            ["M6", "孙八", "正式", "O1", "", "", "电话号码"],                    # 7: phone
        ],
        "结对共建": [
            ["甲方组织编码", "乙方组织编码", "结对形式", "开始日期"],
            ["O1", "O1", "结对共建", "2024-01-01"],                              # 2: itself
            ["O1", "O8", "结对共建", "2024-01-01"],
            ["O1", "O8", "结对共建", "2024-02-01"],                              # 4: duplicate
            ["O1", "O8", "拉手", ""],                                            # 5: form
        ],
    }, fmt)

    def by_file(issues):
        out: dict[str, dict] = {}
        for i in issues:
            stem = i.file.split("/")[-1].split(".")[0]
            assert i.file.endswith(files[["党组织", "单位", "党员", "结对共建"].index(stem)].name)
            out.setdefault(stem, {})[(i.row, i.column)] = i.reason
        return [out.get(k, {}) for k in ("党组织", "单位", "党员", "结对共建")]

    orgs, units, members, pairs = by_file(report.rejected)
    assert orgs == {(3, "组织名称"): "缺少必填项：组织名称", (4, "组织类别"): orgs[(4, "组织类别")],
                    (8, "组织编码"): "编码重复：与第2行相同，本行未载入"}
    assert orgs[(4, "组织类别")].startswith("不在可选值中")
    assert list(units) == [(6, "单位类别")]
    assert set(members) == {(5, "党员类别"), (6, "所在党组织编码")}
    assert members[(6, "所在党组织编码")] == "缺少必填项：所在党组织编码"
    assert pairs[(2, "乙方组织编码")].startswith("不能与自身结对")
    assert pairs[(4, "甲方组织编码")].startswith("编码重复：与第3行相同")
    assert pairs[(5, "结对形式")].startswith("不在可选值中")
    assert len(pairs) == 3

    w_orgs, w_units, w_members, _ = by_file(report.warnings)
    assert w_orgs[(5, "成立日期")].startswith("日期不存在")
    assert w_orgs[(6, "成立日期")].startswith("日期格式应为")
    assert w_orgs[(7, "区划代码")].startswith("区划代码应为2、4、6、9或12位数字")
    assert w_orgs[(9, "所属领域")].startswith("不在可选值中")
    assert all(w_orgs[k].endswith("本行已载入，该项留空")
               for k in ((5, "成立日期"), (6, "成立日期"), (7, "区划代码"), (9, "所属领域")))
    assert w_units[(3, "统一社会信用代码")].startswith("统一社会信用代码校验位错误")
    assert w_units[(4, "统一社会信用代码")].startswith("统一社会信用代码应为18位，实为15位")
    assert w_units[(5, "从业人员数")].startswith("应为非负整数")
    assert w_members[(3, "身份证号")].startswith("身份证号校验位错误")
    assert w_members[(4, "是否流动")].startswith("应填“是”或“否”")
    assert w_members[(7, "联系电话")].startswith("联系电话应为7至15位数字")
    # the cell to fix is named as the spreadsheet does
    id_issue = next(i for i in report.warnings if i.column == "身份证号")
    assert id_issue.cell == "E3"
    # the rows with warnings landed, without the bad value
    assert store.counts()["Organization"] == 6 and store.counts()["Unit"] == 4
    assert store.counts()["Member"] == 4 and store.rel_counts()["PAIRED_WITH"] == 1
    assert "founded" not in store.get("Organization", "O4").props
    assert "sector" not in store.get("Organization", "O7").props
    assert store.get("Organization", "O6").props["name"] == "某支部"
    assert "uscc" not in store.get("Unit", "U2").props
    m2 = store.get("Member", "M2").props
    assert "id_card" not in m2 and m2["category"] == "正式" and m2["org_code"] == "O1"
    assert report.counts("党组织").read == 9 and report.counts("党组织").landed == 6
    assert report.counts("党组织").rejected == 3 and report.counts("党组织").warnings == 5  # 4 + a region
    # personal data is masked in the report
    assert id_issue.value == "1101**********0021"
    # dates in all three formats were accepted
    assert store.get("Organization", "O1").props["term_ends"] == "2025-06-30"
    assert store.get("Organization", "O8").props["term_ends"] == "2026-01-05"
    assert store.get("Organization", "O1").props["sector"] == "社区"
    # the summary counts alike warnings together
    summary = {(c, k): n for c, k, n in report.grouped(report.warnings)}
    assert summary[("成立日期", "日期不存在")] == 1 and summary[("身份证号", "身份证号校验位错误")] == 1


def test_a_warning_on_a_rejected_row_says_the_row_did_not_land(tmp_path):
    """A bad optional value is worth fixing even on a row rejected for another cell, but its
    warning must not claim the row landed: not when the row is rejected as it is read (a blank
    name), nor when it is rejected later (a code already used)."""
    report, store, files = load(tmp_path, {"党组织": [
        ORG_HEAD,
        ["O1", "幸福街道党工委", "党工委", "", "社区", "", "2020-01-01", ""],
        ["O2", "", "党支部", "O1", "", "", "2024/13/40", ""],                   # 3: rejected as read
        ["O1", "重复党工委", "党工委", "", "天上", "", "", ""],                   # 4: rejected later
        ["O3", "某支部", "党支部", "O1", "", "", "2024/13/40", ""],              # 5: lands
    ]}, "xlsx")
    warned = {(i.row, i.column): i for i in report.warnings}
    for row, column in ((3, "成立日期"), (4, "所属领域")):
        w = warned[(row, column)]
        assert w.row_rejected and "本行已载入" not in w.reason
        assert w.reason.endswith("本行未载入（拒绝原因见同一行），此项也请一并改正"), w.reason
    assert warned[(3, "成立日期")].reason.startswith("日期不存在")
    assert warned[(4, "所属领域")].reason.startswith("不在可选值中")
    landed = warned[(5, "成立日期")]
    assert not landed.row_rejected and landed.reason.endswith("本行已载入，该项留空")
    assert store.get("Organization", "O2") is None and store.get("Organization", "O3") is not None
    assert store.get("Organization", "O1").props["name"] == "幸福街道党工委"
    # the return list says so too, beside the cell that rejected the row
    from openpyxl import load_workbook

    from ingest.returns import write_returns

    (path,) = write_returns(report, tmp_path / "退回")
    listed = {(r[3], r[4]): r[1] for r in load_workbook(path)["退回清单"].iter_rows(min_row=2, values_only=True)}
    assert listed[(3, "组织名称")] == "拒绝（未载入）" and listed[(4, "组织编码")] == "拒绝（未载入）"
    assert listed[(3, "成立日期")] == listed[(4, "所属领域")] == "警告（本行未载入，一并改正）"
    assert listed[(5, "成立日期")] == "警告（已载入，该项留空）"
    assert "landed_note" not in report.to_dict()["warnings"][0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_references_are_warnings_and_the_entity_lands(tmp_path, fmt):
    report, store, _ = load(tmp_path, {
        "党组织": [ORG_HEAD, ["O1", "甲党支部", "党支部", "O404", "", "", "", ""]],
        "党员": [MEMBER_HEAD, ["M1", "张三", "正式", "O405", "", "是", ""]],
    }, fmt)
    assert report.rejected == []
    assert [(w.row, w.column, w.value) for w in report.warnings] == [
        (2, "上级组织编码", "O404"), (2, "所在党组织编码", "O405")]
    assert "引用的党组织编码不存在：O404" in report.warnings[0].reason
    assert store.get("Member", "M1").props["org_code"] == "O405"  # M2 will find it
    assert store.rel_counts()["MEMBER_OF"] == 0 and store.rel_counts()["SUBORDINATE_TO"] == 0


def test_a_file_with_no_ledger_header_is_reported(tmp_path):
    f = write_ledger(tmp_path / "杂项", [["姓名", "年龄"], ["张三", "30"]], "csv-utf8")
    report = Loader(MemoryStore()).load([f])
    assert len(report.rejected) == 1 and report.rejected[0].reason.startswith("未识别出台账表头")
    missing = Loader(MemoryStore()).load([tmp_path / "nope.csv"])
    assert missing.rejected[0].reason == "文件不存在"
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a zip")
    assert Loader(MemoryStore()).load([broken]).rejected[0].reason.startswith("无法读取文件")


def test_duplicates_are_found_across_batches_and_files(tmp_path):
    """The keys already landed wait on disk (flat memory): a duplicate many batches later, or in
    a second file of the same ledger, is still rejected, naming where the first one is."""
    rows = [UNIT_HEAD] + [[f"U{i}", f"单位{i}", "社区", "", "", ""] for i in range(25)]
    rows.append(["U3", "重复单位", "社区", "", "", ""])  # row 27, three batches after U3
    first = write_ledger(tmp_path / "单位", rows, "csv-utf8")
    second = write_ledger(tmp_path / "单位补充", [UNIT_HEAD, ["U7", "又一个", "社区", "", "", ""],
                                                  ["U99", "新单位", "社区", "", "", ""]], "xlsx")
    store = MemoryStore()
    report = Loader(store, batch_size=10).load([first, second])
    assert [(i.file.split("/")[-1], i.row, i.value, i.reason) for i in report.rejected] == [
        ("单位.csv", 27, "U3", "编码重复：与第5行相同，本行未载入"),
        ("单位补充.xlsx", 2, "U7", "编码重复：与单位.csv 第9行相同，本行未载入"),
    ]
    assert store.counts()["Unit"] == 26 and store.get("Unit", "U3").props["name"] == "单位3"
    assert report.counts("单位").landed == 26 and report.counts("单位").rejected == 2



def test_headers_ending_in_another_word_for_code_or_kind_are_read(tmp_path):
    """党员编号 for 党员编码, 党员类型 for 党员类别, 组织代码 for 组织编码: a street office's own words,
    read by one rule (a sheet with them was rejected whole)."""
    from tests.ledger_files import write_csv

    write_csv(tmp_path / "党组织.csv", [["组织代码", "组织名称", "组织类型"], ["A", "甲支部", "党支部"]])
    write_csv(tmp_path / "党员.csv", [["党员编号", "姓名", "党员类型", "所在党组织编号"], ["M1", "张三", "正式党员", "A"]])
    store = MemoryStore()
    report = Loader(store).load([tmp_path])
    assert not report.rejected and report.landed == {"党组织": 1, "党员": 1}
    assert [r.end.key for r in store.iter_relationships("MEMBER_OF")] == ["A"]


def test_a_synonyms_other_ending_is_read_too(tmp_path):
    """党组织编号 / 上级党组织编号 (a hand-made street workbook's headers): 编号 for 编码 applies to the
    synonyms of a column (党组织编码 → 组织编码) as to the column itself."""
    from tests.ledger_files import write_csv

    write_csv(tmp_path / "党组织.csv", [["党组织编号", "党组织名称", "组织类型", "上级党组织编号"],
                                        ["A", "甲党委", "党委", ""], ["B", "乙支部", "党支部", "A"]])
    store = MemoryStore()
    report = Loader(store).load([tmp_path])
    assert not report.rejected and report.landed == {"党组织": 2}
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("SUBORDINATE_TO")] == [("B", "A")]


def test_a_members_organisation_written_as_belonging_to_it(tmp_path):
    """所属党组织编号 (a hand-made 党员 sheet): 所属 is read as 所在, with the other endings too."""
    from tests.ledger_files import write_csv

    write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["A", "甲支部", "党支部"]])
    write_csv(tmp_path / "党员.csv", [["党员编号", "姓名", "党员类型", "所属党组织编号"], ["M1", "张三", "正式", "A"]])
    store = MemoryStore()
    report = Loader(store).load([tmp_path])
    assert not report.rejected and report.landed == {"党组织": 1, "党员": 1}
    assert [r.end.key for r in store.iter_relationships("MEMBER_OF")] == ["A"]


def test_a_repeated_composite_key_is_shown_as_written(tmp_path):
    from tests.ledger_files import write_csv

    orgs = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["A", "甲支部", "党支部"]])
    lists = write_csv(tmp_path / "需求资源清单.csv", [["组织编码", "清单类别", "类别", "具体内容"],
                                                     ["A", "资源", "法律", ""], ["A", "资源", "法律", ""]])
    report = Loader(MemoryStore()).load([orgs, lists])
    assert [(i.row, i.value) for i in report.rejected] == [(3, "A；资源；法律；（空）")]
    assert report.ignored_columns == []  # 清单类别 and 具体内容 are 清单类型 and 内容


def test_a_list_category_as_written_and_an_unusual_one(tmp_path):
    """法律援助 is 法律 (so it meets a 法律 resource); 养猫 is no usual category: the row lands with
    the category as written, and a warning names its cell."""
    from tests.ledger_files import write_csv

    orgs = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"], ["A", "甲支部", "党支部"]])
    lists = write_csv(tmp_path / "需求资源清单.csv", [["组织编码", "清单类型", "类别", "内容"],
                                                     ["A", "需求", "法律援助", "劳动纠纷"],
                                                     ["A", "需求", "养猫", "流浪猫"]])
    store = MemoryStore()
    report = Loader(store).load([orgs, lists])
    assert not report.rejected and report.landed["需求资源清单"] == 2
    assert [(w.row, w.column, w.value, w.cell) for w in report.warnings] == [(3, "类别", "养猫", "C3")]
    assert "不是常用类别" in report.warnings[0].reason and "已按“养猫”载入" in report.warnings[0].reason
    assert sorted(store.get("Organization", "A").props["needs"]) == ["养猫", "法律"]
