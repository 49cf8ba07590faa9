"""Uploaded files saved to a temporary folder under their own (made safe) names: the ledgers of
``POST /ingest`` and the registry exports and rosters of ``/screen``."""
from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import HTTPException, UploadFile

from ingest.readers import SUPPORTED, SUPPORTED_ZH


def safe_name(filename: str | None, i: int) -> str:
    """The upload's own file name, without folders, short enough for any file system.

    >>> safe_name("../../x/" + "长" * 200 + ".xlsx", 0)[-5:]
    '.xlsx'
    """
    name = Path((filename or "").replace("\\", "/")).name or f"file{i}"
    stem, suffix = Path(name).stem, Path(name).suffix[:10]
    while len((stem + suffix).encode("utf-8")) > 180:
        stem = stem[:-1]
    return (stem or f"file{i}") + suffix


def save_uploads(files: list[UploadFile], folder: Path) -> tuple[list[Path], dict[str, str]]:
    """Each upload written to ``folder`` (a folder per upload keeps two files of the same name
    apart): the paths, and each path's name as the user gave it. Only ledger files (xlsx, xls, csv) pass."""
    paths, shown = [], {}
    for i, f in enumerate(files):
        name = safe_name(f.filename, i)
        if Path(name).suffix.lower() not in SUPPORTED:
            raise HTTPException(422, f"不支持的文件类型：{name}（支持 {SUPPORTED_ZH}）")
        target = folder / str(i) / name
        target.parent.mkdir(parents=True)
        with open(target, "wb") as out:
            shutil.copyfileobj(f.file, out)
        paths.append(target)
        shown[str(target)] = name
    return paths, shown
