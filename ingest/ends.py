"""What a ledger says of things that ended (graph.ends): a status column (状态, 登记状态, 党籍状态 …)
with its date (注销日期, 撤销日期, 转出日期 …) ends a thing or restores it; a reference to a thing
that has ended lands with a warning that says so.

A row's status becomes the node's ended state (``graph.ends.END_PROPS``). The state the graph
already has decides what the load says: a thing ended now is listed in the report
(``IngestReport.ended``); one ended before keeps its first end; one restored (a row with 正常, or
listed again in a complete ledger) is listed (``IngestReport.restored``) and warned; a row for an
ended thing that says nothing of its status leaves it ended, with a warning saying how to restore it.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from graph import ends
from graph.model import LABELS
from ingest.checks import ACTIVE
from ingest.ledgers import STATUS, STATUS_DATE, Ledger
from ingest.report import IngestReport, Issue
from ingest.rows import ParsedRow


class Reads(Protocol):
    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]: ...


def row_state(parsed: ParsedRow, file: str, date: str) -> dict[str, Any] | None:
    """The ended state a row's status gives its node (``None``: the row says nothing of it)."""
    status = parsed.values.get(STATUS)
    if status is None:
        return None
    if status == ACTIVE:
        return dict(ends.RESTORED)
    return ends.ended_props(parsed.values.get(STATUS_DATE) or date, status, f"{Path(file).name} 第 {parsed.row} 行")


def entry(label: str, key: str, name: Any, props: dict[str, Any], file: str | None = None,
          sheet: str | None = None, row: int | None = None) -> dict[str, Any]:
    """One thing ended or restored, as the report and the return list name it."""
    return {"label": label, "label_zh": LABELS[label].zh, "id": key, "name": name,
            "date": props.get(ends.ENDED), "reason": props.get(ends.END_REASON),
            "source": props.get(ends.END_SOURCE), "file": file, "sheet": sheet, "row": row}


def settle(store: Reads, ledger: Ledger, file: str, sheet: str | None, nodes: dict[str, dict[str, Any]],
           report: IngestReport, letters: dict[str, str], complete: bool, fresh: bool) -> set[str]:
    """Square the rows' ended state (``nodes``: key -> the node's properties, changed in place)
    with the graph's, and say in ``report`` what ended, what was restored and what stays ended.
    Return the keys restored: their rows must be written even if the same as before."""
    restored = set()
    label = ledger.label
    assert label is not None
    key_prop = LABELS[label].key
    stored = {} if fresh else store.node_values(label, list(nodes), (ends.ENDED, ends.END_REASON, ends.END_SOURCE))
    zh = LABELS[label].zh
    for key, node in nodes.items():
        was = dict(zip(ends.END_PROPS, stored.get(key, (None, None, None))))
        said = ends.ENDED in node
        row = node.get("src_row")
        if said and node[ends.ENDED] is not None:  # the row says it ended
            if was[ends.ENDED]:  # ended before: it keeps its first end (and a row said again is unchanged)
                node.update(was)
            else:
                report.ended.append(entry(label, key, node.get("name"), node, file, sheet, row))
            continue
        if not was[ends.ENDED]:
            for p in ends.END_PROPS:  # 正常 on a thing that never ended: nothing to write
                node.pop(p, None)
            continue
        before = ends.sentence(was)
        cell = f"{letters.get(STATUS, '')}{row}" if said and letters.get(STATUS) else None
        if said or complete:
            node.update(ends.RESTORED)
            restored.add(key)
            report.restored.append(entry(label, key, node.get("name"), was, file, sheet, row))
            why = "本行状态为正常" if said else "完整台账再次列出"
            report.warnings.append(Issue(file, sheet, row, STATUS if said else ledger.key[0], str(node[key_prop]),
                                         f"该{zh}{before}；{why}，已恢复（视为重新登记）", cell=cell))
        else:
            report.warnings.append(Issue(file, sheet, row, ledger.key[0], str(node[key_prop]),
                                         f"该{zh}{before}，本行未写状态，仍按已终止处理；如已重新登记，"
                                         f"请在「状态」列填写“正常”", cell=None))
        report.counts(ledger.zh).warnings += 1
    return restored


def ended_of(store: Reads, label: str, keys: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """The keys among ``keys`` whose nodes have ended, with (date, reason, source)."""
    if label not in ends.ENDABLE:
        return {}
    found = store.node_values(label, keys, ends.END_PROPS)
    return {k: v for k, v in found.items() if v[0]}


def reference_warning(label: str, code: str, state: tuple[Any, ...]) -> str:
    text = ends.sentence(dict(zip(ends.END_PROPS, state)))
    return f"引用的{LABELS[label].zh} {code} {text}；关联已按台账建立，但不再计入当前统计，请核实"
