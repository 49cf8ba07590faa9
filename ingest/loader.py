"""Load ledgers into a store: nodes first, then the links between them.

Ledgers refer to each other in any order, so each table's nodes are written as its rows stream
by (in batches), while its links are spooled to a temporary file; once every node is in, the
spool is read back in batches, each reference is checked against the store, and the
relationships are written. Memory holds a few batches, never the ledgers: the keys already
landed (to reject duplicates) and the needs lists wait on disk too (``ingest.scratch``).

Every write is a MERGE on keys, so a load that stopped half way (Neo4j went away) is completed
by running it again, and loading the same ledgers twice leaves the same graph. A row the same as
when its node was written is not written again (``ingest.unchanged``): a monthly load writes
what changed.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz, process

from graph.collector import collector_relaxed
from graph.config import Limits
from graph.ends import ABSENT_REASON, ENDABLE
from graph.model import LABELS, PROVENANCE_ZH, ROW_DIGEST
from graph.name_forms import NAME_KEYS, forms_of, keys_of, name_key
from graph.privacy import mask_text
from graph.screening.merge import MERGEABLE
from graph.store import GraphStore, Node, Rel, RelRow, SaveFailed, StoreUnavailable, batched
from ingest import member_keys, region_names, row_units
from ingest.aliases import linked_to_itself, unalias
from ingest.column_map import column_map
from ingest.complete import KINDS as COMPLETE_KINDS
from ingest.complete import completion, end_absent
from ingest.ends import ended_of, reference_warning, settle
from ingest.ends import row_state as ended_state
from ingest.guard import OUTSIDE, WriteScope
from ingest.ledgers import LEDGERS, LOAD_ORDER, Ledger
from ingest.parse_worker import RowParser
from ingest.problems import PROBLEMS, DataProblems
from ingest.readers import Table, TooLarge, expand_paths, read_tables
from ingest.report import IngestReport, Issue
from ingest.row_units import RowUnit, RowUnits
from ingest.rows import ParsedRow
from ingest.scratch import GroupedSpool, SeenKeys, Spool
from ingest.unchanged import Unchanged, row_digest

log = logging.getLogger("tupu.ingest")
DEFAULT_BATCH = 10_000  # see benchmarks/ingest_bench.py for the measurement behind it
_LEDGER_OF_LABEL = {lg.label: lg.name for lg in LEDGERS.values() if lg.label}
# an unknown name's warning asks about the one name close to it: rapidfuzz's ratio at least this,
# and this much ahead of the next (骆路社区第三党支部 is as close to 第一 as to 第二: no guess)
NEAR_SCORE, NEAR_MARGIN = 75, 5
SUGGESTIONS = 200  # names looked for per kind and load (each compares with every name of the kind)
MAX_POOL = 300_000  # a kind with more names than this gets no suggestion (members at a province)


class Progress(Protocol):
    def begin(self, description: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def end(self) -> None: ...


class LoadTarget(Protocol):
    """What a load writes to: a :class:`~graph.store.GraphStore`, or a first load's import
    files (``ingest.import_files.ImportFiles``)."""

    def counts(self) -> dict[str, int]: ...
    def aliases(self, label: str) -> dict[str, str]: ...
    def existing_keys(self, label: str, keys: Iterable[str]) -> set[str]: ...
    def keys_by_name(self, label: str, names: Iterable[str]) -> dict[str, set[str]]: ...
    def iter_nodes(self, label: str) -> Iterator[Node]: ...
    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]: ...
    def relationships_of(self, label: str, keys: Iterable[str]) -> Iterator[Rel]: ...
    def relationship_props(self, rel_type: str, start_label: str, end_label: str,
                           pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]: ...
    def unfinished_loads(self) -> set[str]: ...
    def load_started(self, stamp: str) -> None: ...
    def load_finished(self, stamp: str) -> None: ...
    def upsert_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int: ...
    def update_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int: ...
    def upsert_relationships(self, rel_type: str, start_label: str, end_label: str,
                             rows: Iterable[RelRow]) -> int: ...
    def prune_relationships(self, rel_type: str, label: str, keys: Iterable[str], keep_stamp: str,
                            incoming: bool = False, role: str | None = None) -> int: ...
    def save(self) -> None: ...


class LinkKind(NamedTuple):
    """What the links of one column of one table share; each pending link is a small tuple
    ``(kind, row, start, end, extra props or None)`` that points here (millions of them are
    pickled to the spool: plain tuples of strings pickle fast)."""

    ledger: str  # Chinese ledger name, for the counts
    file: str
    sheet: str | None
    source: str  # the file name recorded as provenance
    column: str  # the column to blame when the reference is unknown
    rel: str
    start_labels: tuple[str, ...]
    end_labels: tuple[str, ...]
    fixed_props: dict[str, Any]
    check_start: bool = False  # the start is a reference too (pairings, roles, incoming links)
    start_column: str | None = None
    whole_row: bool = False  # the row is this link (rel-only ledgers count it as landed)
    letters: dict[str, str] = {}  # column zh -> its letter in the sheet (to name the cell)
    headers: dict[str, str] = {}  # column zh -> its header as typed in the sheet
    prop: str | None = None  # the start node's property that holds the reference too (org_code)


class _Pending(NamedTuple):
    """A valid row waiting in the current batch for its duplicate check."""

    row: int
    node: dict[str, Any] | None  # node ledgers: the node's properties
    links: list[tuple]  # spool entries
    need: tuple | None  # 需求资源清单: (organisation, kind, category, content, row)
    typed: str | None = None  # the code as typed, when it was merged into the node's (``aliases``)
    unit: RowUnit | None = None  # the unit an organisation row names (``ingest.row_units``)


class _Writer:
    """Writes batches on background threads while the next batch is being parsed, so the
    database and the parser work at the same time. Node batches go to ``node_threads`` threads
    (rows of one ledger have distinct keys, so concurrent MERGEs never wait on each other);
    relationship batches go to a single thread, in order: concurrent relationship writes
    deadlock in Neo4j on shared (dense) nodes. At most ``depth`` batches wait, so memory stays
    bounded. A write's error surfaces at the next submit or at ``drain``."""

    def __init__(self, depth: int = 3, node_threads: int = 2) -> None:
        self.nodes = ThreadPoolExecutor(max_workers=node_threads, thread_name_prefix="tupu-nodes")
        self.links = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tupu-links")
        self.pending: deque[Future] = deque()
        self.depth = depth

    def submit(self, fn, *args, parallel: bool = False) -> None:
        pool = self.nodes if parallel else self.links
        self.pending.append(pool.submit(fn, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def drain(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        for f in self.pending:
            f.cancel()
        self.nodes.shutdown(wait=True)
        self.links.shutdown(wait=True)


class Loader:
    def __init__(self, store: LoadTarget, *, batch_size: int = DEFAULT_BATCH,
                 dry_run: bool = False, progress: Progress | None = None,
                 now: dt.datetime | None = None, guard: WriteScope | None = None,
                 limits: Limits | None = None, parse_workers: int = 0,
                 date: dt.date | None = None, complete: bool = False, force: bool = False,
                 max_end_percent: int = 20) -> None:
        self.store = store
        # the date the ledgers stand for: a status that ends a thing without its own date ends it then
        self.date = (date or (now or dt.datetime.now()).date()).isoformat()
        # a complete ledger (ingest.complete): what it does not list in its scope ends; a listed
        # thing that had ended is restored. Refused past max_end_percent of a scope unless force.
        self.complete, self.force, self.max_end_percent = complete, force, max_end_percent
        self._listed: dict[str, set[str]] = defaultdict(set)  # label -> keys its rows name
        self._listed_files: dict[str, set[str]] = defaultdict(set)
        # rows parsed in a worker process (ingest.parse_worker): for a first load, whose database
        # is idle while the ledgers are read; on the MERGE path Neo4j has the other core
        self.parser = RowParser(parse_workers)
        self.limits = limits or Limits()
        self.guard = guard  # a scoped writer's limits (ingest.guard); None: may write anything
        self.writer = _Writer()
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.progress = progress
        self.loaded_at = (now or dt.datetime.now()).isoformat(" ", "microseconds")  # also marks this load's links
        # (a space, not "T": Neo4j then keeps the stamp inside the property record, ~10% faster writes)
        self._kinds: list[LinkKind] = []
        self._kind_ids: dict[tuple, int] = {}
        self._sources: list[tuple[str, str | None]] = []  # (file, sheet) of each table, by number
        self._letters: list[dict[str, str]] = []  # and its columns' letters
        # labels with no node before this load: every link of their nodes is this load's own,
        # so there is nothing to prune (a first load skips the whole pass)
        self._fresh: set[str] = set()
        self._ended_labels: set[str] = set()  # labels with ended nodes (graph.ends) when the load began
        self._aliases: dict[str, dict[str, str]] = {}  # label -> merged code -> the node it is now
        self.problems = DataProblems()
        self.units = RowUnits(batch_size)  # the units organisation rows name
        self.unchanged: Unchanged | None = None  # made when the load begins (it reads the store)
        self._counts: dict[str, int] = {}  # nodes per label before the load
        # unknown names and the one name close to each, (label, name) -> (name, key); the names
        # compared with, per label; how many were looked for
        self._near: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._pools: dict[str, tuple[list[str], list[str]] | None] = {}
        self._suggested: Counter[str] = Counter()
        self._region_hints: dict[str, str] = {}  # a region's name that names several or none: why

    # --- entry point -----------------------------------------------------------------------
    def load(self, paths: Iterable[Path | str]) -> IngestReport:
        with collector_relaxed():  # (its collections cost a third of the load: graph/collector.py)
            return self._load(paths)

    def _load(self, paths: Iterable[Path | str]) -> IngestReport:
        report = IngestReport(dry_run=self.dry_run, limit=self.limits.report_issues)
        given = [Path(p) for p in paths]
        tables = self._open(expand_paths(given), report)
        spool, seen, needs = Spool(self.batch_size), SeenKeys(), GroupedSpool()
        try:
            counts = self._counts = self.store.counts()
            if not self.dry_run:
                self._fresh = {label for label, n in counts.items() if n == 0}
            # the labels with ended things: only theirs are looked up (a row's own end, references)
            count_ended = getattr(self.store, "ended_count", None)
            self._ended_labels = {label for label in ENDABLE if counts.get(label) and count_ended is not None
                                  and count_ended(label)}
            self.unchanged = Unchanged(self.store, {label for label, n in counts.items() if n})
            if not self.dry_run:
                self._restore_member_key(given, counts, report)
                self.store.load_started(self.loaded_at)
            self._aliases = {label: found for label in MERGEABLE
                             if counts.get(label) and (found := self.store.aliases(label))}
            for table in tables:
                self._load_table(table, report, spool, seen, needs)
            self.writer.drain()  # every node is in before any link is resolved
            # the units organisation rows name, found or made: a roster may name them
            self.units.land(self, seen, report, self._write_units, self._write_unit_links)
            self.writer.drain()
            self._resolve(spool, seen, report)
            self.writer.drain()  # every parent is linked before a unit 与上级党组织相同 is found
            self.units.same_as_parent(self, self._write_unit_links)
            report.units_made, report.units_linked = self.units.made, self.units.linked
            self._load_needs(needs, seen, report)
            self.writer.drain()
            if self.complete:
                self._complete(report)
            if not self.dry_run:
                self._write_problems(seen)
                self._clear_unsettled()
                self._prune(seen)
                self.store.load_finished(self.loaded_at)
                self.store.save()
        except SaveFailed as e:
            report.error, report.reverted = str(e), True
        except StoreUnavailable as e:
            report.error = (f"图数据库中断，载入未完成；已写入的数据保持一致，恢复后重新运行同一命令即可补齐"
                            f"（不会重复）。{e}")
        finally:
            self.writer.close()
            self.parser.close()
            for scratch in (spool, seen, needs, self.units):
                scratch.close()
            for t in tables:
                t.close()
            report.settle_rejected_rows()  # rows rejected after their warnings were made
        return report

    def _restore_member_key(self, paths: list[Path], counts: dict[str, int], report: IngestReport) -> None:
        """A backup folder (``tupu export``) carries the secret members' codes were made with:
        loading it installs that secret, so the restored installation keys next month's
        members as the old one did (``ingest.member_keys``)."""
        for p in paths:
            said = member_keys.restore_secret(p, has_members=counts.get("Member", 0) > 0)
            if said:
                report.notes.append(said)

    def _open(self, files: list[Path], report: IngestReport) -> list[Table]:
        tables: list[Table] = []
        for f in files:
            report.files.append(str(f))
            if not f.exists():
                report.rejected.append(Issue(str(f), None, None, None, None, "文件不存在"))
                continue
            try:
                found = list(read_tables(f, self.limits))
            except TooLarge as e:
                report.rejected.append(Issue(str(f), None, None, None, None, str(e)))
                continue
            except Exception as e:  # a damaged workbook: report it, load the other files
                report.rejected.append(Issue(str(f), None, None, None, None,
                                             "无法读取文件：文件损坏，或不是有效的 xlsx / xls / csv 文件"))
                log.warning("unreadable ledger %s: %s", f.name, mask_text(repr(e)))
                continue
            ledgers = [t for t in found if t.ledger is not None]
            for t in found:
                if t.ledger is not None:
                    continue
                if t.skipped and (ledgers or not t.problem):  # 填表说明 beside the ledgers
                    report.skipped.append(Issue(t.file, t.sheet, None, None, None, t.skipped))
                elif t.problem:  # an empty extra sheet has neither: it is passed over quietly
                    report.rejected.append(Issue(t.file, t.sheet, None, None, None, t.problem))
                t.close()
            if not ledgers and not any(t.problem for t in found) and any(t.skipped for t in found):
                report.rejected.append(Issue(str(f), None, None, None, None,
                                             "文件中没有可识别的台账（各工作表均无台账表头）"))
            tables.extend(ledgers)
        return sorted(tables, key=lambda t: LOAD_ORDER.index(t.ledger.name if t.ledger else ""))

    # --- phase 1: nodes --------------------------------------------------------------------
    def _load_table(self, t: Table, report: IngestReport, spool: Spool, seen: SeenKeys,
                    needs: GroupedSpool) -> None:
        ledger = t.ledger
        assert ledger is not None
        counts = report.counts(ledger.zh)
        for header in t.ignored:
            report.ignored_columns.append(
                Issue(t.file, t.sheet, t.header_row, header, None, "未识别的列，已忽略"))
        # how each column is read; a passed-over column naming a parent, branch, region or key is warned
        cmap, passed_over = column_map(t)
        report.column_maps.append(cmap)
        report.warnings.extend(passed_over)
        counts.warnings += len(passed_over)
        source = len(self._sources)
        self._sources.append((t.file, t.sheet))
        self._letters.append(_letters(t))
        prov = {"src_file": Path(t.file).name, "loaded_at": self.loaded_at}
        # a row loaded again is the truth for its entity: a value its sheet has a column for but
        # leaves blank (or unreadable) is removed, not kept from an older load (None removes it)
        blanks = {col.prop: None for col in t.columns.values() if col.prop}
        present = frozenset(col.zh for col in t.columns.values())  # the ledger's columns the sheet has
        batch: dict[str, _Pending] = {}
        # the columns whose values the report counts (停止党籍: loaded, not counted)
        noted = [(zh, said) for zh, said in ledger.notes.items() if zh in present]
        noted_rows: Counter[str] = Counter()
        if self.progress:
            where = Path(t.file).name + (f" / {t.sheet}" if t.sheet else "")
            self.progress.begin(f"{ledger.zh}（{where}）", t.size_hint)
        for row_no, parsed, rejects, warnings in self.parser.parse(t, _guarded(t, report)):
            counts.read += 1
            if self.progress:
                self.progress.advance()
            typed = parsed.values.get(ledger.key[0])
            if self._aliases and (n := unalias(ledger, parsed, self._aliases)):
                report.aliased += n
                if linked_to_itself(ledger, parsed):
                    counts.rejected += 1
                    report.rejected.append(Issue(t.file, t.sheet, row_no, ledger.row_link.start, None,  # type: ignore[union-attr]
                                                 "两端已合并为同一个组织，不能与自身结对，本行未载入"))
                    continue
            if self.complete and ledger.label in COMPLETE_KINDS and (listed := parsed.values.get(ledger.key[0])):
                self._listed[ledger.label].add(str(listed))  # a rejected row still lists its thing
                self._listed_files[ledger.label].add(t.file)
            if warnings:
                counts.warnings += len(warnings)
                report.warnings.extend(warnings)
            if noted and not rejects:
                for noted_col, said in noted:
                    if (text := said.get(str(parsed.values.get(noted_col)))) is not None:
                        noted_rows[text] += 1
            if rejects:
                counts.rejected += 1
                report.rejected.extend(rejects)
                self.problems.rejected_row(t, parsed, rejects)
                continue
            if self.guard is not None and (column := self.guard.check(ledger, parsed)) is not None:
                counts.rejected += 1
                value = parsed.values.get(column)
                letter = _letters(t).get(column)
                report.rejected.append(Issue(t.file, t.sheet, row_no, column,
                                             None if value is None else "；".join(map(str, value))
                                             if isinstance(value, list) else str(value), OUTSIDE,
                                             cell=f"{letter}{row_no}" if letter else None))
                continue
            key = "\x1f".join(map(str, parsed.key(ledger.key)))
            pending = self._pending(ledger, t, parsed, prov, blanks, present)
            if ledger.label is not None and typed != parsed.values.get(ledger.key[0]):
                pending = pending._replace(typed=str(typed))
            if key in batch:
                first = batch[key]
                if first.typed and not pending.typed:  # the node's own code wins over one merged into it
                    batch[key] = pending
                    first, pending = pending, first
                self._reject_duplicate(t, report, pending, key, source, first.row)
                continue
            batch[key] = pending
            if len(batch) >= self.batch_size:
                self._flush(t, batch, source, report, spool, seen, needs)
                batch = {}
        self._flush(t, batch, source, report, spool, seen, needs)
        where = Path(t.file).name + (f"[{t.sheet}]" if t.sheet else "")
        report.notes.extend(f"{where}：" + text.format(n=n) for text, n in noted_rows.items())
        report.skipped.extend(Issue(t.file, t.sheet, row, None, None, why) for row, why in t.passed)
        report.merged_cells.extend(_merged_issues(t))
        report.dittos += t.dittos
        if t.stopped:
            (report.rejected if t.truncated else report.warnings).append(
                Issue(t.file, t.sheet, None, None, None, t.stopped))
        if self.progress:
            self.progress.end()

    def _pending(self, ledger: Ledger, t: Table, parsed: ParsedRow, prov: dict[str, Any],
                 blanks: dict[str, None], present: frozenset[str]) -> _Pending:
        if ledger.label is not None:
            node = {**blanks, **parsed.props, **prov, "src_row": parsed.row, PROBLEMS: None}
            if (state := ended_state(parsed, t.file, self.date)) is not None:
                node.update(state)
            if ledger.label in NAME_KEYS:  # the forms references find it by (graph.name_forms)
                node.update(keys_of(ledger.label, node))
            return _Pending(parsed.row, node, self._node_links(ledger, t, parsed, present), None,
                            unit=row_units.read(ledger, parsed))
        v = parsed.values
        if ledger.lists_of is not None:
            lo = ledger.lists_of
            need = (v[lo.owner], v[lo.kind], v[lo.category], v.get(lo.content), parsed.row)
            return _Pending(parsed.row, None, [], need)
        return _Pending(parsed.row, None, [self._row_link(ledger, t, parsed, present)], None)

    def _flush(self, t: Table, batch: dict[str, _Pending], source: int, report: IngestReport,
               spool: Spool, seen: SeenKeys, needs: GroupedSpool) -> None:
        """Land a batch: rows whose key an earlier batch landed are duplicates; the rest are
        written (nodes), spooled (links) or set aside (needs)."""
        if not batch:
            return
        ledger = t.ledger
        assert ledger is not None
        names = forms = None
        if ledger.label is not None:  # for references that give a name where the code belongs
            names = [p.node.get("name") if p.node else None for p in batch.values()]
            forms = [forms_of(ledger.label, p.node or {}) for p in batch.values()]
        earlier = seen.add(ledger.name, [(k, p.row) for k, p in batch.items()], source, names, forms)
        rows = {}
        for key, pending in batch.items():
            if key in earlier:
                self._reject_duplicate(t, report, pending, key, *earlier[key])
            else:
                rows[key] = pending
        restored: set[str] = set()
        if ledger.label in ENDABLE:
            restored = settle(self.store, ledger, t.file, t.sheet,
                              {k: p.node for k, p in rows.items() if p.node is not None}, report, _letters(t),
                              self.complete, ledger.label in self._fresh or ledger.label not in self._ended_labels)
        same = self._unchanged(ledger.label, rows) - restored if ledger.label is not None else set()
        if same:
            seen.mark_unchanged(ledger.name, same)
            # its links are not written again, but one to a thing that has ended is still said
            self._warn_ended_refs([link for key in same for link in rows[key].links], report)
        nodes = []
        for key, pending in rows.items():
            if key in same:
                continue
            if pending.node is not None:
                nodes.append(pending.node)
            for link in pending.links:
                spool.add(link)
            if pending.unit is not None:
                self.units.add(source, pending.unit)
            if pending.need is not None:
                needs.add(pending.need[0], (source, *pending.need[1:]))
        counts = report.counts(ledger.zh)
        counts.landed += len(nodes) + len(same)
        counts.unchanged += len(same)
        if nodes and not self.dry_run:
            self.writer.submit(self.store.upsert_nodes, ledger.label, nodes, parallel=True)

    def _unchanged(self, label: str, rows: dict[str, _Pending]) -> set[str]:
        """Give each row's node its digest; return the rows (by key) whose nodes carry it
        already and need no write (``ingest.unchanged``)."""
        assert self.unchanged is not None
        kinds, key_prop = self._kinds, LABELS[label].key
        digests: dict[str, str] = {}
        for key, pending in rows.items():
            node = pending.node
            assert node is not None and str(node[key_prop]) == key  # a node ledger's key is its node's
            links: list[tuple[Any, ...]] = [
                (kinds[k].rel, kinds[k].column, kinds[k].fixed_props.get("role"), start, end, _given(extra))
                for k, _, start, end, extra in pending.links]
            if pending.unit is not None:  # the unit it names is part of the row
                links.append(("unit", *pending.unit[1:6]))
            node[ROW_DIGEST] = digests[key] = row_digest(node, links)
        return self.unchanged.keys(label, digests)

    def _clear_unsettled(self) -> None:
        """The nodes whose rows could not make every link lose their digests: a later load
        writes them again, and tries the links again."""
        assert self.unchanged is not None
        for label, rows in self.unchanged.clearing():
            self.store.update_nodes(label, rows)

    def _reject_duplicate(self, t: Table, report: IngestReport, pending: _Pending, key: str,
                          source: int, first_row: int) -> None:
        ledger = t.ledger
        assert ledger is not None
        report.counts(ledger.zh).rejected += 1
        file, sheet = self._sources[source]
        where = "" if (file, sheet) == (t.file, t.sheet) else \
            f"{Path(file).name}{f' / {sheet}' if sheet else ''} "
        letter = _letters(t).get(ledger.key[0])
        if (dk := ledger.derived_key) is not None and letter is None:  # keyed from another column: no code to quote
            letter = _letters(t).get(dk.source)
            value = str((pending.node or {}).get("name")) if dk.quote else None
            report.rejected.append(Issue(t.file, t.sheet, pending.row, dk.source, value,
                                         dk.duplicate.format(source=dk.source, where=where, row=first_row),
                                         cell=f"{letter}{pending.row}" if letter else None))
            return
        merged = sorted(a for a, to in self._aliases.get(ledger.label or "", {}).items() if to == key)
        why = f"（{'、'.join(merged)} 已合并为 {key}，请在台账中删去其一）" if merged else ""
        row = pending.row
        report.rejected.append(Issue(t.file, t.sheet, row, ledger.key[0], pending.typed or _shown_key(key),
                                     f"编码重复：与{where}第{first_row}行相同，本行未载入{why}",
                                     cell=f"{letter}{row}" if letter else None))

    def _kind(self, t: Table, column: str, **spec: Any) -> int:
        """The number of the link kind of this table and column (made on first use)."""
        ident = (t.file, t.sheet, column, spec.get("fixed_props", {}).get("role"))
        if ident not in self._kind_ids:
            assert t.ledger is not None
            self._kind_ids[ident] = len(self._kinds)
            self._kinds.append(LinkKind(t.ledger.zh, t.file, t.sheet, Path(t.file).name, column, **spec,
                                        letters=_letters(t), headers=_headers(t)))
        return self._kind_ids[ident]

    def _node_links(self, ledger: Ledger, t: Table, parsed: ParsedRow, present: frozenset[str]) -> list[tuple]:
        assert ledger.label is not None
        own = str(parsed.props[LABELS[ledger.label].key])
        here = (ledger.label,)
        links = []
        for col, code in parsed.refs:
            if col.skip_if_same_as and code == parsed.values.get(col.skip_if_same_as):
                continue  # (a lead listed among the members too stays the lead)
            extra = {p: parsed.values.get(c) for p, c in col.rel_props.items() if c in present} or None
            if col.incoming:
                # 党组织 → 活动 / 联盟: the reference to check is the start
                kind = self._kind(t, col.zh, rel=col.rel, start_labels=col.target, end_labels=here,
                                  fixed_props=col.fixed_props, check_start=True, start_column=col.zh)
                links.append((kind, parsed.row, code, own, extra))
            else:
                kind = self._kind(t, col.zh, rel=col.rel, start_labels=here, end_labels=col.target,
                                  fixed_props=col.fixed_props, prop=col.prop)
                links.append((kind, parsed.row, own, code, extra))
        return links

    def _row_link(self, ledger: Ledger, t: Table, parsed: ParsedRow, present: frozenset[str]) -> tuple:
        """The relationship a row of a relationship ledger is (its ``row_link``)."""
        link = ledger.row_link
        assert link is not None, ledger.name
        v = parsed.values
        extra = {k: v.get(c) for k, c in link.props.items() if c in present}  # (None: removed, as a node's)
        kind = self._kind(t, link.end, rel=link.rel, start_labels=link.start_labels, end_labels=link.end_labels,
                          fixed_props={}, check_start=True, start_column=link.start, whole_row=True)
        return (kind, parsed.row, v[link.start], v[link.end], extra)

    def _prune(self, seen: SeenKeys) -> None:
        """A row loaded again is the truth for its links: the links of its columns that this load
        did not write (the ledger now names another organisation, or none) are removed."""
        for name in seen.ledgers():
            ledger = LEDGERS[name]
            if ledger.label is None or ledger.label in self._fresh:
                continue
            for keys in seen.keys(name, self.batch_size, written=True):
                for col in ledger.columns:
                    if col.rel:
                        self.store.prune_relationships(col.rel, ledger.label, keys, self.loaded_at,
                                                       incoming=col.incoming,
                                                       role=col.fixed_props.get("role"))

    def _write_problems(self, seen: SeenKeys) -> None:
        """Mark the entities a rejected row leaves wrong (a member whose branch's row was
        rejected) with the reason, so that their gaps say it is a data problem."""
        for label, found in self.problems.by_label().items():
            key = LABELS[label].key
            known = self._existing(label, set(found), seen)
            rows = [{key: k, PROBLEMS: texts} for k, texts in sorted(found.items())
                    if k in known and (self.guard is None or self.guard.allows(label, k))]
            if rows:
                self.store.update_nodes(label, rows)

    def _complete(self, report: IngestReport) -> None:
        """A complete ledger: per kind it lists, what its scope holds that it does not list ends
        (ingest.complete), unless that is more than the allowed share of the scope."""
        store = self.store
        if not isinstance(store, GraphStore):  # a first load's import files: nothing to end
            return
        for label in COMPLETE_KINDS:
            if label not in self._listed:
                continue
            visible = None if self.guard is None else self.guard.visible[label] | self.guard.placed[label]
            c = completion(store, label, self._listed[label], sorted(self._listed_files[label]), self.date,
                           visible, self.max_end_percent, self.force)
            report.complete.append(c.as_dict())
            if c.refused:
                report.warnings.append(Issue("、".join(c.files), None, None, None, None, c.refused))
            elif c.ending and not self.dry_run:
                report.ended.extend(end_absent(store, c, self.date))
            elif c.ending:  # a dry run says what would end
                report.ended.extend({"label": label, "label_zh": c.label_zh, **e, "date": self.date,
                                     "reason": ABSENT_REASON[label], "source": "完整台账未列出（试运行，未执行）",
                                     "file": None, "sheet": None, "row": None} for e in c.ending)

    # --- phase 2: links --------------------------------------------------------------------
    def _existing(self, label: str, keys: set[str], seen: SeenKeys) -> set[str]:
        """The keys among ``keys`` a node of ``label`` has (or, in a dry run, would have)."""
        if not keys:
            return set()
        if label in self._fresh:  # only this load wrote the label: what it landed is all there is
            return seen.known(_LEDGER_OF_LABEL[label], keys)
        found = self.store.existing_keys(label, keys)
        if self.dry_run:  # and what this load would have added
            found |= seen.known(_LEDGER_OF_LABEL[label], keys)
        return found

    def _resolve(self, spool: Spool, seen: SeenKeys, report: IngestReport) -> None:
        kinds = self._kinds
        if not self.dry_run:  # what this load's rows ended is in the store now: referencing it is warned
            self._ended_labels |= {e["label"] for e in report.ended}
        places: list[tuple] = []  # links to a region written by its name: once the tree is in
        for chunk in spool.chunks():
            chunk, named_places = region_names.split(chunk, kinds)
            places += named_places
            self._link_chunk(chunk, seen, report)
        # a region's parent by name (a new street under 成都市锦江区) before what names the street
        for links in region_names.in_order(places, kinds):
            self.writer.drain()  # the regions (and their PART_OF) of this load are in
            found, hints = region_names.resolve(self.store, links)
            self._region_hints.update(hints)
            self._link_chunk(links, seen, report, known={"Region": set()}, named=found)

    def _link_chunk(self, chunk: list[tuple], seen: SeenKeys, report: IngestReport,
                    known: dict[str, set[str]] | None = None,
                    named: dict[tuple[str, str], set[str]] | None = None) -> None:
        kinds = self._kinds
        if known is None:
            wanted: dict[str, set[str]] = defaultdict(set)
            for k, _, start, end, _ in chunk:
                kind = kinds[k]
                for label in kind.end_labels:
                    wanted[label].add(end)
                if kind.check_start:
                    for label in kind.start_labels:
                        wanted[label].add(start)
            known = {label: self._existing(label, keys, seen) for label, keys in wanted.items()}
            named = self._named({label: keys - known[label] for label, keys in wanted.items()}, seen)
        gone = {label: found for label, keys in known.items()
                if label in self._ended_labels and (found := ended_of(self.store, label, keys))}
        by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
        groups: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
        rows_of_links: dict[tuple[str, str, str], list[tuple[RelRow, str]]] = defaultdict(list)
        for k, row, start, end, extra in chunk:
            kind = kinds[k]
            start_label = _first_known(kind.start_labels, start, known) \
                if kind.check_start else kind.start_labels[0]
            end_label = _first_known(kind.end_labels, end, known)
            if start_label is None and named:
                start_label, start = _by_name(kind.start_labels, start, named, report)
            if end_label is None and named:
                end_label, end = _by_name(kind.end_labels, end, named, report)
                if end_label is not None and kind.prop:  # the code the name stands for
                    by_name[kind.start_labels[0]].append({LABELS[kind.start_labels[0]].key: start,
                                                          kind.prop: end})
            if start_label is None or end_label is None:
                self._warn_missing(kind, row, start, end, start_label is None,
                                   end_label is None, report, named)
                continue
            if start == end and start_label == end_label:  # only a name can make it so here
                self._itself(kind, row, end, report)
                continue
            if gone:
                self._warn_ended(kind, row, start_label, start, end_label, end, gone, report)
            props = {**kind.fixed_props, "src_file": kind.source, "src_row": row,
                     "loaded_at": self.loaded_at}
            if extra:
                props.update(extra)
            if kind.rel == "SUBORDINATE_TO":  # (a unit 与上级党组织相同 is its parent's)
                self.units.parent_linked(start, end)
            if kind.whole_row:
                report.counts(kind.ledger).landed += 1
                rows_of_links[(kind.rel, start_label, end_label)].append((RelRow(start, end, props), kind.ledger))
            else:
                groups[(kind.rel, start_label, end_label)].append(RelRow(start, end, props))
        for (rel, a, b), ledger_rows in rows_of_links.items():
            groups[(rel, a, b)].extend(self._changed_links(rel, a, b, ledger_rows, report))
        if not self.dry_run:
            for (rel, a, b), rows in groups.items():
                self.writer.submit(self.store.upsert_relationships, rel, a, b, rows)
            for label, updates in by_name.items():
                self.writer.submit(self.store.update_nodes, label, updates)

    # --- what ingest.row_units asks of the load ----------------------------------------------
    @property
    def fresh(self) -> set[str]:
        return self._fresh

    def provenance(self, source: int, row: int) -> dict[str, Any]:
        return {"src_file": Path(self._sources[source][0]).name, "src_row": row, "loaded_at": self.loaded_at}

    def warn(self, report: IngestReport, source: int, row: int, column: str, value: str | None,
             reason: str) -> None:
        file, sheet = self._sources[source]
        letter = self._letters[source].get(column)
        report.warnings.append(Issue(file, sheet, row, column, value, reason,
                                     cell=f"{letter}{row}" if letter else None))
        report.counts(LEDGERS["organizations"].zh).warnings += 1

    def allows(self, label: str, key: str) -> bool:
        """Whether the writer may link to (or change) this node: any, but a scoped writer's."""
        return self.guard is None or self.guard.allows(label, key)

    def place(self, label: str, key: str) -> None:
        """A node this load made inside the writer's scope (a unit an organisation row names)."""
        if self.guard is not None:
            self.guard.placed[label].add(key)

    def established_in(self, orgs: set[str]) -> dict[str, str]:
        """The unit each of ``orgs`` (organisations of the graph) is established in, if one."""
        if not orgs or "Organization" in self._fresh:
            return {}
        out: dict[str, str] = {}
        for rel in self.store.relationships_of("Organization", sorted(orgs)):
            if rel.type == "ESTABLISHED_IN" and rel.start.key in orgs:
                out.setdefault(rel.start.key, rel.end.key)
        return out

    def _write_units(self, nodes: list[dict[str, Any]]) -> None:
        if not self.dry_run:
            self.writer.submit(self.store.upsert_nodes, "Unit", nodes, parallel=True)
            self.writer.drain()  # the units are in before their links

    def _write_unit_links(self, rel: str, start: str, end: str, rows: list[RelRow]) -> None:
        if not self.dry_run:
            self.writer.submit(self.store.upsert_relationships, rel, start, end, rows)

    def _named(self, missing: dict[str, set[str]], seen: SeenKeys) -> dict[tuple[str, str], set[str]]:
        """For the references that no node of a label has as its code (``missing``, by label):
        the keys of the nodes of that label that have it as their name, by (label, reference).
        Staff write a branch's name in 所在党支部 where its code belongs; read as a missing code,
        each of its members would be a false M2."""
        named: dict[tuple[str, str], set[str]] = {}
        for label, unknown in missing.items():
            values = {v for v in unknown if not v.isascii()}  # a name has a Chinese character
            if not values or label not in _LEDGER_OF_LABEL:
                continue
            # each name in the form names are compared in (中共…委员会 is …党委: graph.name_forms)
            keyed: dict[str, set[str]] = defaultdict(set)
            for v in values:
                keyed[name_key(v, label == "Organization")].add(v)
            for form, keys in seen.named(_LEDGER_OF_LABEL[label], keyed).items():
                for v in keyed[form]:
                    named.setdefault((label, v), set()).update(keys)
            # the workbook's own entities first (its 骆路社区党委, not another street's of that
            # name); for a name it does not hold, the graph's of earlier loads: by its key, or
            # as written (a node written before names had keys)
            elsewhere: dict[str, set[str]] = defaultdict(set)
            for form, vs in keyed.items():
                for v in vs:
                    if (label, v) not in named:
                        for w in (form, *_typed_forms(v)):
                            elsewhere[w].add(v)
            if elsewhere and label not in self._fresh:
                for name, keys in self.store.keys_by_name(label, elsewhere).items():
                    if self.guard is not None:  # a scoped writer's names mean what it may see
                        keys = {k for k in keys if self.guard.allows(label, k)}
                    for v in elsewhere[name]:
                        if keys:
                            named.setdefault((label, v), set()).update(keys)
            for value in values:
                if (label, value) not in named and (label, value) not in self._near:
                    self._near[(label, value)] = self._suggest(label, value, seen)
        return named

    def _suggest(self, label: str, value: str, seen: SeenKeys) -> tuple[str, str] | None:
        """The one name of ``label`` close to ``value`` (a typo: 秦街社区第一支部 for 秦街社区第一党支部),
        with its key, for the warning to ask about; looked for a few hundred times per kind and load."""
        pool = self._name_pool(label, seen)
        if not pool or self._suggested[label] >= SUGGESTIONS:
            return None
        self._suggested[label] += 1
        best = process.extract(value, pool[0], scorer=fuzz.ratio, limit=2, score_cutoff=NEAR_SCORE)
        if best and (len(best) == 1 or best[0][1] - best[1][1] >= NEAR_MARGIN):
            return best[0][0], pool[1][best[0][2]]
        return None

    def _name_pool(self, label: str, seen: SeenKeys) -> tuple[list[str], list[str]] | None:
        """The names of ``label`` (this load's and the graph's) and their keys, once per load;
        none for a kind too large to compare against (members)."""
        if label not in self._pools:
            pairs = dict((k, n) for n, k in seen.names(_LEDGER_OF_LABEL[label]))
            if label not in self._fresh:
                if self._counts.get(label, 0) > MAX_POOL:
                    self._pools[label] = None
                    return None
                pairs.update((n.key, n.props["name"]) for n in self.store.iter_nodes(label)
                             if isinstance(n.props.get("name"), str) and n.key not in pairs
                             and (self.guard is None or self.guard.allows(label, n.key)))
            self._pools[label] = (list(pairs.values()), list(pairs)) if len(pairs) <= MAX_POOL else None
        return self._pools[label]

    def _changed_links(self, rel: str, start_label: str, end_label: str, rows: list[tuple[RelRow, str]],
                       report: IngestReport) -> list[RelRow]:
        """The rows of a relationship ledger (结对共建, 职务) to write: a row whose relationship the
        graph has with the same values is not written again (counted under 其中未变), as a
        node's unchanged row is not (#18: each write marks both ends for the load's record)."""
        if self.unchanged is None or start_label not in self.unchanged.present:  # no such node before: all new
            return [r for r, _ in rows]
        stored = self.store.relationship_props(rel, start_label, end_label, {(r.start, r.end) for r, _ in rows})
        out = []
        for r, ledger in rows:
            if _content(r.props) in (_content(p) for p in stored.get((r.start, r.end), ())):
                report.counts(ledger).unchanged += 1
            else:
                out.append(r)
        return out

    def _itself(self, kind: LinkKind, row: int, key: str, report: IngestReport) -> None:
        """A code on one side and its own name on the other (a pairing, a parent): a row that is
        the link is rejected, a row of a node lands without it — as when the codes are equal."""
        letter = kind.letters.get(kind.column)
        reason = f"两端是同一个{LABELS[kind.end_labels[0]].zh}（{key}，一端填的是它的名称）"
        whole = kind.whole_row
        (report.rejected if whole else report.warnings).append(Issue(
            kind.file, kind.sheet, row, kind.column, key, reason + ("，本行未载入" if whole else "，该关联未建立"),
            cell=f"{letter}{row}" if letter else None))
        if whole:
            report.counts(kind.ledger).rejected += 1
        else:
            report.counts(kind.ledger).warnings += 1

    def _warn_ended_refs(self, links: list[tuple], report: IngestReport) -> None:
        """Warn the links (spool entries) that name a thing that has ended."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for k, _, start, end, _ in links:
            kind = self._kinds[k]
            for label in kind.end_labels:
                wanted[label].add(end)
            if kind.check_start:
                for label in kind.start_labels:
                    wanted[label].add(start)
        gone = {label: found for label, keys in wanted.items()
                if label in self._ended_labels and (found := ended_of(self.store, label, keys))}
        if not gone:
            return
        for k, row, start, end, _ in links:
            kind = self._kinds[k]
            end_label = next((x for x in kind.end_labels if end in gone.get(x, ())), kind.end_labels[0])
            start_label = next((x for x in kind.start_labels if start in gone.get(x, ())), kind.start_labels[0])
            self._warn_ended(kind, row, start_label, start, end_label, end, gone, report)

    def _warn_ended(self, kind: LinkKind, row: int, start_label: str, start: str, end_label: str, end: str,
                    gone: dict[str, dict[str, tuple[Any, ...]]], report: IngestReport) -> None:
        """A reference to a thing that has ended (已于…注销): the link lands as the ledger has it
        (the analyses pass over what has ended), and the row is warned."""
        for column, label, code in ((kind.column, end_label, end),
                                    (kind.start_column if kind.check_start else None, start_label, start)):
            if column is None or code not in gone.get(label, ()):
                continue
            letter = kind.letters.get(column)
            report.warnings.append(Issue(kind.file, kind.sheet, row, column, code,
                                         reference_warning(label, code, gone[label][code]),
                                         cell=f"{letter}{row}" if letter else None))
            report.counts(kind.ledger).warnings += 1

    def _warn_missing(self, kind: LinkKind, row: int, start: str, end: str,
                      start_missing: bool, end_missing: bool, report: IngestReport,
                      named: dict[tuple[str, str], set[str]] | None = None) -> None:
        counts = report.counts(kind.ledger)
        if not kind.whole_row and self.unchanged is not None:  # the row of a node: written again next time
            own_label, own = (kind.end_labels[0], end) if kind.check_start else (kind.start_labels[0], start)
            self.unchanged.unsettle(own_label, own)
        for column, code, labels, missing, other, other_labels in (
                (kind.start_column or kind.column, start, kind.start_labels, start_missing,
                 end, kind.end_labels),
                (kind.column, end, kind.end_labels, end_missing, start, kind.start_labels)):
            if not missing:
                continue
            kinds = "或".join(LABELS[x].zh for x in labels)
            why = self.problems.why_missing(labels, code)
            same_name = sorted({key for x in labels for key in (named or {}).get((x, code), ())})
            row_named = None if why or same_name or code.isascii() else self.problems.why_named(labels, code)
            if row_named is not None:  # the name of a row of this load that was rejected
                file, sheet, at, because = row_named
                here = (file, sheet) == (kind.file, kind.sheet)
                where = "本表" if here else Path(file).name + (f"「{sheet}」" if sheet else "")
                header = kind.headers.get(column) or column.removesuffix("编码")
                reason = f"{header}「{code}」在{where}第{at}行，但该行未载入：{because}，该关联未建立"
                why = (Path(file).name + (f"[{sheet}]" if sheet else "") + f" 第{at}行", because)
            elif labels == ("Region",) and code in self._region_hints:  # a region's name: of several, or none
                reason = self._region_hints[code]
            elif len(same_name) > 1:  # a name, but of several
                shown = "、".join(same_name[:5]) + ("等" if len(same_name) > 5 else "")
                reason = f"「{code}」是 {len(same_name)} 个{kinds}的名称（编码 {shown}），请改填编码，该关联未建立"
            elif why is None:
                near = next((n for x in labels if (n := self._near.get((x, code)))), None)
                ask = f"；是不是「{near[0]}」（{near[1]}）？" if near else ""
                reason = f"引用的{kinds}编码不存在：{code}（也没有{kinds}叫这个名称{ask}），该关联未建立"
            else:
                reason = f"引用的{kinds} {code} 所在行（{why[0]}）未载入：{why[1]}，该关联未建立"
            letter = kind.letters.get(column)
            report.warnings.append(Issue(kind.file, kind.sheet, row, column, code, reason,
                                         cell=f"{letter}{row}" if letter else None))
            counts.warnings += 1
            if why is not None:  # the entity at the other end shows it as a data problem
                self.problems.link_lost(other_labels, other, column, why)

    def _load_needs(self, needs: GroupedSpool, seen: SeenKeys, report: IngestReport) -> None:
        """Rows of a ledger of lists (``lists_of``: 需求资源清单) become properties of their owner:
        each list's categories (``needs``) and entries (``needs_detail``, category：content)."""
        for ledger in LEDGERS.values():
            if ledger.lists_of is not None:
                self._load_lists(ledger, needs, seen, report)

    def _load_lists(self, ledger: Ledger, needs: GroupedSpool, seen: SeenKeys, report: IngestReport) -> None:
        lo = ledger.lists_of
        assert lo is not None
        owner_zh, key = LABELS[lo.owner_label].zh, LABELS[lo.owner_label].key
        for group in batched(needs.groups(), self.batch_size):
            counts = report.counts(ledger.zh)
            known = self._existing(lo.owner_label, {owner for owner, _ in group}, seen)
            updates = []
            for owner, rows in group:
                if owner not in known:
                    for source, _, _, _, row in rows:
                        file, sheet = self._sources[source]
                        report.warnings.append(Issue(file, sheet, row, lo.owner, owner,
                                                     f"引用的{owner_zh}编码不存在：{owner}，该条清单未载入",
                                                     cell=self._letters[source].get(lo.owner, "") + str(row)))
                        counts.warnings += 1
                    continue
                props: dict[str, Any] = {key: owner}
                for kind, prop in lo.lists.items():
                    mine = [(category, content) for _, k, category, content, _ in rows if k == kind]
                    props[prop] = sorted({category for category, _ in mine})
                    props[f"{prop}_detail"] = [category + (f"：{content}" if content else "")
                                               for category, content in mine]
                counts.landed += len(rows)
                updates.append((props, len(rows)))
            # an owner whose lists are as the graph has them is not written again (#18: every
            # load wrote them all, and each write marks its owner in the journal a record reads)
            names = tuple(p for p in updates[0][0] if p != key) if updates else ()
            stored = self.store.node_values(lo.owner_label, (u[key] for u, _ in updates), names)
            changed = []
            for props, n in updates:
                if stored.get(props[key]) == tuple(props[p] for p in names):
                    counts.unchanged += n
                else:
                    changed.append(props)
            if changed and not self.dry_run:
                self.writer.submit(self.store.update_nodes, lo.owner_label, changed, parallel=True)


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
                                     f"第{last}行之后无法继续读取（文件损坏或格式异常），其余行未载入"))
        log.warning("reading %s stopped after row %s: %s", t.file, last, mask_text(repr(e)))


def _shown_key(key: str) -> str:
    """A composite key as a user reads it: its parts joined with ；, an empty part as （空） (not
    the "None" the key carries for it)."""
    return "；".join("（空）" if part == "None" else part for part in key.split("\x1f"))


def _content(props: dict[str, Any]) -> dict[str, Any]:
    """A relationship's values without its provenance (which file, row and load wrote it), and
    without the blanks a row sends to remove a value (a value not there is one)."""
    return {p: v for p, v in props.items() if p not in PROVENANCE_ZH and v is not None}


def _given(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """A link's values as a row's digest counts them: its blanks are no values (so a digest
    stays what it was before blanks were sent)."""
    return {p: v for p, v in extra.items() if v is not None} or None if extra else None


def _first_known(labels: tuple[str, ...], key: str, known: dict[str, set[str]]) -> str | None:
    for label in labels:  # a plain loop: called for every link (millions), a generator costs more
        if key in known.get(label, ()):
            return label
    return None


def _by_name(labels: tuple[str, ...], value: str, named: dict[tuple[str, str], set[str]],
             report: IngestReport) -> tuple[str | None, str]:
    """The node that ``value`` names, when it names exactly one of ``labels``: (its label, its
    key); else (None, ``value``)."""
    hits = [(label, key) for label in labels for key in named.get((label, value), ())]
    if len(hits) != 1:
        return None, value
    report.by_name += 1
    return hits[0]


def _typed_forms(value: str) -> list[str]:
    """The ways a name read as a code (``checks.clean_code``: half-width, no spaces, upper
    case) may be stored: as it is, and with the full-width brackets of Chinese names."""
    forms = [value]
    if "(" in value or ")" in value:
        forms.append(value.replace("(", "（").replace(")", "）"))
    return forms


def _merged_issues(t: Table) -> list[Issue]:
    """The merged ranges under the header, in the ledger's columns, that were read as each of
    their rows' value (one in a column not read is no news)."""
    out = []
    for col, first, last in t.merged:
        column = t.columns.get(col - 1)
        if first <= (t.header_row or 0) or column is None:
            continue
        ref = f"{get_column_letter(col)}{first}:{get_column_letter(col)}{last}"
        out.append(Issue(t.file, t.sheet, first, column.zh, ref,
                         f"合并单元格 {ref}：第{first}–{last}行各按合并后显示的值读取", cell=ref))
    return out


def _headers(t: Table) -> dict[str, str]:
    """Each ledger column's header as typed in the table's sheet."""
    return {col.zh: str(t.headers.get(i) or col.zh).strip() for i, col in t.columns.items()}


def _letters(t: Table) -> dict[str, str]:
    """Each ledger column's letter in the table's sheet."""
    return {col.zh: get_column_letter(i + 1) for i, col in t.columns.items()}
