from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import Store, resolve_label
from api.schemas import EntityOut, LinkOut, NodeOut, Page
from graph.model import LABELS

router = APIRouter(tags=["实体"])


@router.get("/entities/{label}", response_model=Page, summary="按类型分页列出实体")
def list_entities(
    label: str,
    store: Store,
    skip: Annotated[int, Query(ge=0, description="跳过条数")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 50,
):
    name = resolve_label(label)
    nodes = store.list_nodes(name, skip=skip, limit=limit)
    return Page(
        label=name,
        label_zh=LABELS[name].zh,
        total=store.counts()[name],
        skip=skip,
        limit=limit,
        items=[NodeOut.of(n) for n in nodes],
    )


@router.get("/entities/{label}/{id}", response_model=EntityOut, summary="查看一个实体及其关系")
def get_entity(label: str, id: str, store: Store):
    name = resolve_label(label)
    node = store.get(name, id)
    if node is None:
        raise HTTPException(404, f"未找到{LABELS[name].zh} {id} (not found)")
    links = [LinkOut.of(name, node.key, r, o) for r, o in store.neighbours(name, id)]
    return EntityOut(**NodeOut.of(node).model_dump(), links=links)
