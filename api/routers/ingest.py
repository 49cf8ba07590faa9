"""Upload ledgers: the same loader and report as ``tupu ingest``."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile

from api.auth import require
from api.deps import Store
from graph.access import TokenEntry
from ingest.loader import Loader
from ingest.readers import SUPPORTED

router = APIRouter(tags=["载入"])


@router.post("/ingest", summary="上传台账（xlsx / csv，可多个）并载入，返回载入报告（管理员、分析员）")
def ingest(store: Store, request: Request,
           token: Annotated[TokenEntry, require("admin", "analyst")],
           files: Annotated[list[UploadFile], File(description="台账文件")],
           dry_run: Annotated[bool, Query(description="只检查，不写入")] = False):
    with tempfile.TemporaryDirectory(prefix="tupu-upload-") as tmp:
        paths = []
        for i, f in enumerate(files):
            name = Path(f.filename or f"file{i}").name
            if Path(name).suffix.lower() not in SUPPORTED:
                raise HTTPException(422, f"不支持的文件类型：{name}（支持 .xlsx 与 .csv）")
            # a folder per upload keeps two files of the same name apart
            target = Path(tmp) / str(i) / name
            target.parent.mkdir()
            with open(target, "wb") as out:
                shutil.copyfileobj(f.file, out)
            paths.append(target)
        report = Loader(store, dry_run=dry_run).load(paths)
    d = report.to_dict()
    # report uploaded files by their own names, not the temporary folder
    for issue in d["rejected"] + d["warnings"] + d["ignored_columns"]:
        issue["file"] = Path(issue["file"]).name
    d["files"] = [Path(f).name for f in d["files"]]
    if not dry_run:
        request.app.state.audit.record(token.who, "载入台账", "、".join(d["files"]), d["landed"])
    return d
