"""Answers as tables with Chinese headers, for the terminal, CSV and Excel (ready for a
meeting), shared by the CLI and the API."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from graph.analyses.coverage import MEASURES, CoverageRow
from graph.analyses.gaps import Gap
from graph.analyses.pairing import Proposal
from graph.rules import RULES
from ingest.cells import as_text, csv_cell, xlsx_safe

FORMATS = ("table", "json", "csv", "xlsx")
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def gap_rows(gaps: Iterable[Gap], places: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    return list(_gap_rows(gaps, places))


def _gap_rows(gaps: Iterable[Gap], places: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """Each gap as a row, made as it is asked for (an export writes it and lets it go);
    ``places``: region code → name, for the 所在区划 column."""
    for g in gaps:
        yield {
            "规则": g.rule, "缺口": g.title, "类型": g.entity_zh, "编码": g.id, "名称": g.name,
            "说明": g.message, "负责组织": g.responsible.name if g.responsible else "",
            "负责组织编码": g.responsible.id if g.responsible else "",
            **({"所在区划": places.get(g.region, "") if g.region else ""} if places is not None else {}),
            "区划代码": g.region or "", "路径": " → ".join(g.path_names or g.path),
        }


def coverage_rows(rows: Iterable[CoverageRow]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        row: dict[str, Any] = {"范围": r.scope, "编码": r.id, "名称": r.name, "层级/类别": r.level}
        for key, (title, _denominator) in MEASURES.items():
            m = r.measures[key]
            row[f"{title}"] = f"{m.done}/{m.total}"
            row[f"{title}率"] = "—" if m.rate is None else f"{m.rate:.1%}"
        out.append(row)
    return out


def proposal_rows(ps: Iterable[Proposal]) -> list[dict[str, Any]]:
    return [{"基层党组织": p.grassroots_name, "基层党组织编码": p.grassroots_id,
             "推荐结对机关党组织": p.organ_name, "机关党组织编码": p.organ_id,
             "得分": p.score, "理由": p.reason} for p in ps]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel opens it without garbling Chinese


WIDTH_ROWS = 200  # a column's width is fitted to its header and the first rows


def to_xlsx(sheets: dict[str, Iterable[dict[str, Any]]]) -> bytes:
    """A workbook of a sheet per entry, headers in bold, cells wrapped, the header row frozen.

    Written row by row (openpyxl's write-only mode) from rows that may be made as they are
    written: the whole gaps answer of a province (~200,000 rows at 1M members) is never held
    as cells at once (docs/benchmarks.md, Export)."""
    wb = Workbook(write_only=True)
    if not sheets:
        sheets = {"无数据": []}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        rows = iter(rows)
        first = list(islice(rows, WIDTH_ROWS))
        headers = list(first[0]) if first else ["无数据"]
        for i, h in enumerate(headers, start=1):
            longest = max([len(str(h))] + [len(str(r.get(h) or "")) for r in first])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 2))
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, h, bold) for h in headers])
        for r in chain(first, rows):
            ws.append([_cell(ws, r.get(h), wrap) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(ws: Any, value: Any, style: Font | Alignment) -> WriteOnlyCell:
    """A cell of a write-only sheet in ``style``; a text that starts with = stays text (a name
    is never run as a formula)."""
    cell = as_text(WriteOnlyCell(ws, value=xlsx_safe(value)))  # no stored string fails the export
    if isinstance(style, Font):
        cell.font = style
    else:
        cell.alignment = style
    return cell


def gaps_xlsx(gaps: list[Gap], places: Mapping[str, str] | None = None) -> bytes:
    """A sheet per rule, named by its id and title (e.g. ``U1 应单独组建``)."""
    by_rule: dict[str, list[Gap]] = {}
    for g in gaps:
        by_rule.setdefault(g.rule, []).append(g)
    return to_xlsx({f"{rid} {rule.title}": _gap_rows(by_rule[rid], places)
                    for rid, rule in RULES.items() if rid in by_rule})


def changes_xlsx(ch: Any) -> bytes:
    """What changed between two loads (``graph.history.Changes``): per rule, the gaps opened and
    closed (with who closed them), and the organisations, pairings, units and members changed."""
    return to_xlsx({
        "按规则": [{"规则": r, "缺口": RULES[r].title if r in RULES else "", "新出现": n["opened"],
                    "已补齐": n["closed"]} for r, n in ch.per_rule().items()],
        "新出现的缺口": gap_rows(ch.opened), "已补齐的缺口": gap_rows(ch.closed),
        "组织结对覆盖党员变化": [{"变化": e.kind, "编码": e.id, "名称": e.name, "区划代码": e.region or ""}
                                 for e in ch.entities]})


def campaign_xlsx(p: Any) -> bytes:
    """A campaign's progress (``graph.history.campaigns.CampaignProgress``) for the visiting teams."""
    return to_xlsx({
        "各街道": [{"街道": s.name, "开始时": s.at_start, "已补齐": s.closed,
                    "补齐率": f"{s.closed_rate:.0%}" if s.closed_rate is not None else "",
                    "仍未补齐": s.still_open, "期间新出现": s.opened_since} for s in p.streets],
        "仍未补齐": gap_rows(p.still_open), "已补齐": gap_rows(p.closed), "期间新出现": gap_rows(p.opened_since)})


def file_response(body: bytes, fmt: str, name: str) -> Response:
    """A download named ``name.fmt`` (the name in Chinese, as RFC 5987 allows)."""
    from urllib.parse import quote

    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"})


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
