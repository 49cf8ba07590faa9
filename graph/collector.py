"""Python's cyclic garbage collector paused while a large answer is built or read back.

Hundreds of thousands of objects allocated at once and kept set off the collector's full
collections over and over, each walking everything kept so far: at a million members a third of
reading the gaps answer from disk and 2.4 s of the 9 s of explaining its rows (#18). Those
objects die by reference counting, not as cycles, so nothing is lost by waiting; the collector
runs again once the last builder in the process is done.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
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
