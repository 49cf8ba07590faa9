import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import exports
from api.auth import ScopeDep, Token, require
from api.deps import CurrentStore, PolicyDep, Store, load_slot, resolve_label
from api.entity_json import encoded, entity_json, seen
from api.page_cache import kept_page
from api.schemas import EntityOut, NodeOut, Page
from graph.access import TokenEntry
from graph.analyses.gaps import find_gaps
from graph.ends import is_live, today
from graph.history import by_hand
from graph.model import LABELS
from graph.privacy import mask_props
from graph.screening.merge import MERGEABLE
from ingest.synonyms import END_STATUS
from viz.entity import entity_html
from viz.places import duty_of

router = APIRouter(tags=["实体"])
EXPORT_LIMIT = 100_000


def _visible(store, scope, label: str, skip: int, limit: int, ended: bool = False):
    """One page of the entities the scope may see, and how many it may see in all (without
    what has ended, unless ``ended``: graph.ends)."""
    day = today()
    gone = set() if ended else {n.key for n in store.ended_nodes(label) if not is_live(n.props, day)}
    if scope.everything:
        return store.list_nodes(label, skip=skip, limit=limit, ended=ended), store.counts()[label] - len(gone)
    keys = [k for k in scope.visible_in_order(label) if k not in gone]  # known at once: fetch just the page
    return store.get_many(label, keys[skip:skip + limit]), len(keys)


@router.get("/entities/{label}", response_model=Page, summary="按类型分页列出实体（可导出 Excel）",
            responses={200: {"content": {exports.MEDIA["xlsx"]: {}}}})
def list_entities(
    label: str,
    store: Store,
    scope: ScopeDep,
    skip: Annotated[int, Query(ge=0, description="跳过条数")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 50,
    format: Annotated[Literal["json", "xlsx"],
                      Query(description="json 或 xlsx（xlsx 导出全部，最多 10 万条）")] = "json",
    ended: Annotated[bool, Query(description="也列出已注销、撤销、转出的（默认不列）")] = False,
):
    name = resolve_label(label)
    if format == "xlsx":
        spec = LABELS[name]
        nodes, _ = _visible(store, scope, name, 0, EXPORT_LIMIT, ended)
        rows = [{spec.field_zh(k): v if not isinstance(v, list) else "；".join(map(str, v))
                 for k, v in mask_props(n.props).items()} for n in nodes]
        return exports.file_response(exports.to_xlsx({spec.zh: rows}), "xlsx", spec.zh)
    nodes, total = _visible(store, scope, name, skip, limit, ended)
    return Page(label=name, label_zh=LABELS[name].zh, total=total, skip=skip, limit=limit,
                items=[NodeOut.of(n) for n in nodes])


@router.get("/entities/{label}/{id}", response_model=EntityOut, summary="查看一个实体及其关系")
async def get_entity(label: str, id: str, store: Store, scope: ScopeDep, policy: PolicyDep, request: Request,
                     token: Token,
                     as_of: Annotated[dt.date | None, Query(description="按哪一天判定缺口与结对，默认今天")] = None):
    name = resolve_label(label)
    browser = "text/html" in request.headers.get("accept", "")
    if not browser:  # the same bytes for everyone of this scope until the data changes
        page = await kept_page(request, store, ("entity", name, id, scope.kind, scope.value),
                               lambda: entity_json(store, scope, name, id), by_maker=True)
        if page is not None:
            return page
    return await run_in_threadpool(_entity_page, name, id, store, scope, policy, request, as_of, browser,
                                   token.role in ("admin", "analyst") and as_of is None)


def _entity_page(name: str, id: str, store, scope, policy, request: Request, as_of: dt.date | None,
                 browser: bool, can_end: bool = False) -> Response:
    """An entity's page for a browser, or what the JSON has no kept page for: a merged code's
    redirect, or not found."""
    node, pairs = store.node_with_neighbours(name, id)
    if node is None and name in MERGEABLE and (now := store.aliases(name).get(id)) and scope.allows(name, now):
        # a code merged into another node (#16): its page is the kept node's
        url = request.url.replace(path=f"/entities/{quote(name)}/{quote(now)}")
        return RedirectResponse(str(url), status_code=307)
    if node is None or not scope.allows(name, id):
        raise HTTPException(404, f"未找到{LABELS[name].zh} {id} (not found)")
    pairs = seen(scope, pairs)
    if browser:  # the entity's own page
        day = as_of or dt.date.today()
        seen_gaps = scope.gaps(find_gaps(store, as_of=day, policy=policy, share=True))
        mine = [g for g in seen_gaps
                if (g.entity == name and g.id == id) or (name == "Organization" and id in (g.from_, g.to))]
        duty = duty_of(store, seen_gaps, name, id)  # what it must close, or what lies in it (#39)
        from graph.history import History
        from graph.history.damage import DamagedRecord
        from graph.history.seen import timeline_seen

        try:
            changed = timeline_seen(History(request.app.state.settings.home), store, request.app.state.store, scope,
                                    name, id, as_of)
        except DamagedRecord as e:  # the page without its 历次变化, and why
            changed = {"values": [], "links": [], "damaged": e.path.name}
        return HTMLResponse(entity_html(node, pairs, mine, day, changed, can_end=can_end, duty=duty))
    return Response(encoded(name, node, pairs), media_type="application/json")


class EndIn(BaseModel):
    date: dt.date | None = Field(None, description="哪天起（默认今天）")
    reason: str | None = Field(None, max_length=50, description="注销、吊销、撤销、合并、转出、死亡、出党、停止党籍"
                                                               "（默认：单位注销、组织撤销、党员转出）")


def _in_scope(store, scope, label: str, id: str):
    name = resolve_label(label)
    node = store.get(name, id)
    if node is None or not scope.allows(name, id):
        raise HTTPException(404, f"未找到{LABELS[name].zh} {id} (not found)")
    return node


@router.post("/entities/{label}/{id}/end",
             summary="注销、撤销或转出（手工；管理员、分析员，限本范围；记入载入记录与审计日志）",
             responses={409: {"description": "已经终止，或正在处理其他载入"}, 422: {"description": "这类实体不能终止"}})
def end_entity(label: str, id: str, body: EndIn, store: CurrentStore, scope: ScopeDep, request: Request,
               token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    node = _in_scope(store, scope, label, id)
    reason = END_STATUS.get((body.reason or "").strip(), body.reason)
    day = body.date or dt.date.today()
    with load_slot(request):
        rec = by_hand.end(store, request.app.state.settings.home, node, date=day, reason=reason, who=token.who,
                          policy=request.app.state.policy)
    now = store.get(node.label, node.key)
    request.app.state.audit.record(token.who, "手工终止", f"{node.label} {node.key} {day} {reason or ''}")
    return {"load": rec.id, "entity": NodeOut.of(now).model_dump() if now else None}


@router.post("/entities/{label}/{id}/restore",
             summary="恢复已注销、撤销或转出的实体（管理员、分析员，限本范围；记入载入记录与审计日志）",
             responses={409: {"description": "没有终止，或正在处理其他载入"}})
def restore_entity(label: str, id: str, store: CurrentStore, scope: ScopeDep, request: Request,
                   token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    node = _in_scope(store, scope, label, id)
    with load_slot(request):
        rec = by_hand.restore(store, request.app.state.settings.home, node, who=token.who,
                              policy=request.app.state.policy)
    now = store.get(node.label, node.key)
    request.app.state.audit.record(token.who, "手工恢复", f"{node.label} {node.key}")
    return {"load": rec.id, "entity": NodeOut.of(now).model_dump() if now else None}
