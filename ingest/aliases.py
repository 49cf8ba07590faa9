"""Codes of merged duplicates read as the node they were merged into (#16): after a person
confirmed that DW9 is DW1, a later ledger's row of DW9, and every reference to DW9, lands on DW1.

>>> from ingest.ledgers import LEDGERS
>>> row = ParsedRow(5, props={"id": "M1", "org_code": "Z9"}, values={"党员编码": "M1", "所在党组织编码": "Z9"})
>>> unalias(LEDGERS["members"], row, {"Organization": {"Z9": "Z1"}})
1
>>> row.values["所在党组织编码"], row.props["org_code"]
('Z1', 'Z1')
"""
from __future__ import annotations

from functools import cache
from typing import Any

from graph.model import LABELS
from ingest.ledgers import LEDGERS, Ledger
from ingest.rows import ParsedRow


@cache
def coded_columns(name: str) -> dict[str, tuple[str, ...]]:
    """The columns of a ledger that hold a code of a node, each with the label(s) it may be of:
    its key, its link columns, the two ends of a row that is a link, the owner of a list."""
    ledger = LEDGERS[name]
    out: dict[str, tuple[str, ...]] = {}
    if ledger.label is not None:
        key = LABELS[ledger.label].key
        out.update({c.zh: (ledger.label,) for c in ledger.columns if c.prop == key})
    out.update({c.zh: c.target for c in ledger.columns if c.is_link})
    if ledger.row_link is not None:
        out[ledger.row_link.start] = ledger.row_link.start_labels
        out[ledger.row_link.end] = ledger.row_link.end_labels
    if ledger.lists_of is not None:
        out[ledger.lists_of.owner] = (ledger.lists_of.owner_label,)
    return out


def _now(code: Any, labels: tuple[str, ...], aliases: dict[str, dict[str, str]]) -> Any:
    for label in labels:
        if (to := aliases.get(label, {}).get(code)) is not None:
            return to
    return code


def unalias(ledger: Ledger, parsed: ParsedRow, aliases: dict[str, dict[str, str]]) -> int:
    """Rewrite the merged codes of one parsed row in place; how many were rewritten."""
    changed = 0
    for column, labels in coded_columns(ledger.name).items():
        value = parsed.values.get(column)
        if value is None:
            continue
        now = [_now(c, labels, aliases) for c in value] if isinstance(value, list) else _now(value, labels, aliases)
        if now == value:
            continue
        changed += sum(a != b for a, b in zip(value, now, strict=True)) if isinstance(value, list) else 1
        parsed.values[column] = now
        col = ledger.column(column)
        if col.prop:
            parsed.props[col.prop] = now
        if col.is_link:
            parsed.refs = [(c, _now(code, labels, aliases) if c is col else code) for c, code in parsed.refs]
    if changed and ledger.label is not None:  # a link to the node it was merged into: to itself
        own = parsed.props.get(LABELS[ledger.label].key)
        parsed.refs = [(c, code) for c, code in parsed.refs if not (code == own and ledger.label in c.target)]
    return changed


def linked_to_itself(ledger: Ledger, parsed: ParsedRow) -> bool:
    """A row that is a link (a pairing) whose two ends are now one merged node."""
    link = ledger.row_link
    return link is not None and parsed.values.get(link.start) == parsed.values.get(link.end)
