"""What a scoped token sees of the past (#36): the past is cut by the scope as the past graph had
it (``graph.history.store_as_of``), not as the graph stands today.

- an entity's timeline shows only the periods in which the scope saw the entity — nothing from
  before it came into the scope, nothing after it left — and, asked ``as_of`` a past date,
  nothing after that date;
- what changed between two loads (``/changes``, the home page's 自上次载入以来) shows a gap or a
  changed entity only when the scope saw it in each of the two graphs that holds it;
- the list of loads gives a scoped token the dates (to choose one), its own region's figures
  as each load kept them, and the files and who loaded only of the loads it made itself.

A scope that sees everything sees the past whole.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from graph.analyses.scope import Scope
from graph.history.changes import Changes, EntityChange
from graph.history.records import History, store_as_of
from graph.history.timeline import Period, entity_timeline
from graph.store import GraphStore

# The links through which an entity is placed in a scope (its region, its parent, its branch …):
# a change of theirs may move it in or out, so the scope is asked again on those dates.
_PLACING = {"IN_REGION", "SUBORDINATE_TO", "MEMBER_OF", "PART_OF", "IN_GRID", "WORKS_AT", "LIVES_IN"}
_SEEN_THROUGH = {"IN_ALLIANCE", "TOOK_PART_IN"}  # an alliance or an activity: through its organisations


def _graph_of(history: History, current: GraphStore, day: str) -> GraphStore:
    return store_as_of(current, history.dir.parent, dt.date.fromisoformat(day))


def end_of(history: History, as_of: dt.date | None) -> str | None:
    """The ledger date a timeline asked ``as_of`` ends at (None: up to the last load)."""
    return history.as_of(as_of).date if as_of is not None and history.is_past(as_of) else None


def seen_periods(history: History, current: GraphStore, scope: Scope, label: str, key: str,
                 end: str | None = None) -> list[Period]:
    """The periods (ledger dates) in which ``scope`` saw the entity, up to ``end``: the scope is
    asked on the graph of each load at which the entity, or what places it, changed its links."""
    dates = sorted({r.date for r in history.loads() if end is None or r.date <= end})
    if not dates:
        return []
    marks: set[str | None] = {dates[0]}
    for x in history.link_timeline(label, key):
        marks.update((x.since, x.until))
        if ((x.rel in _PLACING and x.outgoing) or (x.rel in _SEEN_THROUGH and not x.outgoing)) \
                and x.other_label != "Region":  # the region tree hardly changes; a region has many links
            for y in history.link_timeline(x.other_label, x.other_key):
                if y.outgoing and y.rel in _PLACING:  # where the branch, the parent … itself moved
                    marks.update((y.since, y.until))
    periods: list[list[str | None]] = []
    for day in sorted(m for m in marks if m is not None and m in dates):
        sees = scope.on(_graph_of(history, current, day)).allows(label, key)
        if sees and (not periods or periods[-1][1] is not None):
            periods.append([day, None])
        elif not sees and periods and periods[-1][1] is None:
            periods[-1][1] = day
    return [(str(a), b) for a, b in periods]


def timeline_seen(history: History, store: GraphStore, current: GraphStore, scope: Scope, label: str, key: str,
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """An entity's timeline as ``scope`` may see it (``store``: the graph asked, a past one for a
    past ``as_of``; ``current``: the graph now), its links cut to what the scope sees."""
    end = end_of(history, as_of)
    seen = None if scope.everything else seen_periods(history, current, scope, label, key, end)
    changed = entity_timeline(history, store, label, key, seen, end)
    changed["links"] = scope.keep(changed["links"], lambda x: [(x["label"], x["id"])])
    return changed


def changes_seen(history: History, current: GraphStore, scope: Scope, ch: Changes) -> Changes:
    """What changed between two loads, as ``scope`` saw it on each side; a member who moved out
    of the scope (or into it) is told as such, without the side the scope did not see."""
    if scope.everything:
        return ch
    graphs = [_graph_of(history, current, r.date) for r in (ch.since, ch.until)]

    def entities(es: list[EntityChange]) -> list[EntityChange]:
        kept = scope.keep_throughout(graphs, es, EntityChange.refs, need="any")
        shown = {id(e) for e in kept}
        moved = [e for e in es if e.kind == "党员转移" and id(e) not in shown]
        return kept + (_moved_across(history, graphs, scope, ch, moved) if moved else [])

    return ch.keep(lambda gaps: scope.gaps_throughout(graphs, gaps), entities)


def _moved_across(history: History, graphs: list[GraphStore], scope: Scope, ch: Changes,
                  moved: list[EntityChange]) -> list[EntityChange]:
    """Members who moved out of the scope (seen before, not after) or into it: each with its
    side the scope saw — its branch then, or now — and “本范围以外” for the other."""
    ids = [e.id for e in moved]
    before, after = (scope.on(g).allowed("Member", ids) for g in graphs)
    states = history.state_of(ch.since), history.state_of(ch.until)
    out = []
    for e in moved:
        if (e.id in before) == (e.id in after):
            continue
        side = 0 if e.id in before else 1
        state = states[side]
        name, org = state["members"][e.id]
        org_name, region = state["orgs"].get(org) or [org, None]
        text = f"{org_name or org} → 本范围以外" if side == 0 else f"本范围以外 → {org_name or org}"
        out.append(EntityChange("党员转出本范围" if side == 0 else "党员转入本范围", "Member", e.id,
                                f"{name}：{text}", region, ends=[org]))
    return out


def loads_seen(history: History, scope: Scope, who: str) -> list[dict[str, Any]]:
    """The loads, each as a dict; for a scoped token (``who``: how the audit names it) its own
    region's gaps per rule as the load kept them (a district or a street: none for an
    organisation's scope, or a community, whose figures were not kept), and the files, who
    loaded and how much changed only of its own loads."""
    from dataclasses import asdict

    if scope.everything:
        return [asdict(r) for r in history.loads()]
    kept = {r.id: f for r, f in history.progress()}
    out = []
    for r in history.loads():
        mine = r.who == who
        figures = (kept.get(r.id) or {}).get("regions", {}).get(scope.value) if scope.kind == "region" else None
        out.append({**asdict(r), "files": r.files if mine else [], "who": r.who if mine else None,
                    "changes": r.changes if mine else None,
                    "gaps": figures["gaps"] if figures else None,
                    "per_rule": dict(figures["per_rule"]) if figures else None, "scoped": True})
    return out


__all__ = ["changes_seen", "end_of", "loads_seen", "seen_periods", "timeline_seen"]
