"""Administration: the audit log and who am I."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth import Token, require
from graph.access import ROLES_ZH

router = APIRouter(tags=["管理"])


@router.get("/audit", summary="审计日志：每次写入（载入、备份、令牌）的人、时间、内容、数量（管理员）",
            dependencies=[require("admin")])
def audit(request: Request, limit: Annotated[int, Query(ge=1, le=5000)] = 200):
    return request.app.state.audit.events(limit)


@router.get("/me", summary="当前令牌的角色与范围")
def me(token: Token):
    return {**token.public(), "role_zh": ROLES_ZH[token.role]}
