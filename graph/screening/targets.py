"""The target list (目标对象清单, #16): what the registers say that the ledgers do not. It has
three kinds of entry:

- **未入台账**: registered and active, with no unit in the graph. These are the ones to find
  and organise.
- **应走访**: a unit of the graph with staff in the register (参保 / 从业人数 at least
  ``visit_min_staff``), yet no member, no organisation and no instructor known. That is rule U3:
  a visit.
- **已注销仍计入**: a unit still counted in the ledgers that the register says is 注销 / 吊销 …

Each entry carries its region and the committee responsible for it, chosen as for the gaps
(``graph.analyses.responsibility``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from graph.analyses.gaps import find_gaps
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import load_trees
from graph.policy import Policy, load_policy
from graph.privacy import mask_text
from graph.screening.matching import Match, UnitIndex
from graph.store import GraphStore

VISIT_MIN_STAFF = 10  # 参保 this many or more and nobody of the Party known there: visit
KIND_OF_SOURCE = {"市场监管": "非公企业", "税务": "非公企业", "统计": "非公企业", "民政": "社会组织"}
KINDS = ("未入台账", "应走访", "已注销仍计入")


@dataclass
class Target:
    kind: str  # one of KINDS
    name: str
    source: str
    row: int
    uscc: str | None
    unit: str | None  # the unit of the graph, when there is one
    region: str | None
    region_name: str | None
    responsible: str | None  # the committee's id
    responsible_name: str | None
    staff: int | None
    status: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("name", "region_name", "responsible_name", "reason"):  # a number typed in a name: masked
            d[k] = d[k] and mask_text(d[k])
        return d


def targets(store: GraphStore, results: list[Match], index: UnitIndex, *, as_of: dt.date | None = None,
            policy: Policy | None = None, visit_min_staff: int = VISIT_MIN_STAFF) -> list[Target]:
    """The target list of one screening run (``results``: its rows as matched)."""
    policy = policy or load_policy()
    regions, orgs = load_trees(store)
    who = Responsibility(regions, orgs, policy)
    u3 = {g.id for g in find_gaps(store, rules=["U3"], as_of=as_of, policy=policy)}
    unit_region = {u.id: u.region for u in index.units}
    kinds = {n.key: n.props.get("kind") for n in store.iter_nodes("Unit")}
    ended = {n.key for n in store.ended_nodes("Unit")}  # ended already (graph.ends): no longer counted
    out: list[Target] = []

    def add(kind: str, m: Match, region: str | None, unit_kind: str | None, reason: str) -> None:
        chief = who.committee(region, unit_kind) if region else None
        out.append(Target(kind, m.row.name, m.row.source, m.row.row, m.row.uscc, m.unit, region,
                          regions.name.get(region or ""), chief, orgs.name.get(chief or ""), m.row.staff,
                          m.row.status, reason))

    for m in results:
        row = m.row
        if m.status == "new" and row.active:
            region = index.region_of(row)
            add("未入台账", m, region, KIND_OF_SOURCE.get(row.source),
                f"{row.source}登记{'、' + row.status if row.status else ''}，台账中没有"
                + (f"；从业 {row.staff} 人" if row.staff else "")
                + "".join(f"；{e}" for e in m.evidence if e.startswith("总公司")))  # a branch: its head office
        elif m.status == "match" and m.unit:
            region = unit_region.get(m.unit)
            if row.closed and m.unit not in ended:
                add("已注销仍计入", m, region, kinds.get(m.unit), f"{row.source}登记状态为“{row.status}”，台账仍计入")
            elif m.unit in u3 and (row.staff or 0) >= visit_min_staff:
                add("应走访", m, region, kinds.get(m.unit),
                    f"{row.source}登记从业 {row.staff} 人，台账中无党员、无党组织覆盖、无指导员（U3）")
    return sorted(out, key=lambda t: (KINDS.index(t.kind), t.region or "", t.name))
