"""The graph model of docs/domain.md: node labels, relationship types, enumerations, Chinese names.

Everything a user sees is Chinese; everything in code is English. Each node label has one key
property (``code`` for :class:`Region`, ``id`` for the rest). Dates are ISO strings
(``YYYY-MM-DD``) in both stores, so they compare the same way everywhere.

>>> LABELS["Organization"].zh
'党组织'
>>> OrgKind("党支部") is OrgKind.BRANCH
True
>>> RELATIONSHIPS["PAIRED_WITH"].identity
('form',)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from graph.ends import END_ZH
from graph.errors import NotFoundError


class ZhEnum(str, Enum):
    """An enumeration whose values are the Chinese terms users type in their ledgers."""

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class RegionLevel(ZhEnum):
    PROVINCE = "省"
    CITY = "市"
    DISTRICT = "区县"
    STREET = "街道乡镇"
    COMMUNITY = "社区村"


class OrgKind(ZhEnum):
    COMMITTEE = "党委"
    WORKING_COMMITTEE = "党工委"
    GENERAL_BRANCH = "党总支"
    BRANCH = "党支部"
    JOINT_BRANCH = "联合党支部"
    TEMPORARY_BRANCH = "临时党支部"
    FUNCTIONAL_BRANCH = "功能型党支部"
    MOBILE_BRANCH = "流动党员党支部"
    GROUP = "党小组"


class Sector(ZhEnum):
    ORGAN = "机关"
    INSTITUTION = "事业单位"
    STATE_ENTERPRISE = "国有企业"
    PRIVATE_ENTERPRISE = "非公企业"
    SOCIAL_ORGANIZATION = "社会组织"
    COMMUNITY = "社区"
    VILLAGE = "村"
    COMPOUND = "小区"
    GRID = "网格"
    BUILDING = "楼栋"
    INDUSTRY = "行业"
    SCHOOL = "学校"
    HOSPITAL = "医院"
    BUSINESS_DISTRICT = "商圈"
    PARK = "园区"
    PROJECT = "在建项目"


class UnitKind(ZhEnum):
    ORGAN = "机关"
    INSTITUTION = "事业单位"
    STATE_ENTERPRISE = "国有企业"
    PRIVATE_ENTERPRISE = "非公企业"
    SOCIAL_ORGANIZATION = "社会组织"
    COMMUNITY = "社区"
    VILLAGE = "村"
    COMPOUND = "小区"
    BUILDING = "楼栋"
    PROPERTY_COMPANY = "物业企业"
    OWNERS_COMMITTEE = "业委会"
    BUSINESS_DISTRICT = "商圈"
    PARK = "园区"
    PROJECT = "在建项目"
    SCHOOL = "学校"
    HOSPITAL = "医院"
    NEW_EMPLOYMENT_GROUP = "新就业群体"


class UnitSituation(ZhEnum):
    """党组织所在单位情况 (an export's organisation row): how the organisation stands to the unit
    the row names (ingest.row_units)."""

    LEGAL = "法人单位"  # built in it: ESTABLISHED_IN
    SAME_AS_PARENT = "与上级党组织相同"  # built in its parent's unit
    JOINT = "联合党支部"  # a joint branch: it COVERS the unit (or units)


class GridLevel(ZhEnum):
    MASTER = "总网格"
    GENERAL = "一般网格"
    MICRO = "微网格"


class MemberCategory(ZhEnum):
    FORMAL = "正式"
    PROBATIONARY = "预备"


class Gender(ZhEnum):
    MALE = "男"
    FEMALE = "女"


class PairingForm(ZhEnum):
    CO_BUILDING = "结对共建"
    DOUBLE_REPORT = "双报到"
    GOV_ENTERPRISE = "政企结盟"
    GOV_VILLAGE = "政村结对"
    GOV_SOCIETY = "政社联建"
    JOINT = "联建"


class Role(ZhEnum):
    SECRETARY = "书记"
    PART_TIME_MEMBER = "兼职委员"
    GRID_LEADER = "网格长"
    INSTRUCTOR = "党建指导员"
    FIRST_SECRETARY = "第一书记"
    BUILDING_LEADER = "楼栋长"
    LIAISON = "联络员"


class AllianceRole(ZhEnum):
    LEAD = "牵头"
    MEMBER = "成员"


class ActivityKind(ZhEnum):
    VOLUNTEER = "志愿服务"
    THEME_DAY = "主题党日"
    PAIRING_ACTIVITY = "结对共建活动"
    JOINT_MEETING = "联席会议"
    THREE_MEETINGS = "三会一课"


class ListKind(ZhEnum):
    NEED = "需求"
    RESOURCE = "资源"


# The common 类别 of a 需求资源清单 entry. Open: another category is kept as written (with a
# warning), but a need meets a resource only under the same category.
LIST_CATEGORIES = ("法律", "医疗", "就业", "助老", "托幼", "教育", "金融", "环境", "文化", "安全")


IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Node(BaseModel):
    model_config = ConfigDict(extra="allow", use_enum_values=True)


class Region(_Node):
    code: str = Field(title="区划代码", pattern=r"^\d{12}$")
    name: str = Field(title="名称")
    level: RegionLevel | None = Field(None, title="层级")


class Organization(_Node):
    id: str = Field(title="组织编码")
    name: str = Field(title="组织名称")
    short_name: str | None = Field(None, title="党组织简称")  # an alias: references and search find it
    kind: OrgKind = Field(title="组织类别")
    sector: Sector | None = Field(None, title="所属领域")
    founded: IsoDate | None = Field(None, title="成立日期")
    term_ends: IsoDate | None = Field(None, title="届满日期")
    # who to call about it (an export's organisation row): 党组织书记, 党组织联系人, 联系电话
    secretary: str | None = Field(None, title="党组织书记")
    contact: str | None = Field(None, title="党组织联系人")
    phone: str | None = Field(None, title="联系电话")
    needs: list[str] | None = Field(None, title="需求类别")
    resources: list[str] | None = Field(None, title="资源类别")
    needs_detail: list[str] | None = Field(None, title="需求清单")
    resources_detail: list[str] | None = Field(None, title="资源清单")
    aliases: list[str] | None = Field(None, title="曾用编码")  # codes merged into it (#16)


class Unit(_Node):
    id: str = Field(title="单位编码")
    name: str = Field(title="单位名称")
    kind: UnitKind = Field(title="单位类别")
    uscc: str | None = Field(None, title="统一社会信用代码")
    employees: int | None = Field(None, title="从业人员数", ge=0)
    members_reported: int | None = Field(None, title="党员数", ge=0)
    aliases: list[str] | None = Field(None, title="曾用编码")  # codes merged into it (#16)


class Grid(_Node):
    id: str = Field(title="网格编码")
    name: str = Field(title="网格名称")
    level: GridLevel = Field(title="网格层级")


class Member(_Node):
    id: str = Field(title="党员编码")
    name: str = Field(title="姓名")
    category: MemberCategory = Field(title="党员类别")
    org_code: str | None = Field(None, title="所在党组织编码")
    gender: Gender | None = Field(None, title="性别")
    id_card: str | None = Field(None, title="身份证号")
    phone: str | None = Field(None, title="联系电话")
    mobile: bool = Field(False, title="是否流动")
    outflow_date: IsoDate | None = Field(None, title="流出日期")
    last_contact: IsoDate | None = Field(None, title="最近联系日期")
    retired: bool = Field(False, title="是否离退休")
    joined: IsoDate | None = Field(None, title="入党日期")
    confirmed: IsoDate | None = Field(None, title="转正日期")
    lost_contact: bool | None = Field(None, title="是否失联")
    lost_since: IsoDate | None = Field(None, title="失联日期")
    outflow_to: str | None = Field(None, title="外出流向")


class Alliance(_Node):
    id: str = Field(title="联盟编码")
    name: str = Field(title="联盟名称")
    kind: str | None = Field(None, title="联盟类型")
    founded: IsoDate | None = Field(None, title="成立日期")


class Activity(_Node):
    id: str = Field(title="活动编码")
    name: str | None = Field(None, title="活动名称")
    date: IsoDate = Field(title="活动日期")
    kind: ActivityKind | None = Field(None, title="活动类型")
    participants: int | None = Field(None, title="参与人数", ge=0)
    content: str | None = Field(None, title="内容")


@dataclass(frozen=True)
class LabelSpec:
    name: str
    zh: str
    key: str
    model: type[BaseModel]

    def field_zh(self, prop: str) -> str:
        """The Chinese display name of a property (the property itself if unknown)."""
        f = self.model.model_fields.get(prop)
        return f.title if f is not None and f.title else PROVENANCE_ZH.get(prop) or END_ZH.get(prop, prop)


LABELS: dict[str, LabelSpec] = {
    s.name: s
    for s in (
        LabelSpec("Region", "行政区划", "code", Region),
        LabelSpec("Organization", "党组织", "id", Organization),
        LabelSpec("Unit", "单位", "id", Unit),
        LabelSpec("Grid", "网格", "id", Grid),
        LabelSpec("Member", "党员", "id", Member),
        LabelSpec("Alliance", "党建联盟", "id", Alliance),
        LabelSpec("Activity", "活动", "id", Activity),
    )
}

# A label as users name it: 党组织 is Organization.
LABEL_OF_ZH: dict[str, str] = {spec.zh: name for name, spec in LABELS.items()}

# Provenance properties set by ingest on every node and relationship: where its values came from
# and when they were written. A node also carries its row's digest (``ingest.unchanged``), which
# tells a later load that the row is the same; it is bookkeeping, never shown.
ROW_DIGEST = "row_digest"
PROVENANCE_ZH = {"src_file": "来源文件", "src_row": "来源行号", "loaded_at": "载入时间", ROW_DIGEST: "内容摘要"}


@dataclass(frozen=True)
class RelSpec:
    name: str
    zh: str
    starts: tuple[str, ...]
    ends: tuple[str, ...]
    # Properties that, with the two ends, identify one relationship (a member may hold two
    # roles in one organization; two organizations may be paired in two forms).
    identity: tuple[str, ...] = field(default=())


RELATIONSHIPS: dict[str, RelSpec] = {
    s.name: s
    for s in (
        RelSpec("SUBORDINATE_TO", "隶属", ("Organization",), ("Organization",)),
        RelSpec("ESTABLISHED_IN", "单独组建于", ("Organization",), ("Unit",)),
        RelSpec("COVERS", "覆盖", ("Organization",), ("Unit",)),
        RelSpec("ON_GRID", "建在网格", ("Organization",), ("Grid",)),
        RelSpec("IN_REGION", "位于", ("Unit", "Grid", "Organization"), ("Region",)),
        RelSpec("PART_OF", "属于", ("Grid", "Unit", "Region"), ("Grid", "Unit", "Region")),
        RelSpec("IN_GRID", "位于网格", ("Unit",), ("Grid",)),
        RelSpec("MEMBER_OF", "组织关系在", ("Member",), ("Organization",)),
        RelSpec("WORKS_AT", "工作于", ("Member",), ("Unit",)),
        RelSpec("LIVES_IN", "居住于", ("Member",), ("Unit",)),
        RelSpec("MOBILE_TO", "流入", ("Member",), ("Organization",)),
        RelSpec("REPORTS_TO", "报到", ("Member",), ("Organization",)),
        RelSpec("PAIRED_WITH", "结对", ("Organization",), ("Organization",), ("form",)),
        RelSpec("IN_ALLIANCE", "加入联盟", ("Organization",), ("Alliance",)),
        RelSpec("TOOK_PART_IN", "参与活动", ("Organization",), ("Activity",)),
        RelSpec("HOLDS_ROLE", "担任", ("Member",), ("Organization", "Unit", "Grid"), ("role",)),
    )
}

# Properties a user filters or sorts on: indexed in Neo4j.
INDEXED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Organization": ("kind", "sector", "term_ends", "name", "ended", "name_key", "short_key"),
    "Unit": ("kind", "name", "ended", "name_key", "uscc"),
    "Grid": ("level", "name", "ended", "name_key"),
    "Member": ("category", "mobile", "retired", "org_code", "name", "ended"),
    "Region": ("level", "name"),
    "Alliance": ("name", "ended", "name_key"),
    "Activity": ("date",),
}

# Personal data: never shown in full outside the store (see graph.privacy).
PERSONAL_PROPERTIES = ("id_card", "phone")


class UnknownLabel(NotFoundError, ValueError):
    """A label or relationship type that is not in the model (a 404 at the API)."""


def label_spec(label: str) -> LabelSpec:
    try:
        return LABELS[label]
    except KeyError:
        raise UnknownLabel(f"未知的实体类型 unknown label: {label!r}") from None


def rel_spec(rel_type: str) -> RelSpec:
    try:
        return RELATIONSHIPS[rel_type]
    except KeyError:
        raise UnknownLabel(f"未知的关系类型 unknown relationship type: {rel_type!r}") from None


def time_zh(stamp: str) -> str:
    """A stored time as a user reads it: to the second, a space between date and time (times
    are stored to the microsecond, which also marks a load's own links).

    >>> time_zh("2025-11-22 09:30:05.123456"), time_zh("2025-11-22T09:30:05")
    ('2025-11-22 09:30:05', '2025-11-22 09:30:05')
    """
    return stamp[:19].replace("T", " ")


def value_zh(value: object) -> str:
    """A property's value as a user reads it: lists joined with ；, booleans as 是/否, nothing as
    （空） (never Python's ``['法律']``, ``True`` or ``None``).

    >>> value_zh(["法律", "医疗"]), value_zh(True), value_zh(None), value_zh(35)
    ('法律；医疗', '是', '（空）', '35')
    """
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "；".join(map(str, value))
    return str(value)
