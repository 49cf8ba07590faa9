"""Stream the tables out of ledger files: ``.xlsx`` (any number of sheets) and ``.csv`` (UTF-8
with or without BOM, GBK / GB18030).

A table is recognised by its header row, wherever it is in the first rows of a sheet (a merged
title row may stand above it), and by which ledger's required headers it carries, not by the
file's name. Headers are compared as people write them (:func:`normalize_header` and the
synonyms of :mod:`ingest.synonyms`). Rows are yielded one at a time with the row number the
spreadsheet shows; blank rows are skipped, totals (合计/小计) and a template's example row are
passed over (listed in ``Table.passed``), and the table ends at the notes under it (填表人 ...).
A sheet that holds no ledger (填表说明) is marked ``skipped``, not failed.
"""
from __future__ import annotations

import csv
import difflib
import itertools
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.config import Limits
from graph.errors import TooLargeInput
from ingest import synonyms
from ingest.cells import unescape_csv
from ingest.ledgers import LEDGERS, NOTE_PREFIXES, Column, Ledger

HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 256  # cells past this column are not read (a ledger has a few dozen)
MAX_BLANK_RUN = 10_000  # this many blank rows in a row end the table (a stray far-away cell)
SUPPORTED = (".xlsx", ".xlsm", ".xls", ".csv")
SUPPORTED_ZH = ".xlsx、.xls 与 .csv"  # as a message names them
RETURN_SUFFIX = "_退回清单.xlsx"  # a return list an earlier load wrote (ingest.returns): no ledger


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
    skipped: str | None = None  # why the sheet was passed over (it holds no ledger)
    rows: Iterator[tuple[int, list[Any]]] = iter(())
    size_hint: int | None = None  # rows in the sheet, when the format tells
    close: Callable[[], None] = lambda: None  # releases the file (call when done with rows)
    marker: int | None = None  # the 序号 column's index, where a template marks its example
    passed: list[tuple[int, str]] = field(default_factory=list)  # rows passed over, and why
    stopped: str | None = None  # why reading stopped before the end (a long blank run)
    truncated: bool = False  # and whether rows were lost by it (the row limit)
    limits: Limits = Limits()
    # vertically merged ranges read as every row's value: (column, first row, last row), 1-based;
    # filled while the rows are read
    merged: list[tuple[int, int, int]] = field(default_factory=list)
    dittos: int = 0  # cells written 同上 / 〃, read as the value above them


class TooLarge(TooLargeInput, ValueError):
    """A file over one of the :class:`~graph.config.Limits`; the message is in Chinese."""


_BRACKETED_SUFFIX = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]$")


def normalize_header(text: Any) -> str:
    """A header as compared: NFKC, no spaces (the ideographic one too), no leading or trailing
    ``*`` / ``※``, no bracketed suffix such as （全称）or (必填).

    >>> normalize_header("*党组织名称（全称）")
    '党组织名称'
    >>> normalize_header("身份证号 (18位)※")
    '身份证号'
    """
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))
    while True:
        stripped = _BRACKETED_SUFFIX.sub("", t.strip("*※＊"))
        if stripped == t or not stripped:
            return t
        t = stripped


# Word endings people use for one another in any header: 党员编号 / 党员编码, 区划编码 / 区划代码,
# 党员类型 / 党员类别 — one rule instead of a synonym per column.
_ENDINGS = (("编码", "编号"), ("编码", "代码"), ("代码", "编码"), ("代码", "编号"), ("类别", "类型"))


def _variants(zh: str) -> list[str]:
    """
    >>> _variants("党员编码"), _variants("党员类别")
    (['党员编号', '党员代码'], ['党员类型'])
    """
    return [zh[: -len(a)] + b for a, b in _ENDINGS if zh.endswith(a)]


def _index(lg: Ledger, aliases: dict[str, str]) -> dict[str, Column]:
    by_zh = {c.zh: c for c in lg.columns}
    index = {**{c.en.lower(): c for c in lg.columns},
             **{v: c for c in lg.columns for v in _variants(c.zh)},
             # and the synonyms' variants: 党组织编号 is 党组织编码, a synonym of 组织编码
             **{v: by_zh[zh] for alias, zh in aliases.items() if zh in by_zh for v in _variants(alias)},
             **{alias: by_zh[zh] for alias, zh in aliases.items() if zh in by_zh},
             **by_zh}
    return index


class Catalogue:
    """The kinds of table a reader recognises by their headers: the ledgers (the default), or
    the exports of other registries (``ingest.registries``), each with its headers' synonyms."""

    def __init__(self, ledgers: dict[str, Ledger], aliases: dict[str, str]) -> None:
        self.ledgers = ledgers
        self.index: dict[str, dict[str, Column]] = {name: _index(lg, aliases) for name, lg in ledgers.items()}


LEDGER_CATALOGUE = Catalogue(LEDGERS, synonyms.HEADERS)


def _columns(names: list[str], index: dict[str, Column]) -> dict[int, Column]:
    cols: dict[int, Column] = {}
    for i, n in enumerate(names):
        col = index.get(n) or index.get(n.lower())
        if col is not None and col not in cols.values():
            cols[i] = col
    return cols


def _match(cells: list[Any], catalogue: Catalogue) -> tuple[Ledger, dict[int, Column]] | None:
    """The ledger whose required headers this row carries (the one matching most headers)."""
    names = [normalize_header(c) for c in cells]
    best: tuple[int, Ledger, dict[int, Column]] | None = None
    for lname, index in catalogue.index.items():
        cols = _columns(names, index)
        lg = catalogue.ledgers[lname]
        if _has_required(lg, cols) and (best is None or len(cols) > best[0]):
            best = (len(cols), lg, cols)
    return (best[1], best[2]) if best else None


def _has_required(lg: Ledger, cols: dict[int, Column]) -> bool:
    """Every required column of ``lg`` is among ``cols``, or the one that may stand in for it
    (a members' sheet keyed by 公民身份号码 has no 党员编码)."""
    found = {c.zh for c in cols.values()}
    return all(c.zh in found or lg.stands_in(c) in found for c in lg.required)


def _near_miss(cells: list[Any], catalogue: Catalogue) -> tuple[int, str] | None:
    """For a row that is no ledger's header: how many of the closest ledger's headers it has,
    and a message naming that ledger's missing required columns and the header nearest each."""
    names = [normalize_header(c) for c in cells]
    best: tuple[int, int, Ledger, dict[int, Column]] | None = None
    for lname, index in catalogue.index.items():
        cols = _columns(names, index)
        lg = catalogue.ledgers[lname]
        found = sum(1 for c in lg.required if c in cols.values())
        if cols and (best is None or (len(cols), found) > (best[0], best[1])):
            best = (len(cols), found, lg, cols)
    if best is None:
        return None
    n, _, lg, cols = best
    unused = [str(cells[i]).strip() for i, name in enumerate(names) if name and i not in cols]
    parts = []
    have = {c.zh for c in cols.values()}
    for c in lg.required:
        if c in cols.values() or lg.stands_in(c) in have:
            continue
        near = difflib.get_close_matches(c.zh, unused, n=1, cutoff=0.3)
        alt = f"（或「{other}」，由它生成{c.zh}）" if (other := lg.stands_in(c)) else ""
        parts.append(f"「{c.zh}」{alt}" + (f"（最接近的表头是「{near[0]}」）" if near else ""))
    return n, f"像是「{lg.zh}」台账，但缺少必填列：{'、'.join(parts)}"


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (c.__class__ is str and (not c or c.isspace())) for c in cells)


def _first_filled(cells: list[Any], n: int = 1) -> list[str]:
    out = []
    for c in cells:
        if c is not None and str(c).strip():
            out.append(str(c).strip())
            if len(out) == n:
                break
    return out


def _is_note(cells: list[Any]) -> bool:
    first = _first_filled(cells)
    return bool(first) and first[0].startswith(NOTE_PREFIXES)


def _is_total(cells: list[Any]) -> bool:
    # runs for every row: a length test first, the normalising only for short cells
    return any(len(c) <= 8 and re.sub(r"\s+", "", c).rstrip(":：") in synonyms.TOTAL_ROWS
               for c in _first_filled(cells, 2))


def _is_example(cells: list[Any], marker: int | None) -> bool:
    if marker is None or marker >= len(cells) or cells[marker] is None:
        return False
    return re.sub(r"\s+", "", str(cells[marker])) in synonyms.EXAMPLE_MARKS


def _skips_by_name(sheet: str | None) -> bool:
    return sheet is not None and any(word in sheet for word in synonyms.NON_LEDGER_SHEETS)


def _table(file: str, sheet: str | None, rows: Iterator[tuple[int, list[Any]]],
           size_hint: int | None = None, limits: Limits = Limits(),
           catalogue: Catalogue = LEDGER_CATALOGUE) -> Table:
    """Find the header row in ``rows`` and return the table positioned after it."""
    saw_content = False
    closest: tuple[int, str] | None = None
    if _skips_by_name(sheet):
        return Table(file, sheet, None, None, skipped=f"工作表「{sheet}」不是台账（说明或选项表），已跳过")
    for _ in range(HEADER_SCAN_ROWS):
        try:
            row_no, cells = next(rows)
        except StopIteration:
            break
        if _is_blank(cells):
            continue
        saw_content = True
        found = _match(cells, catalogue)
        following = next(rows, None)
        two = None
        if following is not None:
            two = _two_row_header(cells, following[1], catalogue)
            if two is not None and len(two[2]) <= _width(found or _match(following[1], catalogue)):
                two = None  # no more columns than either row alone (a title above the header)
        if two is not None and following is not None:
            row_no, (cells, ledger, cols) = following[0], two
        else:
            if following is not None:  # not part of the header: read it as the next row
                rows = itertools.chain([following], rows)
            if found is None:
                miss = _near_miss(cells, catalogue)
                if miss and (closest is None or miss[0] > closest[0]):
                    closest = (miss[0], f"第{row_no}行{miss[1]}")
                continue
            ledger, cols = found
        headers = {i: str(c).strip() for i, c in enumerate(cells) if c is not None and str(c).strip()}
        ignored = [h for i, h in headers.items()
                   if i not in cols and normalize_header(h).upper() not in synonyms.IGNORED_HEADERS]
        marker = next((i for i, h in headers.items()
                       if normalize_header(h).upper() in synonyms.IGNORED_HEADERS), None)
        table = Table(file, sheet, ledger, row_no, cols, headers, ignored, size_hint=size_hint,
                      marker=marker, limits=limits)
        table.rows = _body(table, rows)
        return table
    if not saw_content:
        return Table(file, sheet, None, None, problem=None if sheet else "文件为空")
    if closest is not None and closest[0] >= 2:  # it meant to be a ledger: say what it lacks
        return Table(file, sheet, None, None, problem=f"未识别出台账表头：{closest[1]}")
    if sheet is not None:
        return Table(file, sheet, None, None, skipped=f"工作表「{sheet}」中没有台账表头，已跳过",
                     problem=closest[1] if closest else None)
    return Table(file, sheet, None, None,
                 problem="未识别出台账表头：前30行中没有一行包含某类台账的全部必填列"
                         + (f"（{closest[1]}）" if closest else ""))


def _width(found: tuple[Ledger, dict[int, Column]] | None) -> int:
    return len(found[1]) if found else 0


def _two_row_header(cells: list[Any], below: list[Any],
                    catalogue: Catalogue) -> tuple[list[Any], Ledger, dict[int, Column]] | None:
    """A header written on two rows: group titles (基本情况, merged across columns) above the
    names of their columns, the other names merged down over both rows. The names as one row
    (each column's lower name, else its upper), its ledger and columns, when ``below`` holds
    only header names (never a row of data) and together they make a ledger's header. The
    caller takes it when it finds more columns than either row alone (a title row above a
    header finds no more than the header)."""
    if _is_blank(below):
        return None
    combined = [a if _is_blank([b]) else b for a, b in itertools.zip_longest(cells, below)]
    found = _match(combined, catalogue)
    if found is None:
        return None
    for i, value in enumerate(below):
        name = normalize_header(value)
        if (not name or i in found[1] or name.upper() in synonyms.IGNORED_HEADERS
                or (i < len(cells) and name == normalize_header(cells[i]))):
            continue
        return None  # a value that is no header name of that ledger: ``below`` is data
    return combined, found[0], found[1]


def _body(table: Table, rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    blank_run = read = 0
    above: list[Any] | None = None  # the row of data before, for 同上
    for row_no, cells in rows:
        if _is_blank(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                table.stopped = f"第{row_no - blank_run + 1}行起连续{MAX_BLANK_RUN}行为空，其后内容未读取"
                return
            continue
        blank_run = 0
        if _is_note(cells):
            return
        if _is_total(cells):
            table.passed.append((row_no, "合计/小计行，已跳过"))
            continue
        if _is_example(cells, table.marker):
            table.passed.append((row_no, "模板示例行，未载入"))
            continue
        read += 1
        if read > table.limits.rows:
            table.stopped = f"超过行数上限（{table.limits.rows} 行，TUPU_MAX_ROWS），第{row_no}行起未读取"
            table.truncated = True
            return
        if above is not None and not synonyms.DITTO_MARKS.isdisjoint(cells):  # a set test in C: every row
            table.dittos += _read_dittos(cells, above)
        above = cells
        yield row_no, cells


def _read_dittos(cells: list[Any], above: list[Any]) -> int:
    """Replace each 同上 / 〃 of ``cells`` with the value in its column in the row ``above``
    (itself already read so), where that is filled; how many were replaced."""
    n = 0
    for i, value in enumerate(cells):
        if value in synonyms.DITTO_MARKS and i < len(above) and not _is_blank([above[i]]):
            cells[i] = above[i]
            n += 1
    return n


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


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the first filled line: the most frequent of ``,``, tab and ``;``.
    (csv.Sniffer's regular expressions backtrack for seconds on hostile input.)

    >>> sniff_delimiter("组织编码\\t组织名称\\t组织类别\\n")
    '\\t'
    """
    line = next((ln for ln in sample.splitlines() if ln.strip()), "")
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, limits: Limits = Limits(), catalogue: Catalogue = LEDGER_CATALOGUE) -> Iterator[Table]:
    enc = sniff_encoding(path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with open(path, encoding=enc, errors="replace", newline="") as f:
            delimiter = sniff_delimiter(f.read(64 * 1024))
            f.seek(0)
            reader = csv.reader(f, delimiter=delimiter)
            for cells in reader:
                yield reader.line_num, [unescape_csv(c) for c in cells[:MAX_COLUMNS]]

    yield _table(str(path), None, rows(), limits=limits, catalogue=catalogue)


# --- XLSX --------------------------------------------------------------------------------------
_ZEROS = re.compile(r"^0+$")


def _cell_value(cell: Any) -> Any:
    return _shown(cell.value, getattr(cell, "number_format", None) or "")


def _shown(value: Any, fmt: str) -> Any:
    """A cell's value as the sheet shows it: a whole number as an int, and a code typed with
    leading zeros kept by a "000000" number format as the text it shows."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and _ZEROS.match(fmt):
        return str(value).zfill(len(fmt))
    return value


class UncomputedFormula(str):
    """A formula cell whose workbook holds no calculated value (written by a script, never
    opened and saved in Excel/WPS): the text is the formula. Reading with ``data_only`` gives
    None for it, which would read as a blank cell and be refused as missing."""

    reason = "公式没有计算结果：请在 Excel 或 WPS 中打开、保存后再载入"


# one cell of the sheet's XML (any namespace prefix), its reference and its inside
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>/]*>[^<]|<(?:\w+:)?is\b")  # a value not empty
_STRING_RESULT = re.compile(rb'\bt="str"')
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


# a merged range of the sheet's XML: <mergeCell ref="E4:E7"/> (after the rows, at the end)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


@dataclass
class SheetExtras:
    """What read-only openpyxl does not give of a sheet: its formula cells with no calculated
    value, by (row, column), and its merged ranges as (first row, first column, last row, last
    column), 1-based."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def sheet_extras(archive: zipfile.ZipFile, member: str) -> SheetExtras:
    """Read one sheet's XML from the workbook's zip ``archive`` once for its merged ranges and
    whether it holds a formula; only a sheet with a formula (few ledgers) is read again for
    the uncalculated ones."""
    from openpyxl.utils import column_index_from_string

    merges: set[tuple[int, int, int, int]] = set()
    any_formula = False
    with archive.open(member) as f:  # chunk by chunk, never the whole sheet held
        tail = b""
        while chunk := f.read(1 << 20):
            text = tail + chunk
            any_formula = any_formula or _ANY_FORMULA.search(text) is not None
            for m in _MERGE.finditer(text):  # a range in the overlap is found twice: a set
                c1, r1, c2, r2 = m.groups()
                merges.add((int(r1), column_index_from_string(c1.decode()),
                            int(r2), column_index_from_string(c2.decode())))
            tail = chunk[-256:]
    return SheetExtras(uncomputed_formulas(archive, member) if any_formula else {}, sorted(merges))


def uncomputed_formulas(archive: zipfile.ZipFile, member: str) -> dict[tuple[int, int], str]:
    """The formula cells of one sheet that carry no calculated value, by (row, column), from
    the sheet's XML in the workbook's zip ``archive``."""
    from html import unescape

    from openpyxl.utils import column_index_from_string

    with archive.open(member) as f:
        data = f.read()
    found: dict[tuple[int, int], str] = {}
    for m in _CELL.finditer(data):
        inside = m.group(2) or b""
        formula = _FORMULA.search(inside)
        if formula is None or _VALUE.search(inside) or _STRING_RESULT.search(m.group(1)):
            continue  # a value, or an empty text result (Excel's for ="")
        ref = _REF.search(m.group(1))
        if ref is None:
            continue
        text = unescape((formula.group(1) or b"").decode("utf-8", "replace"))
        at = (int(ref.group(2)), column_index_from_string(ref.group(1).decode()))
        found[at] = f"={text}" if text else "=（共享公式）"
    return found


class MergedDown:
    """Fill the rows of a vertically merged range with its first cell's value, as the sheet
    shows it (a 上级组织编码 or 区划代码 merged over a street's rows is every row's), and keep
    the ranges it filled: (column, first row, last row), 1-based."""

    def __init__(self, merges: list[tuple[int, int, int, int]]) -> None:
        self.starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for r1, c1, r2, _ in merges:
            if r2 > r1:  # a merge across columns only (a title) leaves no cell blank that is meant filled
                self.starts[r1].append((c1, r2))
        self.active: dict[int, tuple[Any, int]] = {}  # column -> (value, last row)
        self.filled: list[tuple[int, int, int]] = []

    def __call__(self, row: int, cells: list[Any]) -> None:
        for col, last in self.starts.get(row, ()):
            value = cells[col - 1] if col <= len(cells) else None
            if value is not None:
                self.active[col] = (value, last)
                self.filled.append((col, row, last))
        for col, (value, last) in list(self.active.items()):
            if row > last:
                del self.active[col]
            elif col <= len(cells) and cells[col - 1] is None:
                cells[col - 1] = value


def check_unzipped(path: Path, limits: Limits) -> None:
    """Refuse an xlsx whose parts would unpack past the limit (a zip bomb), before reading it."""
    with zipfile.ZipFile(path) as z:
        total = sum(i.file_size for i in z.infolist())
    if total > limits.unzipped_mb * 1024 * 1024:
        raise TooLarge(f"文件解压后约 {total // (1024 * 1024)} MB，超过上限 {limits.unzipped_mb} MB"
                       f"（TUPU_MAX_UNZIPPED_MB），未读取")


def read_xlsx(path: Path, limits: Limits = Limits(), catalogue: Catalogue = LEDGER_CATALOGUE) -> Iterator[Table]:
    from openpyxl import load_workbook

    check_unzipped(path, limits)
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
        if ws.sheet_state != "visible":
            close_one()
            yield _hidden(str(path), ws.title)
            continue
        start = ws.min_row or 1

        # from column A (the cell index is then the column), no further than MAX_COLUMNS
        width = min(ws.max_column, MAX_COLUMNS) if ws.max_column else None

        member = getattr(ws, "_worksheet_path", None)
        extras = SheetExtras()
        if member:
            with zipfile.ZipFile(path) as archive:
                extras = sheet_extras(archive, member)
        merged = MergedDown(extras.merges) if extras.merges else None

        def rows(ws=ws, start=start, width=width, formulas=extras.formulas,
                 merged=merged) -> Iterator[tuple[int, list[Any]]]:
            for i, row in enumerate(ws.iter_rows(min_col=1, max_col=width), start=start):
                cells = [_cell_value(c) for c in row[:MAX_COLUMNS]]
                if formulas:
                    for j in range(len(cells)):
                        if cells[j] is None and (i, j + 1) in formulas:
                            cells[j] = UncomputedFormula(formulas[(i, j + 1)])
                if merged is not None:
                    merged(i, cells)
                yield i, cells

        size = (ws.max_row - start + 1) if ws.max_row else None
        table = _table(str(path), ws.title, rows(), size, limits, catalogue)
        table.close = _once(close_one)
        if merged is not None:
            table.merged = merged.filled
        yield table


# --- XLS (Excel 97-2003, still what many offices' templates are) --------------------------------
def read_xls(path: Path, limits: Limits = Limits(), catalogue: Catalogue = LEDGER_CATALOGUE) -> Iterator[Table]:
    """The tables of an ``.xls`` workbook, read as an ``.xlsx`` one is (merged ranges filled
    down, codes with leading zeros as shown, date cells as dates). The whole file is read at
    once: the format holds at most 65,536 rows a sheet."""

    book = open_xls(path)
    for sheet in book.sheets():
        if sheet.visibility:  # 1 hidden, 2 very hidden
            yield _hidden(str(path), sheet.name)
            continue
        merges = xls_merges(sheet)
        merged = MergedDown(merges) if merges else None

        def rows(sheet: Any = sheet, merged: MergedDown | None = merged) -> Iterator[tuple[int, list[Any]]]:
            for r in range(sheet.nrows):
                cells = [xls_value(book, c) for c in sheet.row(r)[:MAX_COLUMNS]]
                if merged is not None:
                    merged(r + 1, cells)
                yield r + 1, cells

        table = _table(str(path), sheet.name, rows(), sheet.nrows, limits, catalogue)
        if merged is not None:
            table.merged = merged.filled
        yield table


def open_xls(path: Path) -> Any:
    import xlrd

    return xlrd.open_workbook(str(path), formatting_info=True)


def xls_merges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """A sheet's merged ranges as (first row, first column, last row, last column), 1-based
    (xlrd's are 0-based and end past their last row and column)."""
    return [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sheet.merged_cells]


def xls_value(book: Any, cell: Any) -> Any:
    """An ``.xls`` cell's value as :func:`read_xlsx` gives an ``.xlsx`` cell's."""
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):  # a date cell out of range: the number as typed
            return cell.value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#错误")
    if kind == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
        fmt = book.format_map[xf.format_key].format_str if xf is not None and xf.format_key in book.format_map else ""
        return _shown(cell.value, fmt)
    return cell.value


def _hidden(file: str, sheet: str) -> Table:
    """A hidden sheet is passed over: what nobody sees on screen (an old copy kept out of the
    way, a list of options) must not land beside the ledger."""
    return Table(file, sheet, None, None, skipped=f"工作表「{sheet}」是隐藏的，未读取（要载入请在 Excel 中取消隐藏）")


def _once(fn: Callable[[], None]) -> Callable[[], None]:
    done = [False]

    def call() -> None:
        if not done[0]:
            done[0] = True
            fn()

    return call


def read_tables(path: Path, limits: Limits = Limits(), catalogue: Catalogue = LEDGER_CATALOGUE) -> Iterator[Table]:
    """The tables of one file, recognised among ``catalogue``'s kinds (the ledgers by default)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path, limits, catalogue)
    elif suffix in (".xlsx", ".xlsm"):
        yield from read_xlsx(path, limits, catalogue)
    elif suffix == ".xls":
        yield from read_xls(path, limits, catalogue)
    else:
        yield Table(str(path), None, None, None,
                    problem=f"不支持的文件类型 {suffix}（支持 {SUPPORTED_ZH}）")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the ledger files inside given folders (sorted), skipping Office's
    lock files (``~$name.xlsx``) and the return lists of earlier loads."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.suffix.lower() in SUPPORTED and not f.name.startswith("~$")
                              and not f.name.endswith(RETURN_SUFFIX)))
        else:
            out.append(p)
    return out


