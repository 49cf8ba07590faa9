"""The network views and the home page, as self-contained HTML pages."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from api.auth import ScopeDep, Token
from api.deps import PolicyDep, Store
from graph.analyses.trace import NotFound, find_entity
from graph.rules import RULES
from viz import views
from viz.home import gap_list_html, home_html
from viz.render import render_html

router = APIRouter(tags=["网络图"], default_response_class=HTMLResponse)
AsOf = Annotated[dt.date | None, Query(description="按哪一天判定，默认今天")]


def _page(scope, root: tuple[str, str] | None, build, *args, **kwargs) -> HTMLResponse:
    """Build a view whose root entity the scope may see, and keep only what it may see."""
    if root is not None and not scope.allows(*root):
        raise HTTPException(404, "未找到")
    try:
        return HTMLResponse(render_html(views.filter_view(build(*args, **kwargs), scope)))
    except views.ViewNotFound:
        raise HTTPException(404, "未找到") from None


@router.get("/", summary="首页：总量、缺口、覆盖率、联盟")
def home(store: Store, policy: PolicyDep, scope: ScopeDep, token: Token, as_of: AsOf = None):
    return HTMLResponse(home_html(store, policy, as_of, scope, can_upload=token.role in ("admin", "analyst")))


@router.get("/views/gaps/{rule}", summary="某条规则的缺口清单")
def gap_list(rule: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None):
    if rule.upper() not in RULES:
        raise HTTPException(404, f"未知的规则 {rule}")
    return HTMLResponse(gap_list_html(store, policy, rule.upper(), as_of, scope))


@router.get("/views/alliance/{id}", summary="党建联盟网络图")
def alliance(id: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None):
    return _page(scope, ("Alliance", id), views.alliance_view, store, id, as_of=as_of, policy=policy)


@router.get("/views/tree/{id}", summary="组织体系图")
def tree(id: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None):
    return _page(scope, ("Organization", id), views.tree_view, store, id, as_of=as_of, policy=policy)


@router.get("/views/coverage/{region}", summary="街道或社区覆盖情况图")
def coverage(region: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None):
    return _page(scope, ("Region", region), views.coverage_view, store, region, as_of=as_of, policy=policy)


@router.get("/views/pairings", summary="结对网络图（按街道分组）")
def pairings(store: Store, policy: PolicyDep, scope: ScopeDep,
             region: Annotated[str | None, Query(description="区划代码，默认全域")] = None,
             as_of: AsOf = None):
    root = ("Region", region) if region else None
    return _page(scope, root, views.pairings_view, store, region, as_of=as_of, policy=policy)


@router.get("/views/neighbourhood/{id}", summary="实体的关联网络")
def neighbourhood(id: str, store: Store, policy: PolicyDep, scope: ScopeDep,
                  hops: Annotated[int, Query(ge=1, le=3, description="几步以内")] = 1,
                  as_of: AsOf = None):
    return _page(scope, _root(store, id), views.neighbourhood_view, store, id, hops, as_of=as_of, policy=policy)


@router.get("/views/path", summary="两个实体之间的最短联系图")
def path(store: Store, policy: PolicyDep, scope: ScopeDep, a: Annotated[str, Query(min_length=1)],
         b: Annotated[str, Query(min_length=1)], as_of: AsOf = None):
    for key in (a, b):
        root = _root(store, key)
        if not scope.allows(*root):
            raise HTTPException(404, "未找到")
    page = _page(scope, None, views.path_view, store, a, b, as_of=as_of, policy=policy)
    return page


def _root(store, key: str) -> tuple[str, str]:
    try:
        node = find_entity(store, key)
    except NotFound:
        raise HTTPException(404, "未找到") from None
    return node.label, node.key
