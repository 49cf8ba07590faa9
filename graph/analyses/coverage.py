"""Coverage rates (两个覆盖) rolled up the region tree and the organisation tree.

For every region and every committee (党委 / 党工委): how many coverable units are established /
covered, how many 一般网格 have an organisation, how many mobile members are managed (have an
inflow organisation), how many pairable organisations of the sectors the P rules watch have a
current pairing — each a count,
its denominator, and the rate. Units and grids count towards the committee responsible for them
(see gaps.py); members towards their home organisation's committees; organisations towards
their own ancestors.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, Field

from graph.analyses.engine import engine_for
from graph.analyses.kept import kept
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import load_trees
from graph.collector import collector_paused
from graph.policy import Policy, load_policy
from graph.rules import rule_params
from graph.store import GraphStore

MEASURES = {
    "units_established": ("单独组建", "应覆盖单位数"),
    "units_covered": ("组织覆盖", "应覆盖单位数"),
    "grids_with_org": ("网格建党组织", "一般网格数"),
    "mobile_managed": ("流动党员纳入管理", "流动党员数"),
    "pairable_paired": ("党组织在期结对", "应结对党组织数（机关、社区、村、非公企业领域）"),
}


class Measure(BaseModel):
    done: int = Field(description="达标数")
    total: int = Field(description="分母")
    rate: float | None = Field(description="比例（0–1），分母为 0 时为空")
    denominator: str = Field(description="分母是什么")


class CoverageRow(BaseModel):
    scope: str = Field(description="区划 或 党组织")
    id: str
    name: str | None
    level: str | None = Field(description="区划层级或组织类别")
    parent: str | None
    measures: dict[str, Measure]


class _Tally:
    def __init__(self) -> None:
        self.c: dict[str, dict[str, list[int]]] = defaultdict(lambda: {m: [0, 0] for m in MEASURES})

    def add(self, keys: Iterable[str], measure: str, done: int, total: int = 1) -> None:
        for k in set(keys):
            cell = self.c[k][measure]
            cell[0] += done
            cell[1] += total

    def measures(self, key: str) -> dict[str, Measure]:
        out = {}
        for m, (done, total) in self.c[key].items():
            out[m] = Measure(done=done, total=total, rate=round(done / total, 4) if total else None,
                             denominator=MEASURES[m][1])
        return out


def coverage(store: GraphStore, *, as_of: dt.date | None = None, policy: Policy | None = None,
             region: str | None = None, scope: str = "all") -> list[CoverageRow]:
    """Rates for every region (``scope="region"``), every committee (``"org"``) or both.
    ``region`` keeps the rows of that region's subtree (and the committees located in it).
    Kept until the data changes (in memory; on disk for the served app's other processes): the
    home page asks for it on every visit, and at a million members it reads every unit, grid and
    mobile member."""
    policy = policy or load_policy()
    day = as_of or dt.date.today()
    key = ("coverage", day, policy.fingerprint, region, scope)

    def compute() -> list[CoverageRow]:
        with collector_paused():  # hundreds of thousands of facts read at once
            return _coverage(store, day, policy, region, scope)

    return kept(store, key, compute)


def _coverage(store: GraphStore, as_of: dt.date, policy: Policy, region: str | None,
              scope: str) -> list[CoverageRow]:
    params = rule_params(policy, as_of)
    engine = engine_for(store)
    regions, orgs = load_trees(store)
    who = Responsibility(regions, orgs, policy)
    facts = engine.coverage_facts(params)
    by_region, by_org = _Tally(), _Tally()

    def committee_chain(org: str | None) -> list[str]:
        return orgs.chain(org) if org else []

    for u in facts["units"]:
        up, chief = regions.ancestors(u["region"]), committee_chain(who.committee(u["region"], u["kind"]))
        for t, keys in ((by_region, up), (by_org, chief)):
            t.add(keys, "units_established", int(u["established"]))
            t.add(keys, "units_covered", int(u["covered"]))
    for g in facts["grids"]:
        by_region.add(regions.ancestors(g["region"]), "grids_with_org", int(g["has_org"]))
        by_org.add(committee_chain(who.committee(g["region"])), "grids_with_org", int(g["has_org"]))
    for m in facts["mobile"]:
        home = m["org"]
        by_region.add(regions.ancestors(orgs.region.get(home) if home else None), "mobile_managed",
                      m["managed"], m["total"])
        by_org.add(committee_chain(home), "mobile_managed", m["managed"], m["total"])
    for o in facts["pairable"]:
        by_region.add(regions.ancestors(orgs.region.get(o["id"])), "pairable_paired", int(o["paired"]))
        by_org.add(committee_chain(o["id"]), "pairable_paired", int(o["paired"]))

    keep = regions.subtree(region) if region else set(regions.name)
    rows: list[CoverageRow] = []
    if scope in ("all", "region"):
        rows += [CoverageRow(scope="区划", id=c, name=regions.name[c], level=regions.level.get(c),
                             parent=regions.parent.get(c), measures=by_region.measures(c))
                 for c in sorted(regions.name) if c in keep]
    if scope in ("all", "org"):
        rows += [CoverageRow(scope="党组织", id=o, name=orgs.name[o], level=orgs.kind[o],
                             parent=orgs.parent.get(o), measures=by_org.measures(o))
                 for o in sorted(orgs.name)
                 if orgs.kind[o] in policy.committee_kinds and (not region or orgs.region.get(o) in keep)]
    return rows
