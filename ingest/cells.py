"""Cells that stay text in the spreadsheets Tupu writes (OWASP's CSV injection rule).

A name such as ``=HYPERLINK(...)`` or ``@SUM(1)`` must not become a live formula when a user
opens an export. In xlsx such a value is written as a text cell (``data_type = "s"``); in CSV a
text value beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
apostrophe, which Excel shows as text, and which the ledger reader takes off again
(:func:`unescape_csv`), so a CSV backup loads back exactly.

>>> csv_cell("=1+1"), csv_cell(-5), csv_cell("北镇")
("'=1+1", -5, '北镇')
>>> unescape_csv(csv_cell("@SUM(A1)"))
'@SUM(A1)'
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_safe(value: Any) -> Any:
    """A value an xlsx cell can hold: the control characters openpyxl refuses (U+0000–U+001F
    but tab, line feed and carriage return) taken out of a text, so no stored string can make
    an export fail (they are stripped at reading too: ``ingest.rows``).

    >>> xlsx_safe("甲\x01支部\x0b"), xlsx_safe(3)
    ('甲支部', 3)
    """
    if value.__class__ is str and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def unescape_csv(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(_TRIGGERS):
        return text[1:]
    return text


def as_text(cell: Any) -> Any:
    """Make an openpyxl cell holding a would-be formula a text cell; return the cell."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def put_row(ws: Any, row: int, values: list[Any]) -> None:
    """Write ``values`` as row ``row`` of an (ordinary) sheet, would-be formulas kept as text.
    Cell by cell: ``ws[row]`` and ``ws.max_row`` walk every cell of the sheet each time."""
    for column, value in enumerate(values, start=1):
        as_text(ws.cell(row=row, column=column, value=xlsx_safe(value)))


def xlsx_row(ws: Any, values: list[Any]) -> list[Any]:
    """``values`` as cells of a write-only sheet, formulas kept as text."""
    from openpyxl.cell import WriteOnlyCell

    values = [xlsx_safe(v) for v in values]
    return [as_text(WriteOnlyCell(ws, value=v)) if isinstance(v, str) and v.startswith("=") else v
            for v in values]
