"""Stream the tables out of ledger files: ``.xlsx`` (any number of sheets) and ``.csv`` (UTF-8
with or without BOM, GBK / GB18030).

A table is recognised by its header row, wherever it is in the first rows of a sheet (a merged
title row may stand above it), and by which ledger's required headers it carries, not by the
file's name. Rows are yielded one at a time with the row number the spreadsheet shows; blank rows
are skipped and the table ends at the notes under it (填表人、填表日期 ...).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.ledgers import IGNORED_HEADERS, LEDGERS, NOTE_PREFIXES, Column, Ledger

HEADER_SCAN_ROWS = 30
SUPPORTED = (".xlsx", ".xlsm", ".csv")


@dataclass
class Table:
    file: str
    sheet: str | None
    ledger: Ledger | None
    header_row: int | None
    columns: dict[int, Column] = field(default_factory=dict)  # cell index -> column
    headers: dict[int, str] = field(default_factory=dict)  # cell index -> header as typed
    ignored: list[str] = field(default_factory=list)  # unknown headers, reported once
    problem: str | None = None  # why the table could not be read
    rows: Iterator[tuple[int, list[Any]]] = iter(())
    size_hint: int | None = None  # rows in the sheet, when the format tells
    close: Callable[[], None] = lambda: None  # releases the file (call when done with rows)


def normalize_header(text: Any) -> str:
    t = unicodedata.normalize("NFKC", str(text or ""))
    t = re.sub(r"[\s*＊]+", "", t)
    return re.sub(r"[(（]必填[)）]$", "", t)


_HEADER_INDEX: dict[str, dict[str, Column]] = {
    name: {**{c.zh: c for c in lg.columns}, **{c.en.lower(): c for c in lg.columns}}
    for name, lg in LEDGERS.items()
}


def _match(cells: list[Any]) -> tuple[Ledger, dict[int, Column]] | None:
    """The ledger whose required headers this row carries (the one matching most headers)."""
    names = [normalize_header(c) for c in cells]
    best: tuple[int, Ledger, dict[int, Column]] | None = None
    for lname, index in _HEADER_INDEX.items():
        cols: dict[int, Column] = {}
        for i, n in enumerate(names):
            col = index.get(n) or index.get(n.lower())
            if col is not None and col not in cols.values():
                cols[i] = col
        lg = LEDGERS[lname]
        if all(c in cols.values() for c in lg.required) and (best is None or len(cols) > best[0]):
            best = (len(cols), lg, cols)
    return (best[1], best[2]) if best else None


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def _is_note(cells: list[Any]) -> bool:
    first = next((str(c).strip() for c in cells if c is not None and str(c).strip()), "")
    return first.startswith(NOTE_PREFIXES)


def _table(file: str, sheet: str | None, rows: Iterator[tuple[int, list[Any]]],
           size_hint: int | None = None) -> Table:
    """Find the header row in ``rows`` and return the table positioned after it."""
    saw_content = False
    for _ in range(HEADER_SCAN_ROWS):
        try:
            row_no, cells = next(rows)
        except StopIteration:
            break
        if _is_blank(cells):
            continue
        saw_content = True
        found = _match(cells)
        if found is None:
            continue
        ledger, cols = found
        headers = {i: str(c).strip() for i, c in enumerate(cells) if c is not None and str(c).strip()}
        ignored = [h for i, h in headers.items()
                   if i not in cols and normalize_header(h) not in IGNORED_HEADERS]

        def body(rows=rows) -> Iterator[tuple[int, list[Any]]]:
            for row_no, cells in rows:
                if _is_blank(cells):
                    continue
                if _is_note(cells):
                    return
                yield row_no, cells

        return Table(file, sheet, ledger, row_no, cols, headers, ignored, None, body(), size_hint)
    if not saw_content:
        return Table(file, sheet, None, None, problem=None if sheet else "文件为空")
    return Table(file, sheet, None, None,
                 problem="未识别出台账表头：前30行中没有一行包含某类台账的全部必填列 "
                         "(no header row with a ledger's required columns)")


# --- CSV ---------------------------------------------------------------------------------------
def sniff_encoding(path: Path) -> str:
    """utf-8-sig for UTF-8 (BOM or not); gb18030 (a superset of GBK) otherwise."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8-sig"
        return "gb18030"


def read_csv(path: Path) -> Iterator[Table]:
    enc = sniff_encoding(path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with open(path, encoding=enc, errors="replace", newline="") as f:
            sample = f.read(64 * 1024)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(f, dialect)
            for cells in reader:
                yield reader.line_num, cells

    yield _table(str(path), None, rows())


# --- XLSX --------------------------------------------------------------------------------------
_ZEROS = re.compile(r"^0+$")


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", None) or ""
        if _ZEROS.match(fmt):  # a code typed with leading zeros kept by a "000000" format
            return str(value).zfill(len(fmt))
    return value


def read_xlsx(path: Path) -> Iterator[Table]:
    from openpyxl import load_workbook

    # Read-only mode streams rows from the archive: the workbook stays open until every table
    # of it is closed.
    wb = load_workbook(path, read_only=True, data_only=True)
    sheets = wb.worksheets
    left = [len(sheets)]

    def close_one() -> None:
        left[0] -= 1
        if left[0] == 0:
            wb.close()

    for ws in sheets:
        start = ws.min_row or 1

        def rows(ws=ws, start=start) -> Iterator[tuple[int, list[Any]]]:
            for i, row in enumerate(ws.iter_rows(), start=start):
                yield i, [_cell_value(c) for c in row]

        size = (ws.max_row - start + 1) if ws.max_row else None
        table = _table(str(path), ws.title, rows(), size)
        table.close = _once(close_one)
        yield table


def _once(fn: Callable[[], None]) -> Callable[[], None]:
    done = [False]

    def call() -> None:
        if not done[0]:
            done[0] = True
            fn()

    return call


def read_tables(path: Path) -> Iterator[Table]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        yield from read_xlsx(path)
    else:
        yield Table(str(path), None, None, None,
                    problem=f"不支持的文件类型 {suffix}（支持 .xlsx 与 .csv）")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the ledger files inside given folders (sorted), skipping Office's
    lock files (``~$name.xlsx``)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.suffix.lower() in SUPPORTED and not f.name.startswith("~$")))
        else:
            out.append(p)
    return out


