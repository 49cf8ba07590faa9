"""摸排 over HTTP: registry exports matched to the units (``/screen/registry``), the people's
decisions on possible matches, the target list, and the duplicates inside the ledgers with their
merges — what ``tupu screen`` does, for the review page ``/views/screening``.

A scoped token matches against the units it sees, sees the merge candidates of its own
entities, and merges only inside its scope. Every decision and merge is audited."""
from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, model_validator

from api.auth import ScopeDep, not_found, require
from api.deps import Store, load_slot
from api.exports import file_response
from api.screen_sheets import duplicates_xlsx, review_xlsx, targets_xlsx
from api.uploads import save_uploads
from graph.access import TokenEntry
from graph.analyses.scope import Scope
from graph.model import LABEL_OF_ZH
from graph.screening.decisions import Decisions
from graph.screening.duplicates import Distinct, Duplicate, merge_candidates
from graph.screening.matching import Match
from graph.screening.merge import MERGEABLE, merge
from graph.screening.screen import screen, unit_index
from graph.store import GraphStore
from ingest.guard import WriteScope
from ingest.registries import SOURCES, RegistryRead, RegistryRow, read_registry
from ingest.report import Issue

router = APIRouter(tags=["摸排"])
Writer = Annotated[TokenEntry, require("admin", "analyst")]
Source = Literal["市场监管", "民政", "税务", "统计"]
assert set(Source.__args__) == set(SOURCES)  # type: ignore[attr-defined]


def _screened(request: Request, store: GraphStore, scope: Scope, files: list[UploadFile],
              source: str) -> tuple[list[Match], RegistryRead, Any]:
    with tempfile.TemporaryDirectory(prefix="tupu-screen-") as tmp:
        paths, _ = save_uploads(files, Path(tmp))
        read = read_registry(paths, source, request.app.state.settings.limits)
    index = unit_index(store, scope.visible_keys("Unit"))
    return screen(store, read.rows, request.app.state.settings.home, index, scope), read, index


def _issues(read: RegistryRead) -> dict[str, Any]:
    def shown(i: Issue) -> dict[str, Any]:
        return {**asdict(i), "file": Path(i.file).name}  # the upload's name, not its temporary path
    return {"problems": read.problems, "rejected": [shown(i) for i in read.rejected[:200]],
            "warnings": [shown(i) for i in read.warnings[:200]],
            "rejected_count": len(read.rejected), "warning_count": len(read.warnings)}


@router.post("/screen/registry",
             summary="上传登记信息导出表，与图谱中的单位逐行比对：匹配 / 可能 / 新，附依据（管理员、分析员）",
             responses={413: {"description": "上传过大"}, 429: {"description": "正在处理其他载入或比对"}})
def screen_registry(request: Request, store: Store, scope: ScopeDep, token: Writer,
                    files: Annotated[list[UploadFile], File(description="导出表（xlsx / xls / csv）")],
                    source: Annotated[Source, Query(description="来源")],
                    format: Annotated[Literal["json", "xlsx"], Query(
                        description="json，或 xlsx 复核表（填“决定”列后用 tupu screen decide --from 读回）")] = "json",
                    ) -> Any:
    with load_slot(request):
        results, read, _ = _screened(request, store, scope, files, source)
    if format == "xlsx":
        return file_response(review_xlsx(results), "xlsx", f"比对结果_{source}")
    return {"source": source, "counts": {k: sum(m.status == k for m in results) for k in ("match", "possible", "new")},
            "rows": [m.as_dict() for m in results], **_issues(read)}


@router.post("/screen/targets",
             summary="目标对象清单：登记在营而台账没有的、应走访的、已注销仍计入的，附区划与负责党组织",
             responses={429: {"description": "正在处理其他载入或比对"}})
def screen_targets(request: Request, store: Store, scope: ScopeDep, token: Writer,
                   files: Annotated[list[UploadFile], File(description="导出表（xlsx / xls / csv）")],
                   source: Annotated[Source, Query(description="来源")],
                   format: Annotated[Literal["json", "xlsx"], Query(description="json，或 xlsx（每类一页）")] = "json",
                   ) -> Any:
    from graph.screening.targets import targets

    with load_slot(request):
        results, read, index = _screened(request, store, scope, files, source)
        found = targets(store, results, index, policy=request.app.state.policy)
    if not scope.everything:  # what lies in the scope's regions (or nowhere known)
        regions = scope.visible_keys("Region") or frozenset()
        found = [t for t in found if t.region is None or t.region in regions]
    if format == "xlsx":
        return file_response(targets_xlsx(found), "xlsx", f"目标对象清单_{source}")
    return {"targets": [t.as_dict() for t in found], **_issues(read)}


class DecisionIn(BaseModel):
    source: Source = Field(description="来源")
    name: str = Field(description="登记名称", min_length=1, max_length=200)
    uscc: str | None = Field(None, description="统一社会信用代码", max_length=18)
    unit: str | None = Field(None, description="它就是这个单位（编码）", max_length=100)
    new: bool = Field(False, description="图谱中没有它（是目标对象）")

    @model_validator(mode="after")
    def _one(self) -> "DecisionIn":
        if (self.unit is None) == (not self.new):
            raise ValueError("unit 与 new 二者选一：它是哪个单位，或图谱中没有它")
        return self


@router.post("/screen/decisions",
             summary="确认一条可能的匹配：它是哪个单位，或图谱中没有；以后每次比对都按它（管理员、分析员）")
def decide(body: DecisionIn, request: Request, store: Store, scope: ScopeDep, token: Writer) -> dict[str, Any]:
    if body.unit is not None and (store.get("Unit", body.unit) is None or not scope.allowed("Unit", [body.unit])):
        raise not_found(f"未找到单位 {body.unit}")
    row = RegistryRow(body.source, "", 0, body.name, body.uscc or None)
    entry = Decisions(request.app.state.settings.home).decide(row, body.unit, token.who, scope)
    request.app.state.audit.record(token.who, "摸排决定", f"{body.source} {body.name} → {body.unit or '新'}")
    return entry


def _in_scope(found: list[Duplicate], scope: Scope) -> list[Duplicate]:
    if scope.everything:
        return found
    seen = {label: scope.allowed(label, [k for d in found if d.label == label for k in (d.keep, d.drop)])
            for label in MERGEABLE}
    return [d for d in found if d.keep in seen[d.label] and d.drop in seen[d.label]]


def duplicates_seen(store: GraphStore, scope: Scope, home: Path, kind: str | None = None) -> list[Duplicate]:
    return _in_scope(merge_candidates(store, kind, home), scope)


@router.get("/screen/duplicates",
            summary="台账内的重复：同一单位或党组织有两个编码（统一社会信用代码相同，或同一区县内名称几乎相同）")
def duplicates(request: Request, store: Store, scope: ScopeDep, token: Writer,
               kind: Annotated[Literal["单位", "党组织"] | None, Query(description="单位 或 党组织")] = None,
               format: Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx")] = "json") -> Any:
    found = duplicates_seen(store, scope, request.app.state.settings.home, kind)
    if format == "xlsx":
        return file_response(duplicates_xlsx(found), "xlsx", "合并候选")
    return [d.as_dict() for d in found]


class MergeIn(BaseModel):
    kind: Literal["单位", "党组织"] = Field(description="单位 或 党组织")
    keep: str = Field(description="保留的编码", min_length=1, max_length=100)
    drop: str = Field(description="并入的编码：合并后不再单独存在，作为曾用编码保留", min_length=1, max_length=100)
    apart: bool = Field(False, description="两者不是同一个：不合并，以后不再列为候选")


@router.post("/screen/merge", summary="确认合并（关联转移，原编码作为曾用编码保留，以后台账中的原编码都载入到"
                                      "保留的那个），或确认两者不是同一个（管理员、分析员）")
def merge_pair(body: MergeIn, request: Request, store: Store, scope: ScopeDep, token: Writer) -> dict[str, Any]:
    label = LABEL_OF_ZH[body.kind]
    for code in (body.keep, body.drop):
        if store.get(label, code) is None or not scope.allowed(label, [code]):
            raise not_found(f"未找到{body.kind} {code}")
    guard = None if scope.everything else WriteScope(store, scope)  # the scoped-write rule of /ingest
    audit = request.app.state.audit
    if body.apart:
        Distinct(request.app.state.settings.home).decide(label, body.keep, body.drop, token.who)
        audit.record(token.who, "确认不是重复", f"{label} {body.drop} ≠ {body.keep}")
        return {"apart": [body.keep, body.drop]}
    with load_slot(request):
        done = merge(store, label, body.keep, body.drop, guard)
    audit.record(token.who, "合并重复", f"{label} {body.drop} → {body.keep}", {"links": done.links_moved})
    return {**done.as_dict(), "summary": done.summary()}


@router.get("/views/screening", summary="摸排页：上传登记信息比对并逐条确认；台账内的重复逐对合并（网页）",
            response_class=HTMLResponse)
def screening_page(request: Request, store: Store, scope: ScopeDep, token: Writer) -> HTMLResponse:
    from viz.home import screening_html

    found = duplicates_seen(store, scope, request.app.state.settings.home)
    return HTMLResponse(screening_html(found, list(SOURCES)))
