"""Loads and what changed between them (自上次以来)."""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.auth import ScopeDep, Token, require
from api.deps import CurrentStore, Store, load_slot
from api.exports import campaign_xlsx, changes_xlsx, file_response
from api.routers.analyses import place
from graph.access import TokenEntry, check_change, check_delete, owner_of
from graph.history import History
from graph.history.campaigns import Campaign, CampaignBook, campaigns_in_force, progress_of
from graph.history.seen import changes_seen, loads_seen, timeline_seen

router = APIRouter(tags=["变化"])


@router.get("/loads", summary="载入记录：时间、台账日期、文件、载入人、载入后的缺口数（限定范围的令牌：本区划的缺口数，"
                            "文件与载入人只见自己的载入）")
def loads(request: Request, scope: ScopeDep, token: Token) -> list[dict[str, Any]]:
    return loads_seen(History(request.app.state.settings.home), scope, token.who)


@router.post("/loads/{load_id}/undo", summary="撤销最近一次载入：图谱回到它之前的样子，记入审计日志（仅管理员）",
             responses={409: {"description": "之后还有载入，或图谱在载入后又被改动"},
                        429: {"description": "正在处理其他载入"}})
def undo_load(load_id: str, request: Request, store: Store,
              token: Annotated[TokenEntry, require("admin")]) -> dict[str, Any]:
    with load_slot(request):
        try:
            rec = History(request.app.state.settings.home).undo(store, load_id, token.who)
        except (OSError, sqlite3.Error) as e:  # a full disk: not undone (or to be finished by repair)
            raise HTTPException(507, f"撤销未完成（{getattr(e, 'strerror', None) or e}）：载入 {load_id} 仍然有效；"
                                     "腾出磁盘空间后再次撤销即可完成") from None
    out: dict[str, Any] = {"undone": asdict(rec)}
    try:  # the audit line follows the undo: written once it is done
        request.app.state.audit.record(token.who, "撤销载入", f"{rec.id} {rec.date} {'、'.join(rec.files)}")
    except OSError as e:
        out["audit_error"] = f"审计日志未能写入（{e.strerror or e}）"
    return out


@router.get("/changes", summary="两次载入之间新出现与已补齐的缺口（按规则，含负责组织）")
def changes(request: Request, store: Store, current: CurrentStore, scope: ScopeDep,
            since: Annotated[dt.date, Query(description="从哪天的台账起：取那天或之前最后一次载入")],
            until: Annotated[dt.date | None, Query(description="到哪天的台账（默认最近一次载入）")] = None,
            region: Annotated[str | None, Query(description="只看该区划（含下级）：编码或名称")] = None,
            org: Annotated[str | None, Query(description="只看该组织负责的（含下级）：编码或名称")] = None,
            format: Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx")] = "json",
            ) -> Any:
    from graph.analyses.trees import load_trees

    history = History(request.app.state.settings.home)
    ch = changes_seen(history, current, scope, history.changes(since, until))
    code, org_code = place(store, scope, region, org)
    regions, orgs = load_trees(store)
    if code:
        ch = ch.in_region(regions.subtree(code))
    if org_code:
        ch = ch.of_org(org_code, orgs)
    if format == "xlsx":
        return file_response(changes_xlsx(ch), "xlsx", f"变化_{ch.since.date}_{ch.until.date}")
    return ch.as_dict()

class CampaignIn(BaseModel):
    name: str = Field(description="攻坚名称，如“两个覆盖百日攻坚”", max_length=40)
    start: dt.date = Field(description="开始日期：以那天或之前最后一次载入的缺口为起点")
    rules: list[str] = Field(description="针对的规则，如 [\"U1\", \"U2\"]", max_length=30)
    region: str | None = Field(None, description="范围：区划编码或名称（含下级），不填为令牌的范围（管理员为全域）",
                               max_length=100)


@router.get("/campaigns", summary="集中攻坚列表及其进展数（限定范围的令牌只见本范围内的攻坚）")
def campaigns(request: Request, store: Store, scope: ScopeDep) -> list[dict[str, Any]]:
    home = request.app.state.settings.home
    return [{**p.as_dict()["campaign"], **p.as_dict()["counts"]}
            for p in campaigns_in_force(History(home), CampaignBook(home), store, scope)]


@router.post("/campaigns", summary="新建或修改集中攻坚（管理员、分析员；修改限建立者或管理员）", status_code=201,
             responses={403: {"description": "不是建立者"}, 409: {"description": "名称已被范围外的攻坚使用"}})
def add_campaign(body: CampaignIn, request: Request, store: Store, scope: ScopeDep,
                 token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    code, _ = place(store, scope, body.region, None)
    if code is None and scope.kind == "region":  # a street's campaign is the street's
        code = scope.value
    region = store.get("Region", code) if code else None
    org = store.get("Organization", token.scope) if token.scope_kind == "org" and token.scope else None
    book = CampaignBook(request.app.state.settings.home)
    old = book.find(body.name)
    check_change(token, scope, old, "集中攻坚", body.name, old.region if old else None)
    c = book.add(Campaign(body.name, body.start.isoformat(), body.rules, code, region.name if region else None,
                          token.who, **owner_of(token), scope_name=org.name if org else None))
    request.app.state.audit.record(token.who, "修改集中攻坚" if old else "新建集中攻坚",
                                   f"{c.name} {c.start} {'、'.join(c.rules)}")
    return asdict(c)


@router.get("/campaigns/{name}", summary="一项集中攻坚的进展：开始时、已补齐、仍未补齐、期间新出现，按街道排名")
def campaign(name: str, request: Request, store: Store, scope: ScopeDep,
             format: Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx")] = "json"):
    home = request.app.state.settings.home
    p = progress_of(History(home), CampaignBook(home).get(name, scope), store, scope)
    if format == "xlsx":
        return file_response(campaign_xlsx(p), "xlsx", f"集中攻坚_{name}")
    return p.as_dict()


@router.delete("/campaigns/{name}", summary="删除一项集中攻坚（建立者或管理员；载入记录不受影响）",
               responses={403: {"description": "不是建立者"}})
def remove_campaign(name: str, request: Request, scope: ScopeDep,
                    token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    book = CampaignBook(request.app.state.settings.home)
    c = book.get(name, scope)
    check_delete(token, scope, c, "集中攻坚", name, c.region)
    book.remove(name)
    request.app.state.audit.record(token.who, "删除集中攻坚", name)
    return {"removed": name}


@router.get("/timeline/{id}", summary="一个实体的历次变化：改过的值与得失的关系，各带起止的台账日期（个人信息脱敏；"
                                      "限定范围的令牌只见它在本范围内的时段，as_of 之后的不显示）")
def timeline(id: str, request: Request, store: Store, current: CurrentStore, scope: ScopeDep,
             as_of: Annotated[dt.date | None, Query(description="截至哪天的台账（之后的变化不显示）")] = None,
             ) -> dict[str, Any]:
    from graph.analyses.trace import find_entity

    node = find_entity(store, id, visible=scope.nodes)
    changed = timeline_seen(History(request.app.state.settings.home), store, current, scope, node.label, node.key,
                            as_of)
    return {"label": node.label, "id": node.key, "name": node.name, **changed}
