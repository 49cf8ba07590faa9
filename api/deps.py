"""Shared resources of the API, handed to routes as FastAPI dependencies.

Dependencies that only look something up are ``async def``: FastAPI runs a plain ``def``
dependency in its thread pool, a hand-off per dependency per request that costs more under load
than the lookup itself."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from graph.analyses.nonempty import require_data
from graph.model import LABEL_OF_ZH, LABELS, UnknownLabel
from graph.policy import Policy
from graph.store import GraphStore


def _as_of(request: Request) -> dt.date | None:
    """``?as_of=`` of a read (a malformed date is the route's own 422 to give)."""
    text = request.query_params.get("as_of") if request.method in ("GET", "HEAD") else None
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def get_store(request: Request) -> GraphStore:
    """The store; for a read ``?as_of=`` a date before the last load, the graph as the ledgers
    loaded by then left it (so every analysis, view and page answers as the graph stood)."""
    store: GraphStore = request.app.state.store
    day = _as_of(request)
    if day is None:
        return store
    from graph.history import store_as_of

    settings = request.app.state.settings
    return store_as_of(store, settings.home, day, settings)


Store = Annotated[GraphStore, Depends(get_store)]


async def get_current_store(request: Request) -> GraphStore:
    """The graph now, whatever ``?as_of=`` asks (the past graphs are built from it)."""
    return request.app.state.store  # type: ignore[no-any-return]


CurrentStore = Annotated[GraphStore, Depends(get_current_store)]


async def get_policy(request: Request) -> Policy:
    return request.app.state.policy


PolicyDep = Annotated[Policy, Depends(get_policy)]


def resolve_label(label: str) -> str:
    """Accept a label in English (``Organization``) or Chinese (``党组织``)."""
    name = LABEL_OF_ZH.get(label, label)
    if name not in LABELS:
        raise HTTPException(404, f"未知的实体类型 unknown label: {label}")
    return name


@contextmanager
def load_slot(request: Request) -> Iterator[None]:
    """Hold one of the ``concurrent_loads`` slots for a long write or match (a load, an undo, a
    registry matched): beyond them the answer is 429 at once, so the server never queues work it
    cannot start, and reads keep being answered."""
    slots = request.app.state.load_slots
    if not slots.acquire(blocking=False):
        raise HTTPException(429, "服务器正在处理其他载入或比对，请稍后再试")
    try:
        yield
    finally:
        slots.release()


async def nonempty(store: Store) -> None:
    """Routes that answer about the data say so when nothing has been loaded (never zeros)."""
    require_data(store)


NonEmpty = Depends(nonempty)

__all__ = ["CurrentStore", "NonEmpty", "Store", "PolicyDep", "get_store", "get_policy", "load_slot", "resolve_label",
           "UnknownLabel"]
