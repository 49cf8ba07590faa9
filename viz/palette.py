"""What colour, shape and line style mean in every view: one meaning each, the same everywhere.

- **Colour is the sector** (机关, 事业单位, 企业, 社会组织, 城乡社区, 其他) of an organisation or
  unit, from the Okabe–Ito palette: told apart on a projector and by colour-blind viewers.
- **Shape is the kind of entity**: 党组织 圆点, 单位 方块, 网格 三角, 党建联盟 星, 党员 小圆点,
  活动 菱形, 行政区划 六边形, 分组 方框.
- **Status is a ring, a badge or a line style, never a fill**: a gap is a thick vermillion ring and
  “⚠n” after the name; a pairing in term is a solid dark line, one lapsed or not begun a dashed grey
  one. Vermillion means a gap and nothing else.

>>> sector_of("Organization", {"sector": "非公企业"})
'enterprise'
>>> sector_of("Unit", {"kind": "楼栋"})
'community'
>>> SECTORS[sector_of("Member", {})].zh
'党员'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sector:
    key: str
    zh: str  # as the legend says it
    color: str


# Okabe & Ito (2008), "Color Universal Design"; vermillion (#D55E00) is kept for gaps.
SECTORS: dict[str, Sector] = {s.key: s for s in (
    Sector("organ", "党政机关", "#0072B2"),
    Sector("institution", "事业单位（含学校、医院）", "#56B4E9"),
    Sector("enterprise", "企业（国企、非公、物业、园区）", "#E69F00"),
    Sector("social", "社会组织、新就业群体", "#CC79A7"),
    Sector("community", "城乡社区（社区、村、小区、楼栋、网格）", "#009E73"),
    Sector("other", "其他（行业等）", "#8C8C8C"),
    Sector("alliance", "党建联盟", "#F0E442"),
    Sector("member", "党员", "#D9D9D9"),
    Sector("activity", "活动", "#FFFFFF"),
    Sector("region", "行政区划", "#3D3D3D"),
    Sector("group", "分组（街道、社区）", "#FFFFFF"),
)}

_BY_VALUE = {
    "机关": "organ", "事业单位": "institution", "学校": "institution", "医院": "institution",
    "国有企业": "enterprise", "非公企业": "enterprise", "物业企业": "enterprise", "商圈": "enterprise",
    "园区": "enterprise", "在建项目": "enterprise",
    "社会组织": "social", "新就业群体": "social",
    "社区": "community", "村": "community", "小区": "community", "楼栋": "community", "网格": "community",
}


@dataclass(frozen=True)
class Shape:
    label: str
    zh: str
    vis: str  # vis-network's shape
    own: str | None = None  # a colour of its own (SECTORS), for kinds that have no sector


SHAPES: dict[str, Shape] = {s.label: s for s in (
    Shape("Organization", "党组织（圆点）", "dot"),
    Shape("Unit", "单位（方块）", "square"),
    Shape("Grid", "网格（三角）", "triangle"),
    Shape("Alliance", "党建联盟（星）", "star", own="alliance"),
    Shape("Member", "党员（小圆点）", "dot", own="member"),
    Shape("Activity", "活动（菱形）", "diamond", own="activity"),
    Shape("Region", "行政区划（六边形）", "hexagon", own="region"),
    Shape("Group", "分组（方框，点击进入）", "box", own="group"),
)}

# grids belong to their community; kinds without a sector have a colour of their own
_BY_LABEL = {"Grid": "community", **{sh.label: sh.own for sh in SHAPES.values() if sh.own}}

def sector_of(label: str, props: dict[str, Any]) -> str:
    """The colour key of an entity: its sector (an organisation's 所属领域, a unit's 类别)."""
    if label in _BY_LABEL:
        return _BY_LABEL[label]
    value = props.get("sector") if label == "Organization" else props.get("kind")
    return _BY_VALUE.get(str(value or ""), "other")


GAP_RING = "#D55E00"  # vermillion: a gap, nothing else
BORDER = "#424242"  # every other node's outline: light fills (活动, 党员) stay visible on white

# Line styles of the relationships, by what they say.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "current": {"zh": "结对（在期）：实线", "color": "#263238", "width": 3.0, "dashes": False},
    "lapsed": {"zh": "结对（到期或未开始）：虚线", "color": "#9E9E9E", "width": 1.5, "dashes": True},
    "alliance": {"zh": "联盟成员：点线", "color": "#B8A800", "width": 1.0, "dashes": [2, 4]},
    "other": {"zh": "其他关系（隶属、覆盖、位于…）：细线", "color": "#B0BEC5", "width": 1.2, "dashes": False},
}


# Comparing two dates (viz.compare): what is new is ringed bluish green, what is gone is faded.
CHANGES: dict[str, dict[str, Any]] = {
    "new": {"zh": "新增（对比日期以来）", "color": "#009E73", "mark": "［新］"},
    "gone": {"zh": "已不在（淡色虚线）", "color": "#BDBDBD", "mark": "［已撤］"},
}
