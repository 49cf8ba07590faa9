"""The FastAPI application: the store is opened in the lifespan and shared by every request."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.routers import analyses, entities, health, ingest, search, views
from graph.analyses.gaps import UnknownRule
from graph.analyses.trace import NotFound
from graph.config import Settings
from graph.factory import open_store
from graph.policy import Policy, load_policy
from graph.model import UnknownLabel
from graph.privacy import mask_text
from graph.store import GraphStore, StoreUnavailable

log = logging.getLogger("tupu.api")

UNAVAILABLE = "图数据库暂时无法连接，请稍后再试 (the graph store is unavailable, try again later)"


def create_app(store_factory: Callable[[], GraphStore] = open_store,
               policy: Policy | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.policy = policy or load_policy(Settings.from_env().policy)
        app.state.store = store_factory()
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="党建图谱 Tupu",
        description="基层党组织及其联系的图谱知识库：找未结对单位、查覆盖缺口、展示党建联盟网络。",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.warning("store unavailable: %s", mask_text(str(exc)))
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503)

    @app.exception_handler(UnknownLabel)
    async def unknown_label(request: Request, exc: UnknownLabel) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(UnknownRule)
    async def unknown_rule(request: Request, exc: UnknownRule) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    for router in (health.router, entities.router, search.router, analyses.router, ingest.router,
                   views.router):
        app.include_router(router)
    return app
