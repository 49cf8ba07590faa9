"""One entity's changes over the loads, for its page, ``GET /timeline/{id}`` and ``tupu
timeline``: each value it held that a later load changed, and each link it gained or lost, with
the ledger dates. Personal data stays masked.

>>> import tempfile, datetime as dt, pathlib
>>> from graph.memory.store import MemoryStore
>>> h, s = History(pathlib.Path(tempfile.mkdtemp())), MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部", "kind": "党支部"}])
>>> _ = h.record(s, date=dt.date(2025, 1, 31), files=[], who="测试")
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲村党支部"}])
>>> _ = h.record(s, date=dt.date(2025, 2, 28), files=[], who="测试")
>>> entity_timeline(h, s, "Organization", "A")["values"][0]
{'field': '组织名称', 'value': '甲支部', 'since': '2025-01-31', 'until': '2025-02-28'}
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.history.records import History
from graph.model import LABELS, RELATIONSHIPS
from graph.privacy import mask_props
from graph.store import GraphStore

__all__ = ["entity_timeline"]


Period = tuple[str, str | None]  # ledger dates: from, until (None: still)


def entity_timeline(history: History, store: GraphStore, label: str, key: str,
                    seen: Sequence[Period] | None = None, end: str | None = None) -> dict[str, Any]:
    """What changed about one entity: ``values`` (a field's earlier and later values, each with
    its dates) and ``links`` (relationships gained or lost), oldest first. ``seen``: only what
    held within these periods (when a scoped viewer saw the entity: ``graph.history.seen``);
    ``end``: only what held by this ledger date (the timeline as of a past date: a later end
    is not told)."""
    loads = history.loads()
    first = loads[0].date if loads else None
    spec = LABELS[label]
    values: list[dict[str, Any]] = []
    for prop, spans in history.timeline(label, key).items():
        if len(spans) < 2 and all(v.until is None for v in spans):
            continue  # held since it was first loaded: nothing changed
        for v in spans:
            values.append({"field": spec.field_zh(prop), "value": mask_props({prop: v.value})[prop],
                           "since": v.since, "until": v.until})
        if spans and spans[-1].until is not None:  # a value the ledger since left blank: none now
            values.append({"field": spec.field_zh(prop), "value": None, "since": spans[-1].until, "until": None})
    links: list[dict[str, Any]] = []
    for x in history.link_timeline(label, key):
        if x.since == first and x.until is None:
            continue
        other = store.get(x.other_label, x.other_key)
        links.append({"rel": RELATIONSHIPS[x.rel].zh, "outgoing": x.outgoing, "label": x.other_label,
                      "id": x.other_key, "name": other.name if other else x.other_key,
                      "since": x.since, "until": x.until})
    if seen is not None or end is not None:
        values, links = _cut(values, seen, end, "field"), _cut(links, seen, end, None)
        start = seen[0][0] if seen else first  # held since it was first seen: nothing changed
        links = [x for x in links if not (x["since"] <= (start or "") and x["until"] is None)]
    return {"values": sorted(values, key=lambda v: (v["field"], v["since"])),
            "links": sorted(links, key=lambda x: (x["since"], x["rel"], x["id"]))}


def _cut(rows: list[dict[str, Any]], seen: Sequence[Period] | None, end: str | None,
         field: str | None) -> list[dict[str, Any]]:
    """Each row's interval cut to the periods seen and to ``end`` (a row held past it is shown
    as still held); of a field left with one value held to the end, nothing (it did not change
    in what is shown)."""
    out = []
    for row in rows:
        spans: Sequence[Period] = seen if seen is not None else [(row["since"], None)]
        for since, until in spans:
            start = max(since, row["since"])
            stop = _earlier(until, row["until"])
            if end is not None:
                if start > end:
                    continue
                stop = None if stop is not None and stop > end else stop
            if stop is None or start < stop:
                out.append({**row, "since": start, "until": stop})
    if field is None:
        return out
    fields: dict[str, list[dict[str, Any]]] = {}
    for row in out:
        fields.setdefault(row[field], []).append(row)
    return [row for rows_of in fields.values() if not (len(rows_of) == 1 and rows_of[0]["until"] is None)
            for row in rows_of]


def _earlier(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)
