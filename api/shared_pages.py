"""Encoded pages shared by the served app's processes, in one SQLite file (#18).

Each API process keeps the pages it made (:mod:`api.page_cache`); alone, each of ``tupu serve
--workers N`` processes made every page once more: under load at 100k members a quarter of the
entity pages asked were made anew (a Neo4j round trip and ≈ 2.6 ms of CPU each, on the two
cores that also run Neo4j), and those were the slowest tenth of the answers. Here a page made by
one process is read by the others: a primary-key lookup of a few KB, ≈ 20–50 µs.

Pages are kept under the data's own version (``GraphStore.data_version``: the same in every
process), so a page is never read for other data than it was made from; a store without one
(the embedded store) shares nothing. Rows of another version go when a process sees the version
change; the file holds at most :data:`MAX_BYTES` of pages (the oldest go first), and a row older
than :data:`graph.analyses.cache.TTL` seconds is not read (the backstop against writes that
bypass Tupu). It is a cache: any error of the file is logged once and answered as "not kept".
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Hashable
from pathlib import Path

from graph.analyses.cache import TTL

log = logging.getLogger("tupu.api")

MAX_BYTES = 256 * 1024 * 1024  # gzipped pages: ~120,000 organisation pages of a province
CHECK_EVERY = 500  # writes of this process between two looks at the file's size
QUEUE = 2_000  # pages waiting for the writer thread at most
Page = tuple[bytes, dict[str, str]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key BLOB PRIMARY KEY,  -- sha1 of the page's key
    version TEXT NOT NULL,
    made REAL NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL,
    headers TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pages_made ON pages (made);
"""


class SharedPages:
    """Pages by key and data version, in ``path``, for every process that opens it.

    A page is read on the asking thread (the event loop's, for a kept page: a WAL reader never
    waits for a writer) and written by one thread of this process, in batches, so that no
    request waits for another process's write.

    >>> import tempfile, pathlib
    >>> pages = SharedPages(pathlib.Path(tempfile.mkdtemp()) / "pages.sqlite")
    >>> pages.put("v1", ("entity", "Member", "M1"), (b"{}", {}))
    >>> pages.flush()
    >>> pages.get("v1", ("entity", "Member", "M1")), pages.get("v2", ("entity", "Member", "M1"))
    ((b'{}', {}), None)
    >>> pages.close()
    """

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, ttl: float = TTL) -> None:
        self.path, self.max_bytes, self.ttl = path, max_bytes, ttl
        self._lock = threading.Lock()  # the reading connection (the loop's and the pool's), the writer's start
        self._reader: sqlite3.Connection | None = None
        self._queue: queue.Queue[tuple[str, bytes, Page] | None] = queue.Queue(maxsize=QUEUE)
        self._writer: threading.Thread | None = None
        self._failed = False

    def get(self, version: str, key: Hashable) -> Page | None:
        """The page kept under ``key`` for ``version``, if a process made one."""
        if self._failed:
            return None
        with self._lock:
            try:
                self._reader = self._reader or self._connect()
                row = self._reader.execute(
                    "SELECT body, headers FROM pages WHERE key = ? AND version = ? AND made > ?",
                    (_digest(key), version, time.time() - self.ttl)).fetchone()
            except (sqlite3.Error, OSError) as e:
                self._fail(e)
                return None
        return None if row is None else (row[0], json.loads(row[1]))

    def put(self, version: str, key: Hashable, page: Page) -> None:
        """Keep ``page`` under ``key`` for ``version``, soon (written by this process's writer
        thread; a page that finds its queue full is not shared: it is a cache)."""
        if self._failed:
            return
        if self._writer is None:
            with self._lock:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write, daemon=True, name="tupu-pages")
                    self._writer.start()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait((version, _digest(key), page))

    def flush(self) -> None:
        """Until the pages put so far are written."""
        if self._writer is not None:
            self._queue.join()

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=5)
            self._writer = None
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _write(self) -> None:
        """The writer thread: what is queued, in one transaction per batch; another version's
        pages go when this process first writes for a new version."""
        version, writes = None, 0
        db = None
        while True:
            item = self._queue.get()
            batch = [item]
            while item is not None and len(batch) < 200:
                try:
                    item = self._queue.get_nowait()
                    batch.append(item)
                except queue.Empty:
                    break
            rows = [b for b in batch if b is not None]
            try:
                if rows and not self._failed:
                    db = db or self._connect()
                    with db:
                        if rows[-1][0] != version:  # the data changed: the other versions' pages go
                            version = rows[-1][0]
                            db.execute("DELETE FROM pages WHERE version != ?", (version,))
                        now = time.time()
                        db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                                       [(k, v, now, len(p[0]), p[0], json.dumps(p[1])) for v, k, p in rows])
                    writes += len(rows)
                    if writes >= CHECK_EVERY:
                        writes = 0
                        self._trim(db)
            except (sqlite3.Error, OSError) as e:
                self._fail(e)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if len(rows) < len(batch):  # closed
                if db is not None:
                    db.close()
                return

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # it holds names: its owner's only
        os.close(fd)
        db = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
        db.execute("PRAGMA synchronous=OFF")  # a cache: no fsync, not even at checkpoints
        db.executescript(_SCHEMA)
        return db

    def _fail(self, e: Exception) -> None:
        if not self._failed:
            self._failed = True  # a cache: the pages are made as if none were kept
            log.warning("shared pages %s unusable (%s): each process keeps its own", self.path, e)

    def _trim(self, db: sqlite3.Connection) -> None:
        """The oldest pages out until the file holds at most ``max_bytes`` of them."""
        total = db.execute("SELECT coalesce(sum(size), 0) FROM pages").fetchone()[0]
        if total <= self.max_bytes:
            return
        with db:
            db.execute("""DELETE FROM pages WHERE key IN (
                SELECT key FROM (SELECT key, sum(size) OVER (ORDER BY made DESC) AS newer FROM pages)
                WHERE newer > ?)""", (self.max_bytes,))


def _digest(key: Hashable) -> bytes:
    return hashlib.sha1(repr(key).encode(), usedforsecurity=False).digest()
