"""The graph as it stood after each load, kept as differences (#15): a node, a relationship or
a property value that a later load no longer has is *closed* by that load, not lost — the
difference of the load keeps it with its old value. Replaying the differences up to a load
gives the graph as it was then; applying one backwards undoes its load.

A state is two dictionaries: nodes by ``(label, key)`` and relationships by
``(type, start label, start key, end label, end key, identity values)``, each with its
properties. The current graph stays in the store as it is: current queries never read this.

>>> a = {"nodes": {("Unit", "U1"): {"id": "U1", "name": "甲"}}, "rels": {}}
>>> b = {"nodes": {("Unit", "U1"): {"id": "U1", "name": "甲公司"}, ("Unit", "U2"): {"id": "U2"}}, "rels": {}}
>>> d = diff(a, b)
>>> d.nodes_changed
[['Unit', 'U1', {'name': ['甲', '甲公司']}]]
>>> replay(a, d) == b, replay(b, d, backwards=True) == a
(True, True)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from graph.memory.store import MemoryStore
from graph.model import LABELS, PROVENANCE_ZH, RELATIONSHIPS
from graph.name_forms import KEY_PROPS
from graph.store import GraphStore, Rel, RelRow

NodeId = tuple[str, str]
RelId = tuple[Any, ...]  # (type, start label, start key, end label, end key, (identity values))
State = dict[str, dict[Any, dict[str, Any]]]


def empty() -> State:
    return {"nodes": {}, "rels": {}}


def rel_id(r: Rel) -> RelId:
    return (r.type, r.start.label, r.start.key, r.end.label, r.end.key,
            tuple(r.props.get(p) for p in RELATIONSHIPS[r.type].identity))


def dump(store: GraphStore) -> State:
    """Every node and relationship of the store with its properties."""
    nodes: dict[Any, dict[str, Any]] = {}
    rels: dict[Any, dict[str, Any]] = {}
    for label in LABELS:
        for n in store.iter_nodes(label):
            nodes[(label, n.key)] = dict(n.props)
    for t in RELATIONSHIPS:
        for r in store.iter_relationships(t):
            rels[rel_id(r)] = dict(r.props)
    return {"nodes": nodes, "rels": rels}


def dump_part(store: GraphStore, nodes: Iterable[NodeId], linked: Iterable[NodeId] | None = None) -> State:
    """These nodes (those the store has) and every relationship at those of them ``linked`` (by
    default all): the part of the graph the writes journaled since the last record can have
    changed (``GraphStore.journal``).

    >>> s = MemoryStore()
    >>> _ = s.upsert_nodes("Organization", [{"id": "A"}, {"id": "B"}, {"id": "C"}])
    >>> _ = s.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization", [RelRow("B", "A")])
    >>> part = dump_part(s, [("Organization", "A"), ("Organization", "Z")])
    >>> sorted(part["nodes"]), [k[:5] for k in part["rels"]]
    ([('Organization', 'A')], [('SUBORDINATE_TO', 'Organization', 'B', 'Organization', 'A')])
    """
    nodes = list(nodes)
    out: State = empty()
    for label, keys in _by_label(nodes).items():
        for n in store.get_many(label, keys):
            out["nodes"][(label, n.key)] = dict(n.props)
    for label, keys in _by_label(nodes if linked is None else linked).items():
        for r in store.relationships_of(label, keys):
            out["rels"][rel_id(r)] = dict(r.props)
    return out


def _by_label(nodes: Iterable[NodeId]) -> dict[str, list[str]]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for label, key in nodes:
        by_label[label].append(key)
    return by_label


@dataclass
class Delta:
    """What one load changed: entries added, removed (with their properties), and changed
    (``{prop: [old, new]}``, ``None`` for a value that was not there)."""

    nodes_added: list[list[Any]] = field(default_factory=list)  # [label, key, props]
    nodes_removed: list[list[Any]] = field(default_factory=list)
    nodes_changed: list[list[Any]] = field(default_factory=list)  # [label, key, {prop: [old, new]}]
    rels_added: list[list[Any]] = field(default_factory=list)  # [rel id as a list, props]
    rels_removed: list[list[Any]] = field(default_factory=list)
    rels_changed: list[list[Any]] = field(default_factory=list)  # [rel id, {prop: [old, new]}]

    def as_json(self) -> dict[str, Any]:
        # shallow: asdict() would deep-copy every property of the graph, only to serialise it
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Delta":
        return cls(**data)

    def size(self) -> int:
        return sum(len(v) for v in self.as_json().values())


def _rel_id(entry: list[Any]) -> RelId:
    """A relationship id as JSON gave it back (lists) made hashable again."""
    *head, ident = entry
    return (*head, tuple(ident))


def entry_rel_id(entry: list[Any]) -> RelId:
    """The id of the relationship of a difference's entry (``[rel id as a list, payload]``)."""
    return _rel_id(entry[0])


def changed_values(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{prop: [old, new]}`` for each property whose value differs (``None``: not there)."""
    return {p: [old.get(p), new.get(p)] for p in sorted(set(old) | set(new)) if old.get(p) != new.get(p)}


def _node_ident(k: NodeId) -> list[Any]:
    return list(k)


def _rel_ident(k: RelId) -> list[Any]:
    return [[*k[:-1], list(k[-1])]]


def diff(before: State, after: State) -> Delta:
    d = Delta()
    for part, added, removed, changed in (("nodes", d.nodes_added, d.nodes_removed, d.nodes_changed),
                                          ("rels", d.rels_added, d.rels_removed, d.rels_changed)):
        a, b = before[part], after[part]
        ident = _node_ident if part == "nodes" else _rel_ident
        for k in sorted(b.keys() - a.keys(), key=str):
            added.append([*ident(k), b[k]])
        for k in sorted(a.keys() - b.keys(), key=str):
            removed.append([*ident(k), a[k]])
        for k in sorted(a.keys() & b.keys(), key=str):
            if a[k] != b[k]:
                changed.append([*ident(k), changed_values(a[k], b[k])])
    return d


def _entries(d: Delta, part: str, backwards: bool) -> tuple[list[Any], list[Any], list[Any]]:
    added, removed, changed = (getattr(d, f"{part}_{w}") for w in ("added", "removed", "changed"))
    return (removed, added, changed) if backwards else (added, removed, changed)


def _split(part: str, entry: list[Any]) -> tuple[Any, Any]:
    """An entry's id and its payload (properties, or changes)."""
    if part == "nodes":
        return (entry[0], entry[1]), entry[2]
    return _rel_id(entry[0]), entry[1]


def replay(state: State, d: Delta, backwards: bool = False) -> State:
    """The state after the load of ``d`` (or before it, ``backwards``); ``state`` is not changed."""
    out = {"nodes": dict(state["nodes"]), "rels": dict(state["rels"])}
    for part in ("nodes", "rels"):
        added, removed, changed = _entries(d, part, backwards)
        for e in removed:
            out[part].pop(_split(part, e)[0], None)
        for e in added:
            k, props = _split(part, e)
            # a copy of the dict; its values are never changed in place (every write replaces
            # them), so sharing them with a kept difference is safe and saves a deep copy
            out[part][k] = dict(props)
        for e in changed:
            k, ch = _split(part, e)
            props = dict(out[part].get(k, {}))
            for p, (old, new) in ch.items():
                value = old if backwards else new
                if value is None:
                    props.pop(p, None)
                else:
                    props[p] = value
            out[part][k] = props
    return out


def to_store(state: State) -> MemoryStore:
    """A store holding exactly ``state`` (the graph as of a past load)."""
    store = MemoryStore()
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (label, _), props in state["nodes"].items():
        by_label[label].append(props)
    for label, rows in by_label.items():
        store.upsert_nodes(label, rows)
    by_type: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
    for (t, sl, sk, el, ek, _), props in state["rels"].items():
        by_type[(t, sl, el)].append(RelRow(sk, ek, props))
    for (t, sl, el), rels in by_type.items():
        store.upsert_relationships(t, sl, el, rels)
    return store


def revert(store: GraphStore, d: Delta, halfway: Callable[[], None] | None = None) -> None:
    """Write the store back to what it was before the load of ``d``: what it added is
    deleted, what it removed or changed is written again as it was. Done twice (a crash in the
    middle, then again), it ends the same: each entry is put as it was before the load.
    (``halfway`` is called between the deletions and the writes: a fault-injection point.)"""
    nodes_back, nodes_gone, nodes_changed = _entries(d, "nodes", backwards=True)
    rels_back, rels_gone, rels_changed = _entries(d, "rels", backwards=True)
    # Undo in dependency order: links first, then nodes, then the links that need the nodes back.
    by_type: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
    for e in rels_gone:
        t, sl, sk, el, ek, _ = _rel_id(e[0])
        by_type[(t, sl, el)].append(RelRow(sk, ek, e[1]))
    for (t, sl, el), rels in by_type.items():
        store.delete_relationships(t, sl, el, rels)
    gone: dict[str, list[str]] = defaultdict(list)
    for label, key, _ in nodes_gone:
        gone[label].append(key)
    for label, keys in gone.items():
        store.delete_nodes(label, keys)
    if halfway is not None:
        halfway()
    rows_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label, _key, props in nodes_back:
        rows_of[label].append(props)
    for label, key, ch in nodes_changed:
        rows_of[label].append({LABELS[label].key: key, **{p: old for p, (old, _new) in ch.items()}})
    for label, rows in rows_of.items():
        store.upsert_nodes(label, rows)
    back: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
    for e in rels_back:
        t, sl, sk, el, ek, _ = _rel_id(e[0])
        back[(t, sl, el)].append(RelRow(sk, ek, e[1]))
    for e in rels_changed:
        t, sl, sk, el, ek, ident = _rel_id(e[0])
        props = {p: old for p, (old, _new) in e[1].items()}
        props.update(zip(RELATIONSHIPS[t].identity, ident))
        back[(t, sl, el)].append(RelRow(sk, ek, props))
    for (t, sl, el), rels in back.items():
        store.upsert_relationships(t, sl, el, rels)
    store.save()


@dataclass
class Interval:
    """One value a property held, from the ledger date of the load that wrote it until that
    of the load that changed or closed it (``None``: it still holds)."""

    value: Any
    since: str
    until: str | None = None


def intervals(deltas: Iterable[tuple[str, Delta]], label: str, key: str) -> dict[str, list[Interval]]:
    """The values of one node's properties over the loads (provenance left out), each with
    its interval.

    >>> d1 = Delta(nodes_added=[["Unit", "U", {"id": "U", "name": "甲"}]])
    >>> d2 = Delta(nodes_changed=[["Unit", "U", {"name": ["甲", "乙"]}]])
    >>> intervals([("2025-01-31", d1), ("2025-02-28", d2)], "Unit", "U")["name"]
    [Interval(value='甲', since='2025-01-31', until='2025-02-28'), Interval(value='乙', since='2025-02-28', until=None)]
    """
    out: dict[str, list[Interval]] = defaultdict(list)

    def close(prop: str, day: str) -> None:
        if out[prop] and out[prop][-1].until is None:
            out[prop][-1].until = day

    for day, d in deltas:
        for e in d.nodes_removed:
            if (e[0], e[1]) == (label, key):
                for prop in e[2]:
                    close(prop, day)
        for e in d.nodes_added:
            if (e[0], e[1]) == (label, key):
                for prop, value in e[2].items():
                    if prop not in PROVENANCE_ZH and prop not in KEY_PROPS:
                        close(prop, day)
                        out[prop].append(Interval(value, day))
        for e in d.nodes_changed:
            if (e[0], e[1]) == (label, key):
                for prop, (_old, new) in e[2].items():
                    if prop in PROVENANCE_ZH or prop in KEY_PROPS:
                        continue
                    close(prop, day)
                    if new is not None:
                        out[prop].append(Interval(new, day))
    return {p: v for p, v in out.items() if v}


@dataclass
class LinkInterval:
    """A relationship of one node, from the load that made it until the load that no longer had it."""

    rel: str
    outgoing: bool
    other_label: str
    other_key: str
    since: str
    until: str | None = None


def link_intervals(deltas: Iterable[tuple[str, Delta]], label: str, key: str) -> list[LinkInterval]:
    """The relationships one node had over the loads, each with its interval (a member's
    organisation before and after a move).

    >>> rel = ["MEMBER_OF", "Member", "M1", "Organization", "B", []]
    >>> d1, d2 = Delta(rels_added=[[rel, {}]]), Delta(rels_removed=[[rel, {}]])
    >>> links = link_intervals([("2025-01-31", d1), ("2025-02-28", d2)], "Member", "M1")
    >>> [(x.other_key, x.since, x.until) for x in links]
    [('B', '2025-01-31', '2025-02-28')]
    """
    out: list[LinkInterval] = []
    open_: dict[RelId, LinkInterval] = {}
    for day, d in deltas:
        for e in d.rels_added:
            t, sl, sk, el, ek, ident = _rel_id(e[0])
            if (sl, sk) == (label, key) or (el, ek) == (label, key):
                outgoing = (sl, sk) == (label, key)
                link = LinkInterval(t, outgoing, el if outgoing else sl, ek if outgoing else sk, day)
                open_[(t, sl, sk, el, ek, ident)] = link
                out.append(link)
        for e in d.rels_removed:
            k = _rel_id(e[0])
            if k in open_:
                open_.pop(k).until = day
    return out
