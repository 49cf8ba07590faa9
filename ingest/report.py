"""The ingest report: what was read, what landed, what was rejected and why, what was warned,
and what was passed over (sheets without a ledger, totals, a template's example row)."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.privacy import mask_text

LANDED_BLANK = "；本行已载入，该项留空"  # a warned value dropped from a row that lands
ROW_NOT_LANDED = "；本行未载入（拒绝原因见同一行），此项也请一并改正"


@dataclass
class Issue:
    """One rejected value, one warning or one passed-over row or sheet, located as the user sees
    it in the spreadsheet (``cell``: the cell to fix, as ``C5``)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str
    cell: str | None = None
    # a warning's closing words that hold only if its row lands ("；本行已载入，该项留空"): a row
    # rejected for another cell swaps them for ROW_NOT_LANDED (IngestReport.settle_rejected_rows)
    landed_note: str = ""
    row_rejected: bool = False  # a warning on a row that did not land

    def __post_init__(self) -> None:
        # an ID or phone number typed into another column, or quoted by an error, is masked too
        if self.value:
            self.value = mask_text(self.value)
        self.reason = mask_text(self.reason)

    @property
    def kind(self) -> str:
        """The reason without its particulars, to count alike issues together.

        >>> Issue("a.xlsx", None, 3, "所属领域", "天上", "不在可选值中（可选：机关、社区）；本行已载入").kind
        '不在可选值中'
        """
        return re.split(r"[：（;；，]", self.reason, maxsplit=1)[0]

    def on_rejected_row(self) -> None:
        """Say that this warning's row did not land (rejected for another of its cells).

        >>> i = Issue("a.xlsx", None, 3, "成立日期", "2024/13/40", "日期不存在" + LANDED_BLANK,
        ...           landed_note=LANDED_BLANK)
        >>> i.on_rejected_row(); i.reason
        '日期不存在；本行未载入（拒绝原因见同一行），此项也请一并改正'
        """
        base = self.reason[:-len(self.landed_note)] if self.landed_note and \
            self.reason.endswith(self.landed_note) else self.reason
        self.reason, self.landed_note, self.row_rejected = base + ROW_NOT_LANDED, "", True

    def where(self) -> str:
        """``file[sheet] 第N行 「column」`` for a terminal line."""
        return (Path(self.file).name + (f"[{self.sheet}]" if self.sheet else "")
                + (f" 第{self.row}行" if self.row else "") + (f" 「{self.column}」" if self.column else ""))


class Capped(list):
    """A list that keeps its first ``limit`` items and counts the rest (``dropped``): a file of
    a million bad rows must not make a report of gigabytes.

    >>> c = Capped(limit=2)
    >>> c.extend([1, 2, 3]); c.append(4)
    >>> (list(c), c.dropped)
    ([1, 2], 2)
    """

    def __init__(self, items: Any = (), limit: int = 10_000) -> None:
        super().__init__()
        self.limit, self.dropped = limit, 0
        self.extend(items)

    def append(self, item: Any) -> None:
        if len(self) < self.limit:
            super().append(item)
        else:
            self.dropped += 1

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)


@dataclass
class ReadColumn:
    letter: str
    header: str  # as typed
    field: str  # the ledger column it was read as
    note: str = ""


@dataclass
class PassedColumn:
    letter: str
    header: str
    nearest: str | None = None  # the field it looks like
    note: str = ""
    warned: bool = False


@dataclass
class ColumnMap:
    file: str
    sheet: str | None
    header_row: int | None
    ledger: str  # Chinese ledger name
    read: list[ReadColumn] = field(default_factory=list)
    passed: list[PassedColumn] = field(default_factory=list)

    def where(self) -> str:
        return Path(self.file).name + (f"[{self.sheet}]" if self.sheet else "")

    def lines(self) -> list[str]:
        """The map as a terminal shows it: one line read, one line passed over."""
        read = "、".join(f"{c.header}→{c.field}" + (f"（{c.note}）" if c.note else "") for c in self.read)
        out = [f"{self.where()} 第{self.header_row}行表头，按「{self.ledger}」读取：{read}"]
        if self.passed:
            out.append("  未读取：" + "、".join(
                c.header + (f"（像是「{c.nearest}」）" if c.nearest else "") + (f"（{c.note}）" if c.note else "")
                for c in self.passed))
        return out


# What 其中未变 (``LedgerCounts.unchanged``) means, said under the counts by the CLI and the upload page.
UNCHANGED_NOTE = "“其中未变”：与图谱中已有内容相同的行，未重新写入（来源与载入时间保留上次写入时的）"


@dataclass
class LedgerCounts:
    read: int = 0
    landed: int = 0
    rejected: int = 0
    warnings: int = 0
    unchanged: int = 0  # of the landed rows, those the same as their nodes: not written again


ISSUE_LISTS = ("rejected", "warnings", "ignored_columns", "skipped", "merged_cells")


@dataclass
class IngestReport:
    # how each column of each sheet was read (ingest.column_map): the report opens with it
    column_maps: list[ColumnMap] = field(default_factory=list)
    dry_run: bool = False
    files: list[str] = field(default_factory=list)
    ledgers: dict[str, LedgerCounts] = field(default_factory=dict)  # by Chinese ledger name
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    ignored_columns: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)  # sheets and rows passed over, and why
    merged_cells: list[Issue] = field(default_factory=list)  # merged ranges read as each row's value
    return_files: list[str] = field(default_factory=list)  # the 退回清单 written for this load
    error: str | None = None  # a failure that stopped the load (e.g. Neo4j went away)
    reverted: bool = False  # the store went back to its last saved graph (a full disk): nothing landed
    dittos: int = 0  # cells written 同上 / 〃, read as the value above them
    by_name: int = 0  # references that gave the name of one node where its code belongs
    units_made: int = 0  # units organisation rows named that no ledger had (ingest.row_units)
    units_linked: int = 0  # and those that linked a unit there already
    aliased: int = 0  # codes read as the node they were merged into (#16: merged duplicates)
    notes: list[str] = field(default_factory=list)  # what the uploader should know (停止党籍 not counted)
    # things this load ended (a status, or absence from a complete ledger) and restored
    # (ingest.ends.entry: label, id, name, date, reason, source, file, sheet, row)
    ended: list[dict[str, Any]] = field(default_factory=list)
    restored: list[dict[str, Any]] = field(default_factory=list)
    # a complete ledger (--complete): per ledger, the scope it covered and what it ended
    complete: list[dict[str, Any]] = field(default_factory=list)
    limit: int = 10_000  # issues listed per kind (TUPU_MAX_REPORT_ISSUES); the rest are counted

    def __post_init__(self) -> None:
        for name in ISSUE_LISTS:
            setattr(self, name, Capped(getattr(self, name), limit=self.limit))

    def counts(self, ledger_zh: str) -> LedgerCounts:
        return self.ledgers.setdefault(ledger_zh, LedgerCounts())

    @property
    def landed(self) -> dict[str, int]:
        return {k: v.landed for k, v in self.ledgers.items()}

    @property
    def ok(self) -> bool:
        return self.error is None and not self.rejected

    def settle_rejected_rows(self) -> None:
        """Warnings on rows that were rejected (for another cell, a duplicate code, a street
        outside the user's scope...) say that the row did not land, not that it did."""
        rejected = {(i.file, i.sheet, i.row) for i in self.rejected if i.row is not None}
        for w in self.warnings:
            if not w.row_rejected and (w.file, w.sheet, w.row) in rejected:
                w.on_rejected_row()

    def grouped(self, issues: list[Issue]) -> list[tuple[str, str, int]]:
        """(column, kind of reason, how many), most frequent first."""
        counts = Counter((i.column or "", i.kind) for i in issues)
        return [(col, kind, n) for (col, kind), n in counts.most_common()]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d = {"column_maps": d.pop("column_maps"), **d}  # the report opens with how each column was read
        for name in ISSUE_LISTS:
            for issue in d[name]:
                del issue["landed_note"]  # how the reason is worded, not news to a reader
                if name != "warnings":
                    del issue["row_rejected"]
        d["landed"] = self.landed
        d["not_listed"] = {name: getattr(self, name).dropped for name in ISSUE_LISTS}
        d["warning_summary"] = [{"column": c, "reason": k, "count": n} for c, k, n in self.grouped(self.warnings)]
        d["rejected_summary"] = [{"column": c, "reason": k, "count": n} for c, k, n in self.grouped(self.rejected)]
        return d

    def write_json(self, path: Path) -> None:
        # personal values were masked when they were recorded (ingest.rows)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
