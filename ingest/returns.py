"""The return list (退回清单): per source file, a workbook a street office can correct and resend.

Its first sheet says how each column of the file's sheets was read (the column map, as the report
opens with it); the second lists every rejected row, every warning and every row passed over (kind, sheet,
row, column, cell, the value as typed with personal data masked, the reason), each linked to its
cell; the sheets after it are a copy of the source (a CSV becomes one sheet) with every rejected
cell filled red and every warned cell yellow, each with a comment giving the reason in Chinese.

A source too large to copy into memory gets the list sheet only.
"""
from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, quote_sheetname
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.worksheet.worksheet import Worksheet

from graph.config import Limits
from ingest.cells import as_text, put_row, unescape_csv, xlsx_safe
from ingest.readers import MAX_COLUMNS, check_unzipped, open_xls, sniff_delimiter, sniff_encoding, xls_merges, xls_value
from ingest.readers import RETURN_SUFFIX as SUFFIX
from ingest.report import ColumnMap, IngestReport, Issue

# sources larger than this get the list sheet only (a street office's ledger is far smaller;
# copying a province-size file cell by cell would hold a load for minutes)
MAX_COPY_BYTES = 5 * 1024 * 1024
MAX_COPY_ROWS = 50_000
REJECTED_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
KINDS = (("拒绝（未载入）", REJECTED_FILL), ("警告（已载入，该项留空）", WARNING_FILL), ("已跳过", None))
ON_REJECTED_ROW = "警告（本行未载入，一并改正）"  # a warning on a row rejected for another cell
LIST_HEADERS = ("序号", "类型", "工作表", "行", "列", "单元格", "填写的值", "原因")


def write_returns(report: IngestReport, folder: Path,
                  shown_names: dict[str, str] | None = None) -> list[Path]:
    """Write one return workbook per source file that has anything to fix or say; return their
    paths (also kept in ``report.return_files``). ``shown_names`` maps a source path to the name
    the user knows it by (an upload's own name)."""
    by_file: dict[str, list[tuple[int, Issue]]] = defaultdict(list)
    for kind, issues in enumerate((report.rejected, report.warnings, report.skipped)):
        for issue in issues:
            by_file[issue.file].append((kind, issue))
    ended = _ended_by_file(report)
    for file in ended:
        by_file.setdefault(file, [])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, located in by_file.items():
        source = Path(file)
        name = Path((shown_names or {}).get(file, source.name))
        wb = _copy(source)
        copied = len(wb.worksheets) > 0
        _list_sheet(wb, located, has_copy=copied, csv_sheet=_csv_title(source))
        if ended.get(file):
            _ended_sheet(wb, ended[file])
        if copied:
            _mark(wb, located, csv_sheet=_csv_title(source))
        _map_sheet(wb, [m for m in report.column_maps if m.file == file])
        for ws in wb.worksheets:  # printed, each sheet fits the width of a landscape page
            ws.page_setup.orientation = "landscape"
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        target = folder / (name.stem[:100] + SUFFIX)
        wb.save(target)
        written.append(target)
    report.return_files = [str(p) for p in written]
    return written


def _csv_title(source: Path) -> str | None:
    return source.stem[:31] if source.suffix.lower() == ".csv" else None


def _copy(source: Path) -> WorkbookType:
    """The source as an editable workbook (empty when it cannot or should not be copied)."""
    empty = Workbook()
    empty.remove(empty.active)
    try:
        if not source.exists() or source.stat().st_size > MAX_COPY_BYTES:
            return empty
        if source.suffix.lower() in (".xlsx", ".xlsm"):
            check_unzipped(source, Limits(unzipped_mb=MAX_COPY_BYTES * 8 // (1024 * 1024)))  # no bomb
            return load_workbook(source)
        if source.suffix.lower() == ".xls":  # an .xlsx copy: the same sheets, values and merges
            book = open_xls(source)
            for sheet in book.sheets():
                if sheet.nrows > MAX_COPY_ROWS:
                    raise ValueError("too many rows to copy")
                ws = empty.create_sheet(sheet.name[:31])
                for r in range(sheet.nrows):
                    put_row(ws, r + 1, [xls_value(book, c) for c in sheet.row(r)[:MAX_COLUMNS]])
                for r1, c1, r2, c2 in xls_merges(sheet):
                    ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
            return empty
        if source.suffix.lower() == ".csv":
            ws = empty.create_sheet(source.stem[:31])
            with open(source, encoding=sniff_encoding(source), errors="replace", newline="") as f:
                delimiter = sniff_delimiter(f.read(64 * 1024))
                f.seek(0)
                for row, cells in enumerate(csv.reader(f, delimiter=delimiter), start=1):
                    if row > MAX_COPY_ROWS:
                        raise ValueError("too many rows to copy")
                    # the copy shows what was typed, never a live formula
                    put_row(ws, row, [unescape_csv(c) for c in cells[:MAX_COLUMNS]])
            return empty
    except Exception:  # noqa: BLE001 - a source that cannot be copied still gets its list
        empty = Workbook()
        empty.remove(empty.active)
    return empty


ENDED_HEADERS = ("序号", "类型", "编码", "名称", "终止日期", "原因", "依据")


def _ended_by_file(report: IngestReport) -> dict[str, list[dict]]:
    """The things each source file ended or restored (graph.ends): a status row's by its file, a
    complete ledger's by every file of that kind."""
    by_name = {Path(f).name: f for f in report.files}
    out: dict[str, list[dict]] = defaultdict(list)
    for e in report.ended:
        if e.get("file"):
            out[e["file"]].append(e)
    for c in report.complete:
        ids = {x["id"] for x in c["ending"]}
        for name in c["files"]:
            out[by_name.get(name, name)].extend(e for e in report.ended if not e.get("file")
                                                and e["label"] == c["label"] and e["id"] in ids)
    for e in report.restored:
        if e.get("file"):
            out[e["file"]].append({**e, "restored": True})
    return out


def _ended_sheet(wb: WorkbookType, entries: list[dict]) -> None:
    """A sheet naming every thing the file ended (and restored), and why: a street office sees
    what its ledger closed."""
    ws = wb.create_sheet("已终止", 1)
    ws.append(list(ENDED_HEADERS))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for n, e in enumerate(entries, start=1):
        kind = f"{e['label_zh']}{'恢复（此前已终止）' if e.get('restored') else '终止'}"
        ws.append([xlsx_safe(v) for v in (n, kind, e["id"], e.get("name"), e.get("date"), e.get("reason"),
                                          e.get("source"))])
        as_text(ws.cell(row=n + 1, column=3))
    for col, width in zip("ABCDEFG", (6, 16, 16, 30, 12, 10, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"


def _list_sheet(wb: WorkbookType, issues: list[tuple[int, Issue]], has_copy: bool,
                csv_sheet: str | None) -> None:
    ws = wb.create_sheet("退回清单", 0)
    ws.append(list(LIST_HEADERS))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    rows = sorted(issues, key=lambda ki: (ki[1].sheet or "", ki[1].row or 0, ki[0], ki[1].column or ""))
    for n, (kind, i) in enumerate(rows, start=1):
        ws.append([xlsx_safe(v) for v in (n, ON_REJECTED_ROW if i.row_rejected else KINDS[kind][0],
                                          i.sheet or csv_sheet or "", i.row, i.column, i.cell, i.value, i.reason)])
        as_text(ws.cell(row=n + 1, column=7))
        fill = KINDS[kind][1]
        if fill is not None:
            ws.cell(row=n + 1, column=2).fill = fill
        sheet = i.sheet or csv_sheet
        if has_copy and i.cell and sheet in wb.sheetnames:
            link = ws.cell(row=n + 1, column=6)
            link.hyperlink = f"#{quote_sheetname(sheet)}!{i.cell}"
            link.font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDEFGH", (6, 22, 14, 6, 16, 8, 24, 70)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.active = 0


MAP_SHEET = "各列读取方式"
MAP_HEADERS = ("工作表", "列", "表头", "读作", "说明")


def _map_sheet(wb: WorkbookType, maps: list[ColumnMap]) -> None:
    """The first sheet: how each column of each of the file's sheets was read, and the columns
    passed over (those that name a parent, branch, region or key filled yellow: warned)."""
    ws = wb.create_sheet(MAP_SHEET, 0)
    ws.append(list(MAP_HEADERS))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for m in maps:
        where = m.sheet or ""
        ws.append([where, None, f"第{m.header_row}行表头", f"按「{m.ledger}」台账读取", None])
        ws.cell(row=ws.max_row, column=3).font = Font(bold=True)
        rows: list[tuple[int, list[Any], bool]] = [
            (column_index_from_string(c.letter), [where, c.letter, c.header, c.field, c.note or None], False)
            for c in m.read]
        for p in m.passed:
            note = "；".join(x for x in (f"像是「{p.nearest}」" if p.nearest else "", p.note,
                                         "整列未读取（警告）" if p.warned else "") if x)
            rows.append((column_index_from_string(p.letter), [where, p.letter, p.header, "（未读取）", note or None],
                         p.warned))
        for _, values, warned in sorted(rows, key=lambda r: r[0]):  # in the sheet's column order
            ws.append(values)
            if warned:
                ws.cell(row=ws.max_row, column=4).fill = WARNING_FILL
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            as_text(cell)
    for col, width in zip("ABCDE", (14, 6, 26, 22, 50)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.active = 0


def _mark(wb: WorkbookType, issues: list[tuple[int, Issue]], csv_sheet: str | None) -> None:
    """Fill and comment each cell to fix (red: rejected, yellow: warned; a rejected row's
    other cells keep their colours)."""
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    worst: dict[tuple[str, str], int] = {}
    for kind, i in issues:
        sheet = i.sheet or csv_sheet
        if kind == 2 or not i.cell or sheet is None or sheet not in wb.sheetnames:
            continue
        at = (sheet, _unmerged(wb[sheet], i.cell))
        notes[at].append(i.reason)
        worst[at] = min(worst.get(at, kind), kind)
    for (sheet, ref), reasons in notes.items():
        cell = wb[sheet][ref]
        cell.fill = KINDS[worst[(sheet, ref)]][1]
        comment = Comment(xlsx_safe("\n".join(dict.fromkeys(reasons))), "Tupu 载入检查")
        comment.width, comment.height = 320, 40 + 20 * len(reasons)
        cell.comment = comment


def _unmerged(ws: Worksheet, ref: str) -> str:
    """The cell that shows ``ref``: the first of its merged range (the others cannot be
    filled or commented), else itself."""
    if ws[ref].__class__ is MergedCell:
        for merged in ws.merged_cells.ranges:
            if ref in merged:
                return merged.start_cell.coordinate
    return ref


def _personal_headers() -> dict[str, Callable[[str], str]]:
    """Every header a personal column (身份证号, 联系电话) is written under — its own and its
    synonyms — and how its values are masked."""
    from graph.privacy import mask_value
    from ingest.ledgers import LEDGERS
    from ingest.synonyms import HEADERS

    own = {c.zh: c.prop or "" for lg in LEDGERS.values() for c in lg.columns if c.personal}
    return {h: functools.partial(mask_value, own[target])
            for h, target in [*((h, h) for h in own), *HEADERS.items()] if target in own}


def masked_copy(path: Path) -> bytes:
    """The return list at ``path`` as anyone but its uploader gets it (#36): in its copy of the
    source, every cell under a personal header (身份证号, 联系电话 and their synonyms) masked
    whatever it holds (a wrong number is still someone's), and an ID or mobile number anywhere
    else in a text cell or a comment masked too. The list sheet's values were masked when written."""
    import io

    from graph.privacy import mask_text
    from ingest.readers import normalize_header

    personal = _personal_headers()
    wb = load_workbook(path)
    for ws in wb.worksheets:
        under: dict[int, tuple[int, Callable[[str], str]]] = {}  # column -> its personal header's row, masker
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or cell.__class__ is MergedCell:
                    continue
                if isinstance(value, str) and normalize_header(value) in personal:
                    under[cell.column] = (cell.row, personal[normalize_header(value)])
                elif cell.column in under and cell.row > under[cell.column][0] and isinstance(value, str | int | float):
                    cell.value = under[cell.column][1](str(value))
                elif isinstance(value, str):
                    cell.value = mask_text(value)
                if cell.comment is not None:
                    cell.comment = Comment(mask_text(cell.comment.text), cell.comment.author or "Tupu")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
