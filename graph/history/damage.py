"""Damaged files under TUPU_HOME (a half line, a truncated gzip, a JSON cut short): read, they
raise :class:`DamagedRecord`, which names the file and points to ``tupu doctor``; a page that
reads one shows what it can with a notice instead (``api.notices``).

>>> import tempfile
>>> f = Path(tempfile.mkdtemp()) / "x.json.gz"
>>> _ = f.write_bytes(gzip.compress(b'{"a": 1}')[:12])
>>> try:
...     read_json(f)
... except DamagedRecord as e:
...     print(e.path.name, "tupu doctor" in str(e))
x.json.gz True
"""
from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from graph.errors import Unavailable

DOCTOR = "请运行 tupu doctor 查看，tupu doctor --repair 修复"


class DamagedRecord(Unavailable):
    """A file Tupu keeps that cannot be read as it was written."""

    def __init__(self, path: Path, why: str = "") -> None:
        self.path = path
        super().__init__(f"文件已损坏：{path.name}（{path}）{('：' + why) if why else ''}。{DOCTOR}")


def read_json(path: Path) -> Any:
    """A JSON file (gzipped if it ends in .gz), or :class:`DamagedRecord`."""
    data = path.read_bytes()
    try:
        return json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)
    except (EOFError, OSError, zlib.error, UnicodeDecodeError, ValueError) as e:
        # (gzip.BadGzipFile is an OSError; json.JSONDecodeError a ValueError)
        raise DamagedRecord(path, "内容不完整或不是有效的 JSON") from e


def json_lines(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """The lines of a JSON-lines file that read as JSON objects, and the numbers (from 1) of
    those that do not (a half line a crash or a full disk left)."""
    if not path.exists():
        return [], []
    good: list[dict[str, Any]] = []
    bad: list[int] = []
    for n, line in enumerate(path.read_bytes().split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (UnicodeDecodeError, ValueError):
            bad.append(n)
            continue
        if isinstance(value, dict):
            good.append(value)
        else:
            bad.append(n)
    return good, bad
