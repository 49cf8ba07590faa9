"""Loads and what changed between them (自上次以来)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from api.auth import ScopeDep, require
from api.deps import Store
from api.routers.analyses import place
from graph.access import TokenEntry
from graph.history import EntityChange, History

router = APIRouter(tags=["变化"])


@router.get("/loads", summary="载入记录：时间、台账日期、文件、载入人、载入后的缺口数")
def loads(request: Request) -> list[dict[str, Any]]:
    from dataclasses import asdict

    return [asdict(r) for r in History(request.app.state.settings.home).loads()]


@router.post("/loads/{load_id}/undo", summary="撤销最近一次载入：图谱回到它之前的样子，记入审计日志（仅管理员）",
             responses={409: {"description": "之后还有载入，或图谱在载入后又被改动"},
                        429: {"description": "正在处理其他载入"}})
def undo_load(load_id: str, request: Request, store: Store,
              token: Annotated[TokenEntry, require("admin")]) -> dict[str, Any]:
    from dataclasses import asdict

    slots = request.app.state.load_slots
    if not slots.acquire(blocking=False):
        raise HTTPException(429, "服务器正在处理其他台账载入，请稍后再试")
    try:
        rec = History(request.app.state.settings.home).undo(store, load_id, token.who)
    finally:
        slots.release()
    request.app.state.audit.record(token.who, "撤销载入", f"{rec.id} {rec.date} {'、'.join(rec.files)}")
    return {"undone": asdict(rec)}


@router.get("/changes", summary="两次载入之间新出现与已补齐的缺口（按规则，含负责组织）")
def changes(request: Request, store: Store, scope: ScopeDep,
            since: Annotated[dt.date, Query(description="从哪天的台账起：取那天或之前最后一次载入")],
            until: Annotated[dt.date | None, Query(description="到哪天的台账（默认最近一次载入）")] = None,
            region: Annotated[str | None, Query(description="只看该区划（含下级）：编码或名称")] = None,
            ) -> dict[str, Any]:
    from graph.analyses.trees import load_trees

    ch = History(request.app.state.settings.home).changes(since, until)
    if not scope.everything:
        ch = ch.keep(scope.gaps, lambda es: scope.keep(es, EntityChange.refs, need="any"))
    code, _ = place(store, scope, region, None)
    if code:
        ch = ch.in_region(load_trees(store)[0].subtree(code))
    return ch.as_dict()

