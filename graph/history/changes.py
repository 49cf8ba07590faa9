"""What changed between two loads, in the terms a meeting counts: gaps opened and closed per
rule (and who closed them), organisations established or dissolved, units covered or no longer
covered, pairings made or lapsed, members moved or at risk of lost contact.

Each load keeps, beside its gaps, a small *meeting state* (:func:`meeting_state`): its
organisations, the pairings in term, the covered units and each member's organisation. Two of
them give the entity changes (:func:`entity_changes`).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from graph import ends
from graph.analyses.engine import engine_for
from graph.analyses.gaps import Gap, concerns
from graph.analyses.trees import OrgTree, load_trees
from graph.rules import pairing_current
from graph.store import GraphStore


@dataclass
class LoadRecord:
    id: str
    at: str  # when it was loaded (ISO time)
    date: str  # the date its ledgers stand for
    files: list[str]
    who: str
    gaps: int  # how many the graph had after it
    per_rule: dict[str, int] = field(default_factory=dict)
    changes: int | None = None  # entries in its difference (None: recorded before they were counted)
    interrupted: bool = False  # the process loading it died before it recorded it: recorded later, as found

    @classmethod
    def from_line(cls, line: dict[str, Any]) -> "LoadRecord":
        """A record from its line of ``loads.jsonl`` (what the line keeps besides is left out)."""
        return cls(**{k: v for k, v in line.items() if k in _RECORD_FIELDS})


_RECORD_FIELDS = {"id", "at", "date", "files", "who", "gaps", "per_rule", "changes", "interrupted"}


def gap_key(g: Gap) -> tuple[str, str]:
    """A gap's identity across loads: its rule and its entity (a pairing's ends and form)."""
    return g.rule, g.id


@dataclass
class EntityChange:
    kind: str  # 组织新建 / 组织撤销 / 单位新覆盖 / 单位不再覆盖 / 结对新建 / 结对续签 / 结对到期或解除 /
    # 党员转移 / 党员失联风险; for a scoped token, 党员转出本范围 / 党员转入本范围 (graph.history.seen)
    label: str  # Organization, Unit, Pairing or Member
    id: str
    name: str | None
    region: str | None
    ends: list[str] = field(default_factory=list)  # a pairing's two organisations; a move's from and to

    def refs(self) -> list[tuple[str, str]]:
        """The entities it is about (a pairing: its two organisations)."""
        return [("Organization", e) for e in self.ends] if self.label == "Pairing" else [(self.label, self.id)]


@dataclass
class Changes:
    since: LoadRecord
    until: LoadRecord
    opened: list[Gap]
    closed: list[Gap]  # as they were when open: ``responsible`` is who closed it
    entities: list[EntityChange] = field(default_factory=list)
    # why a closed gap closed, when its entity (or a pairing's organisation) ended: 单位注销 …
    closed_why: dict[tuple[str, str], str] = field(default_factory=dict)

    def keep(self, keep: Callable[[list[Gap]], list[Gap]],
             keep_entities: Callable[[list[EntityChange]], list[EntityChange]] | None = None) -> "Changes":
        """Only the gaps (and changed entities) kept (a region's, or what a token may see)."""
        return Changes(self.since, self.until, keep(self.opened), keep(self.closed),
                       keep_entities(self.entities) if keep_entities else self.entities, self.closed_why)

    def in_region(self, codes: set[str]) -> "Changes":
        return self.keep(lambda gaps: [g for g in gaps if g.region in codes],
                         lambda es: [e for e in es if e.region in codes])

    def of_org(self, org: str, orgs: OrgTree) -> "Changes":
        """Only what is ``org``'s to see to: gaps on its path of responsibility (as ``tupu gaps
        --org``), and changed organisations, pairings and members of its subtree."""
        mine = concerns(org, orgs)
        return self.keep(lambda gaps: [g for g in gaps if mine(g)],
                         lambda es: [e for e in es if any(org in orgs.chain(o) for label, o in e.refs()
                                                          if label == "Organization")
                                     or (e.label == "Member" and any(org in orgs.chain(o) for o in e.ends))])

    def entity_counts(self) -> dict[str, int]:
        return dict(Counter(e.kind for e in self.entities))

    def per_rule(self) -> dict[str, dict[str, int]]:
        o, c = Counter(g.rule for g in self.opened), Counter(g.rule for g in self.closed)
        return {r: {"opened": o[r], "closed": c[r]} for r in sorted(set(o) | set(c))}

    def as_dict(self) -> dict[str, Any]:
        def brief(g: Gap) -> dict[str, Any]:
            d: dict[str, Any] = {"rule": g.rule, "title": g.title, "name": g.name,
                                 "responsible": g.responsible.name if g.responsible else None}
            if g.entity == "Pairing":
                d.update({"from": g.from_, "to": g.to})
            else:
                d["id"] = g.id
            return d

        def closed(g: Gap) -> dict[str, Any]:
            return {**brief(g), **({"why": why} if (why := self.closed_why.get(gap_key(g))) else {})}

        return {"since": asdict(self.since), "until": asdict(self.until),
                "gaps_opened": [brief(g) for g in self.opened], "gaps_closed": [closed(g) for g in self.closed],
                "per_rule": self.per_rule(), "entities": [asdict(e) for e in self.entities],
                "entity_counts": self.entity_counts()}


def meeting_state(store: GraphStore, date: dt.date) -> dict[str, Any]:
    """What the graph was, in the terms a meeting counts changes in: its organisations, the
    pairings in term, the units covered (an organisation established in or covering them), and
    each member's organisation, with names and regions; and every pairing the graph has, in term
    or not (so that one taken up again is told from one made)."""
    _, orgs = load_trees(store)
    iso = date.isoformat()
    engine = engine_for(store)
    pairings = engine.pairing_rels()
    return {
        "orgs": {o: [orgs.name.get(o), orgs.region.get(o)] for o in orgs.name},
        "pairings": sorted([p["from"], p["to"], p.get("form") or ""] for p in pairings if pairing_current(p, iso)),
        "paired": sorted([p["from"], p["to"], p.get("form") or ""] for p in pairings),
        "covered": {u["id"]: [u["name"] or u["id"], u["region"]]
                    for u in sorted(engine.covered_units(), key=lambda u: u["id"])},
        "members": {m["id"]: [m["name"] or m["id"], m["org"]]
                    for m in sorted(engine.memberships(), key=lambda m: m["id"])},
        # what has ended by then: "Label:key" -> [name, date, reason]
        "ended": {f"{label}:{n.key}": [n.name, n.props[ends.ENDED], n.props.get(ends.END_REASON)]
                  for label in ends.ENDABLE for n in store.ended_nodes(label) if not ends.is_live(n.props, iso)},
    }


def entity_changes(a: dict[str, Any], b: dict[str, Any], opened: list[Gap] = ()) -> list[EntityChange]:  # type: ignore[assignment]
    """The entity changes between two meeting states (and, from the gaps opened, the members
    newly at risk of lost contact: rule M4)."""
    out: list[EntityChange] = []
    for key, label, (new, gone) in (("orgs", "Organization", ("组织新建", "组织撤销")),
                                    ("covered", "Unit", ("单位新覆盖", "单位不再覆盖"))):
        for k in sorted(set(b[key]) - set(a[key])):
            out.append(EntityChange(new, label, k, *b[key][k]))
        for k in sorted(set(a[key]) - set(b[key])):
            out.append(EntityChange(gone, label, k, *a[key][k]))
    pa, pb = ({tuple(p) for p in s["pairings"]} for s in (a, b))
    names = {**{k: v[0] for k, v in a["orgs"].items()}, **{k: v[0] for k, v in b["orgs"].items()}}
    where = {**{k: v[1] for k, v in a["orgs"].items()}, **{k: v[1] for k, v in b["orgs"].items()}}
    known = {tuple(p) for p in a.get("paired", [])}  # out of term then, but in the ledger (before: none known)
    for what, pairs in (("结对新建", pb - pa - known), ("结对续签", (pb - pa) & known), ("结对到期或解除", pa - pb)):
        for f, t, form in sorted(pairs):
            out.append(EntityChange(what, "Pairing", f"{f}→{t}",
                                    f"{names.get(f) or f} ↔ {names.get(t) or t}（{form}）", where.get(f), ends=[f, t]))
    ma, mb = a.get("members"), b.get("members")
    if ma is not None and mb is not None:  # loads recorded before members were kept say nothing here
        for m in sorted(set(ma) & set(mb)):
            (name, was), (_, now) = ma[m], mb[m]
            if was != now:
                out.append(EntityChange("党员转移", "Member", m,
                                        f"{name}：{names.get(was) or was} → {names.get(now) or now}",
                                        where.get(now), ends=[was, now]))
    for g in opened:
        if g.rule == "M4":
            out.append(EntityChange("党员失联风险", "Member", g.id, g.name, g.region))
    return _with_ends(out, a, b)


def _with_ends(out: list[EntityChange], a: dict[str, Any], b: dict[str, Any]) -> list[EntityChange]:
    """The things that ended between two states (单位注销, 组织撤销, 党员转出 …) and those restored
    (…恢复), in place of what their end looks like otherwise (组织撤销 from the tree, 单位不再覆盖)."""
    ea, eb = a.get("ended"), b.get("ended")
    if ea is None or eb is None:  # states kept before ends were: nothing to say
        return out
    region = {**{("Organization", k): v[1] for k, v in {**a["orgs"], **b["orgs"]}.items()},
              **{("Unit", k): v[1] for k, v in {**a["covered"], **b["covered"]}.items()}}
    changed: list[EntityChange] = []
    for ref in sorted(set(eb) - set(ea)):
        label, key = ref.split(":", 1)
        name, _, reason = eb[ref]
        changed.append(EntityChange(ends.change_kind(label, reason), label, key, name, region.get((label, key))))
    for ref in sorted(set(ea) - set(eb)):
        label, key = ref.split(":", 1)
        changed.append(EntityChange(f"{ends.SHORT_ZH.get(label, '')}恢复", label, key, ea[ref][0],
                                    region.get((label, key))))
    said = {(c.label, c.id) for c in changed}
    return [e for e in out if (e.label, e.id) not in said] + changed


def closed_by_ends(closed: list[Gap], a: dict[str, Any], b: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Why each closed gap closed, where its entity (or one of a pairing's organisations) ended
    between the two states: 单位注销, 组织撤销, 党员转出 …"""
    ea, eb = a.get("ended") or {}, b.get("ended") or {}
    why = {}
    for g in closed:
        refs = [("Organization", g.from_), ("Organization", g.to)] if g.entity == "Pairing" else [(g.entity, g.id)]
        for label, key in refs:
            ref = f"{label}:{key}"
            if ref in eb and ref not in ea:
                why[gap_key(g)] = ends.change_kind(label, eb[ref][2])
                break
    return why
