"""Gaps, unpaired, coverage, trace, path and pairing suggestions: the same answers as the CLI."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from api import exports
from api.auth import ScopeDep
from api.deps import PolicyDep, Store
from api.page_cache import kept_page
from graph.analyses.coverage import CoverageRow, coverage
from graph.analyses.gaps import Gap, check_rules, find_gaps
from graph.analyses.pairing import Proposal, suggest_pairings
from graph.analyses.trace import Path, Trace, find_entity, path_between, trace
from graph.analyses.trees import load_trees
from graph.rules import RULES, rules_of_group
from viz.places import region_names

router = APIRouter(tags=["分析"])

AsOf = Annotated[dt.date | None, Query(description="按哪一天判定，默认今天")]
Region = Annotated[str | None, Query(description="只看该区划（含下级）：区划代码或名称")]
Org = Annotated[str | None, Query(description="只看该组织负责的（含下级）：组织编码或名称")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json / csv / xlsx")]
Skip = Annotated[int, Query(ge=0, description="JSON：跳过条数")]
Limit = Annotated[int, Query(ge=1, le=10_000, description="JSON：每页条数（共多少条见响应头 X-Total-Count；"
                                                       "csv / xlsx 导出全部）")]


_GAP_LIST = TypeAdapter(list[Gap])


def place(store, scope, region: str | None, org: str | None) -> tuple[str | None, str | None]:
    """The region and organisation filters as codes, from a code or a name: an unknown one is a
    404 (with the closest names), an ambiguous one a 409 with the candidates, never an empty
    answer."""
    return (find_entity(store, region, "Region", visible=scope.nodes).key if region else None,
            find_entity(store, org, "Organization", visible=scope.nodes).key if org else None)


async def _gaps_response(request: Request, store, policy, scope, rules: list[str] | None, region: str | None,
                         org: str | None, as_of: dt.date | None, fmt: str, name: str, skip: int = 0,
                         limit: int = 100) -> Response:
    if fmt != "json":
        return await run_in_threadpool(_gaps_file, store, policy, scope, rules, region, org, as_of, fmt, name)
    # the encoded page is kept: gaps are validated and encoded once, not on every request of
    # every client; a kept page answers without a thread (api/page_cache.py)
    key = ("gaps", tuple(rules or ()), region, org, as_of or dt.date.today(), policy.fingerprint,
           scope.kind, scope.value, skip, limit)

    def page() -> tuple[bytes, dict[str, str]]:
        everything = _found(store, policy, scope, rules, region, org, as_of)
        return (_GAP_LIST.dump_json(everything[skip:skip + limit], by_alias=True),
                {"X-Total-Count": str(len(everything))})

    response = await kept_page(request, store, key, page)
    assert response is not None  # (page() always makes one)
    return response


def _found(store, policy, scope, rules: list[str] | None, region: str | None, org: str | None,
           as_of: dt.date | None) -> list[Gap]:
    region, org = place(store, scope, region, org)
    return scope.gaps(find_gaps(store, rules=rules, region=region, org=org, as_of=as_of, policy=policy, share=True))


def _gaps_file(store, policy, scope, rules: list[str] | None, region: str | None, org: str | None,
               as_of: dt.date | None, fmt: str, name: str) -> Response:
    found = _found(store, policy, scope, rules, region, org, as_of)
    places = region_names(store)
    wanted = check_rules(rules)  # as find_gaps read them: “U1,U2” is two, an empty ?rule= none
    if len(wanted) == 1 and name == "覆盖缺口":  # one rule's list is named by it
        name = f"{wanted[0]}{RULES[wanted[0]].title}"
    body = (exports.to_csv(exports.gap_rows(found, places)) if fmt == "csv"
            else exports.gaps_xlsx(found, places))
    return exports.file_response(body, fmt, file_name(store, scope, name, region, org, as_of))


def file_name(store, scope, name: str, region: str | None, org: str | None, as_of: dt.date | None) -> str:
    """What a download is called: the place, the organisation, the list and the day
    (``谭路街道_未结对_2026-12-07``); a scoped token's place is its scope's."""
    region, org = place(store, scope, region, org)
    if region is None and org is None and scope.kind == "region" and scope.value:
        region = scope.value
    if region is None and org is None and scope.kind == "org" and scope.value:
        org = scope.value
    regions, orgs = load_trees(store)
    parts = [regions.shown(region) if region else "", (orgs.name.get(org) or org) if org else "", name,
             (as_of or dt.date.today()).isoformat()]
    return "_".join(p for p in parts if p)


@router.get("/gaps", response_model=list[Gap], summary="覆盖缺口：原因与负责补齐的组织",
            responses={200: {"content": {m: {} for m in exports.MEDIA.values()}}})
async def gaps(request: Request, store: Store, policy: PolicyDep, scope: ScopeDep,
               rule: Annotated[list[str] | None, Query(description="只看这些规则，如 U1、P3")] = None,
               region: Region = None, org: Org = None, as_of: AsOf = None, format: Format = "json",
               skip: Skip = 0, limit: Limit = 100):
    return await _gaps_response(request, store, policy, scope, rule, region, org, as_of, format, "覆盖缺口",
                                skip, limit)


@router.get("/unpaired", response_model=list[Gap], summary="未结对与结对问题（P1–P4）",
            responses={200: {"content": {m: {} for m in exports.MEDIA.values()}}})
async def unpaired(request: Request, store: Store, policy: PolicyDep, scope: ScopeDep, region: Region = None,
                   org: Org = None, as_of: AsOf = None, format: Format = "json", skip: Skip = 0, limit: Limit = 100):
    return await _gaps_response(request, store, policy, scope, rules_of_group("结对"), region, org, as_of, format,
                                "未结对", skip, limit)


@router.get("/coverage", response_model=list[CoverageRow], summary="覆盖率：按区划与党委逐级汇总",
            responses={200: {"content": {m: {} for m in exports.MEDIA.values()}}})
def coverage_rates(store: Store, policy: PolicyDep, scope: ScopeDep, region: Region = None,
                   scope_: Annotated[Literal["region", "org", "all"],
                                     Query(alias="scope", description="区划 / 党组织 / 全部")] = "all",
                   as_of: AsOf = None, format: Format = "json"):
    region, _ = place(store, scope, region, None)
    rows = scoped_coverage(scope, coverage(store, as_of=as_of, policy=policy, region=region, scope=scope_))
    if format == "json":
        return rows
    table = exports.coverage_rows(rows)
    body = exports.to_csv(table) if format == "csv" else exports.to_xlsx({"覆盖率": table})
    return exports.file_response(body, format, file_name(store, scope, "覆盖率", region, None, as_of))


@router.get("/trace/{id}", response_model=Trace, summary="追溯：上级链、结对、联盟、网格、区划与缺口")
def trace_entity(id: str, store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None):
    node = find_entity(store, id, visible=scope.nodes)  # a code or a name, among what it may see
    t = trace(store, node.key, as_of=as_of, policy=policy)
    if not scope.everything:
        for field in ("pairings", "alliances", "grids", "organisations"):
            setattr(t, field, scope.keep(getattr(t, field), lambda l: [(l.other.label, l.other.id)]))
        t.gaps = scope.gaps(t.gaps)
    return t


@router.get("/path", response_model=Path, summary="两个实体之间的最短联系")
def shortest(store: Store, scope: ScopeDep,
             a: Annotated[str, Query(min_length=1, description="起点编码")],
             b: Annotated[str, Query(min_length=1, description="终点编码")],
             max_hops: Annotated[int, Query(ge=1, le=12)] = 8):
    # codes or names, among what the scope may see (outside answers exactly as missing)
    a, b = (find_entity(store, key, visible=scope.nodes).key for key in (a, b))
    p = path_between(store, a, b, max_hops)
    if p is not None and not scope.everything:
        refs = [(r.label, r.id) for r in [p.start] + [s.end for s in p.steps]]
        if not scope.keep([refs], lambda rs: rs):
            p = None  # a connection through what the scope may not see is no answer
    if p is None:
        raise HTTPException(404, f"{a} 与 {b} 之间在 {max_hops} 步内没有联系")
    return p


@router.get("/pairings/suggestions", response_model=list[Proposal], summary="结对推荐（最小费用流）",
            responses={200: {"content": {m: {} for m in exports.MEDIA.values()}}})
def pairing_suggestions(store: Store, policy: PolicyDep, scope: ScopeDep, as_of: AsOf = None,
                        format: Format = "json"):
    ps = suggest_pairings(store, as_of=as_of, policy=policy)
    ps = scope.keep(ps, lambda p: [("Organization", p.grassroots_id)])
    if format == "json":
        return ps
    table = exports.proposal_rows(ps)
    body = exports.to_csv(table) if format == "csv" else exports.to_xlsx({"结对推荐": table})
    return exports.file_response(body, format, "结对推荐")


def scoped_coverage(scope, rows: list[CoverageRow]) -> list[CoverageRow]:
    return scope.keep(rows, lambda r: [("Region" if r.scope == "区划" else "Organization", r.id)])
