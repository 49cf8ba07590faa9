"""Encoded pages kept by one API process for the data's current version (#18).

An entity's page (``GET /entities/{label}/{id}``) is the API's most asked answer and its most
costly per request: a Neo4j round trip, the scope's filter and the encoding, ≈ 2 ms of CPU on a
machine whose two cores also run Neo4j. Asked again before the data changes it is the same bytes.
Kept here, bounded in bytes (the least recently used go first), dropped all at once when the
store's version changes (every write through Tupu; another process's within seconds) and, as a
backstop against writes that bypass Tupu, after :data:`graph.analyses.cache.TTL` seconds.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from graph.analyses.cache import TTL
from graph.store import GraphStore

MAX_BYTES = 32 * 1024 * 1024  # per process: ~10,000 organisation pages
Page = tuple[bytes, dict[str, str]]  # a JSON body and its headers


class PageCache:
    """>>> from graph.memory.store import MemoryStore
    >>> pages, store = PageCache(), MemoryStore()
    >>> pages.get(store, "k", lambda: (b"[]", {})), pages.get(store, "k", lambda: (b"[1]", {}))
    ((b'[]', {}), (b'[]', {}))
    """

    def __init__(self, max_bytes: int = MAX_BYTES, ttl: float = TTL) -> None:
        self.max_bytes, self.ttl = max_bytes, ttl
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self._version: Hashable = None
        self._since = 0.0

    def peek(self, store: GraphStore, key: Hashable) -> Page | None:
        """The page kept under ``key`` for the store's current version, if there is one (on
        Neo4j the version is a query at most every 2 s: the only wait)."""
        return self._kept(store.version(), key)

    def get(self, store: GraphStore, key: Hashable, make: Callable[[], Page | None]) -> Page | None:
        """The page kept under ``key`` for the store's current version, else ``make()``'s (kept
        unless ``None``: a page that does not exist is not kept)."""
        version = store.version()  # (read outside the lock)
        body = self._kept(version, key)
        if body is not None:
            return body
        page = make()
        if page is not None and len(page[0]) <= self.max_bytes:
            with self._lock:
                if version == self._version and key not in self._pages:
                    self._pages[key] = page
                    self._bytes += len(page[0])
                    while self._bytes > self.max_bytes:
                        self._bytes -= len(self._pages.popitem(last=False)[1][0])
        return page

    def _kept(self, version: Hashable, key: Hashable) -> Page | None:
        with self._lock:
            if version != self._version or time.monotonic() - self._since > self.ttl:
                self._pages.clear()
                self._bytes, self._version, self._since = 0, version, time.monotonic()
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body


async def kept_page(request: Request, store: GraphStore, key: Hashable,
                    make: Callable[[], Page | None]) -> Response | None:
    """The app's kept JSON page under ``key``, answered on the event loop when it is kept (not
    queued behind the requests working in the thread pool), else ``make()``'s, made in the pool;
    ``None`` when ``make()`` has none."""
    pages: PageCache = request.app.state.pages
    page = pages.peek(store, key)
    if page is None:
        page = await run_in_threadpool(pages.get, store, key, make)
    return None if page is None else Response(page[0], media_type="application/json", headers=page[1])
