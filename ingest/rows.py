"""Turn one spreadsheet row into clean values, or into the reasons it is rejected.

Every failing column of a row is reported (not only the first), each with the value as typed
(personal data masked) and a reason in Chinese. A row with any failure is rejected whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.privacy import mask_value
from ingest.checks import BadValue, split_multi
from ingest.ledgers import Column
from ingest.readers import Table
from ingest.report import Issue


@dataclass
class ParsedRow:
    row: int
    props: dict[str, Any] = field(default_factory=dict)
    refs: list[tuple[Column, str]] = field(default_factory=list)  # (link column, code)
    values: dict[str, Any] = field(default_factory=dict)  # column zh -> clean value

    def key(self, columns: tuple[str, ...]) -> tuple:
        return tuple(self.values.get(c) for c in columns)


def _shown(col: Column, raw: Any) -> str:
    text = str(raw).strip()
    return str(mask_value(col.prop or "", text)) if col.personal else text


def parse_row(table: Table, row_no: int, cells: list[Any]) -> tuple[ParsedRow | None, list[Issue]]:
    parsed = ParsedRow(row_no)
    issues: list[Issue] = []

    def reject(col: Column, raw: Any, reason: str) -> None:
        issues.append(Issue(table.file, table.sheet, row_no, col.zh,
                            None if raw is None else _shown(col, raw), reason))

    width = len(cells)
    for i, col in table.columns.items():
        raw = cells[i] if i < width else None
        # blank: nothing, or a string of spaces (a number 0 is a value)
        if raw is None or (raw.__class__ is str and (not raw or raw.isspace())):
            if col.required:
                reject(col, None, f"缺少必填项：{col.zh}")
            continue
        try:
            if col.is_link and col.multi:
                codes = [col.parse(c) for c in split_multi(raw)]
                if not codes and col.required:
                    raise BadValue(f"缺少必填项：{col.zh}")
                parsed.values[col.zh] = codes
                parsed.refs.extend((col, c) for c in codes)
                continue
            value = col.parse(raw)
        except BadValue as e:
            reject(col, raw, str(e))
            continue
        parsed.values[col.zh] = value
        if col.prop:
            parsed.props[col.prop] = value
        if col.is_link:
            parsed.refs.append((col, value))

    ledger = table.ledger
    if ledger is not None and ledger.name == "pairings" and not issues:
        a, b = parsed.values.get("甲方组织编码"), parsed.values.get("乙方组织编码")
        if a == b:
            col = ledger.column("乙方组织编码")
            reject(col, b, "不能与自身结对（甲方与乙方组织编码相同）")
    return (None if issues else parsed), issues
