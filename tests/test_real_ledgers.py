"""Ledgers as street offices really fill them: every header and value form of docs/ledgers.md in a
real xlsx and csv cell, a messy street workbook that must give exactly the graph and gaps of the
same data written cleanly (on both stores), rejected rows shown as data problems in the gaps,
the return list, and no silent mis-reads."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from graph.analyses.gaps import find_gaps
from graph.memory.store import MemoryStore
from graph.model import LABELS, RELATIONSHIPS
from ingest import synonyms
from ingest.ledgers import LEDGERS
from ingest.loader import Loader
from ingest.returns import write_returns
from tests.ledger_files import forged_xlsx, write_csv, write_xls, write_xlsx

AS_OF = dt.date(2025, 6, 30)
PROVENANCE = {"src_file", "src_row", "loaded_at"}
ORG = ["组织编码", "组织名称", "组织类别", "所属领域", "成立日期", "届满日期"]


def _load_cell(tmp_path, fmt: str, head: list[str], row: list, name: str = "t"):
    """Load one ledger row written in ``fmt`` (a real file); return (store, report)."""
    store = MemoryStore()
    if fmt == "xlsx":
        f = write_xlsx(tmp_path / f"{name}.xlsx", {"表": [head, row]})
    else:
        f = write_csv(tmp_path / f"{name}.csv", [head, row])
    return store, Loader(store).load([f])


# --- every value form --------------------------------------------------------------------------
DATES = ["2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", "20250301", "2025-3-1 0:00",
         "2025/3/1 9:30", "2025/03/01 00:00:00", "2025.03.01", dt.datetime(2025, 3, 1, 9, 30),
         dt.date(2025, 3, 1), 45717]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("value", DATES, ids=str)
def test_every_date_form(tmp_path, fmt, value):
    if fmt == "csv" and isinstance(value, (dt.date, int)):
        value = str(value) if isinstance(value, int) else value.isoformat()
    store, report = _load_cell(tmp_path, fmt, ORG, ["O1", "甲支部", "党支部", "社区", value, ""])
    assert report.rejected == [] and report.warnings == []
    assert store.get("Organization", "O1").props["founded"] == "2025-03-01"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("value", sorted(synonyms.OPEN_END_WORDS))
def test_open_end_words_mean_no_end(tmp_path, fmt, value):
    store, report = _load_cell(tmp_path, fmt, ORG, ["O1", "甲支部", "党支部", "社区", "", value])
    assert report.rejected == [] and report.warnings == []
    assert "term_ends" not in store.get("Organization", "O1").props


BOOLS = [("是", True), ("否", False), ("√", True), ("×", False), ("✓", True), ("✗", False),
         ("Y", True), ("N", False), ("y", True), ("1", True), ("0", False), ("true", True),
         ("false", False), ("TRUE", True), ("有", True), ("无", False), (1, True), (0, False)]
MEMBER = ["党员编码", "姓名", "党员类别", "所在党组织编码", "是否流动"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("value,expected", BOOLS, ids=str)
def test_every_boolean_form(tmp_path, fmt, value, expected):
    store, report = _load_cell(tmp_path, fmt, MEMBER, ["M1", "张三", "正式", "O1", value])
    assert report.rejected == []
    assert not [w for w in report.warnings if w.column == "是否流动"]
    assert store.get("Member", "M1").props["mobile"] is expected


COUNTS = [("35", 35), ("35人", 35), ("３５", 35), (35.0, 35), ("35.0", 35), ("三", 3), ("十二", 12),
          ("二十五", 25), ("4名", 4), ("1,200", 1200), (0, 0)]
UNIT = ["单位编码", "单位名称", "单位类别", "党员数"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("value,expected", COUNTS, ids=str)
def test_every_count_form(tmp_path, fmt, value, expected):
    store, report = _load_cell(tmp_path, fmt, UNIT, ["U1", "甲公司", "非公企业", value])
    assert report.rejected == [] and report.warnings == []
    assert store.get("Unit", "U1").props["members_reported"] == expected


ENUM_COLUMNS = {"RegionLevel": ("regions", "层级"), "OrgKind": ("organizations", "组织类别"),
                "MemberCategory": ("members", "党员类别"), "UnitKind": ("units", "单位类别"),
                "Sector": ("organizations", "所属领域"), "GridLevel": ("grids", "网格层级"),
                "Gender": ("members", "性别"), "PairingForm": ("pairings", "结对形式"),
                "ActivityKind": ("activities", "活动类型"), "ListKind": ("needs", "清单类型"),
                "Role": ("roles", "职务"), "UnitSituation": ("organizations", "党组织所在单位情况")}


ENUM_CASES = [(e, w, c) for e, table in synonyms.ENUM_SYNONYMS.items() for w, c in table.items()]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("enum,written,canonical", ENUM_CASES, ids=str)
def test_every_enumeration_synonym_in_a_real_cell(tmp_path, fmt, enum, written, canonical):
    ledger_name, column = ENUM_COLUMNS[enum]
    ledger = LEDGERS[ledger_name]
    cols = ledger.required + ([ledger.column(column)] if not ledger.column(column).required else [])
    head = [c.zh for c in cols]

    def other(i: int, c) -> str:  # a valid value in every other required column
        if c.choices:
            return c.choices[0]
        return "2025-01-01" if "日期" in c.zh else "510101001001" if "区划" in c.zh else f"X{i}"

    row = [f" {written}　" if c.zh == column else other(i, c) for i, c in enumerate(cols)]
    report = Loader(MemoryStore(), dry_run=True).load(
        [write_xlsx(tmp_path / "e.xlsx", {"表": [head, row]}) if fmt == "xlsx"
         else write_csv(tmp_path / "e.csv", [head, row])])
    assert report.rejected == [] and [w for w in report.warnings if w.column == column] == []
    assert ledger.column(column).parse(written) == canonical


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_enumeration_synonyms_in_real_cells(tmp_path, fmt):
    head = ["组织编码", "组织名称", "组织类别", "所属领域"]
    store, report = _load_cell(tmp_path, fmt, head, ["O1", "甲", "支部", "民营企业"])
    assert report.rejected == [] and report.warnings == []
    props = store.get("Organization", "O1").props
    assert (props["kind"], props["sector"]) == ("党支部", "非公企业")
    store, report = _load_cell(tmp_path, fmt, MEMBER + ["性别"], ["M1", "张三", "正式党员", "O1", "否", "女性"])
    assert store.get("Member", "M1").props["category"] == "正式"
    assert store.get("Member", "M1").props["gender"] == "女"


def test_identifiers_as_people_write_them(tmp_path):
    head = ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号", "联系电话"]
    store, report = _load_cell(tmp_path, "csv", head,
                               ["M1", "张三", "正式", "O1", "11010519491231002x", "138-1234 5678"])
    assert report.rejected == [] and [w.column for w in report.warnings] == ["所在党组织编码"]
    props = store.get("Member", "M1").props
    assert props["id_card"] == "11010519491231002X" and props["phone"] == "13812345678"
    # a 15-digit number issued before 1999 is widened
    store, report = _load_cell(tmp_path, "csv", head, ["M2", "李四", "正式", "O1", "110105491231002", ""])
    assert store.get("Member", "M2").props["id_card"] == "11010519491231002X"


# --- every header form -------------------------------------------------------------------------
@pytest.mark.parametrize("written,canonical", sorted(synonyms.HEADERS.items()), ids=str)
def test_every_header_synonym(tmp_path, written, canonical):
    ledger = next(lg for lg in LEDGERS.values() if canonical in [c.zh for c in lg.columns])
    head = [c.zh for c in ledger.required]
    if canonical not in head:
        head.append(canonical)
    typed = [f"*{written}（必填）" if h == canonical else h for h in head]
    f = write_xlsx(tmp_path / "h.xlsx", {"表": [["某街道台账（2025年）"], typed, ["X"] * len(typed)]})
    report = Loader(MemoryStore(), dry_run=True).load([f])
    assert not [i for i in report.rejected if i.row is None], report.rejected
    assert report.ignored_columns == []
    assert report.counts(ledger.zh).read == 1


@pytest.mark.parametrize("typed", ["组织名称（全称）", "组 织 名 称", "组　织　名　称", "*组织名称",
                                   "※组织名称", "组织名称(必填)", "组织名称【必填】", "组织名称*"])
def test_header_normalisation(tmp_path, typed):
    f = write_csv(tmp_path / "o.csv", [["组织编码", typed, "组织类别"], ["O1", "甲", "党委"]])
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.rejected == [] and store.get("Organization", "O1").props["name"] == "甲"


def test_an_unrecognised_sheet_names_the_missing_column_and_the_closest_header(tmp_path):
    f = write_xlsx(tmp_path / "o.xlsx", {"党组织": [["组织编码", "组织名字", "组织类别"], ["O1", "甲", "党委"]]})
    report = Loader(MemoryStore()).load([f])
    (issue,) = report.rejected
    assert "「党组织」台账" in issue.reason and "「组织名称」" in issue.reason
    assert "最接近的表头是「组织名字」" in issue.reason


# --- a street office's workbook --------------------------------------------------------------
def _street_ledgers(messy: bool) -> dict[str, list[list]]:
    """The same data, written as a street office does (messy) or as the template asks."""
    def d(clean: str, dotted, serial=None):
        return (serial if serial is not None else dotted) if messy else clean

    def yes(v: bool):
        return ("√" if v else "×") if messy else ("是" if v else "否")

    title = [["北镇街道党组织台账（2025年）"], []] if messy else []
    seq = ["序号"] if messy else []

    def rows(head: list[str], body: list[list], total: bool = False) -> list[list]:
        out = title + [seq + head]
        for i, r in enumerate(body, 1):
            out.append(([i] if messy else []) + r)
            if messy and i == 2:
                out.append([None] * (len(head) + 1))  # a spacer row
        if messy and total:
            out.append(["合计", None, f"{len(body)}个"])
        if messy:
            out += [[], ["填表人：王芳", None, "填表日期：2025.6.1"]]
        return out

    org_head = (["组织编码", "党组织名称（全称）", "组织类型", "上级党组织编码", "所属领域", "所在单位编码",
                 "区划编码", "成立日期", "届满日期"] if messy else
                ["组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域", "所在单位编码",
                 "区划代码", "成立日期", "届满日期"])
    orgs = [
        ["BZ01", "北镇街道党工委", "党工委", "", "社区", "", "510101001", d("2019-03-01", "2019.3.1"), d("2024-02-28", "2024.2.28")],
        ["BZ02", "秦街社区党委", d("党委", "基层党委"), "BZ01", "社区", "", "510101001001", d("2021-06-30", "2021.6.30", 44377), d("2026-06-29", "2026/6/29 0:00")],
        ["BZ03", "秦街社区第一党支部", d("党支部", "支部"), "BZ02", "社区", "", "510101001001", "", ""],
        ["BZ04", "华兴科技党支部", d("党支部", "支部"), "BZ01", d("非公企业", "民营企业"), "DW01", "510101001001", d("2022-01-10", "20220110"), ""],
        ["BZ05", "街道机关党支部", d("党支部", "党支部委员会"), "BZ01", "机关", "", "510101001", "", ""],
    ]
    unit_head = (["单位编码", "单位全称", "单位类型", "信用代码", "区划代码", "职工人数", "党员人数"] if messy else
                 ["单位编码", "单位名称", "单位类别", "统一社会信用代码", "区划代码", "从业人员数", "党员数"])
    units = [
        ["DW01", "华兴科技有限公司", d("非公企业", "私营企业"), "91350100M000100Y43", "510101001001", d("35", "35人"), d("4", "四")],
        ["DW02", "北镇物业服务中心", "物业企业", "", "510101001001", d("12", "１２"), d("2", "2人")],
        ["DW03", "秦街养老协会", d("社会组织", "社会团体"), "", "510101001001", "", d("0", 0.0 if messy else "0")],
    ]
    mem_head = (["党员编码", "党员姓名", "党员类别", "所在支部编码", "身份证号码", "工作单位编码", "是否流动",
                 "最近联系日期", "是否离退休", "手机号码"] if messy else
                ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号", "工作单位编码", "是否流动",
                 "最近联系日期", "是否离退休", "联系电话"])
    members = [
        ["DY01", "张伟", d("正式", "正式党员"), "BZ03", d("11010519491231002X", "11010519491231002x"), "DW01", yes(False), "", yes(True), d("13812345678", "138-1234-5678")],
        ["DY02", "李娜", d("正式", "正式党员"), "BZ03", "", "DW01", yes(False), "", yes(False), ""],
        ["DY03", "王强", d("预备", "预备党员"), "BZ03", "", "DW02", yes(True), d("2024-11-05", "2024.11.5"), yes(False), ""],
        ["DY04", "刘洋", "正式", "BZ04", "", "DW01", yes(True), "", yes(False), ""],
        ["DY05", "陈静", "正式", "BZ05", "", "", yes(False), "", yes(False), d("028-85551234", "028 8555 1234")],
    ]
    pair_head = ["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"]
    pairs = [
        ["BZ05", "BZ02", "结对共建", d("2024-01-01", "2024.1.1"), d("", "长期")],
        ["BZ05", "BZ04", d("结对共建", "共建"), d("2023-01-01", "2023.1.1"), d("2024-12-31", "2024年12月31日")],
    ]
    region_head = ["区划代码", "名称", "层级", "上级区划代码"]
    regions = [
        ["510101000000", "锦城区", d("区县", "区"), ""],
        ["510101001000", "北镇街道", d("街道乡镇", "街道"), "510101000000"],
        ["510101001001", "秦街社区", d("社区村", "社区居委会"), "510101001000"],
    ]
    return {"行政区划": rows(region_head, regions), "党组织": rows(org_head, orgs, total=True),
            "单位": rows(unit_head, units, total=True), "党员": rows(mem_head, members, total=True),
            "结对共建": rows(pair_head, pairs)}


def _snapshot(store) -> tuple:
    nodes = sorted((n.label, n.key, sorted((k, str(v)) for k, v in n.props.items() if k not in PROVENANCE))
                   for label in LABELS for n in store.iter_nodes(label))
    rels = sorted((r.type, r.start.key, r.end.key,
                   sorted((k, str(v)) for k, v in r.props.items() if k not in PROVENANCE))
                  for t in RELATIONSHIPS for r in store.iter_relationships(t))
    gaps = [(g.rule, g.id, g.message, g.responsible.id if g.responsible else None)
            for g in find_gaps(store, as_of=AS_OF)]
    return nodes, rels, gaps


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_street_office_workbook_gives_the_graph_and_gaps_of_the_clean_ledgers(tmp_path, store, fmt):
    messy = _street_ledgers(messy=True)
    messy["填表说明"] = [["填表说明"], ["1. 组织编码由街道统一编制"], ["2. 日期格式：2025.1.1"]]
    messy = {"填表说明": messy.pop("填表说明"), **messy}
    write = write_xlsx if fmt == "xlsx" else write_xls  # Excel 2007 on, or Excel 97-2003
    f = write(tmp_path / f"北镇街道台账.{fmt}", messy)
    # serial dates as Excel stores a date typed into a General cell
    report = Loader(store).load([f])
    assert report.rejected == [], report.rejected
    assert report.warnings == [], report.warnings
    assert {i.reason for i in report.skipped} == {
        "工作表「填表说明」不是台账（说明或选项表），已跳过", "合计/小计行，已跳过"}
    assert report.counts("党员").landed == 5 and report.counts("结对共建").landed == 2
    got = _snapshot(store)

    store.clear()
    clean = tmp_path / "clean"
    clean.mkdir()
    files = [write_csv(clean / f"{name}.csv", rows) for name, rows in _street_ledgers(messy=False).items()]
    clean_report = Loader(store).load(files)
    assert clean_report.rejected == [] and clean_report.warnings == []
    want = _snapshot(store)
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert got[2] == want[2]
    assert any(g[0] == "O1" and g[1] == "BZ03" for g in want[2])  # the gaps are real ones


# --- a rejected row's consequences -----------------------------------------------------------
def test_a_rejected_branch_row_shows_in_its_members_gaps(tmp_path, store):
    org = write_csv(tmp_path / "党组织.csv", [
        ["组织编码", "组织名称", "组织类别", "上级组织编码", "所在单位编码"],
        ["P1", "街道党工委", "党工委", "", ""],
        ["B1", "华兴党支部", "党小队", "P1", "U1"],  # 3: rejected (unknown kind)
    ])
    unit = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别", "党员数"],
                                             ["U1", "华兴公司", "非公企业", "3"]])
    mem = write_csv(tmp_path / "党员.csv", [
        ["党员编码", "姓名", "党员类别", "所在党组织编码"],
        ["M1", "张三", "正式", "B1"], ["M2", "李四", "正式", "P1"],
    ])
    report = Loader(store).load([org, unit, mem])
    assert [(i.row, i.column) for i in report.rejected] == [(3, "组织类别")]
    assert any("所在行（党组织.csv 第3行）未载入" in w.reason for w in report.warnings)
    gaps = {(g.rule, g.id): g for g in find_gaps(store, as_of=AS_OF)}
    m2 = gaps[("M2", "M1")]
    assert m2.message.startswith("所在党组织（党组织.csv 第3行）未载入：不在可选值中")
    assert m2.data_problems and ("M2", "M2") not in gaps
    u1 = gaps[("U1", "U1")]  # the unit looks unestablished because its branch's row was rejected
    assert "数据问题：党组织（党组织.csv 第3行）未载入" in u1.message
    # fixed and loaded again: the problems are gone with the gaps
    write_csv(tmp_path / "党组织.csv", [
        ["组织编码", "组织名称", "组织类别", "上级组织编码", "所在单位编码"],
        ["P1", "街道党工委", "党工委", "", ""], ["B1", "华兴党支部", "党支部", "P1", "U1"]])
    Loader(store).load([org, unit, mem])
    gaps = {(g.rule, g.id): g for g in find_gaps(store, as_of=AS_OF)}
    assert ("M2", "M1") not in gaps and ("U1", "U1") not in gaps
    assert not any(g.data_problems for g in gaps.values())


# --- the return list -------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_return_workbook_marks_and_explains_each_cell(tmp_path, fmt):
    head = ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号"]
    rows = [["某街道党员台账"], head,
            ["M1", "张三", "正式", "O1", "110105194912310021"],   # 3: ID check -> warning
            ["M2", "李四", "团员", "O1", ""],                      # 4: category -> rejected
            ["合计", "2人"]]
    if fmt == "xlsx":
        f = write_xlsx(tmp_path / "党员.xlsx", {"党员": rows})
    else:
        f = write_csv(tmp_path / "党员.csv", rows)
    report = Loader(MemoryStore()).load([f])
    (path,) = write_returns(report, tmp_path / "退回")
    assert path.name == "党员_退回清单.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["各列读取方式", "退回清单"]  # how each column was read, then what to fix
    listing = [[c.value for c in r] for r in wb["退回清单"].iter_rows(min_row=2)]
    kinds = {(r[3], r[4]): r[1] for r in listing}
    assert kinds[(3, "身份证号")].startswith("警告") and kinds[(4, "党员类别")].startswith("拒绝")
    assert kinds[(5, None)] == "已跳过"
    id_row = next(r for r in listing if r[4] == "身份证号")
    assert id_row[6] == "1101**********0021" and id_row[5] == "E3"  # masked, with its cell
    sheet = wb[wb.sheetnames[2]]
    assert sheet["E3"].fill.fgColor.rgb.endswith("FFE699") and "校验位" in sheet["E3"].comment.text
    assert sheet["C4"].fill.fgColor.rgb.endswith("F4B6B6") and "不在可选值中" in sheet["C4"].comment.text
    assert sheet["A3"].comment is None
    assert sheet["B3"].value == "张三"  # the copy keeps the data to correct


def test_the_cli_writes_the_return_list_and_groups_warnings(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app

    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    f = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别", "统一社会信用代码"],
                                          ["U1", "甲", "非公企业", "91350100M000100Y44"],
                                          ["U2", "乙", "非公企业", "91350100M000100Y45"]])
    r = CliRunner().invoke(app, ["ingest", str(f), "--return", str(tmp_path / "退回")])
    assert r.exit_code == 0, r.output
    assert "统一社会信用代码：统一社会信用代码校验位错误  2 条" in r.output
    assert (tmp_path / "退回" / "单位_退回清单.xlsx").exists()
    assert "Traceback" not in r.output


# --- template rows ---------------------------------------------------------------------------
def test_template_example_rows_are_marked_and_never_loaded(tmp_path):
    from ingest.templates import write_templates

    paths = write_templates(tmp_path / "t")
    ws = load_workbook(tmp_path / "t" / "党组织.xlsx").active
    assert ws["A1"].value == "序号" and ws["A2"].value == "示例" and ws["B2"].font.i
    store = MemoryStore()
    report = Loader(store).load(paths)
    assert report.rejected == [] and sum(store.counts().values()) == 0
    assert len([i for i in report.skipped if i.reason == "模板示例行，未载入"]) == len(paths)


# --- no silent mis-reads ---------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [("2023/5/15 9:30", "2023-05-15"), ("2026/6/30 0:00", "2026-06-30"),
                                            ("2023-05-15 09:30:00", "2023-05-15"),
                                            ("2023年5月15日 9:30", "2023-05-15")])
def test_a_date_with_a_time_is_the_right_day(value, expected):
    assert LEDGERS["members"].column("最近联系日期").parse(value) == expected


@pytest.mark.parametrize("value,why", [
    ("110105199002300016", "出生日期"),  # 1990-02-30
    ("110105208801010013", "出生日期"),  # born in 2088
    ("110105180001010018", "出生日期"),  # born in 1800
    ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "17位数字"),
])
def test_impossible_id_numbers_are_not_read(tmp_path, value, why):
    store, report = _load_cell(tmp_path, "csv", ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号"],
                               ["M1", "张三", "正式", "O1", value])
    (w,) = [w for w in report.warnings if w.column == "身份证号"]
    assert why in w.reason and "id_card" not in store.get("Member", "M1").props
    assert value not in w.reason  # the reason never quotes the number


@pytest.mark.parametrize("column,value", [("区划代码", "١١٠١٠١"), ("联系电话", "١٣٨١٢٣٤٥٦٧٨")])
def test_non_ascii_digits_are_not_stored(column, value):
    ledger = "members" if column == "联系电话" else "organizations"
    from ingest.checks import BadValue

    with pytest.raises(BadValue):
        LEDGERS[ledger].column(column).parse(value)


@pytest.mark.parametrize("value", ["9135A100M000100Y43", "91350100M000100Y4", "Z1350100M000100Y43",
                                   "9B350100M000100Y43"])
def test_uscc_structure_is_checked(value):
    from ingest.checks import uscc_ok

    assert not uscc_ok(value)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_long_numbers_in_number_cells_say_store_as_text(tmp_path, fmt):
    head = ["党员编码", "姓名", "党员类别", "所在党组织编码", "身份证号"]
    value = 110105194912310000 if fmt == "xlsx" else "1.10105E+17"
    store, report = _load_cell(tmp_path, fmt, head, ["M1", "张三", "正式", "O1", value])
    (w,) = [w for w in report.warnings if w.column == "身份证号"]
    assert "请把该列单元格设为“文本”格式" in w.reason
    assert store.get("Member", "M1") is not None  # the member still lands


def test_the_ledger_guide_lists_every_accepted_spelling():
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs" / "ledgers.md").read_text(encoding="utf-8")
    missing = [w for w in synonyms.HEADERS if w not in guide]
    missing += [w for table in synonyms.ENUM_SYNONYMS.values() for w in table if w not in guide]
    missing += [c.zh for lg in LEDGERS.values() for c in lg.columns if c.zh not in guide]
    assert missing == []


# --- formulas --------------------------------------------------------------------------------
def _xml_row(r: int, cells: list[str]) -> str:
    return f'<row r="{r}">' + "".join(cells) + "</row>"


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_a_formula_never_calculated_is_named_not_read_as_blank(tmp_path):
    """A script (openpyxl here) writes formulas with no calculated value: Excel shows the cell
    filled, so "missing" would be a false reason. The row's cell says what to do instead."""
    head = ["党员编码", "姓名", "党员类别", "所在党组织编码", "手机号"]
    f = write_xlsx(tmp_path / "党员.xlsx", {"党员": [
        head,
        ["M1", '=A2&"号"', "正式", "O1", "13800000000"],      # required: rejected
        ["M2", "李四", "正式", "O1", '=TEXT(13800000000,"0")'],  # optional: lands without it
    ]})
    store = MemoryStore()
    report = Loader(store).load([f])
    (name,) = [i for i in report.rejected if i.column == "姓名"]
    assert (name.row, name.cell, name.value) == (2, "B2", '=A2&"号"')
    assert "公式没有计算结果" in name.reason and "缺少" not in name.reason
    (phone,) = [i for i in report.warnings if i.column == "联系电话"]
    assert phone.cell == "E3" and "公式没有计算结果" in phone.reason and "本行已载入" in phone.reason
    assert store.get("Member", "M2").props["name"] == "李四" and store.get("Member", "M1") is None
    assert "phone" not in store.get("Member", "M2").props
    (path,) = write_returns(report, tmp_path / "退回")
    assert load_workbook(path)[load_workbook(path).sheetnames[2]]["B2"].value == '=A2&"号"'


def test_calculated_formulas_shared_formulas_and_empty_text_results(tmp_path):
    head = _xml_row(1, [_text("A1", "组织编码"), _text("B1", "组织名称"), _text("C1", "组织类别")])
    rows = [
        # Excel's own file: the calculated value is read, the formula is not looked at
        _xml_row(2, [_text("A2", "O1"), '<c r="B2" t="str"><f>"甲"&amp;"支部"</f><v>甲支部</v></c>',
                     _text("C2", "党支部")]),
        # a shared formula's follower, never calculated
        _xml_row(3, [_text("A3", "O2"), '<c r="B3"><f t="shared" si="0"/></c>',
                     _text("C3", "党支部")]),
        # a formula Excel calculated to empty text: blank, as Excel shows it
        _xml_row(4, [_text("A4", "O3"), '<c r="B4" t="str"><f>IF(1,"","")</f><v></v></c>',
                     _text("C4", "党支部")]),
    ]
    f = tmp_path / "党组织.xlsx"
    f.write_bytes(forged_xlsx(head + "".join(rows)))
    store = MemoryStore()
    report = Loader(store).load([f])
    assert store.get("Organization", "O1").props["name"] == "甲支部"
    reasons = {i.row: i.reason for i in report.rejected}
    assert "公式没有计算结果" in reasons[3] and reasons[4] == "缺少必填项：组织名称"


# --- merged cells and two-row headers --------------------------------------------------------
def test_cells_merged_down_a_street_are_every_rows_value(tmp_path):
    """A 上级组织编码 and 区划代码 merged over a street's rows is what Excel shows on each row:
    read as blank, every organisation under it would lose its parent (false gaps) silently."""
    head = ["序号", "组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域"]
    f = write_xlsx(tmp_path / "党组织.xlsx", {"党组织": [
        ["某街道党组织台账（2025年）"], head,
        [None, "P1", "街道党工委", "党工委", None, None],
        [1, "C1", "一社区党委", "党委", "P1", "社区"],
        [2, "C2", "二社区党委", "党委", None, None],
        [3, "C3", "三社区党委", "党委", None, None],
        [4, "B1", "华兴党支部", "党支部", "C1", "非公企业"],
    ]}, merges={"党组织": ["A1:F1", "E4:E6", "F4:F6", "B8:C8"]})
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.rejected == [] and report.warnings == []
    parents = {r.start.key: r.end.key for r in store.iter_relationships("SUBORDINATE_TO")}
    assert parents == {"C1": "P1", "C2": "P1", "C3": "P1", "B1": "C1"}
    for code in ("C1", "C2", "C3"):
        assert store.get("Organization", code).props["sector"] == "社区"
    assert store.get("Organization", "B1").props["sector"] == "非公企业"  # the merge ends at its last row
    assert [(i.row, i.column, i.cell) for i in report.merged_cells] == [
        (4, "上级组织编码", "E4:E6"), (4, "所属领域", "F4:F6")]  # the title's merge is no data


def test_a_warning_in_a_merged_range_marks_its_shown_cell(tmp_path):
    head = ["组织编码", "组织名称", "组织类别", "成立日期"]
    f = write_xlsx(tmp_path / "党组织.xlsx", {"党组织": [
        head, ["O1", "甲支部", "党支部", "2024/13/40"], ["O2", "乙支部", "党支部", None]]},
        merges={"党组织": ["D2:D3"]})
    store = MemoryStore()
    report = Loader(store).load([f])
    assert sorted((w.row, w.cell) for w in report.warnings if w.column == "成立日期") == [(2, "D2"), (3, "D3")]
    (path,) = write_returns(report, tmp_path / "退回")  # D3 is hidden under D2: D2 carries both
    sheet = load_workbook(path)["党组织"]
    assert sheet["D2"].fill.fgColor.rgb.endswith("FFE699") and "日期" in sheet["D2"].comment.text


TWO_ROW_UNITS = [
    ["某街道非公企业和社会组织台账"],
    ["序号", "单位编码", "单位名称", "单位类别", "基本情况", None, None, "区划代码"],
    [None, None, None, None, "从业人员数", "党员数", "统一社会信用代码", None],
    [1, "U1", "甲公司", "非公企业", 30, "3人", None, "110105001"],
    [2, "U2", "乙公司", "民营企业", 12, "二", None, None],
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_header_on_two_rows_reads_its_grouped_columns(tmp_path, fmt):
    """Grouped columns under a merged title (基本情况 over 从业人员数 / 党员数): read as one header,
    not as a rejected row of data and lost 党员数 (a U1 would read as U3)."""
    if fmt == "xlsx":
        f = write_xlsx(tmp_path / "单位.xlsx", {"单位": TWO_ROW_UNITS}, merges={"单位": [
            "A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:G2", "H2:H3", "H4:H5"]})
    else:  # what a merged header becomes when saved as CSV
        f = write_csv(tmp_path / "单位.csv", TWO_ROW_UNITS)
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.rejected == [] and report.ignored_columns == []
    assert report.ledgers["单位"].read == 2
    u1, u2 = store.get("Unit", "U1").props, store.get("Unit", "U2").props
    assert (u1["employees"], u1["members_reported"], u2["members_reported"], u2["kind"]) == (30, 3, 2, "非公企业")


def test_a_title_row_is_no_second_header_row(tmp_path):
    """A title above the header (in the header's blank first column) is not taken as a header
    name, and the first row of data is data."""
    f = write_csv(tmp_path / "单位.csv", [
        ["单位台账", "", "", ""], ["", "单位编码", "单位名称", "单位类别"], ["", "U1", "甲公司", "非公企业"]])
    report = Loader(store := MemoryStore()).load([f])
    assert report.ignored_columns == [] and report.rejected == []
    assert store.get("Unit", "U1").props["name"] == "甲公司"


def test_an_xls_workbook_as_an_office_keeps_it(tmp_path):
    """Excel 97-2003: merged cells, a header on two rows, date cells, a code kept by a "000000"
    format, a rejected row marked in the return list's .xlsx copy."""
    rows = [["某街道党组织台账"], ["序号", "组织编码", "组织名称", "组织类别", "上级组织编码", "时间", None],
            [None, None, None, None, None, "成立日期", "届满日期"],
            [None, "P1", "街道党工委", "党工委", None, dt.date(2021, 3, 1), None],
            [1, "C1", "一社区党委", "党委", "P1", 45717, "长期"],
            [2, "C2", "二社区党委", "党委", None, None, None],
            [3, 12345, "三支部", "党小队", "P1", None, None]]
    f = write_xls(tmp_path / "党组织.xls", {"党组织": rows},
                  merges={"党组织": [(0, 0, 0, 6), (1, 2, 0, 0), (1, 2, 1, 1), (1, 2, 2, 2), (1, 2, 3, 3),
                                    (1, 2, 4, 4), (1, 1, 5, 6), (4, 5, 4, 4)]},
                  formats={("党组织", 6, 1): "000000"})
    store = MemoryStore()
    report = Loader(store).load([f])
    assert [(i.row, i.column) for i in report.rejected] == [(7, "组织类别")]
    assert report.ignored_columns == [] and report.warnings == []
    assert store.get("Organization", "P1").props["founded"] == "2021-03-01"
    assert store.get("Organization", "C1").props["founded"] == "2025-03-01"
    assert {r.start.key: r.end.key for r in store.iter_relationships("SUBORDINATE_TO")} == {"C1": "P1", "C2": "P1"}
    assert report.rejected[0].value == "党小队" and report.rejected[0].cell == "D7"
    (path,) = write_returns(report, tmp_path / "退回")
    wb = load_workbook(path)
    assert path.name == "党组织_退回清单.xlsx" and wb.sheetnames == ["各列读取方式", "退回清单", "党组织"]
    sheet = wb["党组织"]
    assert sheet["B7"].value == "012345" and sheet["D7"].fill.fgColor.rgb.endswith("F4B6B6")
    assert "E5:E6" in {str(r) for r in sheet.merged_cells.ranges}


def test_a_damaged_xls_is_named_and_the_other_files_load(tmp_path):
    bad = tmp_path / "坏.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    good = write_csv(tmp_path / "单位.csv", [["单位编码", "单位名称", "单位类别"], ["U1", "甲公司", "非公企业"]])
    store = MemoryStore()
    report = Loader(store).load([bad, good])
    assert [(i.file, i.reason) for i in report.rejected] == [
        (str(bad), "无法读取文件：文件损坏，或不是有效的 xlsx / xls / csv 文件")]
    assert store.get("Unit", "U1") is not None


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_ditto_cells_are_the_value_above(tmp_path, fmt):
    """同上 / 〃 in a column is the row above's value there, chained down; over a blank cell or on
    the first row it is read as written (and refused or warned as such)."""
    rows = [["组织编码", "组织名称", "组织类别", "上级组织编码", "所属领域"],
            ["P1", "街道党工委", "党工委", None, "同上"],
            ["C1", "一社区党委", "党委", "P1", "社区"],
            ["C2", "二社区党委", "同上", "同上", "〃"],
            ["C3", "三社区党委", "〃", "同上", "同上"],
            ["B1", "华兴党支部", "党支部", "C1", "非公企业"]]
    f = write_xlsx(tmp_path / "党组织.xlsx", {"党组织": rows}) if fmt == "xlsx" else write_csv(tmp_path / "党组织.csv", rows)
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.rejected == [] and report.dittos == 6
    assert [(w.row, w.column, w.value) for w in report.warnings] == [(2, "所属领域", "同上")]  # nothing above it
    assert {r.start.key: r.end.key for r in store.iter_relationships("SUBORDINATE_TO")} == {
        "C1": "P1", "C2": "P1", "C3": "P1", "B1": "C1"}
    for code in ("C2", "C3"):
        assert (store.get("Organization", code).props["kind"], store.get("Organization", code).props["sector"]) == ("党委", "社区")


MONTHS = [("2019年5月", "2019-05-01", "2019-05-31"), ("2019.5", "2019-05-01", "2019-05-31"),
          ("2019-05", "2019-05-01", "2019-05-31"), ("201905", "2019-05-01", "2019-05-31"),
          ("2019.10", "2019-10-01", "2019-10-31"), (2019.05, "2019-05-01", "2019-05-31"),
          (2019.12, "2019-12-01", "2019-12-31"), (201902, "2019-02-01", "2019-02-28")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("value,founded,ends", MONTHS, ids=str)
def test_a_date_written_to_the_month(tmp_path, fmt, value, founded, ends):
    """成立 in May is May's first day; a term that ends in May has not ended before June. A
    number cell is never read as a serial there: 2019.05 was 1905-07-11, silently."""
    store, report = _load_cell(tmp_path, fmt, ORG, ["O1", "甲支部", "党支部", "社区", value, value])
    assert report.rejected == [] and report.warnings == []
    props = store.get("Organization", "O1").props
    assert (props["founded"], props["term_ends"]) == (founded, ends)


@pytest.mark.parametrize("value,why", [(2019.1, "分不清是1月还是10月"), (2019, "只写了年份"), ("2019年", "只写了年份")])
def test_a_year_or_a_month_that_excel_made_ambiguous_is_not_guessed(tmp_path, value, why):
    store, report = _load_cell(tmp_path, "xlsx", ORG, ["O1", "甲支部", "党支部", "社区", value, ""])
    (w,) = report.warnings
    assert w.column == "成立日期" and why in w.reason and w.cell == "E2"
    assert "founded" not in store.get("Organization", "O1").props


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_hidden_sheet_is_passed_over_and_said(tmp_path, fmt):
    """An old copy hidden beside the ledger must not land (a closed company with members would
    be a false U1) nor make the visible rows duplicates."""
    head = ["单位编码", "单位名称", "单位类别", "党员数"]
    sheets = {"单位": [head, ["U1", "华兴科技有限公司", "非公企业", 3]],
              "单位（旧）": [head, ["U1", "华兴科技老名字", "非公企业", 0], ["U9", "已注销公司", "非公企业", 5]]}
    if fmt == "xlsx":
        f = write_xlsx(tmp_path / "单位.xlsx", sheets)
        wb = load_workbook(f)
        wb["单位（旧）"].sheet_state = "hidden"
        wb.save(f)
    else:
        import xlrd
        import xlwt

        f = write_xls(tmp_path / "单位.xls", sheets)
        book = xlrd.open_workbook(str(f))
        out = xlwt.Workbook(encoding="utf-8")  # the same sheets, the second one hidden
        for sheet in book.sheets():
            ws = out.add_sheet(sheet.name)
            for r in range(sheet.nrows):
                for c, v in enumerate(sheet.row_values(r)):
                    ws.write(r, c, v)
            ws.visibility = sheet.name == "单位（旧）"
        out.save(str(f))
    store = MemoryStore()
    report = Loader(store).load([f])
    assert report.rejected == [] and store.get("Unit", "U9") is None
    assert store.get("Unit", "U1").props["name"] == "华兴科技有限公司"
    assert [(i.sheet, i.reason) for i in report.skipped] == [
        ("单位（旧）", "工作表「单位（旧）」是隐藏的，未读取（要载入请在 Excel 中取消隐藏）")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_names_lose_the_spaces_and_line_breaks_of_their_layout(tmp_path, fmt):
    """王　芳 (a 全角 space lining up a two-character name) is 王芳, and a name broken over two
    lines in its cell is one name: a search or a roster by name finds them."""
    rows = [["党员编码", "姓名", "党员类别", "所在党组织编码"],
            ["M1", "王　芳", "正式", "O1"], ["M2", " 欧阳 \n 娜娜 ", "正式", "O1"], ["M3", "Li  Lei", "正式", "O1"]]
    f = write_xlsx(tmp_path / "党员.xlsx", {"党员": rows}) if fmt == "xlsx" else write_csv(tmp_path / "党员.csv", rows)
    store = MemoryStore()
    Loader(store).load([f])
    assert [store.get("Member", k).props["name"] for k in ("M1", "M2", "M3")] == ["王芳", "欧阳娜娜", "Li Lei"]


# --- a name where a code belongs -------------------------------------------------------------
def test_a_roster_that_names_its_branches_links_its_members(tmp_path, store):
    """所在党支部 filled with the branch's name, 上级党组织 with its parent's: the links are made to
    the one entity of that name, and no member is a false M2 (nor a branch a false O1)."""
    orgs = write_csv(tmp_path / "党组织.csv", [
        ["组织编码", "组织名称", "组织类别", "上级党组织", "所属领域"],
        ["P1", "北镇街道党工委", "党工委", "", "社区"],
        ["C1", "秦街社区党委", "党委", "北镇街道党工委", "社区"],
        ["B1", "秦街社区第一党支部", "党支部", "秦街社区党委", "社区"],
        ["B2", "第一党支部", "党支部", "C1", "社区"],
        ["B3", "第一党支部", "党支部", "C1", "社区"]])
    members = write_xlsx(tmp_path / "党员.xlsx", {"党员": [
        ["党员编码", "姓名", "党员类别", "所在党支部"],
        ["M1", "张三", "正式", "秦街社区第一党支部"], ["M2", "李四", "正式", "秦街社区 第一党支部"],
        ["M3", "王五", "正式", "B1"], ["M4", "赵六", "正式", "第一党支部"], ["M5", "钱七", "正式", "秦街社区第九党支部"]]})
    report = Loader(store).load([orgs, members])
    assert report.rejected == [] and report.by_name == 4  # 2 parents, 2 members
    assert {r.start.key: r.end.key for r in store.iter_relationships("SUBORDINATE_TO")} == {
        "C1": "P1", "B1": "C1", "B2": "C1", "B3": "C1"}
    assert {r.start.key: r.end.key for r in store.iter_relationships("MEMBER_OF")} == {"M1": "B1", "M2": "B1", "M3": "B1"}
    assert store.get("Member", "M1").props["org_code"] == "B1"
    warned = {w.row: w.reason for w in report.warnings}
    assert warned[5] == "「第一党支部」是 2 个党组织的名称（编码 B2、B3），请改填编码，该关联未建立"
    assert "也没有党组织叫这个名称；是不是「秦街社区第一党支部」（B1）？" in warned[6]  # a typo: asked, not linked
    gaps = {(g.rule, g.id) for g in find_gaps(store, as_of=AS_OF)}
    assert ("O1", "B1") not in gaps and ("M2", "M1") not in gaps and ("M2", "M4") in gaps
    # a later roster names a branch of the graph (an earlier load's): found there too
    later = write_csv(tmp_path / "党员2.csv", [["党员编码", "姓名", "党员类别", "所在党组织"], ["M6", "孙八", "正式", "秦街社区党委"]])
    report = Loader(store).load([later])
    assert report.warnings == [] and report.by_name == 1
    assert store.get("Member", "M6").props["org_code"] == "C1"
    # another street's workbook with a 秦街社区党委 of its own: its members join its own
    other = write_csv(tmp_path / "南街.csv", [["组织编码", "组织名称", "组织类别", "上级党组织"],
                                              ["N1", "南街街道党工委", "党工委", ""], ["N2", "秦街社区党委", "党委", "南街街道党工委"]])
    roster = write_csv(tmp_path / "南街党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织"], ["N9", "周九", "正式", "秦街社区党委"]])
    report = Loader(store).load([other, roster])
    assert report.warnings == [] and store.get("Member", "N9").props["org_code"] == "N2"
    alone = write_csv(tmp_path / "名册.csv", [["党员编码", "姓名", "党员类别", "所在党组织"], ["N8", "吴十", "正式", "秦街社区党委"]])
    report = Loader(store).load([alone])  # a roster alone: the name is two organisations', no guess
    assert [w.reason for w in report.warnings] == ["「秦街社区党委」是 2 个党组织的名称（编码 C1、N2），请改填编码，该关联未建立"]


@pytest.mark.parametrize("written,kind", [("社区党委", "党委"), ("非公企业党支部", "党支部"), ("机关党支部委员会", "党支部"),
                                          ("村党总支", "党总支"), ("社区联合党支部", "联合党支部"), ("两新党支部", "党支部")])
def test_an_org_kind_written_with_where_it_sits(tmp_path, written, kind):
    store, report = _load_cell(tmp_path, "xlsx", ORG, ["O1", "甲支部", written, "", "", ""])
    assert report.rejected == [] and store.get("Organization", "O1").props["kind"] == kind


def test_where_an_org_kind_says_it_sits_is_its_sector_unless_the_sector_column_says(tmp_path):
    """社区党委 with 所属领域 blank is a community's: a P2 gap if unpaired, as with 社区 written."""
    store, report = _load_cell(tmp_path, "csv", ORG + ["上级组织编码"], ["O1", "甲社区党委", "社区党委", "", "", "", ""])
    assert report.warnings == [] and store.get("Organization", "O1").props["sector"] == "社区"
    assert [g.rule for g in find_gaps(store, as_of=AS_OF) if g.id == "O1"] == ["P2"]
    store, _ = _load_cell(tmp_path, "csv", ORG, ["O2", "甲支部", "企业党支部", "", "", ""], name="b")
    assert "sector" not in store.get("Organization", "O2").props  # 企业: no sector of its own
    store, _ = _load_cell(tmp_path, "csv", ORG, ["O3", "机关支部", "社区党支部", "机关", "", ""], name="c")
    assert store.get("Organization", "O3").props["sector"] == "机关"  # the column says


def test_an_org_kind_that_is_only_a_place_is_still_refused(tmp_path):
    store, report = _load_cell(tmp_path, "csv", ORG, ["O1", "甲支部", "社区", "", "", ""])
    assert [(i.column, i.value) for i in report.rejected] == [("组织类别", "社区")]


def test_an_unknown_name_near_two_names_asks_about_neither(tmp_path):
    orgs = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别"],
                                                ["B1", "骆路社区第一党支部", "党支部"], ["B2", "骆路社区第二党支部", "党支部"],
                                                ["B3", "华兴科技有限公司党支部", "党支部"]])
    members = write_csv(tmp_path / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党支部"],
                                                 ["M1", "甲", "正式", "骆路社区第三党支部"], ["M2", "乙", "正式", "华兴科技党支部"],
                                                 ["M3", "丙", "正式", "华兴科技党支部"]])
    report = Loader(MemoryStore()).load([orgs, members])
    warned = {w.row: w.reason for w in report.warnings}
    assert "是不是" not in warned[2]  # as close to 第一 as to 第二: no guess
    assert "是不是「华兴科技有限公司党支部」（B3）？" in warned[3] and warned[3] == warned[4]


def test_a_code_and_its_own_name_are_no_link(tmp_path):
    """The same organisation on both sides, once by code and once by name: refused as a pairing
    with itself is, and no organisation becomes its own parent."""
    orgs = write_csv(tmp_path / "党组织.csv", [["组织编码", "组织名称", "组织类别", "上级党组织"],
                                                ["P1", "街道党工委", "党工委", ""], ["B1", "第一党支部", "党支部", "第一党支部"]])
    pairs = write_csv(tmp_path / "结对.csv", [["甲方组织编码", "乙方党组织", "结对形式"], ["B1", "第一党支部", "结对共建"],
                                              ["P1", "第一党支部", "结对共建"]])
    store = MemoryStore()
    report = Loader(store).load([orgs, pairs])
    assert [(i.row, i.reason) for i in report.rejected] == [
        (2, "两端是同一个党组织（B1，一端填的是它的名称），本行未载入")]
    assert [(w.row, w.reason) for w in report.warnings] == [
        (3, "两端是同一个党组织（B1，一端填的是它的名称），该关联未建立")]
    assert list(store.iter_relationships("SUBORDINATE_TO")) == []
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("PAIRED_WITH")] == [("P1", "B1")]
    assert report.counts("结对共建").landed == 1 and report.counts("结对共建").rejected == 1


def test_a_merge_in_a_column_not_read_is_not_reported(tmp_path):
    f = write_xlsx(tmp_path / "单位.xlsx", {"单位": [["单位编码", "单位名称", "单位类别", "所在社区"],
                                                  ["U1", "甲公司", "非公企业", "姜街社区"], ["U2", "乙公司", "非公企业", None]]},
                   merges={"单位": ["D2:D3"]})
    report = Loader(MemoryStore()).load([f])
    assert report.merged_cells == [] and [i.column for i in report.ignored_columns] == ["所在社区"]
