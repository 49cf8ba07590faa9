"""Independent reads at once, where that helps: on Neo4j the database runs queries on every
core while this process decodes the answers, so the gaps answer's eighteen rules and its
lookups overlap (#18); the embedded engine works in this process, under one lock, so there they
run one after another.

>>> at_once(object(), [lambda: 1, lambda: 2])
[1, 2]
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# Queries in flight at once: two cores' worth for the database and one being decoded here.
WORKERS = 3


def at_once(engine: Any, calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """What each of ``calls`` returns, in their order: run together on threads when ``engine``
    says its reads may overlap (``concurrent_reads``), else in turn."""
    if len(calls) < 2 or not getattr(engine, "concurrent_reads", False):
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(calls)), thread_name_prefix="tupu-read") as pool:
        return list(pool.map(lambda call: call(), calls))
