"""The FastAPI application: the store is opened in the lifespan and shared by every request."""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import access_log
from api.auth import COOKIE, current_token
from api.deps import NonEmpty
from api.origin import SameOrigin
from api.page_cache import PageCache
from api.page_maker import PageMaker
from api.pages import LOGIN_PAGE, error_page, wants_page
from api.routers import admin, analyses, entities, health, history, ingest, meetings, screening, search, views
from api.shared_pages import SharedPages
from api.turnover import ConnectionTurnover
from api.warm import warm_in_background
from graph.access import AuditLog, TokenStore
from graph.analyses import kept
from graph.config import Settings
from graph.errors import TupuError
from graph.factory import open_store
from graph.policy import Policy, load_policy
from graph.privacy import mask_text
from graph.private import private_home
from graph.store import GraphStore

log = logging.getLogger("tupu.api")





class TokenCookie:
    """A page opened from a link with ?token=… keeps the token in a cookie, so the links inside
    it (views, exports) work without it. A browser's page is then sent on to the same address
    without ``token=`` (303), so the token leaves the address bar, the history and what is
    copied from it; an API client's answer comes at once. Plain ASGI: no per-request overhead
    elsewhere."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        token = None
        if scope["type"] == "http" and b"token=" in scope.get("query_string", b""):
            token = parse_qs(scope["query_string"].decode("latin-1")).get("token", [None])[0]
            if token and scope["app"].state.tokens.lookup(token) is None:
                token = None
        if token is None:
            await self.app(scope, receive, send)
            return
        cookie = (b"set-cookie", f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/".encode("latin-1"))
        headers = dict(scope["headers"])
        if scope["method"] in ("GET", "HEAD") and b"text/html" in headers.get(b"accept", b""):
            rest = [(k, v) for k, v in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                    if k != "token"]
            where = quote(scope.get("root_path", "") + scope["path"]) + (f"?{urlencode(rest)}" if rest else "")
            response = Response(status_code=303, headers={"Location": where, "Cache-Control": "no-store"})
            response.raw_headers.append(cookie)
            await response(scope, receive, send)
            return

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), cookie]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class BodyLimit:
    """Refuse a request body over ``max_bytes`` before it is read (an upload is spooled to disk
    whole before the route runs): by its Content-Length, and by counting what arrives in case
    it sends more than it said."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        mb = self.max_bytes // (1024 * 1024)
        if length is None or not length.isdigit() or int(length) > self.max_bytes:
            status = 411 if length is None else 413
            text = ("上传须带 Content-Length" if status == 411 else
                    f"上传过大：每次最多 {mb} MB（TUPU_MAX_UPLOAD_MB），请分批上传")
            await JSONResponse({"detail": text}, status_code=status)(scope, receive, send)
            return
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > int(length):  # more than it said: stop reading
                return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)


GC_YOUNG_THRESHOLD = 50_000


def serve_app() -> FastAPI:
    """The application as ``tupu serve`` runs it: it also works out every rule's gaps in the
    background as it starts, so the first users' questions find the answer ready."""
    # A request allocates thousands of short-lived objects (records, dicts, models): at the
    # default threshold (700) the young generation was collected every few requests, about a
    # tenth of a worker's CPU under load. Nearly all of them die by reference counting anyway.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    settings = Settings.from_env()
    # pages not kept yet are made by a process of their own, at the niceness this one has now
    maker = PageMaker.start() if settings.page_maker and settings.backend == "neo4j" else None
    yield_cpu(settings.api_nice)
    app = create_app(warm=True, settings=settings, maker=maker)
    every = app.state.settings.requests_per_connection
    if every:  # 0: connections kept as long as their clients keep them
        app.add_middleware(ConnectionTurnover, every=every)
    return app


def yield_cpu(nice: int) -> None:
    """Run this process (and the threads it starts) at niceness ``nice`` at least. On a machine
    shared with Neo4j, answers not yet kept wait on the database: under load the API's processes
    took the cores and Neo4j's threads waited for them (a one-row query from an idle process:
    p90 0.3–3.9 s during the load test; 3.5 ms at niceness 10 with the local Neo4j's JVM flags,
    neo4j_local/launcher.py), so the pages still to be made waited seconds. The database asks
    for little CPU; given it first, everything gains (docs/benchmarks.md, Load)."""
    if nice > 0:
        with contextlib.suppress(OSError):  # (raising one's niceness never needs a privilege)
            os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))


def _repair_history(home: Path, store: GraphStore, policy: Policy) -> None:
    """At start, finish what a crash left half done in the history (a record or an undo); a
    damaged history is logged, and said on the pages that need it, not a server that fails to start."""
    from graph.history import History

    try:
        for note in History(home).repair(store, policy):
            logging.getLogger("tupu").warning("历史记录：%s", note)
    except Exception as e:  # noqa: BLE001 - (DamagedRecord, a full disk): the pages say what is wrong
        logging.getLogger("tupu").error("历史记录无法修复：%s", e)


def create_app(store_factory: Callable[[], GraphStore] | None = None,
               policy: Policy | None = None, tokens: TokenStore | None = None,
               audit: AuditLog | None = None, warm: bool = False, settings: Settings | None = None,
               maker: PageMaker | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    private_home(settings.home)  # everything it writes there holds personal data: its owner's only
    answers = settings.home / "answers"  # the served app's answers and pages, for all its processes
    access_log.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.policy = policy or load_policy(settings.policy)
        # the store of this process's one settings object (not the environment read again)
        app.state.store = store_factory() if store_factory else open_store(settings)
        _repair_history(settings.home, app.state.store, app.state.policy)
        if warm:  # the served app: large answers kept on disk for its other processes too
            kept.keep_on_disk(app.state.store, answers)
            warm_in_background(app.state.store, app.state.policy)
        try:
            yield
        finally:
            app.state.store.close()
            app.state.pages.close()
            if maker is not None:
                maker.close()

    # /docs and /redoc with their scripts served from the package (fastapi-offline), not a CDN
    app = FastAPIOffline(
        title="党建图谱 Tupu",
        description="基层党组织及其联系的图谱知识库：找未结对单位、查覆盖缺口、展示党建联盟网络。",
        version="0.1.0",
        lifespan=lifespan,
    )

    app.state.settings = settings
    app.state.warm = warm
    app.state.maker = maker
    # encoded pages of this process and, served, of its sibling processes (api/shared_pages.py)
    app.state.pages = PageCache(shared=SharedPages(answers / "pages.sqlite") if warm else None)
    app.state.load_slots = threading.BoundedSemaphore(settings.limits.concurrent_loads)
    app.state.tokens = tokens or TokenStore(settings.home / "tokens.json")
    app.state.audit = audit or AuditLog.at(settings.home)

    app.add_middleware(TokenCookie)
    app.add_middleware(BodyLimit, max_bytes=settings.limits.upload_mb * 1024 * 1024)
    app.add_middleware(SameOrigin)  # outermost: every answer has its Referrer-Policy, a refused post sets no cookie

    @app.exception_handler(TupuError)
    async def tupu_error(request: Request, exc: TupuError) -> Response:
        """Every error of Tupu's own, answered with its kind's status and its Chinese message
        (a page for a browser, JSON for the API)."""
        if exc.status >= 500:
            log.warning("%s: %s", type(exc).__name__, mask_text(str(exc)))
        details = exc.details()
        if wants_page(request):
            cands = details.get("candidates")
            return HTMLResponse(error_page(exc.status, exc.public_message(),
                                           cands if isinstance(cands, list) else None), status_code=exc.status)
        return JSONResponse({"detail": exc.public_message(), **details}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        """Pages opened in a browser get a page in Chinese, the API its JSON."""
        if wants_page(request):
            if exc.status_code == 401:
                return HTMLResponse(LOGIN_PAGE, status_code=401)
            if exc.status_code in (403, 404, 405, 409, 413, 422, 429):
                return HTMLResponse(error_page(exc.status_code, str(exc.detail)), status_code=exc.status_code)
        return await http_exception_handler(request, exc)

    app.include_router(health.router)  # the only route without a token
    for router in (entities.router, search.router, analyses.router, history.router,
                   screening.router):  # about the data
        app.include_router(router, dependencies=[Depends(current_token), NonEmpty])
    for router in (ingest.router, views.router, admin.router, meetings.router):  # (views: not home)
        app.include_router(router, dependencies=[Depends(current_token)])
    return app
