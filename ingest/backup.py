"""Write the whole graph back as ledgers (a backup users can open in Excel, and load again).

Every ledger of ``ingest.ledgers`` is written from the graph by reading its columns backwards:
a property column from the node's property, a link column from the node's relationships of
that type (several codes joined by ``;``), the relationship ledgers (结对共建, 职务) from their
relationships, 需求资源清单 from the organisations' lists. Loading the files into an empty store
gives the same graph (provenance aside): the round-trip test checks it on the demo city.

A backup carries personal data (身份证号, 联系电话) in full: it is an administrator's copy.
``mask=True`` writes a copy for sharing, with them masked. A backup also carries the secret the
members' codes were made with (``member-key.secret``, ``ingest.member_keys``): loading the backup
folder into an empty installation installs it, so next month's export keyed by ID numbers lands
on the same members. A copy for sharing leaves it out.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.ends import END_REASON, ENDED
from graph.model import LABELS
from graph.privacy import mask_props
from graph.store import GraphStore
from ingest import member_keys
from ingest.ledgers import LEDGERS, STATUS, STATUS_DATE, Ledger
from ingest.writers import LedgerWriter


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _links(store: GraphStore, ledger: Ledger) -> dict[str, dict[str, list[str]]]:
    """column -> own key -> the codes at the other end, for every link column of a node ledger."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for col in ledger.columns:
        if not col.rel or col.prop:  # a column that is also a property is written from it
            continue
        for rel in store.iter_relationships(col.rel):
            if any(rel.props.get(k) != v for k, v in col.fixed_props.items()):
                continue
            own, other = (rel.end, rel.start) if col.incoming else (rel.start, rel.end)
            if own.label == ledger.label and other.label in col.target:
                out[col.zh][own.key].append(other.key)
    return out


def export_ledgers(store: GraphStore, folder: Path, fmt: str = "xlsx", mask: bool = False) -> dict[str, int]:
    """Write every ledger into ``folder``; return the rows written per ledger. Whole or not at
    all: the files are written into a temporary folder beside it and moved in only once every
    one is complete (a failure leaves ``folder`` as it was, never a partial backup)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".部分", dir=folder.parent))
    try:
        counts = _export(store, tmp, fmt, mask)
        if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
            with contextlib.suppress(FileNotFoundError):
                folder.rmdir()
            tmp.rename(folder)  # one step: the folder appears with every file in it
        else:  # a folder of the user's: each file replaced whole, once all are written
            for f in sorted(tmp.iterdir()):
                os.replace(f, folder / f.name)
            tmp.rmdir()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return counts


def _export(store: GraphStore, folder: Path, fmt: str, mask: bool) -> dict[str, int]:
    w = LedgerWriter(folder, fmt)
    try:
        for ledger in LEDGERS.values():
            if ledger.label is not None:
                _node_ledger(store, ledger, w, mask)
        for rel in store.iter_relationships("PAIRED_WITH"):
            p = rel.props
            w.write("pairings", {"甲方组织编码": rel.start.key, "乙方组织编码": rel.end.key, "结对形式": p.get("form"),
                                 "开始日期": p.get("since"), "结束日期": p.get("until")})
        for rel in store.iter_relationships("HOLDS_ROLE"):
            w.write("roles", {"党员编码": rel.start.key, "职务": rel.props.get("role"), "对象编码": rel.end.key})
        for org in store.iter_nodes("Organization"):
            for kind, prop in (("需求", "needs_detail"), ("资源", "resources_detail")):
                for entry in org.props.get(prop) or []:
                    category, _, content = str(entry).partition("：")
                    w.write("needs", {"组织编码": org.key, "清单类型": kind, "类别": category,
                                      "内容": content or None})
    finally:
        w.close()
    if not mask:
        member_keys.export_secret(folder)
    return dict(w.counts)


def _node_ledger(store: GraphStore, ledger: Ledger, w: LedgerWriter, mask: bool) -> None:
    assert ledger.label is not None
    links = _links(store, ledger)
    for node in store.iter_nodes(ledger.label):
        props = mask_props(node.props) if mask else node.props
        row: dict[str, Any] = {}
        for col in ledger.columns:
            if col.prop:
                key = LABELS[ledger.label].key if col.prop in ("id", "code") else col.prop
                row[col.zh] = _cell(props.get(key))
            elif col.rel:
                codes = sorted(links[col.zh].get(node.key, []))
                row[col.zh] = ";".join(codes) if col.multi else (codes[0] if codes else None)
            elif col.zh == STATUS:  # an ended thing goes back with its status and date
                row[STATUS] = props.get(END_REASON) if props.get(ENDED) else None
                row[STATUS_DATE] = props.get(ENDED)
        w.write(ledger.name, row)
