"""What a rejected row leaves wrong in the graph, kept as data problems of the entities concerned.

A rejected row is not only a line in the report: a member whose branch's row was rejected would
show a bare "无所在组织" (M2), a branch whose members' rows were rejected a false "不足三名正式党员"
(O1). The loader tells :class:`DataProblems` about every rejected row and every link that could
not be made because its other end's row was rejected; at the end of the load the entities
concerned get a ``data_problems`` property (a list of sentences in Chinese) that the gap rules
show with the gap ("所在党组织（党组织.xlsx 第5行）未载入：缺少必填项：组织类别").

>>> p = DataProblems()
>>> p.rejected_key("Organization", "O1", "党组织.xlsx 第5行", "缺少必填项：组织类别")
>>> p.why_missing(("Organization",), "O1")
('党组织.xlsx 第5行', '缺少必填项：组织类别')
>>> p.link_lost(("Member",), "M1", "所在党组织编码", p.why_missing(("Organization",), "O1"))
>>> p.by_label()
{'Member': {'M1': ['所在党组织（党组织.xlsx 第5行）未载入：缺少必填项：组织类别']}}
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from graph.name_forms import forms_of, name_key

if TYPE_CHECKING:
    from ingest.ledgers import Ledger
    from ingest.readers import Table
    from ingest.report import Issue
    from ingest.rows import ParsedRow

PROBLEMS = "data_problems"  # the node property
LIMIT = 100_000  # entries kept (rejections are few; a wholly broken file must not fill memory)


def row_ends(ledger: Ledger) -> list[tuple[str, tuple[str, ...]]]:
    """The entities a row of a relationship or list ledger names: (column, its labels)."""
    if ledger.row_link is not None:
        link = ledger.row_link
        return [(link.start, link.start_labels), (link.end, link.end_labels)]
    if ledger.lists_of is not None:
        return [(ledger.lists_of.owner, (ledger.lists_of.owner_label,))]
    return []


class DataProblems:
    def __init__(self) -> None:
        self._rejected: dict[tuple[str, str], tuple[str, str]] = {}
        # (label, a form of its name) -> (file, sheet, row, reason): a reference by name finds it
        self._named: dict[tuple[str, str], tuple[str, str | None, int, str]] = {}
        self._problems: dict[tuple[str, str], list[str]] = defaultdict(list)

    def rejected_key(self, label: str, key: str, where: str, reason: str) -> None:
        if len(self._rejected) < LIMIT:
            self._rejected.setdefault((label, key), (where, reason))

    def _add(self, labels: tuple[str, ...], key: str, text: str) -> None:
        for label in labels:
            texts = self._problems[(label, key)] if len(self._problems) < LIMIT \
                else self._problems.get((label, key), [])
            if text not in texts and len(texts) < 20:
                texts.append(text)

    def rejected_row(self, table: Table, parsed: ParsedRow, rejects: list[Issue]) -> None:
        """A row was rejected: its key no longer lands, and what it named loses a link."""
        ledger = table.ledger
        assert ledger is not None
        where = Path(table.file).name + (f"[{table.sheet}]" if table.sheet else "") + f" 第{parsed.row}行"
        reason = "；".join(dict.fromkeys(i.reason for i in rejects))
        text = f"{ledger.zh}（{where}）未载入：{reason}"
        if ledger.label is not None:
            key = parsed.values.get(ledger.key[0])
            if key is not None:
                self.rejected_key(ledger.label, str(key), where, reason)
            for form in forms_of(ledger.label, parsed.props):
                if len(self._named) < LIMIT:
                    self._named.setdefault((ledger.label, form), (table.file, table.sheet, parsed.row, reason))
            for col, code in parsed.refs:
                self._add(col.target, code, text)
        else:
            for column, labels in row_ends(ledger):
                value = parsed.values.get(column)
                if isinstance(value, str):
                    self._add(labels, value, text)

    def why_missing(self, labels: tuple[str, ...], code: str) -> tuple[str, str] | None:
        """(where, reason) when ``code`` is missing because its row was rejected."""
        for label in labels:
            found = self._rejected.get((label, code))
            if found is not None:
                return found
        return None

    def why_named(self, labels: tuple[str, ...], name: str) -> tuple[str, str | None, int, str] | None:
        """(file, sheet, row, reason) when ``name`` names a row of ``labels`` that was rejected.

        >>> from ingest.readers import Table
        >>> from ingest.ledgers import LEDGERS
        >>> from ingest.rows import ParsedRow
        >>> from ingest.report import Issue
        >>> p = DataProblems()
        >>> row = ParsedRow(2, props={"name": "中共甲街道工作委员会"}, values={"组织名称": "中共甲街道工作委员会"})
        >>> p.rejected_row(Table("党组织.xlsx", None, LEDGERS["organizations"], 1), row,
        ...                [Issue("党组织.xlsx", None, 2, "组织类别", "工委", "不在可选值中")])
        >>> p.why_named(("Organization",), "甲街道党工委")
        ('党组织.xlsx', None, 2, '不在可选值中')
        """
        for label in labels:
            found = self._named.get((label, name_key(name, label == "Organization")))
            if found is not None:
                return found
        return None

    def link_lost(self, labels: tuple[str, ...], key: str, column: str, why: tuple[str, str]) -> None:
        """The entity ``key`` lost its ``column`` link: the row at the other end was rejected."""
        self._add(labels, key, f"{column.removesuffix('编码')}（{why[0]}）未载入：{why[1]}")

    def by_label(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for (label, key), texts in self._problems.items():
            if texts:
                out[label][key] = texts
        return dict(out)

