"""Upload ledgers: the same loader, limits and report as ``tupu ingest``, and the return lists
(退回清单) to download.

A scoped token writes only inside its scope (``ingest.guard``). An upload is bounded (size, rows,
unpacked size: ``graph.config.Limits``) and at most ``concurrent_loads`` are loaded at once, in
the thread pool, so the event loop (``/health``, reads) keeps answering while they run."""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse

from api.auth import ScopeDep, require
from api.deps import Store, load_slot
from api.exports import file_response
from api.uploads import save_uploads
from api.warm import warm_in_background
from graph.access import TokenEntry
from graph.history import History
from graph.history.damage import DamagedRecord
from ingest.guard import WriteScope
from ingest.loader import Loader
from ingest.report import ISSUE_LISTS
from ingest.returns import masked_copy, write_returns

router = APIRouter(tags=["载入"])
OWNER = ".owner"  # in a return list's folder: the id of the token that uploaded its source
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RETURNS_KEPT_DAYS = 7
_RETURN_ID = re.compile(r"[0-9a-f]{32}")


def _returns_home(request: Request) -> Path:
    return request.app.state.settings.home / "returns"


def _forget_old_returns(folder: Path) -> None:
    cutoff = time.time() - RETURNS_KEPT_DAYS * 86400
    for d in folder.glob("*") if folder.exists() else ():
        if d.is_dir() and d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)


@router.post("/ingest",
             summary="上传台账（xlsx / xls / csv，可多个）并载入，返回载入报告与退回清单下载链接（管理员、分析员）",
             responses={413: {"description": "上传过大"}, 429: {"description": "正在处理其他载入"}})
def ingest(store: Store, request: Request, scope: ScopeDep,
           token: Annotated[TokenEntry, require("admin", "analyst")],
           files: Annotated[list[UploadFile], File(description="台账文件")],
           dry_run: Annotated[bool, Query(description="只检查，不写入")] = False,
           date: Annotated[dt.date | None, Query(description="这批台账反映哪一天的情况，默认今天")] = None,
           complete: Annotated[bool, Query(
               description="这是完整台账：没有列出的视为已撤销/转出（报告的 ended 列出它们）")] = False,
           force: Annotated[bool, Query(description="完整台账将终止的超过策略比例（默认 20%）时仍然执行")] = False):
    limits = request.app.state.settings.limits
    share = request.app.state.policy.complete_max_end_percent
    with load_slot(request), tempfile.TemporaryDirectory(prefix="tupu-upload-") as tmp:
        paths, shown = save_uploads(files, Path(tmp))
        guard = None if scope.everything else WriteScope(store, scope)
        if complete and not dry_run:  # a partial file is refused before anything is written
            trial = Loader(store, dry_run=True, guard=None if scope.everything else WriteScope(store, scope),
                           limits=limits, date=date, complete=True, force=force, max_end_percent=share).load(paths)
            refused = [c["refused"] for c in trial.complete if c["refused"] and c["ending"]]
            if refused:
                raise HTTPException(409, "未载入：" + "；".join(refused))
        history, day = History(request.app.state.settings.home), date or dt.date.today()
        unrecorded = None  # the load landed, its record could not be written (a full disk)
        if not dry_run:  # what a crash left is finished, a damaged history refused (503), first
            history.prepare(store, request.app.state.policy)
        with (contextlib.nullcontext(None) if dry_run else
              history.loading([shown.get(str(p), p.name) for p in paths], day, token.who)) as intent:
            report = Loader(store, dry_run=dry_run, guard=guard, limits=limits, date=date, complete=complete,
                            force=force, max_end_percent=share).load(paths)
            if not dry_run and any(report.landed.values()) and not report.reverted:  # its gaps, for 自上次以来
                try:
                    history.record(store, date=day, files=[shown.get(str(f), Path(f).name) for f in report.files],
                                   who=token.who, policy=request.app.state.policy, intent=intent)
                except (OSError, sqlite3.Error, DamagedRecord) as e:
                    unrecorded = (f"已载入图谱，但载入记录未能写入（{getattr(e, 'strerror', None) or e}）："
                                  "腾出磁盘空间后由管理员运行 tupu doctor --repair 补记")
                if request.app.state.warm:  # the new data's home page and gaps, before the next visit
                    warm_in_background(store, request.app.state.policy)
        rid = secrets.token_hex(16)
        home = _returns_home(request)
        _forget_old_returns(home)
        said = report.rejected or report.warnings or report.ended  # (ended: what the ledgers closed)
        returned = write_returns(report, home / rid, shown) if said else []
        if returned:  # whose it is: they get it back as sent, anyone else masked (download_return)
            (home / rid / OWNER).write_text(token.id, encoding="utf-8")
    d = report.to_dict()
    # report uploaded files by their own names, not the temporary folder
    for issue in (i for name in ISSUE_LISTS for i in d[name]):
        issue["file"] = shown.get(issue["file"], Path(issue["file"]).name)
    for cmap in d["column_maps"]:
        cmap["file"] = shown.get(cmap["file"], Path(cmap["file"]).name)
    d["files"] = [shown.get(f, Path(f).name) for f in d["files"]]
    d["return_files"] = [{"name": p.name, "url": f"/ingest/returns/{rid}/{p.name}"} for p in returned]
    d["record_error"] = unrecorded
    if not dry_run:  # the audit line says what happened to the graph
        try:
            if report.reverted:
                request.app.state.audit.record(token.who, "载入台账（未写入）", "、".join(d["files"]))
            else:
                request.app.state.audit.record(token.who, "载入台账" + ("（完整台账）" if complete else ""),
                                               "、".join(d["files"])
                                               + ("（载入记录未写入）" if unrecorded else ""), d["landed"])
        except OSError as e:
            d["audit_error"] = f"审计日志未能写入（{e.strerror or e}）"
    return d


@router.get("/ingest/returns/{rid}/{name}", summary="下载退回清单（标出问题单元格的工作簿）",
            response_class=FileResponse)
def download_return(rid: str, name: str, request: Request,
                    token: Annotated[TokenEntry, require("admin", "analyst")]):
    path = _returns_home(request) / rid / name
    if not _RETURN_ID.fullmatch(rid) or "/" in name or "\\" in name or not name.endswith(".xlsx") \
            or not path.is_file():
        raise HTTPException(404, "未找到该退回清单（保留 7 天）")
    owner = path.parent / OWNER
    if owner.is_file() and owner.read_text(encoding="utf-8") == token.id:  # the uploader: their own file
        return FileResponse(path, filename=name, media_type=XLSX)
    # anyone else (another writer given the link): the copy of the sheet with personal data masked
    return file_response(masked_copy(path), "xlsx", Path(name).stem)


__all__ = ["router"]
