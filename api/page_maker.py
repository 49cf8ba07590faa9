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
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graph.privacy import mask_text

log = logging.getLogger("tupu.api")

Page = tuple[bytes, dict[str, str]]  # a JSON body, gzipped, and its headers
Job = tuple[Any, ...]
THREADS = 8  # jobs made at once in the maker: each mostly waits on the database
SWITCH_INTERVAL = 0.0005  # seconds (Python's default: 0.005)
_HEAD = struct.Struct("!I")  # a frame: its length, then a pickle


def pack(made: tuple[bytes, dict[str, str]]) -> Page:
    """A made page as it is kept and sent: gzipped at level 1 (~45 µs for a 10 KB page, 5× smaller)."""
    return gzip.compress(made[0], 1, mtime=0), made[1]


def _frame(message: object) -> bytes:
    frame = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(frame)) + frame


class MakerUnavailable(Exception):
    """The maker did not make the page (gone, or the job failed): make it in-process."""


class PageMaker:
    """The API side: sends jobs to the maker process and awaits their pages on the event loop.

    Pickles cross only this socket pair between a process and the child it started, so nothing
    outside can write to it.
    """

    def __init__(self, sock: socket.socket, proc: subprocess.Popen | None) -> None:
        self._sock, self._proc = sock, proc
        self._writer: asyncio.Future[asyncio.StreamWriter] | None = None  # once connected
        self._waiting: dict[int, asyncio.Future[Page | None]] = {}
        self._next = 0
        self._gone = False

    @classmethod
    def start(cls) -> PageMaker:
        """A maker for this process: the same environment (settings, store), the niceness this
        process has now. Call it before :func:`api.app.yield_cpu`."""
        ours, theirs = socket.socketpair()
        proc = subprocess.Popen([sys.executable, "-m", "api.page_maker", str(theirs.fileno())],
                                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        return cls(ours, proc)

    async def make(self, job: Hashable) -> Page | None:
        """The page ``job`` names, gzipped (``None``: it has none); raises :class:`MakerUnavailable`."""
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

    def close(self) -> None:
        """Stop the maker (it also stops by itself when this process's end of the pair closes)."""
        self._gone = True
        if self._writer is not None and self._writer.done() and not self._writer.exception():
            with contextlib.suppress(RuntimeError):  # its loop already closed
                self._writer.result().close()
        self._sock.close()
        if self._proc is None:
            return
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()


def _entity(store, policy, label: str, key: str, kind: str, value: str | None) -> tuple[bytes, dict] | None:
    from api.entity_json import entity_json
    from graph.analyses.scope import Scope

    return entity_json(store, Scope(store, kind, value, policy), label, key)


JOBS: dict[str, Callable[..., tuple[bytes, dict] | None]] = {"entity": _entity}


def serve(sock: socket.socket, make: Callable[[Job], tuple[bytes, dict] | None]) -> None:
    """Answer the jobs read from ``sock`` with ``make``'s pages, gzipped, until it closes."""
    lock = threading.Lock()  # one frame written at a time

    def answer(number: int, job: Job) -> None:
        reply: tuple[int, Page | None, str | None]
        try:
            made = make(job)
            reply = (number, None if made is None else pack(made), None)
        except Exception as e:  # noqa: BLE001 - the API makes it again itself and answers the error
            reply = (number, None, mask_text(f"{type(e).__name__}: {e}"))
        with lock, contextlib.suppress(OSError):
            sock.sendall(_frame(reply))

    stream = sock.makefile("rb")
    with ThreadPoolExecutor(THREADS, thread_name_prefix="tupu-maker") as pool:
        while head := stream.read(_HEAD.size):
            if len(head) < _HEAD.size:
                break
            size, = _HEAD.unpack(head)
            number, job = pickle.loads(stream.read(size))
            pool.submit(answer, number, job)


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
        serve(socket.socket(fileno=fd), lambda job: JOBS[job[0]](store, policy, *job[1:]))
    finally:
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
    os._exit(0)  # not waiting for the driver's threads: the API process is gone or going
