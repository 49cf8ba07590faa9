"""A small cache for the analyses of one store: answers are kept until the store's version
changes (a write by this process, or — Neo4j — by any process, seen within seconds); after
``TTL`` seconds (a backstop for writes that bypass Tupu) the kept answer is still served while
one background thread computes the new one. Repeated questions — a meeting clicking through
views, fifty clients asking for the same rule — are answered from memory and never wait behind
a recomputation.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> calls = []
>>> cached(s, "k", lambda: calls.append(1) or len(calls)), cached(s, "k", lambda: 99)
(1, 1)
>>> _ = s.upsert_nodes("Unit", [{"id": "U", "name": "甲", "kind": "村"}])
>>> cached(s, "k", lambda: 42)
42
"""
from __future__ import annotations

import gc
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from graph.store import GraphStore

T = TypeVar("T")
TTL = 600.0  # a backstop: writes through Tupu change the store's version at once
MAX_ENTRIES = 256
# a past graph's (?as_of=): each date asked of it is an answer of its own (its gaps judged that
# day), and a page's dates are many — kept fewer, so dates asked one after another cannot pile
# up a graph's worth of answers per past load
PAST_ENTRIES = 12

# per store: key -> (store version, computed at, value), least recently used first
_caches: "weakref.WeakKeyDictionary[GraphStore, OrderedDict[Hashable, tuple[Hashable, float, Any]]]" = \
    weakref.WeakKeyDictionary()
_lock = threading.Lock()
# one gate per key being computed: callers of the same key wait on it; removed once computed
_inflight: dict[tuple[int, Hashable], threading.Lock] = {}


def _lookup(store: GraphStore, key: Hashable, ttl: float, version: Hashable) -> tuple[str, Any]:
    """The state of ``key`` (fresh, stale: this version's answer past its TTL, or missing)
    and its value. ``version`` is read before taking the lock: on Neo4j it may be a query."""
    entries = _caches.setdefault(store, OrderedDict())
    hit = entries.get(key)
    if hit is None or hit[0] != version:
        return "missing", None
    entries.move_to_end(key)
    return ("fresh" if time.monotonic() - hit[1] < ttl else "stale"), hit[2]


def cached(store: GraphStore, key: Hashable, compute: Callable[[], T], ttl: float = TTL) -> T:
    """The cached answer, or ``compute()``'s. Callers asking for the same key at the same time
    wait for one computation instead of each running their own (fifty clients opening the same
    view must not compute it fifty times); an answer past its TTL is served as it is while one
    background thread refreshes it."""
    found, value = _kept(store, key, compute, ttl)
    if found:
        return value
    with _lock:
        gate = _inflight.setdefault((id(store), key), threading.Lock())
    with gate:
        try:
            version = store.version()
            with _lock:
                state, value = _lookup(store, key, ttl, version)
            return value if state == "fresh" else _store(store, key, compute)
        finally:
            _retire(store, key, gate)


def _retire(store: GraphStore, key: Hashable, gate: threading.Lock) -> None:
    """Forget a gate whose computation is done (later callers find the answer instead), so the
    gates do not pile up with every key ever asked (search texts, pages)."""
    with _lock:
        if _inflight.get((id(store), key)) is gate:
            del _inflight[(id(store), key)]


def _store(store: GraphStore, key: Hashable, compute: Callable[[], T]) -> T:
    version, started = store.version(), time.monotonic()
    value = compute()
    with _lock:
        entries = _caches.setdefault(store, OrderedDict())
        entries[key] = (version, started, value)
        entries.move_to_end(key)
        while len(entries) > (MAX_ENTRIES if store.past is None else PAST_ENTRIES):
            entries.popitem(last=False)  # the least recently used
    # Kept answers live long and are large (every gap of a city): left to the cyclic collector
    # they are traversed by each of its full collections, pauses of up to a second that land
    # on whichever requests are running. Frozen, the collector skips them; they are still freed
    # by reference counting when replaced or evicted. (O(1): the generations are spliced.)
    # But freezing also freezes the garbage in cycles not yet collected, which is then never
    # freed: a request's cycles, a past graph let go. Each new date asked (?as_of=) keeps a new
    # answer, and 440 dates grew the demo's server by 300 MB of frozen garbage (#36). So the
    # objects made since the last freeze (the only ones not frozen: a short walk) are collected
    # first.
    gc.collect()
    gc.freeze()
    return value


def cached_if_present(store: GraphStore, key: Hashable, compute: Callable[[], T],
                      ttl: float = TTL) -> T | None:
    """Like :func:`cached` when this version has an answer (fresh, or stale and refreshed in
    the background); ``None`` instead of computing one."""
    return _kept(store, key, compute, ttl)[1]


def _kept(store: GraphStore, key: Hashable, compute: Callable[[], Any], ttl: float) -> tuple[bool, Any]:
    """``(True, answer)`` when this version has one kept — one past its TTL is served while a
    background thread refreshes it — else ``(False, None)``."""
    version = store.version()
    with _lock:
        state, value = _lookup(store, key, ttl, version)
        if state != "stale":
            return state == "fresh", value
        gate = _inflight.setdefault((id(store), key), threading.Lock())
    _refresh_later(store, key, compute, gate)
    return True, value


# Refreshes run one at a time: answers going stale together (every rule after a minute) must
# not take every core from the requests being served.
_refreshing = threading.Semaphore(1)


def _refresh_later(store: GraphStore, key: Hashable, compute: Callable[[], Any],
                   gate: threading.Lock) -> None:
    if gate.acquire(blocking=False):  # nobody refreshes it yet: this caller starts it
        threading.Thread(target=_refresh, args=(store, key, compute, gate), daemon=True,
                         name="tupu-cache-refresh").start()


def _refresh(store: GraphStore, key: Hashable, compute: Callable[[], Any], gate: threading.Lock) -> None:
    try:
        with _refreshing:
            _store(store, key, compute)
    except Exception:  # noqa: BLE001 - the stale answer stays; the next caller tries again
        pass
    finally:
        gate.release()
        _retire(store, key, gate)
