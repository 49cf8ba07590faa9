"""Empty ledgers for users to fill in: one workbook per ledger, a 序号 column, Chinese headers
(required ones marked), an example row marked 示例 (grey italic; the loader passes it over and
says so), and a drop-down list on every enumerated column."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ingest.ledgers import LEDGERS

REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_FONT = Font(bold=True)
EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_MARK = "示例"  # in the 序号 column: ingest.synonyms.EXAMPLE_MARKS
ROWS_WITH_LISTS = 5000


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ledger in LEDGERS.values():
        wb = Workbook()
        ws = wb.active
        ws.title = ledger.zh
        ws.cell(row=1, column=1, value="序号").font = HEADER_FONT
        ws.cell(row=2, column=1, value=EXAMPLE_MARK).font = EXAMPLE_FONT
        ws.column_dimensions["A"].width = 8
        for i, col in enumerate(ledger.columns, start=2):
            cell = ws.cell(row=1, column=i, value=col.zh)
            cell.font = HEADER_FONT
            if col.required:
                cell.fill = REQUIRED_FILL
                cell.comment = Comment("必填", "Tupu")
            ws.cell(row=2, column=i, value=ledger.example.get(col.zh)).font = EXAMPLE_FONT
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.zh) * 2 + 4)
            if col.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"',
                                    allow_blank=not col.required, showErrorMessage=True,
                                    errorTitle="不在可选值中", error="请从下拉列表中选择")
                ws.add_data_validation(dv)
                letter = get_column_letter(i)
                dv.add(f"{letter}3:{letter}{ROWS_WITH_LISTS}")
        ws.freeze_panes = "B3"
        path = folder / f"{ledger.zh}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths
