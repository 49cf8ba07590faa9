"""Answers kept on disk, per version of the data (#18): a large answer (every gap of a
province: 16 s at a million members) is worked out by one process and read back by the others
and by the next one started, as long as the data has not changed since.

Only for a store whose version is the data's own and the same in every process
(``GraphStore.data_version``; Neo4j: the ``TupuMeta`` node every write through Tupu renews), and
only for a store the served app gave a folder (:func:`keep_on_disk`). The file of an answer is
written by one process while the others wait for it (a lock file), replaced atomically, readable
by its owner only (it holds names), and used for at most :data:`graph.analyses.cache.TTL`
seconds: the in-memory cache's backstop against writes that bypass Tupu applies to it too.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import time
import weakref
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from graph.analyses.cache import TTL, cached
from graph.collector import collector_paused
from graph.store import GraphStore

T = TypeVar("T")
log = logging.getLogger("tupu.analyses")

KEEP_FILES = 8  # answers of older versions are removed beyond this many
# store -> the folder its answers are kept in (the served app's store: $TUPU_HOME/answers); held
# weakly, so a store closed with its app takes its setting with it
_folders: "weakref.WeakKeyDictionary[GraphStore, Path]" = weakref.WeakKeyDictionary()


def keep_on_disk(store: GraphStore, folder: Path) -> None:
    """Keep ``store``'s large answers in ``folder`` too (the served app does, for its store)."""
    _folders[store] = folder


def kept(store: GraphStore, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s answer kept in memory until the data changes (``graph.analyses.cache``)
    and, for a store with a folder, on disk for other processes (:func:`on_disk`)."""
    return cached(store, key, lambda: on_disk(store, key, compute))


def on_disk(store: GraphStore, key: Hashable, compute: Callable[[], T], ttl: float = TTL) -> T:
    """``compute()``'s answer, read from disk when a process worked it out for this version of
    the data less than ``ttl`` seconds ago (see the module docstring)."""
    folder = _folders.get(store)
    version = store.data_version() if folder is not None else None
    if folder is None or version is None:
        return compute()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = hashlib.sha256(repr((version, key)).encode()).hexdigest()[:32]
    path = folder / f"{name}.pickle"
    with open(folder / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process computes; the others wait, then read
        try:
            if time.time() - path.stat().st_mtime < ttl:
                with open(path, "rb") as f:
                    value: T = _load(f)
                return value
        except FileNotFoundError:
            pass
        except Exception as e:  # noqa: BLE001 - a damaged file is worked out again
            log.warning("kept answer %s unreadable (%s): computing it again", path.name, type(e).__name__)
        value = compute()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    _prune(folder)
    return value


class _Frames:
    """A file read by the unpickler one frame (64 KB) at a time through Python code, where the
    interpreter may hand over to another thread: unpickling from the file itself holds it for
    the whole read (2 s for every gap at a million members), and a request of the process, whose
    answer was at hand, waited behind the warm-up reading another (the home page: 0.8 s alone,
    3.6 s then)."""

    def __init__(self, f: Any) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        time.sleep(0)  # let a waiting thread have the interpreter now, not after its 5 ms switch interval
        return self._f.read(n)

    def readline(self) -> bytes:
        return self._f.readline()


def _load(f: Any) -> Any:
    with collector_paused():
        return pickle.load(_Frames(f))


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_FILES:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)
