from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import ScopeDep
from api.deps import Store, resolve_label
from api.schemas import NodeOut

router = APIRouter(tags=["实体"])


@router.get("/search", response_model=list[NodeOut], summary="按名称搜索（支持中文）")
def search(
    store: Store,
    scope: ScopeDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称中包含的文字")],
    label: Annotated[list[str] | None, Query(description="只搜这些类型")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
):
    labels = [resolve_label(x) for x in label] if label else None
    if scope.everything:
        return [NodeOut.of(n) for n in store.search(q, labels=labels, limit=limit)]
    hits = store.search(q, labels=labels, limit=5000)  # then keep what the scope may see
    ok = {lb: scope.allowed(lb, [n.key for n in hits if n.label == lb]) for lb in {n.label for n in hits}}
    return [NodeOut.of(n) for n in hits if n.key in ok[n.label]][:limit]
