from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Store, resolve_label
from api.schemas import NodeOut

router = APIRouter(tags=["实体"])


@router.get("/search", response_model=list[NodeOut], summary="按名称搜索（支持中文）")
def search(
    store: Store,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称中包含的文字")],
    label: Annotated[list[str] | None, Query(description="只搜这些类型")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
):
    labels = [resolve_label(x) for x in label] if label else None
    return [NodeOut.of(n) for n in store.search(q, labels=labels, limit=limit)]
