"""Who should pair with whom: proposals for every unpaired grassroots organisation (gap P2)
from organ organisations with spare capacity, solved as one min-cost flow.

The network: source → each organ organisation (capacity: the policy's ``pair_capacity`` minus
its current pairings) → each grassroots organisation it may pair with (capacity 1, cost below)
→ sink (capacity 1). The flow first pairs as many grassroots organisations as capacity allows,
then at the least total cost. Cost of a pair, lower is better:

- locality: same street 0, same district 20, same city 40 (organ organisations of other cities
  are not proposed);
- needs and resources: 10 off for each of the grassroots side's 需求 categories the organ side
  lists among its 资源 (at most three).

Each grassroots organisation keeps only its ``CANDIDATES`` cheapest organ candidates, so the
network stays small (2,560 × 1,100 becomes about 38k edges).
"""
from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

import networkx as nx
from pydantic import BaseModel, Field

from graph.analyses.engine import engine_for
from graph.analyses.gaps import find_gaps
from graph.analyses.trees import RegionTree, load_trees
from graph.policy import Policy, load_policy
from graph.store import GraphStore

CANDIDATES = 15
LOCALITY = (("街道乡镇", 0, "同一街道"), ("区县", 20, "同一区县"), ("市", 40, "同一城市"))
MATCH_BONUS = 10
MAX_MATCHES = 3


class Proposal(BaseModel):
    grassroots_id: str = Field(description="基层党组织编码")
    grassroots_name: str | None
    organ_id: str = Field(description="机关党组织编码")
    organ_name: str | None
    score: int = Field(description="匹配得分（0–100，越高越合适）")
    reason: str = Field(description="推荐理由")
    matched: list[str] = Field(default_factory=list, description="需求与资源匹配的类别")


def _area(regions: RegionTree, code: str | None, level: str) -> str | None:
    return next((c for c in regions.ancestors(code) if regions.level.get(c) == level), None)


def suggest_pairings(store: GraphStore, *, as_of: dt.date | None = None,
                     policy: Policy | None = None) -> list[Proposal]:
    policy = policy or load_policy()
    engine = engine_for(store)
    regions, orgs = load_trees(store)
    unpaired = [g.id for g in find_gaps(store, rules=["P2"], as_of=as_of, policy=policy)]
    unpaired_organs = {g.id for g in find_gaps(store, rules=["P1"], as_of=as_of, policy=policy)}
    # spare capacity of organ organisations: capacity minus current pairings
    current = engine.pairing_counts((as_of or dt.date.today()).isoformat())
    organs = [o for o, k in sorted(orgs.kind.items())
              if k in policy.pairable_kinds and orgs.sector.get(o) in policy.p1_sectors]
    spare = {o: policy.pair_capacity - current.get(o, 0) for o in organs}
    spare = {o: c for o, c in spare.items() if c > 0}

    def areas(o: str) -> dict[str, str | None]:
        return {lvl: _area(regions, orgs.region.get(o), lvl) for lvl, _, _ in LOCALITY}

    organ_areas = {o: areas(o) for o in spare}
    g: nx.DiGraph[Any] = nx.DiGraph()
    chosen: dict[tuple[str, str], tuple[int, str, list[str]]] = {}
    for gr in unpaired:
        ga = areas(gr)
        needs = set(orgs.needs.get(gr, []))
        cands = []
        for o, oa in organ_areas.items():
            loc = next(((cost, why) for lvl, cost, why in LOCALITY if ga[lvl] and ga[lvl] == oa[lvl]), None)
            if loc is None:
                continue
            matched = sorted(needs & set(orgs.resources.get(o, [])))
            cost = loc[0] + MATCH_BONUS * (MAX_MATCHES - min(len(matched), MAX_MATCHES))
            cands.append((cost, o, loc[1], matched))
        for cost, o, why, matched in heapq.nsmallest(CANDIDATES, cands):
            g.add_edge(("o", o), ("g", gr), capacity=1, weight=cost)
            chosen[(gr, o)] = (cost, why, matched)
        if cands:
            g.add_edge(("g", gr), "sink", capacity=1, weight=0)
    for o, c in spare.items():
        if g.has_node(("o", o)):
            # an organ organisation with no pairing at all (P1) is served first: a small bonus
            g.add_edge("source", ("o", o), capacity=c, weight=0 if o in unpaired_organs else 1)
    if not g.has_node("source") or not g.has_node("sink"):
        return []
    flow = nx.max_flow_min_cost(g, "source", "sink")
    out = []
    for node, targets in flow.items():
        if not (isinstance(node, tuple) and node[0] == "o"):
            continue
        o = node[1]
        for (_, gr), f in targets.items():
            if f:
                cost, why, matched = chosen[(gr, o)]
                reason = why + (f"；需求“{'、'.join(matched)}”与对方资源匹配" if matched else "；暂无需求资源匹配")
                out.append(Proposal(grassroots_id=gr, grassroots_name=orgs.name.get(gr), organ_id=o,
                                    organ_name=orgs.name.get(o), score=max(0, 100 - cost),
                                    reason=reason, matched=matched))
    return sorted(out, key=lambda p: (-p.score, p.grassroots_id))

