"""Progress per district and street at each load: the coverage measures (done / total) and the
gaps by rule, kept with the load's record so charts over months cost nothing to draw.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Region", [{"code": "11", "name": "甲区", "level": "区县"}])
>>> figures(s, [], dt.date(2025, 1, 31))["regions"]["11"]["name"]
'甲区'
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from graph.analyses.coverage import MEASURES, coverage
from graph.analyses.gaps import Gap
from graph.analyses.trees import load_trees
from graph.policy import Policy
from graph.store import GraphStore

LEVELS = ("省", "市", "区县", "街道乡镇")  # communities are too many to chart


def figures(store: GraphStore, gaps: list[Gap], date: dt.date, policy: Policy | None = None) -> dict[str, Any]:
    """Per region down to the streets: its name, level, parent, each coverage measure as
    ``[done, total]``, its gaps and its gaps per rule."""
    regions, _ = load_trees(store)
    kept = {c for c, lv in regions.level.items() if lv in LEVELS}
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for g in gaps:
        for code in regions.ancestors(g.region):
            if code in kept:
                per_rule[code][g.rule] += 1
    out: dict[str, Any] = {}
    for row in coverage(store, as_of=date, policy=policy, scope="region"):
        if row.id in kept:
            out[row.id] = {"name": row.name, "level": row.level, "parent": row.parent,
                           "measures": {m: [v.done, v.total] for m, v in row.measures.items()},
                           "gaps": sum(per_rule[row.id].values()), "per_rule": dict(per_rule[row.id])}
    return {"date": date.isoformat(), "regions": out}


def rate(entry: dict[str, Any], measure: str) -> float | None:
    done, total = entry["measures"].get(measure, [0, 0])
    return round(done / total, 4) if total else None


__all__ = ["LEVELS", "MEASURES", "figures", "rate"]
