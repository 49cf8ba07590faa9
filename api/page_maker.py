"""A process of its own that makes the pages an API process has not kept yet (#18).

Under load an API process's event loop is never idle: it answers kept pages back to back. A page
still to be made waited for that process twice over — its Neo4j query's every hand-over needs
the interpreter the loop holds, and the process (at niceness ``TUPU_API_NICE``, to leave the
cores to the database) waits for a core. Timed inside the API, the query of a member's page took
p50 96 / p99 928 ms while the same query from an idle process took p50 6 / p99 23 ms
(docs/benchmarks.md, Load). So each served API process starts one maker, at the niceness it was
started with, that does nothing else: the loop sends it the page's job over a socket pair and
awaits the bytes, with no thread of its own in between.

A job is the page's key in :class:`api.page_cache.PageCache`, whose first item names what to
make (:data:`JOBS`), e.g. ``("entity", label, key, scope_kind, scope_value)``. If the maker
cannot answer (it died, or the job failed), the page is made in the API's own threads as
before, so an error is the route's own to answer.

    python -m api.page_maker FD   # started by :meth:`PageMaker.start`, not by hand
"""
from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from graph.privacy import mask_text

log = logging.getLogger("tupu.api")

Page = tuple[bytes, dict[str, str]]  # a JSON body, gzipped, and its headers
Job = tuple[Any, ...]
THREADS = 8  # jobs made at once in the maker: each mostly waits on the database
BATCH = 32  # queued jobs made together, at most
RESTART_SECONDS = 60.0  # a maker that died is started again no sooner than this after the last start
SWITCH_INTERVAL = 0.0005  # seconds (Python's default: 0.005)
_HEAD = struct.Struct("!I")  # a frame: its length, then a pickle


def pack(made: tuple[bytes, dict[str, str]]) -> Page:
    """A made page as it is kept and sent: gzipped at level 1 (~45 µs for a 10 KB page, 5× smaller)."""
    return gzip.compress(made[0], 1, mtime=0), made[1]


def _frame(message: object) -> bytes:
    frame = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(frame)) + frame


def _spawn() -> tuple[socket.socket, subprocess.Popen]:
    """A maker process, and this process's end of the socket pair it answers on."""
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen([sys.executable, "-m", "api.page_maker", str(theirs.fileno())],
                            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
    theirs.close()
    return ours, proc


class MakerUnavailable(Exception):
    """The maker did not make the page (gone, or the job failed): make it in-process."""


class PageMaker:
    """The API side: sends jobs to the maker process and awaits their pages on the event loop.

    Pickles cross only this socket pair between a process and the child it started, so nothing
    outside can write to it.
    """

    def __init__(self, sock: socket.socket, proc: subprocess.Popen | None,
                 spawn: Callable[[], tuple[socket.socket, subprocess.Popen]] | None = None) -> None:
        self._sock, self._proc, self._spawn = sock, proc, spawn
        self._writer: asyncio.Future[asyncio.StreamWriter] | None = None  # once connected
        self._waiting: dict[int, asyncio.Future[Page | None]] = {}
        self._next = 0
        self._gone = False
        self._closed = False
        self._started = time.monotonic()

    @classmethod
    def start(cls) -> PageMaker:
        """A maker for this process: the same environment (settings, store), the niceness this
        process has now. Call it before :func:`api.app.yield_cpu`. One that dies is started
        again (at most once every :data:`RESTART_SECONDS`), at the niceness of that moment."""
        return cls(*_spawn(), spawn=_spawn)

    def _restart(self) -> None:
        """A maker gone, started again when it may be (meanwhile the pages are made in-process)."""
        if self._closed or self._spawn is None or time.monotonic() - self._started < RESTART_SECONDS:
            return
        self._started = time.monotonic()
        self._disconnect()  # (the old reader has ended: that is what marked the maker gone)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
        try:
            self._sock, self._proc = self._spawn()
        except OSError as e:
            log.warning("page maker not restarted (%s)", type(e).__name__)
            return
        self._writer, self._gone = None, False
        log.warning("page maker restarted")

    async def make(self, job: Hashable) -> Page | None:
        """The page ``job`` names, gzipped (``None``: it has none); raises :class:`MakerUnavailable`."""
        if self._gone:
            self._restart()
        if self._gone:
            raise MakerUnavailable("gone")
        loop = asyncio.get_running_loop()
        if self._writer is None:  # the first job: one connection and one reader, on this loop
            self._writer = loop.create_task(self._connect())
        writer = await self._writer
        if self._gone:  # (its reader may have ended meanwhile: nothing would answer)
            raise MakerUnavailable("gone")
        self._next += 1
        asked = self._waiting[self._next] = loop.create_future()
        writer.write(_frame((self._next, job)))
        return await asked

    async def _connect(self) -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection(sock=self._sock)
        self._reading = asyncio.get_running_loop().create_task(self._read(reader))  # (kept: not collected)
        return writer

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                size, = _HEAD.unpack(await reader.readexactly(_HEAD.size))
                number, page, error = pickle.loads(await reader.readexactly(size))
                asked = self._waiting.pop(number, None)
                if asked is None or asked.done():
                    continue
                if error is None:
                    asked.set_result(page)
                else:
                    asked.set_exception(MakerUnavailable(error))
        except (asyncio.IncompleteReadError, OSError) as e:
            log.warning("page maker gone (%s): pages are made in the API's own threads", type(e).__name__)
        finally:
            self._gone = True
            for asked in self._waiting.values():
                if not asked.done():
                    asked.set_exception(MakerUnavailable("gone"))
            self._waiting.clear()

    def _disconnect(self) -> None:
        if self._writer is not None and self._writer.done() and not self._writer.exception():
            with contextlib.suppress(RuntimeError):  # its loop already closed
                self._writer.result().close()
        self._sock.close()

    def close(self) -> None:
        """Stop the maker (it also stops by itself when this process's end of the pair closes)."""
        self._gone = self._closed = True
        self._disconnect()
        if self._proc is None:
            return
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()


def _entities(store, policy, jobs: list[Job]) -> list[tuple[bytes, dict] | None]:
    """Entity pages, ``("entity", label, key, scope_kind, scope_value)`` each: one question to
    the store for the jobs of each label and scope."""
    from api.entity_json import entity_jsons
    from graph.analyses.scope import Scope

    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, (_, label, _key, kind, value) in enumerate(jobs):
        groups[(label, kind, value)].append(i)
    pages: list[tuple[bytes, dict] | None] = [None] * len(jobs)
    for (label, kind, value), at in groups.items():
        made = entity_jsons(store, Scope(store, kind, value, policy), label, [jobs[i][2] for i in at])
        for i, page in zip(at, made):
            pages[i] = page
    return pages


# what a job's first item names -> the function that makes a list of such jobs' pages
JOBS: dict[str, Callable[..., list[tuple[bytes, dict] | None]]] = {"entity": _entities}


def serve(sock: socket.socket, make: Callable[[list[Job]], list[tuple[bytes, dict] | None]]) -> None:
    """Answer the jobs read from ``sock`` with ``make``'s pages, gzipped, until it closes.

    Jobs that queue up while every thread is busy (the first visits after a start or a new
    load) are made together, up to :data:`BATCH` at a time: one round trip to the store for
    them all rather than one each."""
    lock = threading.Lock()  # one frame written at a time
    queued: queue.SimpleQueue[tuple[int, Job] | None] = queue.SimpleQueue()

    def answer(batch: list[tuple[int, Job]]) -> None:
        replies: list[tuple[int, Page | None, str | None]]
        try:
            made = make([job for _, job in batch])
            replies = [(number, None if page is None else pack(page), None)
                       for (number, _), page in zip(batch, made, strict=True)]
        except Exception as e:  # noqa: BLE001 - the API makes them again itself and answers the error
            error = mask_text(f"{type(e).__name__}: {e}")
            replies = [(number, None, error) for number, _ in batch]
        with lock, contextlib.suppress(OSError):
            sock.sendall(b"".join(_frame(reply) for reply in replies))

    def work() -> None:
        while (first := queued.get()) is not None:
            batch = [first]
            while len(batch) < BATCH:
                try:
                    more = queued.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    queued.put(None)  # (for this thread's next turn)
                    break
                batch.append(more)
            for kind in {job[0] for _, job in batch}:  # (one kind today: entity pages)
                answer([item for item in batch if item[1][0] == kind])

    threads = [threading.Thread(target=work, name=f"tupu-maker-{i}", daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    stream = sock.makefile("rb")
    while head := stream.read(_HEAD.size):
        if len(head) < _HEAD.size:
            break
        size, = _HEAD.unpack(head)
        queued.put(pickle.loads(stream.read(size)))
    for _ in threads:
        queued.put(None)
    for t in threads:
        t.join()


def main(fd: int) -> None:
    from graph.config import Settings
    from graph.factory import open_store
    from graph.policy import load_policy

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops this
    # a few threads that mostly wait on the database: hand the interpreter over sooner (under
    # load its jobs waited p99 123 ms for a thread at 0.5 ms, 249 ms at the default 5 ms; one run each)
    sys.setswitchinterval(SWITCH_INTERVAL)
    settings = Settings.from_env()
    store, policy = open_store(settings), load_policy(settings.policy)
    try:
        serve(socket.socket(fileno=fd), lambda jobs: JOBS[jobs[0][0]](store, policy, jobs))
    finally:
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
    os._exit(0)  # not waiting for the driver's threads: the API process is gone or going
