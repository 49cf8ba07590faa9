"""An empty store is said, not shown as zeros or an empty list (a user would report "no gaps").

>>> from graph.memory.store import MemoryStore
>>> require_data(MemoryStore())
Traceback (most recent call last):
graph.errors.EmptyGraph: 图谱为空：请先载入台账（tupu ingest 或 tupu demo）
"""
from __future__ import annotations

from graph.analyses.cache import cached
from graph.errors import EmptyGraph
from graph.store import GraphStore


def has_data(store: GraphStore) -> bool:
    # kept until the data changes: asked before every analysis, it must cost nothing
    return cached(store, ("has-data",), lambda: any(store.counts().values()))


def require_data(store: GraphStore) -> None:
    """Raise :class:`EmptyGraph` when nothing has been loaded."""
    if not has_data(store):
        raise EmptyGraph()
