"""Python's cyclic garbage collector paused while a large answer is built or read back, or
relaxed while a load runs.

Hundreds of thousands of objects allocated at once and kept set off the collector's full
collections over and over, each walking everything kept so far: at a million members a third of
reading the gaps answer from disk and 2.4 s of the 9 s of explaining its rows (#18). Those
objects die by reference counting, not as cycles, so nothing is lost by waiting; the collector
runs again once the last builder in the process is done.

A load (:func:`collector_relaxed`) makes millions of objects that live for a batch, and the
collector walked each of them up to three times before it died by reference counting: a third of
a load into the embedded store, a fifth of reading and checking. Paused outright, the Neo4j
driver's own cycles (a few per query) piled up to 4.3 GB in a load at 1M members; relaxed, young
collections run every :data:`RELAXED` new objects rather than 700, long enough for a batch's
objects to die first, and the driver's cycles still go while they are young.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> with collector_relaxed():
...     gc.get_threshold()[0]
100000
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_builders = 0  # threads inside collector_paused()
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    global _builders, _was_enabled
    with _lock:
        if _builders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _builders += 1
    try:
        yield
    finally:
        with _lock:
            _builders -= 1
            if _builders == 0 and _was_enabled:
                gc.enable()


RELAXED = (100_000, 10, 10)  # young collections every 100,000 new objects (Python's default: 700)
_relaxers = 0
_was_threshold: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def collector_relaxed() -> Iterator[None]:
    global _relaxers, _was_threshold
    with _lock:
        if _relaxers == 0:
            _was_threshold = gc.get_threshold()
            gc.set_threshold(*RELAXED)
        _relaxers += 1
    try:
        yield
    finally:
        with _lock:
            _relaxers -= 1
            if _relaxers == 0:
                gc.set_threshold(*_was_threshold)
