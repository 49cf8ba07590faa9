from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Store
from api.schemas import Health

router = APIRouter(tags=["系统"])


@router.get("/assets/echarts.min.js", include_in_schema=False)
def echarts() -> Response:
    """The chart library the pages use (ECharts, shipped with Tupu: nothing is fetched from the
    internet), kept by browsers for a day."""
    from viz.progress import echarts_js

    return Response(echarts_js(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/health", response_model=Health, summary="健康检查：后端类型与可连接性",
            responses={503: {"model": Health, "description": "存储不可连接"}})
def health(store: Store, request: Request):
    ok = store.ping()
    body = Health(
        status="ok" if ok else "unavailable",
        backend=store.backend,
        reachable=ok,
        message="运行正常" if ok else (store.last_error or "图数据库无法连接 (graph store unreachable)"),
        home=str(request.app.state.settings.home),
    )
    return body if ok else JSONResponse(body.model_dump(), status_code=503)
