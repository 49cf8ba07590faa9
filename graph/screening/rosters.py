"""A unit's 花名册 against the members of the graph (#16): who on the roster is a member — by
身份证号, else by name and birth date — and of those:

- **组织关系在别处**: members working there whose 组织关系 is in an organisation that is not the
  unit's own (neither established in nor covering it). These are 口袋党员 / 隐形党员 candidates,
  listed with their current organisation.
- **未登记工作单位**: members found on the roster whose ledger does not say they work there.

The members found are a proposal for the unit's member count, which rules U1/U2 read. It is
applied only on confirmation. ID numbers stay masked in every output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.errors import NotFoundError
from graph.model import ROW_DIGEST
from graph.privacy import mask_id_card
from graph.store import GraphStore
from ingest.registries import RosterRow


@dataclass
class RosterMatch:
    row: RosterRow
    member: str
    member_name: str
    how: str  # 身份证号一致 / 姓名与出生日期一致
    org: str | None  # where their 组织关系 is
    org_name: str | None
    own_org: bool  # that organisation is the unit's own
    works_here: bool  # their ledger says they work at the unit

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row.row, "name": self.row.name,
                "id_card": mask_id_card(self.row.id_card) if self.row.id_card else None,
                "member": self.member, "how": self.how, "org": self.org, "org_name": self.org_name,
                "own_org": self.own_org, "works_here": self.works_here}


@dataclass
class RosterResult:
    unit: str
    unit_name: str
    people: int  # rows on the roster
    found: list[RosterMatch] = field(default_factory=list)
    members_now: int = 0  # the unit's member count today: the larger of 党员数 and members working there

    @property
    def elsewhere(self) -> list[RosterMatch]:
        return [m for m in self.found if not m.own_org]

    @property
    def without_works_at(self) -> list[RosterMatch]:
        return [m for m in self.found if not m.works_here]

    @property
    def proposed(self) -> int:
        """The member count the roster shows (never less than known today)."""
        return max(self.members_now, len(self.found))

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "unit_name": self.unit_name, "people": self.people,
                "members_found": len(self.found), "members_now": self.members_now, "proposed": self.proposed,
                "elsewhere": [m.as_dict() for m in self.elsewhere],
                "without_works_at": [m.as_dict() for m in self.without_works_at],
                "found": [m.as_dict() for m in self.found]}


def _birth(id_card: str | None) -> str | None:
    return f"{id_card[6:10]}-{id_card[10:12]}-{id_card[12:14]}" if id_card and len(id_card) == 18 else None


def match_roster(store: GraphStore, unit: str, rows: list[RosterRow]) -> RosterResult:
    node = store.get("Unit", unit)
    if node is None:
        raise NotFoundError(f"未找到单位 {unit}")
    own = {o.key for _, o in store.neighbours("Unit", unit, ["ESTABLISHED_IN", "COVERS"], "in")}
    workers = {m.key for _, m in store.neighbours("Unit", unit, ["WORKS_AT"], "in")}
    by_card: dict[str, Any] = {}
    by_name_birth: dict[tuple[str, str], list[Any]] = {}
    for m in store.iter_nodes("Member"):
        card = m.props.get("id_card")
        if card:
            by_card[card] = m
            if born := _birth(card):
                by_name_birth.setdefault((m.name, born), []).append(m)
    result = RosterResult(unit, node.name, len(rows),
                          members_now=max(int(node.props.get("members_reported") or 0), len(workers)))
    seen: set[str] = set()
    for r in rows:
        member, how = (by_card.get(r.id_card), "身份证号一致") if r.id_card else (None, "")
        if member is None and r.birth:
            same = by_name_birth.get((r.name, r.birth), [])
            member, how = (same[0], "姓名与出生日期一致") if len(same) == 1 else (None, "")
        if member is None or member.key in seen:
            continue
        seen.add(member.key)
        orgs = [o for _, o in store.neighbours("Member", member.key, ["MEMBER_OF"], "out")]
        org = orgs[0] if orgs else None
        result.found.append(RosterMatch(r, member.key, member.name, how, org.key if org else None,
                                        org.name if org else None, bool(org and org.key in own),
                                        member.key in workers))
    return result


def apply_count(store: GraphStore, result: RosterResult) -> int:
    """Confirm the roster's count as the unit's 党员数 (what U1/U2 read); the count written."""
    # no row digest: the unit's next ledger row is written again, and stands (``ingest.unchanged``)
    store.upsert_nodes("Unit", [{"id": result.unit, "members_reported": result.proposed, ROW_DIGEST: None}])
    store.save()
    return result.proposed
