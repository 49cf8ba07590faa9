"""The ingest report: what was read, what landed, what was rejected and why, what was warned."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any



@dataclass
class Issue:
    """One rejected value or one warning, located as the user sees it in the spreadsheet."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass
class LedgerCounts:
    read: int = 0
    landed: int = 0
    rejected: int = 0
    warnings: int = 0


@dataclass
class IngestReport:
    dry_run: bool = False
    files: list[str] = field(default_factory=list)
    ledgers: dict[str, LedgerCounts] = field(default_factory=dict)  # by Chinese ledger name
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    ignored_columns: list[Issue] = field(default_factory=list)
    error: str | None = None  # a failure that stopped the load (e.g. Neo4j went away)

    def counts(self, ledger_zh: str) -> LedgerCounts:
        return self.ledgers.setdefault(ledger_zh, LedgerCounts())

    @property
    def landed(self) -> dict[str, int]:
        return {k: v.landed for k, v in self.ledgers.items()}

    @property
    def ok(self) -> bool:
        return self.error is None and not self.rejected

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["landed"] = self.landed
        return d

    def write_json(self, path: Path) -> None:
        # personal values were masked when they were recorded (ingest.rows)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
