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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

RELAXED = (100_000, 10, 10)  # young collections every 100,000 new objects (Python's default: 700)


def _while_any_inside(change: Callable[[], Callable[[], None]]) -> Callable[[], AbstractContextManager[None]]:
    """A context for a process-wide setting: ``change()`` (which returns how to undo it) when
    the first thread enters, undone when the last one leaves (threads may be inside at once)."""
    lock = threading.Lock()
    inside = 0
    undo: Callable[[], None] = _nothing

    @contextmanager
    def context() -> Iterator[None]:
        nonlocal inside, undo
        with lock:
            if inside == 0:
                undo = change()
            inside += 1
        try:
            yield
        finally:
            with lock:
                inside -= 1
                if inside == 0:
                    undo()

    return context


def _nothing() -> None:
    return None


def _pause() -> Callable[[], None]:
    was = gc.isenabled()
    gc.disable()
    return gc.enable if was else _nothing


def _relax() -> Callable[[], None]:
    was = gc.get_threshold()
    gc.set_threshold(*RELAXED)
    return lambda: gc.set_threshold(*was)


collector_paused = _while_any_inside(_pause)
collector_relaxed = _while_any_inside(_relax)
