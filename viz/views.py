"""The network views users show in meetings, built from the store and the analyses:

- :func:`alliance_view` — an alliance: the lead organisation at the centre, members around it,
  their pairings among themselves and outward, the grids and units they reach;
- :func:`tree_view` — an organisation's subtree, layered top-down, with gap badges;
- :func:`coverage_view` — a street or community: grids, 小区 and 楼栋, units and organisations,
  every gap coloured by its rule;
- :func:`pairings_view` — the pairing network of a district or city, grouped by street on a
  precomputed layout (thousands of nodes, physics off);
- :func:`neighbourhood_view` and :func:`path_view` — around one entity, and between two.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from graph.analyses.context import names_in_context
from graph.analyses.coverage import coverage
from graph.analyses.engine import engine_for
from graph.analyses.gaps import find_gaps
from graph.analyses.trace import find_entity
from graph.analyses.trees import load_trees
from graph.ends import ENDABLE, is_live
from graph.errors import NotFoundError
from graph.model import LABELS, RELATIONSHIPS, AllianceRole
from graph.policy import Policy, load_policy
from graph.rules import pairing_current
from graph.store import GraphStore, Node, NodeRef
from viz.layout import disc_radius, discs
from viz.model import VEdge, View, VNode
from viz.palette import sector_of

GapIndex = dict[tuple[str, str], list[dict[str, str]]]
CLUSTER_AT = 150  # a view with more nodes opens folded into its groups (streets, communities)


class ViewNotFound(NotFoundError, LookupError):
    pass


def _in_context(build: Callable[..., View]) -> Callable[..., View]:
    """A view builder whose grids and buildings are named with what they are in ("蒋路社区
    第2网格", "幸福小区 3号楼"; ``graph.analyses.context``), without what has ended by the
    view's date (graph.ends: a closed unit, a dissolved branch and its links are not drawn)."""
    @functools.wraps(build)
    def built(store: GraphStore, *args: Any, **kwargs: Any) -> View:
        view = _without_ended(store, build(store, *args, **kwargs), kwargs.get("as_of"))
        ids = [(*n.id.split(":", 1), n.name) for n in view.nodes]
        full = names_in_context(engine_for(store), [(label, key, name) for label, key, name in ids])
        for n, (label, key, _) in zip(view.nodes, ids):
            n.name = full.get((label, key), n.name)
        return view
    return built


def _without_ended(store: GraphStore, view: View, as_of: dt.date | None) -> View:
    day = (as_of or dt.date.today()).isoformat()
    gone = {f"{label}:{n.key}" for label in ENDABLE for n in store.ended_nodes(label) if not is_live(n.props, day)}
    if gone:
        view.nodes = [n for n in view.nodes if n.id not in gone]
        view.edges = [e for e in view.edges if e.source not in gone and e.target not in gone]
    return view


def _gap_index(store: GraphStore, as_of: dt.date, policy: Policy) -> GapIndex:
    idx: GapIndex = defaultdict(list)
    for g in find_gaps(store, as_of=as_of, policy=policy):
        entry = {"rule": g.rule, "title": g.title, "message": g.message}
        if g.entity == "Pairing":
            for o in (g.from_, g.to):
                if o is not None:
                    idx[("Organization", o)].append(entry)
        else:
            idx[(g.entity, g.id)].append(entry)
    return idx


_FACTS = {
    "Organization": (("kind", "组织类别"), ("sector", "所属领域"), ("term_ends", "届满日期")),
    "Unit": (("kind", "单位类别"), ("members_reported", "党员数"), ("employees", "从业人员数")),
    "Grid": (("level", "网格层级"),),
    "Member": (("category", "党员类别"),),
    "Alliance": (("kind", "联盟类型"), ("founded", "成立日期")),
    "Activity": (("date", "活动日期"), ("kind", "活动类型")),
    "Region": (("level", "层级"),),
}


def vnode(node: Node, gaps: GapIndex, *, size: float = 16, x: float | None = None,
          y: float | None = None, extra: dict[str, Any] | None = None) -> VNode:
    facts = {"编码": node.key, **{zh: node.props[k] for k, zh in _FACTS.get(node.label, ())
                                 if node.props.get(k) not in (None, "")}}
    facts.update(extra or {})
    return VNode(id=f"{node.label}:{node.key}", name=node.name, label_zh=LABELS[node.label].zh,
                 sector=sector_of(node.label, node.props), size=size, x=x, y=y,
                 gaps=gaps.get((node.label, node.key), []), facts=facts,
                 link=f"/views/neighbourhood/{node.key}")


def vedge(rel_type: str, a: str, b: str, props: dict[str, Any] | None = None, *, as_of: str = "",
          label: bool = True) -> VEdge:
    props = props or {}
    if rel_type == "PAIRED_WITH":
        current = pairing_current(props, as_of)
        return VEdge(a, b, label=props.get("form", "") if label else "", style="current" if current else "lapsed")
    if rel_type == "IN_ALLIANCE":
        return VEdge(a, b, label="", style="alliance")
    return VEdge(a, b, label=RELATIONSHIPS[rel_type].zh if label else "", arrows=True)


def _subtitle(as_of: dt.date, nodes: list[VNode]) -> str:
    gaps = sum(1 for n in nodes if n.gaps)
    return f"截至 {as_of.isoformat()} · {len(nodes)} 个节点 · {gaps} 个有缺口"


def _ring(n: int, radius: float, i: int, phase: float = 0.0) -> tuple[float, float]:
    a = 2 * math.pi * i / max(1, n) + phase
    return radius * math.cos(a), radius * math.sin(a)


# --- (a) an alliance ---------------------------------------------------------------------------
@_in_context
def alliance_view(store: GraphStore, alliance_id: str, *, as_of: dt.date | None = None,
                  policy: Policy | None = None, reach_limit: int = 160) -> View:
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    alliance = store.get("Alliance", alliance_id)
    if alliance is None:
        raise ViewNotFound(f"未找到党建联盟 {alliance_id}")
    gaps = _gap_index(store, as_of, policy)
    iso = as_of.isoformat()
    members = store.neighbours("Alliance", alliance_id, ["IN_ALLIANCE"], "in")
    lead = [o for r, o in members if r.props.get("role") == AllianceRole.LEAD.value]
    rest = sorted((o for r, o in members if r.props.get("role") != AllianceRole.LEAD.value), key=lambda o: o.key)
    inside = {o.key for _, o in members}
    nodes: dict[str, VNode] = {}
    edges: list[VEdge] = []
    R = 220 + 18 * len(rest)

    def size_of(org: Node) -> tuple[float, int]:
        n = len(store.neighbours("Organization", org.key, ["MEMBER_OF"], "in"))
        return 14 + min(30, 3 * math.sqrt(n)), n

    a_node = vnode(alliance, gaps, size=34, x=0, y=-R * 0.35)
    nodes[a_node.id] = a_node
    for i, org in enumerate(lead + rest):
        is_lead = org in lead
        size, n_members = size_of(org)
        x, y = (0.0, 0.0) if is_lead else _ring(len(rest), R, i - len(lead), -math.pi / 2)
        v = vnode(org, gaps, size=size * (1.5 if is_lead else 1), x=x, y=y,
                  extra={"联盟角色": AllianceRole.LEAD.value if is_lead else AllianceRole.MEMBER.value,
                         "党员数": n_members})
        nodes[v.id] = v
        edges.append(VEdge(v.id, a_node.id, style="alliance"))
    outer: list[tuple[str, Node, str, dict]] = []
    for org in lead + rest:
        for rel, other in store.neighbours("Organization", org.key,
                                           ["PAIRED_WITH", "ON_GRID", "ESTABLISHED_IN", "COVERS"]):
            if rel.type == "PAIRED_WITH" and other.key in inside:
                a, b = f"Organization:{rel.start.key}", f"Organization:{rel.end.key}"
                if not any(e.source == a and e.target == b for e in edges):
                    edges.append(vedge("PAIRED_WITH", a, b, rel.props, as_of=iso))
            else:
                outer.append((f"Organization:{org.key}", other, rel.type, rel.props))
    outer = outer[:reach_limit]
    for i, (src, other, rtype, props) in enumerate(outer):
        oid = f"{other.label}:{other.key}"
        if oid not in nodes:
            x, y = _ring(len(outer), R * 1.9, i, -math.pi / 2)
            nodes[oid] = vnode(other, gaps, size=11, x=x, y=y)
        edges.append(vedge(rtype, src, oid, props, as_of=iso, label=rtype == "PAIRED_WITH"))
    vn = list(nodes.values())
    return View(title=alliance.name, subtitle=_subtitle(as_of, vn), nodes=vn, edges=edges,
                notes=[f"牵头：{lead[0].name}" if lead else "未登记牵头组织",
                       f"成员 {len(rest)} 个；外圈为结对单位、所建网格与覆盖单位"])


# --- (b) the organisation tree -------------------------------------------------------------------
@_in_context
def tree_view(store: GraphStore, org_id: str, *, as_of: dt.date | None = None,
              policy: Policy | None = None, max_nodes: int = 1500) -> View:
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    _, orgs = load_trees(store)
    if org_id not in orgs.name:
        raise ViewNotFound(f"未找到党组织 {org_id}")
    gaps = _gap_index(store, as_of, policy)
    children: dict[str, list[str]] = defaultdict(list)
    for o, p in orgs.parent.items():
        if p:
            children[p].append(o)
    # breadth first, so a large tree is cut at a depth, not in the middle of a branch
    depth = {org_id: 0}
    order, frontier = [org_id], [org_id]
    while frontier:
        nxt = [c for f in frontier for c in sorted(children[f])]
        if len(order) + len(nxt) > max_nodes:
            break
        for c in nxt:
            depth[c] = depth[orgs.parent[c] or c] + 1
        order += nxt
        frontier = nxt
    shown = set(order)
    # leaves side by side, parents centred over their children; a wide tree is bent into a
    # circle (depth = ring) so that it fits a projector's 16:9 screen
    pos: dict[str, float] = {}
    leaves = [0]

    def place(o: str) -> float:
        kids = [c for c in sorted(children[o]) if c in shown]
        if not kids:
            pos[o] = leaves[0]
            leaves[0] += 1
        else:
            pos[o] = sum(place(c) for c in kids) / len(kids)
        return pos[o]

    place(org_id)
    radial = leaves[0] > 16

    def xy(o: str) -> tuple[float, float]:
        if not radial:
            return pos[o] * 170.0, depth[o] * 170.0
        angle = 2 * math.pi * pos[o] / leaves[0]
        radius = depth[o] * max(220.0, leaves[0] * 9.0 / max(1, max(depth.values())))
        return radius * math.cos(angle), radius * math.sin(angle)

    nodes, edges = [], []
    for o in order:
        node = Node("Organization", o, {"name": orgs.name[o], "kind": orgs.kind[o], "sector": orgs.sector[o]})
        hidden = len([c for c in children[o] if c not in shown])
        extra: dict[str, object] = {"下级组织": len(children[o])} if children[o] else {}
        if hidden:
            extra["未展开"] = f"{hidden} 个（点击“查看它自己的网络图”）"
        x, y = xy(o)
        v = vnode(node, gaps, size=26 - 3 * min(depth[o], 4), x=x, y=y, extra=extra)
        v.link = f"/views/tree/{o}"
        nodes.append(v)
        if o != org_id:
            edges.append(VEdge(f"Organization:{orgs.parent[o]}", v.id))
    clusters: dict[str, str] = {}
    if len(nodes) > CLUSTER_AT:  # one group per branch under the root
        for v in nodes:
            o = v.id.partition(":")[2]
            chain = orgs.chain(o)
            branch = chain[chain.index(org_id) - 1] if org_id in chain and chain.index(org_id) > 0 else None
            if branch:
                v.cluster = branch
                clusters[branch] = orgs.name.get(branch) or branch
    return View(title=f"{orgs.name[org_id]} 组织体系", subtitle=_subtitle(as_of, nodes), nodes=nodes,
                edges=edges, clusters=clusters,
                notes=[f"共 {len(order)} 个党组织"
                       + ("（超出部分未展开）" if len(order) < len(orgs.subtree(org_id)) else "")])


# --- (c) coverage of a street or community -------------------------------------------------------
@_in_context
def coverage_view(store: GraphStore, region: str, *, as_of: dt.date | None = None,
                  policy: Policy | None = None) -> View:
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    engine = engine_for(store)
    regions, _ = load_trees(store)
    if region not in regions.name:
        raise ViewNotFound(f"未找到区划 {region}")
    codes = sorted(regions.subtree(region))
    refs = [NodeRef(r["label"], r["id"]) for r in engine.entities_in_regions(codes)]
    refs += [NodeRef("Region", c) for c in codes]
    sub = store.subgraph(refs, hops=0, max_nodes=4000)
    gaps = _gap_index(store, as_of, policy)
    iso = as_of.isoformat()
    nodes = [vnode(n, gaps, size=24 if n.label == "Region" else 18 if n.label == "Organization" else 13)
             for n in sub.nodes]
    edges = [vedge(r.type, f"{r.start.label}:{r.start.key}", f"{r.end.label}:{r.end.key}", r.props,
                   as_of=iso, label=False) for r in sub.rels]
    clusters = _by_part_of(region, regions, nodes, sub.rels)
    if clusters:  # a street or larger: each part (community, street) a disc of its own
        order = {"Region": 0, "Organization": 1, "Grid": 2, "Unit": 3}
        groups: dict[str, list[VNode]] = defaultdict(list)
        for n in sorted(nodes, key=lambda n: (order.get(n.label, 4), n.id)):
            groups[n.cluster or ""].append(n)
        discs([groups[k] for k in sorted(groups, key=lambda k: (-len(groups[k]), k))])
    folded = len(nodes) > CLUSTER_AT
    return View(title=f"{regions.name[region]} 覆盖情况", subtitle=_subtitle(as_of, nodes), nodes=nodes,
                edges=edges, clusters=clusters if folded else {},
                notes=[f"按街道或社区分组{'；点击分组就地展开' if folded else ''}"] if clusters else [])


def _by_part_of(root: str, regions, nodes: list[VNode], rels) -> dict[str, str]:
    """Put each node in the part of ``root`` (a region one level below it) it lies in, by its
    own region, else its container's (a 楼栋 in its 小区); return the parts' names."""
    parts = set(regions.children.get(root, []))
    streets = {c for c in regions.subtree(root) if regions.level.get(c) == "街道乡镇"} - {root}
    if streets and not parts <= streets:  # above the streets: one group per street
        parts = streets
    if not parts:
        return {}
    placed: dict[str, str] = {}
    up: dict[str, str] = {}
    for r in rels:
        a, b = f"{r.start.label}:{r.start.key}", f"{r.end.label}:{r.end.key}"
        if r.type == "IN_REGION":
            placed[a] = r.end.key
        elif r.type == "PART_OF" and r.start.label != "Region":
            up.setdefault(a, b)

    def part(node_id: str) -> str | None:
        seen = set()
        while node_id not in placed and node_id in up and node_id not in seen:
            seen.add(node_id)
            node_id = up[node_id]
        code = node_id.partition(":")[2] if node_id.startswith("Region:") else placed.get(node_id)
        return next((c for c in regions.ancestors(code) if c in parts), None)

    names = {}
    for n in nodes:
        n.cluster = part(n.id) or root
        names[n.cluster] = regions.name.get(n.cluster, n.cluster) + ("（本级）" if n.cluster == root else "")
    return names


# --- (d) the pairing network --------------------------------------------------------------------
@_in_context
def pairings_view(store: GraphStore, region: str | None = None, *, as_of: dt.date | None = None,
                  policy: Policy | None = None) -> View:
    """Organisations the P rules watch (and any that are paired), grouped by street (or by
    district for organisations above streets), each group a sunflower around its centre. For a
    region, its organisations and the other end of each of their pairings (an organ branch sits
    at district level: without it a street shows no pairing at all), drawn in their own groups;
    the counts in the notes are those of the home page and ``tupu coverage``."""
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    engine = engine_for(store)
    regions, orgs = load_trees(store)
    keep = regions.subtree(region) if region else None
    if region and not keep:
        raise ViewNotFound(f"未找到区划 {region}")
    pairs = engine.pairing_rels()
    watched = {o for o, k in orgs.kind.items()
               if k in policy.pairable_kinds and orgs.sector.get(o) in policy.p1_sectors + policy.p2_sectors}
    ids = watched | {p["from"] for p in pairs} | {p["to"] for p in pairs}
    partners: set[str] = set()
    if keep is not None:
        ids = {o for o in ids if orgs.region.get(o) in keep}
        partners = {o for p in pairs for a, o in ((p["from"], p["to"]), (p["to"], p["from"]))
                    if a in ids and o not in ids}
        ids |= partners
    gaps = _gap_index(store, as_of, policy)
    iso = as_of.isoformat()

    def group(o: str) -> str:
        up = regions.ancestors(orgs.region.get(o))
        street = next((c for c in up if regions.level.get(c) == "街道乡镇"), None)
        return street or (up[0] if up else "")

    groups: dict[str, list[str]] = defaultdict(list)
    for o in sorted(ids):
        groups[group(o)].append(o)
    names = sorted(groups, key=lambda g: (-len(groups[g]), g))
    ring = 260 * math.sqrt(len(names)) + 200
    nodes: list[VNode] = []
    hubs: dict[str, VNode] = {}
    golden = math.pi * (3 - math.sqrt(5))
    for gi, g in enumerate(names):
        cx, cy = _ring(len(names), ring if len(names) > 1 else 0, gi)
        members = groups[g]
        outside = bool(partners) and all(o in partners for o in members)
        label = regions.name.get(g, "未登记区划") + ("（区外结对方）" if outside else "")
        hub = hubs[g] = VNode(id=f"Group:{g}", name=label, label_zh="分组（街道/区县）", sector="group", size=30,
                              x=cx, y=cy, facts={"党组织数": len(members)},
                              link=f"/views/pairings?region={g}" if g else None, cluster=g)
        nodes.append(hub)
        for i, o in enumerate(members):
            r = 28 * math.sqrt(i + 1) + 40
            node = Node("Organization", o, {"name": orgs.name[o], "kind": orgs.kind[o], "sector": orgs.sector[o]})
            v = vnode(node, gaps, size=10, x=cx + r * math.cos(i * golden), y=cy + r * math.sin(i * golden),
                      extra={"分组": label})
            v.cluster = g
            nodes.append(v)
    shown = {n.id for n in nodes}
    edges = [vedge("PAIRED_WITH", f"Organization:{p['from']}", f"Organization:{p['to']}", p, as_of=iso, label=False)
             for p in pairs if f"Organization:{p['from']}" in shown and f"Organization:{p['to']}" in shown]
    title = f"{regions.name[region]} 结对网络" if region else "结对网络（全域）"
    current = sum(1 for p in pairs if f"Organization:{p['from']}" in shown and f"Organization:{p['to']}" in shown
                  and pairing_current(p, iso))
    notes = [f"{len(ids) - len(partners)} 个党组织" + (f"（另有区外结对方 {len(partners)} 个）" if partners else "")
             + f"，{len(edges)} 对结对（在期 {current} 对）；按街道分组，位置已预先计算"]
    if region:  # the same figure as the home page and `tupu coverage`
        rates = coverage(store, as_of=as_of, policy=policy, region=region, scope="region")
        m = next(r for r in rates if r.id == region).measures["pairable_paired"]
        notes.append(f"应结对的党组织 {m.total} 个，其中 {m.done} 个有在期结对")
    return View(title=title, subtitle=_subtitle(as_of, nodes), nodes=nodes, edges=edges,
                notes=notes, clusters={g: n.name for g, n in hubs.items()} if len(nodes) > CLUSTER_AT else {})


# --- (e) neighbourhood and path --------------------------------------------------------------------
@_in_context
def neighbourhood_view(store: GraphStore, key: str, hops: int = 1, *, as_of: dt.date | None = None,
                       policy: Policy | None = None, max_nodes: int = 400) -> View:
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    try:
        centre = find_entity(store, key)
    except LookupError as e:
        raise ViewNotFound(str(e)) from None
    sub = store.subgraph([centre.ref], hops=hops, max_nodes=max_nodes)
    gaps = _gap_index(store, as_of, policy)
    iso = as_of.isoformat()
    nodes = [vnode(n, gaps, size=30 if n.ref == centre.ref else 15) for n in sub.nodes]
    edges = [vedge(r.type, f"{r.start.label}:{r.start.key}", f"{r.end.label}:{r.end.key}", r.props, as_of=iso)
             for r in sub.rels]
    clusters: dict[str, str] = {}
    if len(nodes) > CLUSTER_AT:  # one group per kind of entity, around the centre
        groups: dict[str, list[VNode]] = defaultdict(list)
        for v in nodes:
            if v.id != f"{centre.label}:{centre.key}":
                v.cluster = v.label
                clusters[v.label] = LABELS[v.label].zh
                groups[v.label].append(v)
        _around(next(v for v in nodes if v.cluster is None), list(groups.values()))
    notes = [f"{hops} 步以内的关联"] + ([f"只显示最近的 {max_nodes} 个"] if len(nodes) >= max_nodes else [])
    return View(title=f"{centre.name} 的关联", subtitle=_subtitle(as_of, nodes), nodes=nodes, edges=edges,
                notes=notes, clusters=clusters)


def _around(centre: VNode, groups: list[list[VNode]]) -> None:
    """The centre in the middle, each group a sunflower disc on a ring around it."""
    centre.x, centre.y = 0.0, 0.0
    radius = max((disc_radius(len(g), 60.0) for g in groups), default=0.0)
    ring = max(2.4 * radius, 300.0)
    for gi, g in enumerate(groups):
        cx, cy = _ring(len(groups), ring, gi, -math.pi / 2)
        discs([g], spacing=60.0)
        for v in g:
            v.x, v.y = (v.x or 0.0) + cx, (v.y or 0.0) + cy


@_in_context
def path_view(store: GraphStore, a: str, b: str, *, as_of: dt.date | None = None,
              policy: Policy | None = None) -> View:
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    try:
        na, nb = find_entity(store, a), find_entity(store, b)
    except LookupError as e:
        raise ViewNotFound(str(e)) from None
    sub = store.shortest_path(na.ref, nb.ref)
    if sub is None:
        raise ViewNotFound(f"{na.name} 与 {nb.name} 之间没有联系")
    gaps = _gap_index(store, as_of, policy)
    nodes = [vnode(n, gaps, size=22, x=i * 220.0, y=(i % 2) * 90.0) for i, n in enumerate(sub.nodes)]
    edges = [vedge(r.type, f"{r.start.label}:{r.start.key}", f"{r.end.label}:{r.end.key}", r.props,
                   as_of=as_of.isoformat()) for r in sub.rels]
    return View(title=f"{na.name} → {nb.name}", subtitle=f"最短联系 {len(edges)} 步 · 截至 {as_of.isoformat()}",
                nodes=nodes, edges=edges)


def filter_view(view: View, scope) -> View:
    """Only what the scope may see: other nodes, and the edges that touch them, are dropped, and
    the notes with them when anything was (they tell figures of the whole view)."""
    if scope.everything:
        return view
    def refs(n: VNode) -> list[tuple[str, str]]:
        label, _, key = n.id.partition(":")
        return [("Region" if label == "Group" else label, key)]  # a group node stands for a region

    keep = scope.keep(view.nodes, refs)
    ids = {n.id for n in keep}
    if len(keep) < len(view.nodes):  # the notes count what was built, not what is shown (#36)
        view.notes = []
    view.nodes = keep
    view.edges = [e for e in view.edges if e.source in ids and e.target in ids]
    kept_groups = {n.cluster for n in keep}  # a group's name is as private as its members
    view.clusters = {k: v for k, v in view.clusters.items() if k in kept_groups}
    view.subtitle = _subtitle_scoped(view)
    return view


def _subtitle_scoped(view: View) -> str:
    head = view.subtitle.split(" · ")[0]
    gaps = sum(1 for n in view.nodes if n.gaps)
    return f"{head} · {len(view.nodes)} 个节点 · {gaps} 个有缺口 · 仅显示授权范围"
