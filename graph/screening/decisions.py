"""What people decided about possible matches (#16): kept in ``$TUPU_HOME/screening/decisions.json``
and applied on every later run, so a question is asked once. A decision is about a registry
entity, not a row: it is keyed by the source and the credit code, else the name in normal form.

>>> import tempfile
>>> book = Decisions(Path(tempfile.mkdtemp()))
>>> row = RegistryRow("市场监管", "a.csv", 2, "某某科技有限公司")
>>> _ = book.decide(row, "DW1", who="测试")
>>> book.of(RegistryRow("市场监管", "b.xlsx", 9, "某某科技有限责任公司"))["unit"]
'DW1'
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from graph.screening.names import normal
from ingest.registries import RegistryRow

NEW = "新"  # decided: no unit of the graph; it is a target (目标对象)


def read_kept(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_kept(path: Path, data: Any) -> None:
    """Write a screening file whole (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def decision_key(row: RegistryRow) -> str:
    return f"{row.source}|{row.uscc}" if row.uscc else f"{row.source}|{normal(row.name).key}"


class Decisions:
    def __init__(self, home: Path) -> None:
        self.path = home / "screening" / "decisions.json"

    def _read(self) -> dict[str, dict[str, Any]]:
        return read_kept(self.path)  # type: ignore[no-any-return]

    def all(self) -> dict[str, dict[str, Any]]:
        return self._read()

    def of(self, row: RegistryRow) -> dict[str, Any] | None:
        return self._read().get(decision_key(row))

    def decide(self, row: RegistryRow, unit: str | None, who: str) -> dict[str, Any]:
        """``unit``: the unit it is, or None for none (a new entity)."""
        data = self._read()
        entry = {"unit": unit, "name": row.name, "who": who, "at": dt.datetime.now().isoformat(timespec="seconds")}
        data[decision_key(row)] = entry
        write_kept(self.path, data)
        return entry
