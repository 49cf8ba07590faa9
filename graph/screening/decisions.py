"""What people decided about possible matches (#16): kept in ``$TUPU_HOME/screening/decisions.json``
and applied on every later run, so a question is asked once. A decision is about a registry
entity, not a row: it is keyed by the source and the credit code, else the name in normal form.

A decision is scoped (#36): one that names a unit is within the scopes that see the unit; one
that names none (a new entity) within the scopes that hold its decider's. A scoped token's runs
apply only the decisions within its scope, and it may not decide again a row decided outside
(as if there were no such row: 404).

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
from typing import TYPE_CHECKING, Any

from graph.errors import NotFoundError
from graph.screening.names import normal
from ingest.registries import RegistryRow

if TYPE_CHECKING:
    from graph.analyses.scope import Scope

NEW = "新"  # decided: no unit of the graph; it is a target (目标对象)


def read_kept(path: Path) -> Any:
    from graph.history.damage import read_json

    return read_json(path) if path.exists() else {}


def write_kept(path: Path, data: Any) -> None:
    """Write a screening file whole (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def decision_key(row: RegistryRow) -> str:
    return f"{row.source}|{row.uscc}" if row.uscc else f"{row.source}|{normal(row.name).key}"


class DecisionNotFound(NotFoundError):
    pass


def _within(entries: dict[str, dict[str, Any]], scope: Scope | None) -> dict[str, dict[str, Any]]:
    """The decisions a token of ``scope`` sees (all for None or a scope that sees everything)."""
    if scope is None or scope.everything:
        return entries
    units = scope.allowed("Unit", {e["unit"] for e in entries.values() if e.get("unit")})
    def sees(e: dict[str, Any]) -> bool:
        if e.get("unit"):
            return e["unit"] in units
        return scope.contains(e.get("scope_kind", "all"), e.get("scope"))

    return {k: e for k, e in entries.items() if sees(e)}


class Decisions:
    def __init__(self, home: Path) -> None:
        self.path = home / "screening" / "decisions.json"

    def _read(self) -> dict[str, dict[str, Any]]:
        return read_kept(self.path)  # type: ignore[no-any-return]

    def all(self, scope: Scope | None = None) -> dict[str, dict[str, Any]]:
        """Every decision, or those within ``scope``."""
        return _within(self._read(), scope)

    def of(self, row: RegistryRow) -> dict[str, Any] | None:
        return self._read().get(decision_key(row))

    def decide(self, row: RegistryRow, unit: str | None, who: str, scope: Scope | None = None) -> dict[str, Any]:
        """``unit``: the unit it is, or None for none (a new entity); ``scope``: the decider's
        (None: the command line's, everything). A row decided outside it answers as missing."""
        data = self._read()
        key = decision_key(row)
        if key in data and not _within({key: data[key]}, scope):
            raise DecisionNotFound(f"未找到“{row.name}”的比对记录")
        entry = {"unit": unit, "name": row.name, "who": who, "at": dt.datetime.now().isoformat(timespec="seconds"),
                 "scope_kind": scope.kind if scope else "all", "scope": scope.value if scope else None}
        data[key] = entry
        write_kept(self.path, data)
        return entry
