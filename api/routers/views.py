"""The network views and the home page, as self-contained HTML pages."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.auth import ScopeDep, Token
from api.deps import CurrentStore, NonEmpty, PolicyDep, Store
from api.routers.analyses import Org, Region, place
from graph.analyses.scope import Scope
from graph.analyses.trace import find_entity
from graph.history import History, store_as_of
from graph.history.campaigns import CampaignBook, campaigns_in_force, progress_of
from graph.history.damage import DamagedRecord
from graph.history.seen import changes_seen
from graph.rules import RULES
from graph.store import GraphStore
from viz import views
from viz.compare import view_against
from viz.home import campaign_html, gap_list_html, home_html
from viz.meetings import MeetingBook
from viz.registry import VIEWS
from viz.render import render_html, vis_data

T = TypeVar("T")

router = APIRouter(tags=["网络图"], default_response_class=HTMLResponse)
AsOf = Annotated[dt.date | None, Query(description="按哪一天判定，默认今天")]
Compare = Annotated[dt.date | None, Query(description="与哪一天的台账对比：之后新增的标［新］，已不在的淡色虚线显示")]


def _page(scope, build, *args, fmt: str = "html", **kwargs) -> Response:
    """Build a view (its root already resolved among what the scope may see) and keep only what
    the scope may see: a page, or its nodes and edges as JSON (``fmt="json"``: a page adding a
    node's neighbours in place)."""
    try:
        view = views.filter_view(build(*args, **kwargs), scope)
    except views.ViewNotFound:
        raise HTTPException(404, "未找到") from None
    return JSONResponse(vis_data(view)) if fmt == "json" else HTMLResponse(render_html(view))


@router.get("/", summary="首页：总量、缺口、覆盖率、联盟")
def home(request: Request, store: Store, current: CurrentStore, policy: PolicyDep, scope: ScopeDep, token: Token,
         as_of: AsOf = None):
    home, history = request.app.state.settings.home, History(request.app.state.settings.home)
    damaged: list[DamagedRecord] = []  # a damaged record: what it feeds is left out, and said

    def readable(read: Callable[[], T]) -> T | None:
        try:
            return read()
        except DamagedRecord as e:
            damaged.append(e)
            return None

    meetings = MeetingBook(home).list(scope, damaged)
    last = readable(history.since_last)
    since = None if last is None else readable(lambda: changes_seen(history, current, scope, last))
    progress = readable(lambda: [(r.date, f) for r, f in history.progress()]) or []
    campaigns = readable(lambda: campaigns_in_force(history, CampaignBook(home), store, scope)) or []
    return HTMLResponse(home_html(store, policy, as_of, scope, can_upload=token.role in ("admin", "analyst"),
                                  meetings=meetings, since=since, progress=progress, campaigns=campaigns,
                                  damaged=list(dict.fromkeys(d.path.name for d in (*history.damaged.values(),
                                                                                    *damaged)))))


@router.get("/views/campaigns/{name}", summary="集中攻坚进展页：开始时、已补齐、仍未补齐，按街道排名")
def campaign_page(name: str, request: Request, store: Store, scope: ScopeDep):
    home = request.app.state.settings.home
    return HTMLResponse(campaign_html(progress_of(History(home), CampaignBook(home).get(name, scope), store, scope)))


@router.get("/views/gaps/{rule}", summary="某条规则的缺口清单", dependencies=[NonEmpty])
def gap_list(rule: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None,
             region: Region = None, org: Org = None):
    if rule.upper() not in RULES:
        raise HTTPException(404, f"未知的规则 {rule}")
    return HTMLResponse(gap_list_html(store, policy, rule.upper(), as_of, scope, *place(store, scope, region, org)))


@router.get("/views/alliance/{id}", summary="党建联盟网络图", dependencies=[NonEmpty])
def alliance(id: str, request: Request, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None,
             compare: Compare = None):
    return _view(store, scope, "alliance", id, as_of=as_of, policy=policy, compare=_earlier(request, compare))


@router.get("/views/tree/{id}", summary="组织体系图", dependencies=[NonEmpty])
def tree(id: str, request: Request, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None,
         compare: Compare = None):
    return _view(store, scope, "tree", id, as_of=as_of, policy=policy, compare=_earlier(request, compare))


@router.get("/views/coverage/{region}", summary="街道或社区覆盖情况图", dependencies=[NonEmpty])
def coverage(region: str, request: Request, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None,
             compare: Compare = None):
    return _view(store, scope, "coverage", region, as_of=as_of, policy=policy, compare=_earlier(request, compare))


@router.get("/views/pairings", summary="结对网络图（按街道分组）", dependencies=[NonEmpty])
def pairings(request: Request, store: Store, policy: PolicyDep, scope: ScopeDep,
             region: Annotated[str | None, Query(description="区划代码，默认全域")] = None,
             as_of: AsOf = None, compare: Compare = None):
    return _view(store, scope, "pairings", region, as_of=as_of, policy=policy, compare=_earlier(request, compare))


@router.get("/views/neighbourhood/{id}", summary="实体的关联网络", dependencies=[NonEmpty])
def neighbourhood(id: str, store: Store, policy: PolicyDep, scope: ScopeDep,
                  hops: Annotated[int, Query(ge=1, le=3, description="几步以内")] = 1,
                  as_of: AsOf = None,
                  format: Annotated[Literal["html", "json"], Query(
                      description="html：网页；json：节点与连线（网页中就地展开用）")] = "html"):
    return _view(store, scope, "neighbourhood", id, hops, as_of=as_of, policy=policy, fmt=format)


@router.get("/views/path", summary="两个实体之间的最短联系图", dependencies=[NonEmpty])
def path(store: Store, policy: PolicyDep, scope: ScopeDep, a: Annotated[str, Query(min_length=1)],
         b: Annotated[str, Query(min_length=1)], as_of: AsOf = None):
    a, b = (find_entity(store, key, visible=scope.nodes).key for key in (a, b))
    return _page(scope, views.path_view, store, a, b, as_of=as_of, policy=policy)


def _earlier(request: Request, day: dt.date | None) -> tuple[dt.date, GraphStore] | None:
    """``?compare=``: the date and the graph as the ledgers loaded by then left it."""
    if day is None:
        return None
    return day, store_as_of(request.app.state.store, request.app.state.settings.home, day)


def _view(store, scope, kind: str, root: str | None, *args, compare: tuple[dt.date, GraphStore] | None = None,
          **kwargs) -> Response:
    """A registered view (viz.registry) whose root, a code or a name, is resolved among what the
    scope may see (outside answers exactly as missing); with ``compare``, drawn against the
    same view on an earlier date (viz.compare)."""
    spec = VIEWS[kind]
    key = find_entity(store, root, spec.root, visible=scope.nodes).key if root else None
    if compare is None:
        return _page(scope, spec.build, store, key, *args, **kwargs)
    day, earlier = compare
    try:
        view = view_against(spec.build, store, earlier, day, key, *args, **kwargs,
                            keep=lambda v, s: views.filter_view(v, Scope(s, scope.kind, scope.value, scope.policy)))
    except views.ViewNotFound:
        raise HTTPException(404, "未找到") from None
    return HTMLResponse(render_html(view))
