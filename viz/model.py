"""What a network view is, before it is drawn: nodes with positions, edges, a legend.

Builders (viz.views) make these from the store and the analyses; viz.render draws them with
pyvis into one self-contained HTML page."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Colours by sector (organisations) or kind (other entities); chosen to read on a projector.
SECTOR_COLORS = {
    "机关": "#c0392b", "事业单位": "#e67e22", "国有企业": "#d35400", "非公企业": "#2980b9",
    "社会组织": "#16a085", "社区": "#27ae60", "村": "#7cb342", "小区": "#8e44ad", "网格": "#6d4c41",
    "楼栋": "#9575cd", "行业": "#34495e", "学校": "#00838f", "医院": "#ad1457", "商圈": "#f9a825",
    "园区": "#5d4037", "在建项目": "#78909c",
}
LABEL_COLORS = {"Organization": "#c0392b", "Unit": "#2980b9", "Grid": "#6d4c41", "Member": "#7f8c8d",
                "Alliance": "#f39c12", "Activity": "#95a5a6", "Region": "#1abc9c"}
# (each gap rule's colour is in its entry: graph.rules)
GAP_BORDER = "#ff1744"
OK_GRAY = "#b0bec5"


@dataclass
class VNode:
    id: str  # unique in the view: "Label:key"
    name: str
    label_zh: str  # the kind shown in the details panel
    color: str
    size: float = 18
    shape: str = "dot"
    x: float | None = None
    y: float | None = None
    gaps: list[dict[str, str]] = field(default_factory=list)  # {rule, title, message}
    facts: dict[str, Any] = field(default_factory=dict)  # key figures for the details panel
    link: str | None = None  # this entity's own view
    level: int | None = None  # for hierarchical layouts


@dataclass
class VEdge:
    source: str
    target: str
    label: str = ""
    color: str = "#90a4ae"
    dashes: bool = False
    width: float = 1.5
    arrows: bool = False


@dataclass
class View:
    title: str
    subtitle: str
    nodes: list[VNode]
    edges: list[VEdge]
    legend: list[tuple[str, str, str]]  # (colour, text, shape)
    hierarchical: bool = False
    notes: list[str] = field(default_factory=list)
