from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from api import exports
from graph.privacy import mask_props

from api.deps import Store, resolve_label
from api.schemas import EntityOut, LinkOut, NodeOut, Page
from graph.model import LABELS

router = APIRouter(tags=["实体"])


@router.get("/entities/{label}", response_model=Page, summary="按类型分页列出实体（可导出 Excel）",
            responses={200: {"content": {exports.MEDIA["xlsx"]: {}}}})
def list_entities(
    label: str,
    store: Store,
    skip: Annotated[int, Query(ge=0, description="跳过条数")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 50,
    format: Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx（xlsx 导出全部，最多 10 万条）")] = "json",
):
    name = resolve_label(label)
    if format == "xlsx":
        spec = LABELS[name]
        rows = []
        for n in store.list_nodes(name, skip=0, limit=100_000):
            props = mask_props(n.props)
            rows.append({spec.field_zh(k): v if not isinstance(v, list) else "；".join(map(str, v))
                         for k, v in props.items()})
        from urllib.parse import quote

        return Response(exports.to_xlsx({spec.zh: rows}), media_type=exports.MEDIA["xlsx"],
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(spec.zh)}.xlsx"})
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
