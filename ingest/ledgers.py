"""The ledgers users hand over (docs/ledgers.md): their columns, which
are required, how each value is parsed, and what each row becomes in the graph.

A column is a :class:`Column`: its Chinese header, its English snake_case alias, the property it
fills (or the link it makes), whether it is required, and its parser. A link column makes one
relationship per code in the cell (``multi``) to a node of ``target`` label(s).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graph import model as m
from ingest import checks, member_keys


def _choice(enum: type[m.ZhEnum]) -> Callable[[Any], str]:
    return partial(checks.parse_choice, enum=enum.__name__, allowed=enum.values())


def _text(value: Any) -> str:
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    required: bool = False
    parse: Callable[[Any], Any] = checks.clean_code
    prop: str | None = None  # the node property it fills
    # a link: relationship type, the label(s) at the other end, direction, and whether the cell
    # may list several codes
    rel: str | None = None
    target: tuple[str, ...] = ()
    incoming: bool = False
    multi: bool = False
    rel_props: dict[str, str] = field(default_factory=dict)  # rel prop -> column zh
    fixed_props: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()  # for templates' drop-down lists
    personal: bool = False
    skip_if_same_as: str | None = None  # a code also given in that column is not linked again
    is_link: bool = field(init=False)  # set once: read for every cell of every row

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_link", self.rel is not None)


@dataclass(frozen=True)
class RowLink:
    """A ledger whose every row is one relationship (结对共建, 职务): from the entity its
    ``start`` column names to the one its ``end`` column names, with properties from columns."""

    rel: str
    start: str  # column zh
    start_labels: tuple[str, ...]
    end: str  # column zh
    end_labels: tuple[str, ...]
    props: dict[str, str] = field(default_factory=dict)  # rel prop -> column zh


@dataclass(frozen=True)
class ListsOf:
    """A ledger whose rows are list entries of an entity (需求资源清单): each row adds its
    ``category`` (and ``content``) to the list its ``kind`` column names (``lists``: kind ->
    property; the entry's text goes to ``<property>_detail``)."""

    owner: str  # column zh: the entity the lists belong to
    owner_label: str
    kind: str  # column zh
    category: str
    content: str
    lists: dict[str, str]


@dataclass(frozen=True)
class DerivedKey:
    """A key a row may take from another column when the sheet has no key column or the row
    leaves it blank: a member's 党员编码 from the ID number (``ingest.member_keys``; the
    systems staff export from show no member code). ``make`` gives the key from the source's
    clean value (or from its text as typed when that fails its check: docs/ledgers.md)."""

    source: str  # column zh
    make: Callable[[str], str]
    # whether a row of a sheet with the key column but a blank key takes it too (a member: yes;
    # an organisation: only a sheet with no 组织编码 column is keyed by names)
    when_blank: bool = True
    # the key as typed when the source fails its check (an ID number with a typo), or None
    as_typed: Callable[[Any], str | None] | None = None
    # what a second row of the same key is told ({source}, {where}, {row}), and whether it
    # quotes the source's value (a name: yes; an ID number: never)
    duplicate: str = "{source}重复：与{where}第{row}行是同一人，本行未载入"
    quote: bool = False


@dataclass(frozen=True)
class UnitInRow:
    """An organisation row that names the unit it is in (an export's 单位名称, 统一社会信用代码 …):
    the columns, by zh; the loader creates or links the unit (``ingest.row_units``)."""

    name: str
    uscc: str
    kind: str
    employees: str
    situation: str
    org_kind: str
    region: str  # the organisation's 区划代码: a unit made from the row lies there


@dataclass(frozen=True)
class Ledger:
    name: str  # English id: "organizations"
    zh: str
    label: str | None  # the node label its rows become (None: rows are relationships)
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the column(s) whose value identifies a row (duplicates)
    example: dict[str, str] = field(default_factory=dict)
    # pairs of columns that must not name the same thing (a pairing with itself, its own parent)
    self_links: tuple[tuple[str, str], ...] = ()
    row_link: RowLink | None = None  # every row is a relationship
    lists_of: ListsOf | None = None  # every row is an entry of an entity's lists
    # (column, column it implies, reader): a value the second column leaves blank that the first
    # one's text says (组织类别 “社区党委” says 所属领域 社区); the reader gives it or None
    implied: tuple[tuple[str, str, Callable[[Any], Any]], ...] = ()
    derived_key: DerivedKey | None = None  # the key from another column when none is given
    # column zh -> {clean value: what the report says of the rows with it, ``{n}`` their number}
    # (停止党籍 is loaded and not counted: the uploader is told how many)
    notes: dict[str, dict[str, str]] = field(default_factory=dict)
    unit_in_row: UnitInRow | None = None  # its rows name the unit each is in

    def column(self, zh: str) -> Column:
        return next(c for c in self.columns if c.zh == zh)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def stands_in(self, col: Column) -> str | None:
        """The column that may stand in for a required ``col`` (the ID number for a member's
        code), if any."""
        dk = self.derived_key
        return dk.source if dk is not None and col.zh == self.key[0] else None


def _enum_col(zh: str, en: str, enum: type[m.ZhEnum], prop: str, required: bool = False) -> Column:
    return Column(zh, en, required, _choice(enum), prop=prop, choices=tuple(enum.values()))


# Whether the thing still exists (graph.ends): a status (注销, 撤销, 转出 … or 正常) and the date it
# ended. Neither fills a property as it is: the loader makes the ended state of the two
# (ingest.ends), and a row without a status leaves that state as it was.
STATUS, STATUS_DATE = "状态", "状态日期"


def _status_cols() -> tuple[Column, Column]:
    return (Column(STATUS, "status", parse=checks.parse_status,
                   choices=(checks.ACTIVE, "注销", "吊销", "撤销", "合并", "转出", "死亡", "出党", "停止党籍")),
            Column(STATUS_DATE, "status_date", parse=checks.parse_date))


_REGION = ("Region",)
_ORG = ("Organization",)
_UNIT = ("Unit",)
_GRID = ("Grid",)

LEDGERS: dict[str, Ledger] = {
    lg.name: lg
    for lg in (
        Ledger("regions", "行政区划", "Region", (
            Column("区划代码", "code", True, checks.region_code, prop="code"),
            Column("名称", "name", True, checks.clean_name, prop="name"),
            _enum_col("层级", "level", m.RegionLevel, "level"),
            Column("上级区划代码", "parent_code", parse=checks.region_ref, rel="PART_OF", target=_REGION),
        ), key=("区划代码",), self_links=(("区划代码", "上级区划代码"),), example={"区划代码": "510107001000", "名称": "某某街道", "层级": "街道乡镇",
                                      "上级区划代码": "510107000000"}),
        Ledger("organizations", "党组织", "Organization", (
            Column("组织编码", "org_id", True, prop="id"),
            Column("组织名称", "org_name", True, checks.clean_name, prop="name"),
            _enum_col("组织类别", "org_kind", m.OrgKind, "kind", required=True),
            # its short name (an alias: references by name and search find the organisation by it)
            Column("党组织简称", "short_name", parse=checks.clean_name, prop="short_name"),
            Column("上级组织编码", "parent_org_id", rel="SUBORDINATE_TO", target=_ORG),
            _enum_col("所属领域", "sector", m.Sector, "sector"),
            Column("所在单位编码", "unit_id", rel="ESTABLISHED_IN", target=_UNIT, multi=True),
            Column("覆盖单位编码", "covered_unit_ids", rel="COVERS", target=_UNIT, multi=True),
            Column("所在网格编码", "grid_id", rel="ON_GRID", target=_GRID, multi=True),
            Column("区划代码", "region_code", parse=checks.region_ref, rel="IN_REGION", target=_REGION),
            Column("成立日期", "founded", parse=checks.parse_date, prop="founded"),
            Column("届满日期", "term_ends", parse=checks.parse_end_date, prop="term_ends"),
            *_status_cols(),
            # who to call about it
            Column("党组织书记", "secretary", parse=checks.clean_name, prop="secretary"),
            Column("党组织联系人", "contact", parse=checks.clean_name, prop="contact"),
            Column("联系电话", "phone", parse=checks.phone, prop="phone", personal=True),
            # the unit it is in, as an export's row gives it (unit_in_row: ingest.row_units)
            Column("单位名称", "unit_name", parse=checks.clean_name),
            Column("统一社会信用代码", "uscc", parse=checks.uscc),
            Column("单位类别", "unit_kind", parse=_choice(m.UnitKind), choices=tuple(m.UnitKind.values())),
            Column("从业人员数", "employees", parse=checks.parse_int),
            Column("党组织所在单位情况", "unit_situation", parse=_choice(m.UnitSituation),
                   choices=tuple(m.UnitSituation.values())),
        ), key=("组织编码",), self_links=(("组织编码", "上级组织编码"),),
            unit_in_row=UnitInRow("单位名称", "统一社会信用代码", "单位类别", "从业人员数", "党组织所在单位情况", "组织类别",
                                  "区划代码"),
            implied=(("组织类别", "所属领域", checks.sector_before_kind),),
            derived_key=DerivedKey("组织名称", checks.org_key_of_name, when_blank=False, quote=True,
                                   duplicate="名称重复：与{where}第{row}行是同一党组织（本表没有「组织编码」列，按名称识别；"
                                             "名称确有重复时请加上组织编码列），本行未载入"),
            example={"组织编码": "DZZ0001", "组织名称": "某某社区党委", "组织类别": "党委",
                                      "所属领域": "社区", "区划代码": "510107001001",
                                      "成立日期": "2021-06-30", "届满日期": "2026-06-29"}),
        Ledger("units", "单位", "Unit", (
            Column("单位编码", "unit_id", True, prop="id"),
            Column("单位名称", "unit_name", True, checks.clean_name, prop="name"),
            _enum_col("单位类别", "unit_kind", m.UnitKind, "kind", required=True),
            Column("统一社会信用代码", "uscc", parse=checks.uscc, prop="uscc"),
            Column("上级单位编码", "parent_unit_id", rel="PART_OF", target=_UNIT),
            Column("区划代码", "region_code", parse=checks.region_ref, rel="IN_REGION", target=_REGION),
            Column("所在网格编码", "grid_id", rel="IN_GRID", target=_GRID),
            Column("从业人员数", "employees", parse=checks.parse_int, prop="employees"),
            Column("党员数", "members_reported", parse=checks.parse_int, prop="members_reported"),
            *_status_cols(),
        ), key=("单位编码",), self_links=(("单位编码", "上级单位编码"),), example={"单位编码": "DW0001", "单位名称": "某某科技有限公司", "单位类别": "非公企业",
                                      "统一社会信用代码": "91350100M000100Y43", "从业人员数": "35", "党员数": "4"}),
        Ledger("grids", "网格", "Grid", (
            Column("网格编码", "grid_id", True, prop="id"),
            Column("网格名称", "grid_name", True, checks.clean_name, prop="name"),
            _enum_col("网格层级", "grid_level", m.GridLevel, "level", required=True),
            Column("上级网格编码", "parent_grid_id", rel="PART_OF", target=_GRID),
            Column("区划代码", "region_code", parse=checks.region_ref, rel="IN_REGION", target=_REGION),
            *_status_cols(),
        ), key=("网格编码",), self_links=(("网格编码", "上级网格编码"),), example={"网格编码": "WG0001", "网格名称": "第一网格", "网格层级": "一般网格"}),
        Ledger("members", "党员", "Member", (
            Column("党员编码", "member_id", True, prop="id"),
            Column("姓名", "name", True, checks.clean_name, prop="name"),
            _enum_col("党员类别", "category", m.MemberCategory, "category", required=True),
            Column("所在党组织编码", "org_id", True, prop="org_code", rel="MEMBER_OF", target=_ORG),
            _enum_col("性别", "gender", m.Gender, "gender"),
            Column("身份证号", "id_card", parse=checks.id_card, prop="id_card", personal=True),
            Column("工作单位编码", "work_unit_id", rel="WORKS_AT", target=_UNIT),
            Column("居住单位编码", "home_unit_id", rel="LIVES_IN", target=_UNIT),
            Column("是否流动", "mobile", parse=checks.parse_bool, prop="mobile", choices=("是", "否")),
            Column("流入党组织编码", "inflow_org_id", rel="MOBILE_TO", target=_ORG,
                   rel_props={"since": "流出日期"}),
            Column("流出日期", "outflow_date", parse=checks.parse_date, prop="outflow_date"),
            Column("最近联系日期", "last_contact", parse=checks.parse_date, prop="last_contact"),
            Column("是否离退休", "retired", parse=checks.parse_bool, prop="retired", choices=("是", "否")),
            Column("报到党组织编码", "report_org_id", rel="REPORTS_TO", target=_ORG),
            Column("联系电话", "phone", parse=checks.phone, prop="phone", personal=True),
            Column("入党日期", "joined", parse=checks.parse_date, prop="joined"),
            Column("转正日期", "confirmed", parse=checks.parse_date_or_none, prop="confirmed"),
            Column("是否失联", "lost_contact", parse=checks.parse_bool, prop="lost_contact", choices=("是", "否")),
            Column("失联日期", "lost_since", parse=checks.parse_date, prop="lost_since"),
            Column("外出流向", "outflow_to", parse=_text, prop="outflow_to"),
            *_status_cols(),  # 党籍状态 停止党籍, 人员状态 转出 …: the member ends (graph.ends)
        ), key=("党员编码",), derived_key=DerivedKey("身份证号", member_keys.member_key,
                                                           as_typed=checks.id_card_as_typed),
            notes={STATUS: {"停止党籍": "{n} 名党员党籍状态为“停止党籍”：已载入并保留，自停止之日起不计入正式党员数"
                                        "与党员数（O1、O2 及单位、楼栋、小区的党员数）和当前缺口"}},
            example={"党员编码": "DY000001", "姓名": "张三", "党员类别": "正式",
                                      "所在党组织编码": "DZZ0001", "性别": "男", "是否流动": "否", "是否离退休": "否"}),
        Ledger("pairings", "结对共建", None, (
            Column("甲方组织编码", "org_a_id", True),
            Column("乙方组织编码", "org_b_id", True),
            _enum_col("结对形式", "form", m.PairingForm, "form", required=True),
            Column("开始日期", "since", parse=checks.parse_date, prop="since"),
            Column("结束日期", "until", parse=checks.parse_end_date, prop="until"),
        ), key=("甲方组织编码", "乙方组织编码", "结对形式"),
            self_links=(("甲方组织编码", "乙方组织编码"),),
            row_link=RowLink("PAIRED_WITH", "甲方组织编码", _ORG, "乙方组织编码", _ORG,
                             {"form": "结对形式", "since": "开始日期", "until": "结束日期"}),
            example={"甲方组织编码": "DZZ0101", "乙方组织编码": "DZZ0001", "结对形式": "结对共建",
                     "开始日期": "2024-01-01", "结束日期": "2026-12-31"}),
        Ledger("alliances", "党建联盟", "Alliance", (
            Column("联盟编码", "alliance_id", True, prop="id"),
            Column("联盟名称", "alliance_name", True, checks.clean_name, prop="name"),
            Column("牵头组织编码", "lead_org_id", True, rel="IN_ALLIANCE", target=_ORG, incoming=True,
                   fixed_props={"role": m.AllianceRole.LEAD.value}),
            # the lead listed among the members too stays the lead
            Column("成员组织编码", "member_org_ids", rel="IN_ALLIANCE", target=_ORG, incoming=True,
                   multi=True, fixed_props={"role": m.AllianceRole.MEMBER.value},
                   skip_if_same_as="牵头组织编码"),
            Column("联盟类型", "kind", parse=_text, prop="kind"),
            Column("成立日期", "founded", parse=checks.parse_date, prop="founded"),
            *_status_cols(),
        ), key=("联盟编码",), example={"联盟编码": "LM001", "联盟名称": "某某街道区域化党建联盟",
                                      "牵头组织编码": "DZZ0001", "成员组织编码": "DZZ0101;DZZ0102"}),
        Ledger("roles", "职务", None, (
            Column("党员编码", "member_id", True),
            _enum_col("职务", "role", m.Role, "role", required=True),
            Column("对象编码", "target_id", True),
        ), key=("党员编码", "职务", "对象编码"),
            row_link=RowLink("HOLDS_ROLE", "党员编码", ("Member",), "对象编码", (*_ORG, *_UNIT, *_GRID),
                             {"role": "职务"}),
            example={"党员编码": "DY000001", "职务": "书记", "对象编码": "DZZ0001"}),
        Ledger("activities", "活动", "Activity", (
            Column("活动编码", "activity_id", True, prop="id"),
            Column("活动日期", "date", True, checks.parse_date, prop="date"),
            Column("参与组织编码", "org_ids", True, rel="TOOK_PART_IN", target=_ORG, incoming=True, multi=True),
            _enum_col("活动类型", "kind", m.ActivityKind, "kind"),
            Column("参与人数", "participants", parse=checks.parse_int, prop="participants"),
            Column("内容", "content", parse=_text, prop="content"),
        ), key=("活动编码",), example={"活动编码": "HD0001", "活动日期": "2025-05-01",
                                      "参与组织编码": "DZZ0101;DZZ0001", "活动类型": "志愿服务",
                                      "参与人数": "20", "内容": "社区义诊"}),
        Ledger("needs", "需求资源清单", None, (
            Column("组织编码", "org_id", True),
            _enum_col("清单类型", "list_kind", m.ListKind, "list_kind", required=True),
            Column("类别", "category", True, checks.list_category, prop="category", choices=m.LIST_CATEGORIES),
            Column("内容", "content", parse=_text, prop="content"),
        ), key=("组织编码", "清单类型", "类别", "内容"),
            lists_of=ListsOf("组织编码", "Organization", "清单类型", "类别", "内容",
                             {m.ListKind.NEED.value: "needs", m.ListKind.RESOURCE.value: "resources"}),
            example={"组织编码": "DZZ0001", "清单类型": "需求", "类别": "助老", "内容": "独居老人探访"}),
    )
}

# Load order: nodes first (every ledger with a label), relationship ledgers after.
LOAD_ORDER = ["regions", "organizations", "units", "grids", "members", "alliances", "activities",
              "pairings", "roles", "needs"]
assert sorted(LOAD_ORDER) == sorted(LEDGERS)

# A row whose first filled cell starts with one of these ends the table (notes under it).
NOTE_PREFIXES = ("填表人", "填表日期", "填报人", "填报日期", "制表人", "制表", "审核人", "审核",
                 "负责人", "备注", "说明", "注：", "注:", "联系人")
