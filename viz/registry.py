"""The network views, one entry each: name, Chinese title, builder, the kind of entity its root
is (a code or a name given for it is resolved among that kind) and its URL. The CLI (``tupu
view``), the API's routes and the entity pages' links read this registry."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from viz import views


@dataclass(frozen=True)
class ViewKind:
    name: str
    zh: str
    build: Callable[..., Any]  # (store, root key, ...) -> View
    root: str | None  # the label its root is, None for any entity
    url: str  # where it is served, with {key} for the root's code
    root_optional: bool = False  # the whole city when no root is given


VIEWS: dict[str, ViewKind] = {v.name: v for v in (
    ViewKind("alliance", "党建联盟网络图", views.alliance_view, "Alliance", "/views/alliance/{key}"),
    ViewKind("tree", "组织体系图", views.tree_view, "Organization", "/views/tree/{key}"),
    ViewKind("coverage", "覆盖情况图", views.coverage_view, "Region", "/views/coverage/{key}"),
    ViewKind("pairings", "结对网络图", views.pairings_view, "Region", "/views/pairings?region={key}",
             root_optional=True),
    ViewKind("neighbourhood", "关联网络", views.neighbourhood_view, None, "/views/neighbourhood/{key}"),
)}
