"""Shared resources of the API, handed to routes as FastAPI dependencies.

Dependencies that only look something up are ``async def``: FastAPI runs a plain ``def``
dependency in its thread pool, a hand-off per dependency per request that costs more under load
than the lookup itself."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from graph.analyses.nonempty import require_data
from graph.model import LABELS, UnknownLabel
from graph.policy import Policy
from graph.store import GraphStore

_ZH_TO_LABEL = {spec.zh: name for name, spec in LABELS.items()}


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


Store = Annotated[GraphStore, Depends(get_store)]


async def get_policy(request: Request) -> Policy:
    return request.app.state.policy


PolicyDep = Annotated[Policy, Depends(get_policy)]


def resolve_label(label: str) -> str:
    """Accept a label in English (``Organization``) or Chinese (``党组织``)."""
    name = _ZH_TO_LABEL.get(label, label)
    if name not in LABELS:
        raise HTTPException(404, f"未知的实体类型 unknown label: {label}")
    return name


async def nonempty(store: Store) -> None:
    """Routes that answer about the data say so when nothing has been loaded (never zeros)."""
    require_data(store)


NonEmpty = Depends(nonempty)

__all__ = ["NonEmpty", "Store", "PolicyDep", "get_store", "get_policy", "resolve_label", "UnknownLabel"]
