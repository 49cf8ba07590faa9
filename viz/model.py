"""What a network view is, before it is drawn: nodes with positions, edges, notes.

Builders (viz.views) make these from the store and the analyses; viz.render draws them with
pyvis into one self-contained HTML page, its colours, shapes, line styles and legend from
``viz.palette`` (the same meaning in every view)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from viz.palette import SECTORS


@dataclass
class VNode:
    id: str  # unique in the view: "Label:key"
    name: str
    label_zh: str  # the kind shown in the details panel
    sector: str  # the colour (viz.palette.SECTORS)
    size: float = 18
    x: float | None = None
    y: float | None = None
    gaps: list[dict[str, str]] = field(default_factory=list)  # {rule, title, message}
    facts: dict[str, Any] = field(default_factory=dict)  # key figures for the details panel
    link: str | None = None  # this entity's own view
    level: int | None = None  # for hierarchical layouts
    cluster: str | None = None  # the group a large view folds it into (a street, a community)
    change: str | None = None  # comparing two dates: "new" since the earlier, or "gone" (viz.compare)

    @property
    def label(self) -> str:
        """The entity's label ("Organization", …; "Group" for a view's own group nodes)."""
        return self.id.partition(":")[0]

    @property
    def color(self) -> str:
        return SECTORS[self.sector].color


@dataclass
class VEdge:
    source: str
    target: str
    label: str = ""
    style: str = "other"  # viz.palette.EDGE_STYLES
    arrows: bool = False
    change: str | None = None  # as VNode.change


@dataclass
class View:
    title: str
    subtitle: str
    nodes: list[VNode]
    edges: list[VEdge]
    hierarchical: bool = False
    notes: list[str] = field(default_factory=list)
    # a large view opens folded into these groups (cluster key -> its name), one node each
    clusters: dict[str, str] = field(default_factory=dict)
