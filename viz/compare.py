"""Before and after (#15): one view drawn as it stands on a later date, with what appeared since
an earlier date marked new and what is no longer there kept, faded — so a meeting sees what moved.

>>> from viz.model import VEdge, VNode, View
>>> org = lambda k: VNode(f"Organization:{k}", k, "党组织", "organ")
>>> a = View("结对", "", [org("A"), org("B")], [VEdge("Organization:A", "Organization:B", style="paired")])
>>> b = View("结对", "", [org("A"), org("C")], [VEdge("Organization:A", "Organization:C", style="paired")])
>>> v = compare_views(a, b, "2025-01-31", "2025-02-28")
>>> sorted((n.id, n.change) for n in v.nodes)
[('Organization:A', None), ('Organization:B', 'gone'), ('Organization:C', 'new')]
>>> sorted((e.target, e.change) for e in v.edges)
[('Organization:B', 'gone'), ('Organization:C', 'new')]
"""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from graph.store import GraphStore
from viz.model import VEdge, View
from viz.views import ViewNotFound

Keep = Callable[[View, GraphStore], View]


def _edge_key(e: VEdge) -> tuple[str, str, str]:
    a, b = sorted((e.source, e.target))
    return a, b, e.style


def compare_views(before: View, after: View, before_date: str, after_date: str) -> View:
    """``after`` with its nodes and edges absent from ``before`` marked new, and ``before``'s
    nodes and edges absent from ``after`` added back marked gone."""
    out = copy.deepcopy(after)
    now = {n.id for n in out.nodes}
    was = {n.id for n in before.nodes}
    for n in out.nodes:
        n.change = None if n.id in was else "new"
    for n in before.nodes:
        if n.id not in now:
            gone = copy.deepcopy(n)
            gone.change, gone.gaps = "gone", []
            out.nodes.append(gone)
    edges_now = {_edge_key(e) for e in out.edges}
    edges_was = {_edge_key(e) for e in before.edges}
    for e in out.edges:
        e.change = None if _edge_key(e) in edges_was else "new"
    for e in before.edges:
        if _edge_key(e) not in edges_now:
            gone_edge = copy.deepcopy(e)
            gone_edge.change = "gone"
            out.edges.append(gone_edge)
    out.clusters = {**before.clusters, **after.clusters}
    new_nodes = sum(n.change == "new" for n in out.nodes)
    gone_nodes = sum(n.change == "gone" for n in out.nodes)
    new_edges = sum(e.change == "new" for e in out.edges)
    gone_edges = sum(e.change == "gone" for e in out.edges)
    out.subtitle = (f"{after.subtitle} · 对比 {before_date} → {after_date}：新增 {new_nodes} 个、{new_edges} 条连线；"
                    f"已不在 {gone_nodes} 个、{gone_edges} 条连线")
    return out


def view_against(build: Callable[..., View], store: GraphStore, earlier: GraphStore, day: dt.date, *args: Any,
                 keep: Keep = lambda v, _s: v, **kwargs: Any) -> View:
    """``build(store, *args, **kwargs)`` compared with the same view built on ``earlier`` (the
    graph as of ``day``, judged as of ``day``); ``keep(view, its store)`` cuts each to what the
    viewer may see. A root that did not exist yet makes everything new."""
    after = keep(build(store, *args, **kwargs), store)
    try:
        before = keep(build(earlier, *args, **{**kwargs, "as_of": day}), earlier)
    except ViewNotFound:
        before = View(after.title, after.subtitle, [], [])
    now = kwargs.get("as_of") or dt.date.today()
    return compare_views(before, after, day.isoformat(), now.isoformat())
