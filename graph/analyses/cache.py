"""A small cache for the analyses of one store: answers are kept until this process writes to
the store (its ``generation`` changes) or ``TTL`` seconds pass (another process may have
written to a shared Neo4j), so repeated questions — a meeting clicking through views, fifty
clients asking for the same rule — are answered from memory.

>>> from graph.memory_store import MemoryStore
>>> s = MemoryStore()
>>> calls = []
>>> cached(s, "k", lambda: calls.append(1) or len(calls)), cached(s, "k", lambda: 99)
(1, 1)
>>> _ = s.upsert_nodes("Unit", [{"id": "U", "name": "甲", "kind": "村"}])
>>> cached(s, "k", lambda: 42)
42
"""
from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from graph.store import GraphStore

T = TypeVar("T")
TTL = 60.0
MAX_ENTRIES = 256

_caches: "weakref.WeakKeyDictionary[GraphStore, dict[Hashable, tuple[int, float, Any]]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


_inflight: dict[tuple[int, Hashable], threading.Lock] = {}


def _fresh(store: GraphStore, key: Hashable, ttl: float) -> tuple[bool, Any]:
    entries = _caches.setdefault(store, {})
    hit = entries.get(key)
    if hit and hit[0] == store.generation and time.monotonic() - hit[1] < ttl:
        return True, hit[2]
    return False, None


def cached(store: GraphStore, key: Hashable, compute: Callable[[], T], ttl: float = TTL) -> T:
    """The cached answer, or ``compute()``'s. Callers asking for the same key at the same time
    wait for one computation instead of each running their own (fifty clients opening the same
    view must not compute it fifty times)."""
    with _lock:
        ok, value = _fresh(store, key, ttl)
        if ok:
            return value
        gate = _inflight.setdefault((id(store), key), threading.Lock())
    with gate:
        with _lock:
            ok, value = _fresh(store, key, ttl)
            if ok:
                return value
        generation, started = store.generation, time.monotonic()
        value = compute()
        with _lock:
            entries = _caches.setdefault(store, {})
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
            entries[key] = (generation, started, value)
            _inflight.pop((id(store), key), None)
    return value
