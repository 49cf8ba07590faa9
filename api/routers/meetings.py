"""Meetings (汇报): list them, add a view's page to one (加入汇报), play one as a deck. A scoped
token lists and plays only the meetings inside its scope; only a meeting's owner or an admin
adds to or deletes it (``viz.meetings``)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.auth import ScopeDep, TokenEntry, require
from api.deps import NonEmpty, PolicyDep, Store
from graph.analyses.trace import find_entity
from viz.deck import render_meeting
from viz.meetings import MeetingBook, slide_from_url
from viz.registry import VIEWS

router = APIRouter(tags=["汇报"])


class SlideIn(BaseModel):
    url: str = Field(max_length=2000, description="网络图页面的地址，如 /views/coverage/519901001000")
    title: str = Field("", max_length=80, description="这一页的标题")
    state: dict[str, Any] = Field(default_factory=dict, description="筛选、展开的分组与节点位置")


def _book(request: Request) -> MeetingBook:
    return MeetingBook(request.app.state.settings.home)


@router.get("/meetings", summary="汇报列表（限定范围的令牌只见本范围内的汇报）")
def meetings(request: Request, scope: ScopeDep) -> list[dict[str, Any]]:
    return [{"name": m.name, "title": m.title, "slides": len(m.slides), "url": f"/meetings/{m.name}",
             "owner": m.owner, "scope_kind": m.scope_kind, "scope": m.scope}
            for m in _book(request).list(scope)]


@router.post("/meetings/{name}/slides", summary="把一张网络图加入汇报（没有则新建；分析员、管理员；别人的限管理员）",
             dependencies=[NonEmpty])
def add_slide(name: str, slide: SlideIn, request: Request, store: Store, scope: ScopeDep,
              token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    s = slide_from_url(slide.url, slide.title, slide.state)
    if s.root is not None:  # a code or a name, among what the scope may see
        s.root = find_entity(store, s.root, VIEWS[s.kind].root, visible=scope.nodes).key
    meeting = _book(request).add_slide(name, s, token, scope)
    return {"name": meeting.name, "slides": len(meeting.slides), "url": f"/meetings/{meeting.name}"}


@router.delete("/meetings/{name}", summary="删除一个汇报（建立者或管理员）",
               responses={403: {"description": "不是建立者"}})
def remove(name: str, request: Request, scope: ScopeDep,
           token: Annotated[TokenEntry, require("admin", "analyst")]) -> dict[str, Any]:
    _book(request).remove(name, token, scope)
    request.app.state.audit.record(token.who, "删除汇报", name)
    return {"removed": name}


@router.get("/meetings/{name}", summary="放映汇报（一页一张网络图，方向键翻页）",
            response_class=HTMLResponse, dependencies=[NonEmpty])
def play(name: str, request: Request, store: Store, policy: PolicyDep, scope: ScopeDep,
         as_of: Annotated[dt.date | None, Query(description="按哪一天判定，默认今天")] = None) -> HTMLResponse:
    meeting = _book(request).get(name, scope)
    return HTMLResponse(render_meeting(store, meeting, as_of=as_of, policy=policy,
                                      scope=None if scope.everything else scope))
