"""Ending and restoring by hand (``tupu end`` / ``tupu restore``, ``POST /entities/{label}/{id}/end``
and ``…/restore``): a unit closed, a branch dissolved, a member transferred out, said by a person
rather than a ledger; and the reverse.

Each is recorded as a load of its own (its files name what was done), so ``tupu changes`` counts
it, ``--as-of`` before it sees the graph without it, and ``tupu loads undo`` takes it back. Its
record's date is the end's date, or the last load's if that is later (the history reads loads in
date order: an end dated before the last load is still made after it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from graph import ends
from graph.errors import Conflict, InvalidInput
from graph.history.changes import LoadRecord
from graph.history.records import History
from graph.model import LABELS
from graph.policy import Policy
from graph.store import GraphStore, Node


class NotEndable(InvalidInput):
    pass


def end(store: GraphStore, home: Path, node: Node, *, date: dt.date, reason: str | None, who: str,
        policy: Policy | None = None) -> LoadRecord:
    """End ``node`` as of ``date`` for ``reason`` (its kind's word by default: 注销, 撤销, 转出)."""
    if node.label not in ends.ENDABLE:
        raise NotEndable(f"{LABELS[node.label].zh}不能注销或撤销（可以的有：党组织、单位、网格、党员、党建联盟）")
    if node.props.get(ends.ENDED):
        raise Conflict(f"{node.name}{ends.sentence(node.props)}：不必再次终止（恢复用 tupu restore）")
    word = (reason or "").strip() or ends.ABSENT_REASON[node.label]
    props = ends.ended_props(date.isoformat(), word, f"手工：{who}")

    def write() -> None:
        store.update_nodes(node.label, [{LABELS[node.label].key: node.key, **props}])
        store.save()

    return _record(store, home, date, f"手工{ends.change_kind(node.label, word)}：{node.name}（{node.key}）", who,
                   policy, write)


def end_many(store: GraphStore, home: Path, ending: list[tuple[Node, str, str]], *, date: dt.date, who: str,
             what: str, policy: Policy | None = None) -> LoadRecord | None:
    """End several things at once, each ``(node, reason, source)`` (a register's 注销 rows: 摸排's
    已注销仍计入), as one recorded load ``what``; those already ended are passed over. ``None``
    when nothing was left to end."""
    rows: dict[str, list[dict]] = {}
    for node, reason, source in ending:
        if node.label in ends.ENDABLE and not node.props.get(ends.ENDED):
            rows.setdefault(node.label, []).append(
                {LABELS[node.label].key: node.key, **ends.ended_props(date.isoformat(), reason, source)})
    if not rows:
        return None

    def write() -> None:
        for label, batch in rows.items():
            store.update_nodes(label, batch)
        store.save()

    return _record(store, home, date, what, who, policy, write)


def restore(store: GraphStore, home: Path, node: Node, *, who: str, date: dt.date | None = None,
            policy: Policy | None = None) -> LoadRecord:
    """Take back the end of ``node`` (re-registered, ended by mistake)."""
    if not node.props.get(ends.ENDED):
        raise Conflict(f"{node.name}（{node.key}）没有注销、撤销或转出，无需恢复")

    def write() -> None:
        store.update_nodes(node.label, [{LABELS[node.label].key: node.key, **ends.RESTORED}])
        store.save()

    return _record(store, home, date or dt.date.today(),
                   f"手工恢复：{node.name}（{node.key}，原{ends.sentence(node.props)}）", who, policy, write)


def _record(store: GraphStore, home: Path, date: dt.date, what: str, who: str, policy: Policy | None,
            write: Callable[[], None]) -> LoadRecord:
    """``write`` the graph and record it as a load, as a load of ledgers is: what a crash left is
    finished first, and the write's intent kept until its record (``History.loading``)."""
    history = History(home)
    history.prepare(store, policy)
    last = max((r.date for r in history.loads()), default=None)
    day = max(date, dt.date.fromisoformat(last)) if last else date
    with history.loading([what], day, who) as intent:
        write()
        return history.record(store, date=day, files=[what], who=who, policy=policy, intent=intent)


def find_ended(store: GraphStore, text: str) -> list[Node]:
    """The ended things that ``text`` names: by code, else by exact name, else by a part of it
    (search leaves them out: graph.ends)."""
    t = text.strip()
    found = [n for label in ends.ENDABLE for n in store.ended_nodes(label)]
    return ([n for n in found if n.key == t] or [n for n in found if n.props.get("name") == t]
            or [n for n in found if t and t in str(n.props.get("name") or "")])
