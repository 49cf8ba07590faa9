"""Who is asking, and what they may see: the token of a request and its scope.

A token is read from ``Authorization: Bearer …``, from the ``tupu_token`` cookie, or from a
``?token=`` query (which also sets the cookie, so that a page opened from a link keeps working
as its own links are followed). Every route but ``/health`` depends on it."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.deps import PolicyDep, Store
from graph.access import ROLES_ZH, TokenEntry
from graph.analyses.scope import Scope

COOKIE = "tupu_token"


def token_text(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE) or request.query_params.get("token")


async def current_token(request: Request) -> TokenEntry:
    # async: a lookup in memory (the token file is looked at most once a second), see api.deps
    entry = request.app.state.tokens.lookup(token_text(request))
    if entry is None:
        raise HTTPException(401, "需要有效的访问令牌（Authorization: Bearer …，或链接中的 ?token=…）",
                            headers={"WWW-Authenticate": "Bearer"})
    return entry


Token = Annotated[TokenEntry, Depends(current_token)]


def require(*roles: str):
    async def check(token: Token) -> TokenEntry:
        if token.role not in roles:
            allowed = "、".join(ROLES_ZH[r] for r in roles)
            raise HTTPException(403, f"权限不足：此操作仅限{allowed}")
        return token

    return Depends(check)


async def get_scope(token: Token, store: Store, policy: PolicyDep) -> Scope:
    return Scope(store, token.scope_kind, token.scope, policy)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def not_found(what: str = "未找到") -> HTTPException:
    """Outside the scope answers exactly as missing: existence is not leaked."""
    return HTTPException(404, what)
