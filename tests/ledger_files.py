"""Write small real ledger files for the tests: CSV in a given encoding, or XLSX."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]],
               formats: dict[tuple[str, int, int], str] | None = None,
               merges: dict[str, list[str]] | None = None) -> Path:
    """``formats``: (sheet, row, col) 1-based -> number format (e.g. "000000"); ``merges``:
    sheet -> ranges to merge as Excel does (the first cell keeps its value, the others none)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    for (sheet, row, col), fmt in (formats or {}).items():
        wb[sheet].cell(row=row, column=col).number_format = fmt
    for sheet, ranges in (merges or {}).items():
        for ref in ranges:
            wb[sheet].merge_cells(ref)
    wb.save(path)
    return path


def write_ledger(path: Path, rows: list[list[Any]], fmt: str) -> Path:
    """fmt: csv-utf8, csv-bom, csv-gbk or xlsx."""
    if fmt == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), {path.stem: rows})
    enc = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gbk": "gbk"}[fmt]
    return write_csv(path.with_suffix(".csv"), rows, enc)


def forged_xlsx(sheet_xml: str, dimension: str | None = None) -> bytes:
    """A valid xlsx whose first sheet's XML is ``sheet_xml`` (rows as given, a ``<dimension>``
    only if given): for files that openpyxl would never write (far-away rows, forged sizes)."""
    import zipfile

    buf = io.BytesIO()
    Workbook().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                dim = f'<dimension ref="{dimension}"/>' if dimension else ""
                data = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        f"{dim}<sheetData>{sheet_xml}</sheetData></worksheet>").encode()
            z.writestr(item, data)
    return out.getvalue()


def write_xls(path: Path, sheets: dict[str, list[list[Any]]],
              merges: dict[str, list[tuple[int, int, int, int]]] | None = None,
              formats: dict[tuple[str, int, int], str] | None = None) -> Path:
    """A real Excel 97-2003 workbook (xlwt). ``merges``: sheet -> (first row, last row, first
    column, last column), 0-based and inclusive, whose first cell keeps its row's value;
    ``formats``: (sheet, row, col) 0-based -> number format."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        spans = {(r1, c1): (r2, c2) for r1, r2, c1, c2 in (merges or {}).get(name, [])}
        covered = {(r, c) for (r1, c1), (r2, c2) in spans.items()
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style = xlwt.easyxf(num_format_str=(formats or {}).get((name, r, c), "General"))
                if isinstance(value, (dt.date, dt.datetime)):
                    style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
                if (r, c) in spans:
                    ws.write_merge(r, spans[(r, c)][0], c, spans[(r, c)][1], value, style)
                elif (r, c) not in covered and value is not None:
                    ws.write(r, c, value, style)
    wb.save(str(path))
    return path
