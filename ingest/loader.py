"""Load ledgers into a store: nodes first, then the links between them.

Ledgers refer to each other in any order, so each table's nodes are written as its rows stream
by (in batches), while its links are spooled to a temporary file; once every node is in, the
spool is read back in batches, each reference is checked against the store, and the
relationships are written. Memory holds one batch, plus the keys seen per ledger (to reject
duplicates), never the rows.

Every write is a MERGE on keys, so a load that stopped half way (Neo4j went away) is completed
by running it again, and loading the same ledgers twice leaves the same graph.
"""
from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from graph.model import LABELS
from graph.store import GraphStore, RelRow, StoreUnavailable, batched
from ingest.ledgers import LEDGERS, LOAD_ORDER, Ledger
from ingest.readers import Table, expand_paths, read_tables
from ingest.report import IngestReport, Issue
from ingest.rows import ParsedRow, parse_row

DEFAULT_BATCH = 10_000  # see benchmarks/ingest_bench.py for the measurement behind it
ROLE_TARGETS = ("Organization", "Unit", "Grid")


class Progress(Protocol):
    def begin(self, description: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def end(self) -> None: ...


class PendingLink(NamedTuple):
    """A relationship waiting for its ends to be checked (a tuple: it is pickled to the spool
    by the hundred thousand, and tuples pickle fast)."""

    ledger: str  # Chinese ledger name, for the counts
    file: str
    sheet: str | None
    row: int
    column: str  # the column to blame when the reference is unknown
    rel: str
    start_labels: tuple[str, ...]
    start: str
    end_labels: tuple[str, ...]
    end: str
    props: dict[str, Any]
    check_start: bool = False  # the start is a reference too (pairings, roles)
    start_column: str | None = None
    whole_row: bool = False  # the row is this link (rel-only ledgers count it as landed)


class Spool:
    """Pending links on disk, written and read back in chunks."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self._buf: list[PendingLink] = []
        fd, self.path = tempfile.mkstemp(prefix="tupu-links-", suffix=".spool")
        self._f = os.fdopen(fd, "w+b")

    def add(self, link: PendingLink) -> None:
        self._buf.append(link)
        if len(self._buf) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            pickle.dump(self._buf, self._f, protocol=5)
            self._buf = []

    def chunks(self) -> Iterator[list[PendingLink]]:
        self._flush()
        self._f.flush()
        self._f.seek(0)
        while True:
            try:
                yield pickle.load(self._f)
            except EOFError:
                return

    def close(self) -> None:
        self._f.close()
        Path(self.path).unlink(missing_ok=True)


class _Writer:
    """Writes batches on one background thread while the next batch is being parsed, so the
    database and the parser work at the same time. One thread keeps writes in order (and
    relationship writes serial: concurrent ones deadlock in Neo4j); at most ``depth`` batches
    wait, so memory stays bounded. A write's error surfaces at the next submit or at ``drain``."""

    def __init__(self, depth: int = 2) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tupu-writer")
        self.pending: deque[Future] = deque()
        self.depth = depth

    def submit(self, fn, *args) -> None:
        self.pending.append(self.pool.submit(fn, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def drain(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        for f in self.pending:
            f.cancel()
        self.pool.shutdown(wait=True)


class Loader:
    def __init__(self, store: GraphStore, *, batch_size: int = DEFAULT_BATCH,
                 dry_run: bool = False, progress: Progress | None = None,
                 now: dt.datetime | None = None) -> None:
        self.store = store
        self.writer = _Writer()
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.progress = progress
        self.loaded_at = (now or dt.datetime.now()).isoformat(timespec="microseconds")  # also marks this load's links
        # dry run only: the keys this load would create, so references among the files resolve
        self._planned: dict[str, set[str]] = defaultdict(set)
        # the nodes each node ledger loaded: their links the ledger no longer lists are pruned
        self._loaded: dict[str, list[str]] = defaultdict(list)

    # --- entry point -----------------------------------------------------------------------
    def load(self, paths: Iterable[Path | str]) -> IngestReport:
        report = IngestReport(dry_run=self.dry_run)
        tables = self._open(expand_paths([Path(p) for p in paths]), report)
        spool = Spool(self.batch_size)
        needs: dict[str, list[tuple[ParsedRow, Table]]] = defaultdict(list)
        try:
            for table in tables:
                self._load_table(table, report, spool, needs)
            self.writer.drain()  # every node is in before any link is resolved
            self._resolve(spool, report)
            self._load_needs(needs, report)
            self.writer.drain()
            if not self.dry_run:
                self._prune()
                self.store.save()
        except StoreUnavailable as e:
            report.error = (f"图数据库中断，载入未完成；已写入的数据保持一致，恢复后重新运行同一命令即可补齐"
                            f"（不会重复）。{e}")
        finally:
            self.writer.close()
            spool.close()
            for t in tables:
                t.close()
        return report

    def _open(self, files: list[Path], report: IngestReport) -> list[Table]:
        tables: list[Table] = []
        for f in files:
            report.files.append(str(f))
            if not f.exists():
                report.rejected.append(Issue(str(f), None, None, None, None, "文件不存在"))
                continue
            try:
                found = list(read_tables(f))
            except Exception as e:  # a damaged workbook: report it, load the other files
                report.rejected.append(Issue(str(f), None, None, None, None,
                                             f"无法读取文件（文件损坏或格式不符）：{type(e).__name__}"))
                continue
            for t in found:
                if t.ledger is None:
                    if t.problem:  # an empty extra sheet has none: it is skipped quietly
                        report.rejected.append(Issue(t.file, t.sheet, None, None, None, t.problem))
                    t.close()
                else:
                    tables.append(t)
        return sorted(tables, key=lambda t: LOAD_ORDER.index(t.ledger.name))

    # --- phase 1: nodes --------------------------------------------------------------------
    def _load_table(self, t: Table, report: IngestReport, spool: Spool,
                    needs: dict[str, list[tuple[ParsedRow, Table]]]) -> None:
        ledger = t.ledger
        assert ledger is not None
        counts = report.counts(ledger.zh)
        for header in t.ignored:
            report.ignored_columns.append(
                Issue(t.file, t.sheet, t.header_row, header, None, "未识别的列，已忽略"))
        seen: dict[tuple, int] = {}
        batch: list[dict[str, Any]] = []
        source = Path(t.file).name
        if self.progress:
            where = Path(t.file).name + (f" / {t.sheet}" if t.sheet else "")
            self.progress.begin(f"{ledger.zh}（{where}）", t.size_hint)
        rows = _guarded(t, report)
        for row_no, cells in rows:
            counts.read += 1
            if self.progress:
                self.progress.advance()
            parsed, issues = parse_row(t, row_no, cells)
            if parsed is None:
                counts.rejected += 1
                report.rejected.extend(issues)
                continue
            key = parsed.key(ledger.key)
            if key in seen:
                counts.rejected += 1
                col = ledger.key[0]
                report.rejected.append(Issue(t.file, t.sheet, row_no, col, "；".join(map(str, key)),
                                             f"编码重复：与第{seen[key]}行相同，本行未载入"))
                continue
            seen[key] = row_no
            prov = {"src_file": source, "src_row": row_no, "loaded_at": self.loaded_at}
            if ledger.label is not None:
                batch.append({**parsed.props, **prov})
                self._loaded[ledger.name].append(str(parsed.props[LABELS[ledger.label].key]))
                counts.landed += 1
                self._spool_node_links(ledger, t, parsed, prov, spool)
                if len(batch) >= self.batch_size:
                    self._write_nodes(ledger.label, batch)
                    batch = []
            elif ledger.name == "needs":
                needs[parsed.values["组织编码"]].append((parsed, t))
            else:
                spool.add(self._row_link(ledger, t, parsed, prov))
        if batch:
            self._write_nodes(ledger.label, batch)
        if self.progress:
            self.progress.end()

    def _write_nodes(self, label: str | None, rows: list[dict[str, Any]]) -> None:
        assert label is not None
        if self.dry_run:
            key = LABELS[label].key
            self._planned[label].update(str(r[key]) for r in rows)
        else:
            self.writer.submit(self.store.upsert_nodes, label, rows)

    def _spool_node_links(self, ledger: Ledger, t: Table, parsed: ParsedRow,
                          prov: dict[str, Any], spool: Spool) -> None:
        own = str(parsed.props[LABELS[ledger.label].key])
        lead = parsed.values.get("牵头组织编码")
        for col, code in parsed.refs:
            if ledger.name == "alliances" and col.zh == "成员组织编码" and code == lead:
                continue  # the lead is listed among the members too: it stays the lead
            props = {**col.fixed_props, **prov}
            for rel_prop, source_col in col.rel_props.items():
                if parsed.values.get(source_col) is not None:
                    props[rel_prop] = parsed.values[source_col]
            here = (ledger.label,)
            if col.incoming:
                # 党组织 → 活动 / 联盟: the reference to check is the start
                link = PendingLink(ledger.zh, t.file, t.sheet, parsed.row, col.zh, col.rel,
                                   col.target, code, here, own, props,
                                   check_start=True, start_column=col.zh)
            else:
                link = PendingLink(ledger.zh, t.file, t.sheet, parsed.row, col.zh, col.rel,
                                   here, own, col.target, code, props)
            spool.add(link)

    def _row_link(self, ledger: Ledger, t: Table, parsed: ParsedRow,
                  prov: dict[str, Any]) -> PendingLink:
        v = parsed.values
        if ledger.name == "pairings":
            props = {k: v[c] for k, c in (("form", "结对形式"), ("since", "开始日期"), ("until", "结束日期"))
                     if v.get(c) is not None}
            return PendingLink(ledger.zh, t.file, t.sheet, parsed.row, "乙方组织编码", "PAIRED_WITH",
                               ("Organization",), v["甲方组织编码"], ("Organization",), v["乙方组织编码"],
                               {**props, **prov}, check_start=True, start_column="甲方组织编码",
                               whole_row=True)
        # roles: a member holds a role on an organization, a unit or a grid
        return PendingLink(ledger.zh, t.file, t.sheet, parsed.row, "对象编码", "HOLDS_ROLE",
                           ("Member",), v["党员编码"], ROLE_TARGETS, v["对象编码"],
                           {"role": v["职务"], **prov}, check_start=True, start_column="党员编码",
                           whole_row=True)

    def _prune(self) -> None:
        """A row loaded again is the truth for its links: the links of its columns that this load
        did not write (the ledger now names another organisation, or none) are removed."""
        for name, keys in self._loaded.items():
            ledger = LEDGERS[name]
            for col in ledger.columns:
                if col.rel:
                    self.store.prune_relationships(col.rel, ledger.label, keys, self.loaded_at,
                                                   incoming=col.incoming, role=col.fixed_props.get("role"))

    # --- phase 2: links --------------------------------------------------------------------
    def _existing(self, label: str, keys: set[str]) -> set[str]:
        found = self.store.existing_keys(label, keys) if keys else set()
        if self.dry_run:
            found |= keys & self._planned[label]
        return found

    def _resolve(self, spool: Spool, report: IngestReport) -> None:
        for chunk in spool.chunks():
            wanted: dict[str, set[str]] = defaultdict(set)
            for link in chunk:
                for label in link.end_labels:
                    wanted[label].add(link.end)
                if link.check_start:
                    for label in link.start_labels:
                        wanted[label].add(link.start)
            known = {label: self._existing(label, keys) for label, keys in wanted.items()}
            groups: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
            for link in chunk:
                start_label = _first_known(link.start_labels, link.start, known) \
                    if link.check_start else link.start_labels[0]
                end_label = _first_known(link.end_labels, link.end, known)
                missing = []
                if start_label is None:
                    missing.append((link.start_column or link.column, link.start, link.start_labels))
                if end_label is None:
                    missing.append((link.column, link.end, link.end_labels))
                counts = report.counts(link.ledger)
                for column, code, labels in missing:
                    kinds = "或".join(LABELS[x].zh for x in labels)
                    report.warnings.append(Issue(link.file, link.sheet, link.row, column, code,
                                                 f"引用的{kinds}编码不存在：{code}，该关联未建立"))
                    counts.warnings += 1
                if missing:
                    continue
                if link.whole_row:
                    counts.landed += 1
                groups[(link.rel, start_label, end_label)].append(
                    RelRow(link.start, link.end, link.props))
            if not self.dry_run:
                for (rel, a, b), rows in groups.items():
                    self.writer.submit(self.store.upsert_relationships, rel, a, b, rows)

    def _load_needs(self, needs: dict[str, list[tuple[ParsedRow, Table]]],
                    report: IngestReport) -> None:
        """需求资源清单 become properties of their organization: ``needs`` / ``resources`` (the
        categories) and ``needs_detail`` / ``resources_detail`` (category：content)."""
        if not needs:
            return
        zh = LEDGERS["needs"].zh
        counts = report.counts(zh)
        known = self._existing("Organization", set(needs))
        updates = []
        for org, rows in needs.items():
            if org not in known:
                for parsed, t in rows:
                    report.warnings.append(Issue(t.file, t.sheet, parsed.row, "组织编码", org,
                                                 f"引用的党组织编码不存在：{org}，该条清单未载入"))
                    counts.warnings += 1
                continue
            props: dict[str, Any] = {"id": org}
            for kind, prop in (("需求", "needs"), ("资源", "resources")):
                mine = [p for p, _ in rows if p.values["清单类型"] == kind]
                props[prop] = sorted({p.values["类别"] for p in mine})
                props[f"{prop}_detail"] = [
                    p.values["类别"] + (f"：{p.values['内容']}" if p.values.get("内容") else "")
                    for p in mine]
            counts.landed += len(rows)
            updates.append(props)
        if not self.dry_run:
            for chunk in batched(updates, self.batch_size):
                self.writer.submit(self.store.upsert_nodes, "Organization", chunk)


def _guarded(t: Table, report: IngestReport) -> Iterator[tuple[int, list[Any]]]:
    """The table's rows; if the file turns out unreadable part way (a damaged workbook, a
    broken CSV), the rows read so far stand and the rest is reported, not raised."""
    last = t.header_row
    try:
        for row_no, cells in t.rows:
            last = row_no
            yield row_no, cells
    except Exception as e:  # noqa: BLE001 - any reader failure becomes a line in the report
        report.rejected.append(Issue(t.file, t.sheet, last, None, None,
                                     f"第{last}行之后无法继续读取，其余行未载入：{type(e).__name__}: {e}"))


def _first_known(labels: tuple[str, ...], key: str, known: dict[str, set[str]]) -> str | None:
    return next((label for label in labels if key in known.get(label, ())), None)

