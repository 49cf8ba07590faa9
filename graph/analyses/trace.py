"""Trace one entity (its chain up to the root, pairings, alliances, grid, region and open
gaps), and the shortest connection between two entities — on either store.

>>> from graph.memory.store import MemoryStore
>>> from graph.store import RelRow
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲党委", "kind": "党委"},
...                                     {"id": "B", "name": "乙支部", "kind": "党支部"}])
>>> _ = s.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization", [RelRow("B", "A")])
>>> [step.text for step in path_between(s, "B", "A").steps]
['乙支部 —隶属→ 甲党委']
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from graph.analyses.engine import engine_for
from graph.analyses.gaps import Gap, find_gaps
from graph.analyses.resolve import NotFound as NotFound  # re-exported: callers catch it from here
from graph.analyses.resolve import Visible, resolve
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import load_trees
from graph.model import LABELS, RELATIONSHIPS
from graph.policy import Policy, load_policy
from graph.privacy import mask_props
from graph.rules import pairing_current
from graph.store import GraphStore, Node, NodeRef


def find_entity(store: GraphStore, key: str, label: str | None = None,
                visible: Visible | None = None) -> Node:
    """The entity a code or a name stands for (:func:`graph.analyses.resolve.resolve`)."""
    return resolve(store, key, [label] if label else None, visible)


class Ref(BaseModel):
    label: str
    label_zh: str
    id: str
    name: str | None

    @classmethod
    def of(cls, node: Node) -> "Ref":
        return cls(label=node.label, label_zh=LABELS[node.label].zh, id=node.key, name=node.props.get("name"))


class Link(BaseModel):
    type_zh: str
    other: Ref
    props: dict[str, Any] = Field(default_factory=dict)
    current: bool | None = Field(None, description="结对是否在期")


class Trace(BaseModel):
    entity: Ref
    props: dict[str, Any]
    chain: list[Ref] = Field(description="上级组织链，直到根组织")
    responsible: Ref | None = Field(None, description="负责该实体覆盖的组织（单位、网格）")
    pairings: list[Link] = []
    alliances: list[Link] = []
    grids: list[Link] = []
    regions: list[Ref] = Field(default_factory=list, description="所在区划，由近及远")
    organisations: list[Link] = Field(default_factory=list, description="相关党组织（单独建、覆盖、所在）")
    gaps: list[Gap] = []


def trace(store: GraphStore, key: str, *, as_of: dt.date | None = None,
          policy: Policy | None = None) -> Trace:
    policy = policy or load_policy()
    as_of_s = (as_of or dt.date.today()).isoformat()
    node = find_entity(store, key)
    engine = engine_for(store)
    regions, orgs = load_trees(store)
    links = store.neighbours(node.label, node.key)

    def ref_org(oid: str) -> Ref:
        return Ref(label="Organization", label_zh="党组织", id=oid, name=orgs.name.get(oid))

    t = Trace(entity=Ref.of(node), props=mask_props(node.props), chain=[])
    region: str | None = None
    if node.label == "Organization":
        t.chain = [ref_org(o) for o in orgs.chain(node.key)[1:]]
        region = orgs.region.get(node.key)
    elif node.label == "Member":
        home = engine.home_orgs([node.key]).get(node.key)
        t.chain = [ref_org(o) for o in orgs.chain(home)] if home else []
        region = orgs.region.get(home) if home else None
    elif node.label in ("Unit", "Grid"):
        (row,) = engine.regions_of(node.label, [node.key]) or [{"region": None, "kind": None}]
        region = row["region"]
        chief = Responsibility(regions, orgs, policy).committee(
            region, row["kind"] if node.label == "Unit" else None)
        if chief:
            t.responsible = ref_org(chief)
            t.chain = [ref_org(o) for o in orgs.chain(chief)]
    elif node.label == "Region":
        region = node.key
    for rel, other in links:
        link = Link(type_zh=RELATIONSHIPS[rel.type].zh, other=Ref.of(other), props=mask_props(rel.props))
        if rel.type == "PAIRED_WITH":
            link.current = pairing_current(rel.props, as_of_s)
            t.pairings.append(link)
        elif rel.type == "IN_ALLIANCE":
            t.alliances.append(link)
        elif rel.type in ("ON_GRID", "IN_GRID") or (rel.type == "PART_OF" and other.label == "Grid"):
            t.grids.append(link)
        elif other.label == "Organization" and rel.type in ("ESTABLISHED_IN", "COVERS", "MEMBER_OF",
                                                             "MOBILE_TO", "REPORTS_TO", "HOLDS_ROLE"):
            t.organisations.append(link)
    t.regions = [Ref(label="Region", label_zh="行政区划", id=c, name=regions.name.get(c))
                 for c in regions.ancestors(region)]
    t.gaps = [g for g in find_gaps(store, as_of=as_of, policy=policy)
              if g.id == node.key or node.key in (g.from_, g.to)]
    return t


class Step(BaseModel):
    start: Ref
    end: Ref
    type: str
    type_zh: str
    forward: bool = Field(description="关系方向与路径方向一致")
    text: str


class Path(BaseModel):
    start: Ref
    end: Ref
    length: int
    steps: list[Step]


def path_between(store: GraphStore, a: str, b: str, max_hops: int = 8) -> Path | None:
    """The shortest connection between two entities (by code), each step in Chinese."""
    na, nb = find_entity(store, a), find_entity(store, b)
    sub = store.shortest_path(na.ref, nb.ref, max_hops=max_hops)
    if sub is None:
        return None
    steps = []
    for x, y, rel in zip(sub.nodes, sub.nodes[1:], sub.rels):
        forward = rel.start == NodeRef(x.label, x.key)
        zh = RELATIONSHIPS[rel.type].zh
        text = f"{x.name} —{zh}→ {y.name}" if forward else f"{x.name} ←{zh}— {y.name}"
        steps.append(Step(start=Ref.of(x), end=Ref.of(y), type=rel.type, type_zh=zh,
                          forward=forward, text=text))
    return Path(start=Ref.of(na), end=Ref.of(nb), length=len(steps), steps=steps)
