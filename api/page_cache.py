"""Encoded pages kept by one API process for the data's current version (#18).

An entity's page (``GET /entities/{label}/{id}``) is the API's most asked answer and its most
costly per request: a Neo4j round trip, the scope's filter and the encoding, ≈ 2 ms of CPU on a
machine whose two cores also run Neo4j. Asked again before the data changes it is the same bytes.
Kept here, bounded in bytes (the least recently used go first), dropped all at once when the
store's version changes (every write through Tupu; another process's within seconds) and, as a
backstop against writes that bypass Tupu, after :data:`graph.analyses.cache.TTL` seconds.

Pages are kept gzipped (an organisation's page of ~10 KB in ~2 KB: JSON repeats its keys), so
that the pages a city's users ask for fit: at 100k members the 10,000 pages of the load test are
63 MB as JSON, 13 MB gzipped; kept as JSON, the least recently used were dropped before they
were asked again and half the pages were made anew. A client that accepts gzip gets the kept
bytes as they are.
"""
from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.page_maker import MakerUnavailable, PageMaker, pack
from api.shared_pages import SharedPages
from graph.analyses.cache import TTL
from graph.store import GraphStore

MAX_BYTES = 32 * 1024 * 1024  # per process, gzipped: ~15,000 organisation pages
Page = tuple[bytes, dict[str, str]]  # a JSON body (gzipped once kept) and its headers


PAST_GRAPHS = 3  # past graphs whose pages are kept, each in its own share of MAX_BYTES
PAST_SHARE = 8  # a past graph's pages: at most MAX_BYTES / PAST_SHARE


class _Kept:
    """The pages of one graph (the current one, or one past load's), for one version of it."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.pages: OrderedDict[Hashable, Page] = OrderedDict()
        self.bytes = 0
        self.version: Hashable = None
        self.since = 0.0

    def get(self, version: Hashable, key: Hashable, ttl: float) -> Page | None:
        if version != self.version or time.monotonic() - self.since > ttl:
            self.pages.clear()
            self.bytes, self.version, self.since = 0, version, time.monotonic()
        body = self.pages.get(key)
        if body is not None:
            self.pages.move_to_end(key)
        return body

    def put(self, version: Hashable, key: Hashable, page: Page) -> None:
        if len(page[0]) > self.max_bytes or version != self.version or key in self.pages:
            return
        self.pages[key] = page
        self.bytes += len(page[0])
        while self.bytes > self.max_bytes:
            self.bytes -= len(self.pages.popitem(last=False)[1][0])


class PageCache:
    """Pages kept gzipped, by key, for the store's current version — and apart from them, for
    each of the last :data:`PAST_GRAPHS` past graphs asked (``?as_of=``), by the load the graph
    stands for (``GraphStore.past``): past graphs are rebuilt with their own version numbers,
    which two of them may share, so a page is only ever served for the graph it was made from,
    and a past date's page never takes a current page's place.

    >>> from graph.memory.store import MemoryStore
    >>> pages, store = PageCache(), MemoryStore()
    >>> first = pages.get(store, "k", lambda: (b"[]", {}))
    >>> again = pages.get(store, "k", lambda: (b"[1]", {}))
    >>> gzip.decompress(first[0]), first == again
    (b'[]', True)
    >>> past = MemoryStore(); past.past = ("history", "L1")
    >>> gzip.decompress(pages.get(past, "k", lambda: (b"[2]", {}))[0]), pages.peek(store, "k") == first
    (b'[2]', True)
    """

    def __init__(self, max_bytes: int = MAX_BYTES, ttl: float = TTL, shared: SharedPages | None = None) -> None:
        self.max_bytes, self.ttl, self.shared = max_bytes, ttl, shared
        self._lock = threading.Lock()
        self._current = _Kept(max_bytes)
        self._past: OrderedDict[Hashable, _Kept] = OrderedDict()

    def _of(self, store: GraphStore) -> _Kept:
        """The pages of ``store``'s graph (under the lock)."""
        if store.past is None:
            return self._current
        kept = self._past.get(store.past)
        if kept is None:
            kept = self._past[store.past] = _Kept(self.max_bytes // PAST_SHARE)
            while len(self._past) > PAST_GRAPHS:
                self._past.popitem(last=False)
        self._past.move_to_end(store.past)
        return kept

    def peek(self, store: GraphStore, key: Hashable) -> Page | None:
        """The page kept under ``key`` for the store's current version, if this process or (with
        ``shared``) another one made it (on Neo4j the version is a query at most every 2 s)."""
        version = store.version()
        return self._kept(store, version, key) or self._from_shared(store, version, key)

    def get(self, store: GraphStore, key: Hashable, make: Callable[[], Page | None]) -> Page | None:
        """The page kept under ``key`` for the store's current version, else ``make()``'s, gzipped
        (kept unless ``None``: a page that does not exist is not kept)."""
        return self.peek(store, key) or self.make(store, key, make)

    def make(self, store: GraphStore, key: Hashable, make: Callable[[], Page | None]) -> Page | None:
        """``make()``'s page, gzipped and kept under ``key`` (here and, with ``shared``, for the
        other processes), without looking for it first: for an asker that just has (:meth:`peek`)."""
        version = store.version()  # read before the page is made: a write meanwhile outdates it
        made = make()
        if made is None:
            return None
        page = pack(made)
        self.keep(store, version, key, page)
        return page

    async def make_by(self, maker: PageMaker, store: GraphStore, key: Hashable) -> Page | None:
        """As :meth:`make`, the page made by ``maker`` (``key`` is its job); raises
        :class:`~api.page_maker.MakerUnavailable`."""
        version = store.version()
        page = await maker.make(key)
        if page is not None:
            self.keep(store, version, key, page)
        return page

    def keep(self, store: GraphStore, version: Hashable, key: Hashable, page: Page) -> None:
        """Keep ``page`` (gzipped), made from the data of ``version`` (the store's version read
        before it was made), here and, with ``shared``, for the other processes."""
        self._keep(store, version, key, page)
        if self.shared is not None and store.past is None and (data := store.data_version()) is not None:
            self.shared.put(str(data), key, page)

    def _from_shared(self, store: GraphStore, version: Hashable, key: Hashable) -> Page | None:
        """Another process's page for the data's own version (none without one)."""
        if self.shared is None or store.past is not None or (data := store.data_version()) is None:
            return None
        page = self.shared.get(str(data), key)
        if page is not None:
            self._keep(store, version, key, page)
        return page

    def _keep(self, store: GraphStore, version: Hashable, key: Hashable, page: Page) -> None:
        with self._lock:
            self._of(store).put(version, key, page)

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()

    def _kept(self, store: GraphStore, version: Hashable, key: Hashable) -> Page | None:
        with self._lock:
            return self._of(store).get(version, key, self.ttl)


async def kept_page(request: Request, store: GraphStore, key: Hashable,
                    make: Callable[[], Page | None], by_maker: bool = False) -> Response | None:
    """The app's kept JSON page under ``key``, answered on the event loop when it is kept (not
    queued behind the requests working in the thread pool), else made: with ``by_maker`` (``key``
    names a job of :data:`api.page_maker.JOBS`), by the app's page maker when it has one, else by
    ``make()`` in the pool; ``None`` when there is none. Sent gzipped to a client that accepts it."""
    pages: PageCache = request.app.state.pages
    page, kept = pages.peek(store, key), "yes"
    if page is None:
        page, kept = await _made(request, pages, store, key, make, by_maker), "no"
    if page is None:
        return None
    # X-Tupu-Kept: whether the page was kept (the load test times the two apart)
    headers = {**page[1], "X-Tupu-Kept": kept, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(page[0], media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(gzip.decompress(page[0]), media_type="application/json", headers=headers)


async def _made(request: Request, pages: PageCache, store: GraphStore, key: Hashable,
                make: Callable[[], Page | None], by_maker: bool) -> Page | None:
    maker: PageMaker | None = request.app.state.maker
    # the maker reads the current data only (not a past date's store)
    if by_maker and maker is not None and store is request.app.state.store:
        with contextlib.suppress(MakerUnavailable):  # (then made here: an error is the route's)
            return await pages.make_by(maker, store, key)
    return await run_in_threadpool(pages.make, store, key, make)
