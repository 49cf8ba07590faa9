"""Write ledgers with their Chinese headers, streaming (memory does not grow with the rows):
``.xlsx`` through openpyxl's write-only mode, or ``.csv`` in UTF-8 with a BOM (what Excel opens
without garbling Chinese)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ingest.cells import csv_cell, xlsx_row
from ingest.ledgers import LEDGERS


class LedgerWriter:
    """One file per ledger in ``folder``; ``write(ledger, row)`` takes a dict keyed by header."""

    def __init__(self, folder: Path, fmt: str = "xlsx") -> None:
        if fmt not in ("xlsx", "csv"):
            raise ValueError("format must be xlsx or csv")
        self.folder, self.fmt = folder, fmt
        folder.mkdir(parents=True, exist_ok=True)
        self._open: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def _headers(self, ledger: str) -> list[str]:
        return [c.zh for c in LEDGERS[ledger].columns]

    def path(self, ledger: str) -> Path:
        return self.folder / f"{LEDGERS[ledger].zh}.{self.fmt}"

    def write(self, ledger: str, row: dict[str, Any]) -> None:
        if ledger not in self._open:
            self._start(ledger)
        values = ["" if row.get(h) is None else row.get(h) for h in self._headers(ledger)]
        if self.fmt == "csv":
            self._open[ledger][1].writerow([csv_cell(v) for v in values])
        else:
            ws = self._open[ledger][1]
            ws.append(xlsx_row(ws, values))
        self.counts[ledger] = self.counts.get(ledger, 0) + 1

    def _start(self, ledger: str) -> None:
        headers = self._headers(ledger)
        if self.fmt == "csv":
            f = open(self.path(ledger), "w", encoding="utf-8-sig", newline="")
            w = csv.writer(f)
            w.writerow(headers)
            self._open[ledger] = (f, w)
        else:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet(LEDGERS[ledger].zh)
            ws.append(headers)
            self._open[ledger] = (wb, ws)

    def close(self) -> list[Path]:
        paths = []
        for ledger, (handle, _) in self._open.items():
            if self.fmt == "csv":
                handle.close()
            else:
                handle.save(self.path(ledger))
            paths.append(self.path(ledger))
        self._open.clear()
        return paths
