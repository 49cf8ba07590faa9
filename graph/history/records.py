"""The record of loads: every load that writes leaves a dated record — its id, time, files, who,
the date its ledgers stand for — with what the graph was after it:

- ``{id}.json.gz``: its gaps (and who was to close each);
- ``{id}.state.json.gz``: its meeting state (:mod:`graph.history.changes`);
- ``{id}.progress.json``: coverage and gaps per district and street (:mod:`graph.history.progress`).

All live under ``$TUPU_HOME/history`` with ``loads.jsonl`` (one line per load, and one per load
undone) and ``history.sqlite`` (:mod:`graph.history.head`): the graph after the last load, and
what each load changed in it (:mod:`graph.history.snapshot`), so that the graph as of any load can
be rebuilt, the last load undone, and one entity's changes found by index. (Before, each load's
difference was a file ``{id}.delta.json.gz``; the next record or undo moves those in.) Current
queries never read them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import gzip
import json
import os
import secrets
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:  # POSIX: one lock across processes; elsewhere within this process only
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from graph.analyses.gaps import Gap, find_gaps
from graph.collector import collector_paused
from graph.errors import Conflict, NotFoundError
from graph.history import progress as progress_of
from graph.history import snapshot
from graph.history.changes import Changes, LoadRecord, closed_by_ends, entity_changes, gap_key, meeting_state
from graph.history.damage import DamagedRecord, json_lines, read_json
from graph.history.head import Head, end_undo, keep_line
from graph.policy import Policy
from graph.private import private_home
from graph.store import GraphStore

_KEPT = ("rule", "title", "entity", "entity_zh", "id", "name", "message", "responsible", "path", "from", "to",
         "region")
# Graphs of past loads kept in memory (a meeting flips between two or three dates): at most
# ``Settings.past_graphs`` of them, and as many as fit in ``past_graphs_mb`` — always the last
# one asked (at a province's size, one). A date is answered by the load it falls after, so any
# number of dates between two loads is one graph.
PAST_GRAPHS, PAST_BYTES = 3, 512 * 1024 * 1024
NODE_BYTES = 2_000  # what a node of a rebuilt graph takes in memory, its links and kept answers included
_past: "OrderedDict[tuple[str, str], GraphStore]" = OrderedDict()
_past_lock = threading.Lock()
_build_lock = threading.Lock()  # one rebuild at a time: a second asker of the same date waits for it
_thread_lock = threading.RLock()


class NoLoadRecord(NotFoundError):
    pass


# The steps of a record, an undo and a load, in order. Each is done when ``reached`` is called
# with it; the fault-injection tests stop a process there (``os._exit``) or fail the write that
# follows (``OSError``) through ``FAULT_HOOK``. A record's commit and an undo's commit are each
# one SQLite transaction (the steps ``…:commit`` are inside it): before it, the step did not
# happen; after it, it did, and what follows (the line of loads.jsonl) is finished on the next
# open (``History.repair``).
RECORD_STEPS = ("record:gaps", "record:state", "record:progress", "record:commit", "record:head",
                "record:line", "record:done")
UNDO_STEPS = ("undo:intent", "undo:half", "undo:graph", "undo:commit", "undo:head", "undo:line")
LOAD_STEPS = ("load:intent", "load:written")
FAULT_HOOK: Callable[[str], None] | None = None


def reached(step: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(step)


def line_key(line: dict[str, Any]) -> str:
    """A line of loads.jsonl by what it records: a load, or the undo of one."""
    return f"undo:{line['undo']}" if "undo" in line else f"load:{line.get('id')}"


# Past this share of the head's nodes marked in the journal, a record reads the whole graph: one
# pass over every label costs less than looking up most of the graph node by node.
WHOLE_READ_SHARE = 0.25


@dataclass
class _Change:
    """What the graph changed since the head: ``delta`` (``None`` when the graph was read whole:
    the head has then moved already), its ``size``, the journal the head follows from now on, and
    the journal's ``marks`` read (to forget)."""

    delta: snapshot.Delta | None
    size: int
    journal_id: str
    marks: dict[tuple[str, str], str] = field(default_factory=dict)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One recording or undo at a time on this history, across the API's worker processes:
    each reads the head the previous one wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(folder / ".lock", "a") as f:
        if fcntl is not None:
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(f, fcntl.LOCK_UN)


def _write_json(path: Path, body: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # one string, written once: json.dump's many small writes through gzip cost more than the rest
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    # level 5: about as small as gzip's default 9, several times faster
    tmp.write_bytes(gzip.compress(data, compresslevel=5) if path.suffix == ".gz" else data)
    tmp.replace(path)


def _read_json(path: Path) -> Any:
    return read_json(path)


@functools.lru_cache(maxsize=64)
def _read_kept(path: str, _mtime: int) -> Any:
    """A record's file, read once: they never change once written, and pages read them on every
    request (the home page's 自上次以来 and charts, an entity page's timeline). Read-only."""
    return _read_json(Path(path))


def _kept(path: Path) -> Any:
    return _read_kept(str(path), path.stat().st_mtime_ns)


class History:
    """The loads recorded under one Tupu home.

    >>> import tempfile
    >>> from graph.memory.store import MemoryStore
    >>> h, s = History(Path(tempfile.mkdtemp())), MemoryStore()
    >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部", "kind": "党支部"}])
    >>> first = h.record(s, date=dt.date(2025, 1, 31), files=["a.csv"], who="测试")
    >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲村党支部"}])
    >>> second = h.record(s, date=dt.date(2025, 2, 28), files=["a.csv"], who="测试")
    >>> h.store_as_of(dt.date(2025, 2, 1)).get("Organization", "A").name
    '甲支部'
    >>> [(v.value, v.since, v.until) for v in h.timeline("Organization", "A")["name"]]
    [('甲支部', '2025-01-31', '2025-02-28'), ('甲村党支部', '2025-02-28', None)]
    """

    def __init__(self, home: Path) -> None:
        self.dir = home / "history"
        private_home(home)  # every member's ID number is kept here: its owner's only
        self._unrecorded: set[str] = set()  # intents whose record was tried and failed: kept
        self.damaged: dict[Path, DamagedRecord] = {}  # damaged files read past (a page says so)

    # --- recording -------------------------------------------------------------------------
    def record(self, store: GraphStore, *, date: dt.date, files: list[str], who: str,
               policy: Policy | None = None, intent: str | None = None) -> LoadRecord:
        """Keep what the graph is now (its gaps judged as of ``date``) as the record of a load
        (``intent``: the load's intent, :meth:`loading`, dropped once it is recorded)."""
        if intent:
            self._unrecorded.add(intent)
        gaps = find_gaps(store, as_of=date, policy=policy)
        rec = self._new_record(date, files, who)
        with _locked(self.dir):
            self._finish_lines()
            self._record_locked(store, rec, gaps, date, policy, intent=intent)
        if intent:
            self._drop_intent(intent)
            self._unrecorded.discard(intent)
        return rec

    @staticmethod
    def _new_record(date: dt.date, files: list[str], who: str, interrupted: bool = False) -> LoadRecord:
        now = dt.datetime.now()
        return LoadRecord(id=now.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3),
                          at=now.isoformat(timespec="microseconds"), date=date.isoformat(),
                          files=files, who=who, gaps=0, interrupted=interrupted)

    def _record_locked(self, store: GraphStore, rec: LoadRecord, gaps: list[Gap], date: dt.date,
                       policy: Policy | None, intent: str | None = None, only_if_changed: bool = False) -> bool:
        """Write the record's files, then, in one transaction, the head's move, the load's
        difference and its line (the commit is the record); then its line in loads.jsonl.
        ``only_if_changed``: no record unless the graph changed since the head (a load that
        died before it wrote). Returns whether it recorded."""
        rec.gaps, rec.per_rule = len(gaps), dict(Counter(g.rule for g in gaps))
        written = [self.dir / f"{rec.id}{suffix}" for suffix in (".json.gz", ".state.json.gz", ".progress.json")]
        _write_json(written[0], [{k: v for k, v in g.as_dict().items() if k in _KEPT} for g in gaps])
        reached("record:gaps")
        _write_json(written[1], meeting_state(store, date))
        reached("record:state")
        _write_json(written[2], progress_of.figures(store, gaps, date, policy))
        reached("record:progress")
        head = Head(self.dir)
        self._adopt_files(head)

        def also(db: sqlite3.Connection, size: int) -> None:
            rec.changes = size
            line = {**asdict(rec), **({"intent": intent} if intent else {})}
            keep_line(db, line_key(line), line)
            end_undo(db)  # an undo a crash left half done: what it wrote is in this difference
            reached("record:commit")

        change = self._changed_since(store, head, rec.id, keep=(lambda size: size > 0) if only_if_changed
                                     else (lambda size: True), also=also)
        if change.delta is not None and not (only_if_changed and change.size == 0):
            # the head moves and keeps the difference, with the line, in one transaction
            head.apply(change.delta, change.journal_id, load_id=rec.id, also=also)
        if only_if_changed and change.size == 0:
            for f in written:
                f.unlink(missing_ok=True)
            return False
        reached("record:head")
        with contextlib.suppress(OSError):  # (a full disk: the database has the line; finished next time)
            self._finish_lines()
        reached("record:line")
        if change.marks:
            store.journal_forget(change.marks)
        reached("record:done")
        return True

    def _changed_since(self, store: GraphStore, head: Head, load_id: str | None,
                       keep: Callable[[int], bool] = lambda size: True,
                       also: Callable[[sqlite3.Connection, int], None] | None = None) -> "_Change":
        """What the graph changed since the head. While the store's journal is the one the head
        follows, only the nodes it marked (and their relationships) are read and compared; else
        — the first record, after ``clear``, or once most of the graph was written — the whole
        graph is, a page at a time, and a new journal begins first (a write during the read is
        then marked too). A whole read moves the head as it goes, keeping the difference as the
        load ``load_id``'s, if ``keep(size)``."""
        journal = store.journal()
        if (journal is not None and journal.id == head.journal_id()
                and len(journal.marks) <= WHOLE_READ_SHARE * head.node_count()):
            touched, linked = list(journal.marks), sorted(journal.linked)
            delta = snapshot.diff(head.part(touched, linked), snapshot.dump_part(store, touched, linked))
            return _Change(delta, delta.size(), journal.id, marks=journal.marks)
        journal_id = store.journal_start()
        return _Change(None, head.sync(store, journal_id, load_id, keep, also=also), journal_id)

    def _adopt_files(self, head: Head) -> None:
        """Differences kept in files of their own (before they moved into the database) move in."""
        for f in sorted(self.dir.glob("*.delta.json.gz")):
            head.adopt(f.name.removesuffix(".delta.json.gz"), snapshot.Delta.from_json(_read_json(f)))
            f.unlink()

    def _append(self, lines: list[dict[str, Any]]) -> None:
        """Add lines to loads.jsonl, written once and synced; a half line left at its end (a
        crash or a full disk in the middle of a write) is cut off first: the database has it."""
        f = self.dir / "loads.jsonl"
        data = f.read_bytes() if f.exists() else b""
        if data and not data.endswith(b"\n"):
            os.truncate(f, data.rfind(b"\n") + 1)
        with open(f, "a", encoding="utf-8") as out:
            out.write("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
            out.flush()
            os.fsync(out.fileno())

    def _finish_lines(self) -> int:
        """Write into loads.jsonl the lines the database has and it has not (the record's last
        step, cut short); how many. Under the lock."""
        missing = self._missing_lines()
        if missing:
            self._append(missing)
        return len(missing)

    def _missing_lines(self) -> list[dict[str, Any]]:
        in_file = {line_key(x) for x in json_lines(self.dir / "loads.jsonl")[0]}
        return [x for key, x in Head(self.dir).lines() if key not in in_file]

    def head(self) -> snapshot.State:
        """The graph as the last load left it (empty before any load kept one)."""
        return Head(self.dir).state()

    # --- reading ---------------------------------------------------------------------------
    def _lines(self) -> list[dict[str, Any]]:
        """The record: the lines of loads.jsonl, with those the database has and it has not yet
        (a record committed whose line a crash kept from the file) in the order they were made.
        A line that does not read (a half line) is left out (``tupu doctor`` lists it); with the
        database damaged, the file alone."""
        lines, bad = json_lines(self.dir / "loads.jsonl")
        if bad:
            f = self.dir / "loads.jsonl"
            self.damaged[f] = DamagedRecord(f, f"第 {'、'.join(map(str, bad[:5]))} 行不完整")
        try:
            kept = Head(self.dir).lines()
        except DamagedRecord as e:
            self.damaged[e.path] = e
            return lines
        if not kept:
            return lines
        known = {key for key, _ in kept}
        return [x for x in lines if line_key(x) not in known] + [x for _, x in kept]

    def recorded(self) -> list[LoadRecord]:
        """The loads in force (not undone), in the order they were made."""
        lines = self._lines()
        undone = {x["undo"] for x in lines if "undo" in x}
        return [LoadRecord.from_line(x) for x in lines if "undo" not in x and x.get("id") not in undone]

    def undone(self) -> list[dict[str, Any]]:
        """The loads undone: which, when and by whom."""
        return [x for x in self._lines() if "undo" in x]

    def loads(self) -> list[LoadRecord]:
        """Every load in force, by the date its ledgers stand for, then by when it was loaded."""
        return sorted(self.recorded(), key=lambda r: (r.date, r.at))

    def get(self, load_id: str) -> LoadRecord:
        for r in self.recorded():
            if r.id == load_id:
                return r
        raise NoLoadRecord(f"没有编号为 {load_id} 的载入记录（tupu loads 列出全部）")

    def state_of(self, rec: LoadRecord) -> dict[str, Any]:
        return _kept(self.dir / f"{rec.id}.state.json.gz")  # type: ignore[no-any-return]

    def gaps_of(self, rec: LoadRecord) -> list[Gap]:
        return [Gap.model_validate(d) for d in _kept(self.dir / f"{rec.id}.json.gz")]

    def progress(self) -> list[tuple[LoadRecord, dict[str, Any]]]:
        """Each load (by ledger date) with its figures per region, where they were kept."""
        out = []
        for r in self.loads():
            f = self.dir / f"{r.id}.progress.json"
            if f.exists():
                out.append((r, _kept(f)))
        return out

    def as_of(self, day: dt.date) -> LoadRecord:
        """The last load whose ledgers stand for ``day`` or before."""
        recs = [r for r in self.loads() if r.date <= day.isoformat()]
        if not recs:
            first = self.loads()
            raise NoLoadRecord(f"{day.isoformat()} 当天或之前没有载入记录"
                               + (f"（最早的是 {first[0].date}）" if first else "（还没有任何载入记录）"))
        return recs[-1]

    # --- the graph of a past load -----------------------------------------------------------
    def _file(self, load_id: str) -> Path:
        """Where a load's difference was kept before it moved into the database."""
        return self.dir / f"{load_id}.delta.json.gz"

    def _with_difference(self, kept: set[str]) -> list[LoadRecord]:
        """The loads in force whose difference is kept (those older than history keeping are not):
        in the database (``kept``) or, kept before, in a file."""
        return [r for r in self.recorded() if r.id in kept or self._file(r.id).exists()]

    def delta(self, rec: LoadRecord, kept: set[str] | None = None) -> snapshot.Delta:
        """What the load ``rec`` changed in the graph."""
        if rec.id in (Head(self.dir).kept() if kept is None else kept):
            return Head(self.dir).delta(rec.id)
        f = self._file(rec.id)
        if not f.exists():
            raise NoLoadRecord(f"{rec.date} 的载入（{rec.id}）早于历史图谱的保存，无法还原当时的图谱")
        return snapshot.Delta.from_json(_kept(f))

    def state_at(self, rec: LoadRecord) -> snapshot.State:
        """The graph right after the load ``rec``: the differences of the loads up to it, replayed
        in the order they were made (loads older than history keeping are skipped: the first
        kept difference holds the whole graph)."""
        state = snapshot.empty()
        kept = Head(self.dir).kept()
        for r in self.recorded():
            if r.id in kept or self._file(r.id).exists() or r.id == rec.id:
                state = snapshot.replay(state, self.delta(r, kept))
            if r.id == rec.id:
                return state
        raise NoLoadRecord(f"没有编号为 {rec.id} 的载入记录")

    def store_as_of(self, day: dt.date, graphs: int = PAST_GRAPHS, max_bytes: int = PAST_BYTES) -> GraphStore:
        """A read-only copy of the graph as the ledgers loaded by ``day`` left it (kept in
        memory for the next question of the same load: at most ``graphs`` past graphs, taking
        about ``max_bytes`` in all, the least recently asked dropped first)."""
        rec = self.as_of(day)
        key = (str(self.dir), rec.id)

        def kept() -> GraphStore | None:
            with _past_lock:
                if key in _past:
                    _past.move_to_end(key)
                    return _past[key]
            return None

        found = kept()  # a date kept is answered at once, even while another date is being built
        if found is not None:
            return found
        with _build_lock:
            found = kept()  # built meanwhile by the asker this one waited for
            if found is not None:
                return found
            store = self._rebuilt(rec)
            store.past = key
            dropped = []
            with _past_lock:
                _past[key] = store
                while len(_past) > 1 and (len(_past) > graphs or _bytes(_past.values()) > max_bytes):
                    dropped.append(_past.popitem(last=False)[1])
            if dropped:
                _let_go(dropped)
        return store

    def _rebuilt(self, rec: LoadRecord) -> GraphStore:
        """The graph right after the load ``rec``: the head (the graph after the last load) with
        the differences of the loads made since taken back."""
        head, recs = Head(self.dir), self.recorded()
        with collector_paused():  # a whole graph of objects that live on: 40% of the time at 100k
            if not head.exists():
                return snapshot.to_store(self.state_at(rec))
            kept = head.kept()
            later = recs[[r.id for r in recs].index(rec.id) + 1:]
            return head.rebuild([self.delta(r, kept) for r in later])

    def is_past(self, day: dt.date | None) -> bool:
        """Whether ``day`` asks for the graph of an earlier load than the last one (so the
        current graph is not the answer)."""
        loads = self.loads()
        return bool(day and loads) and day.isoformat() < loads[-1].date  # type: ignore[union-attr]

    def _entity_deltas(self, label: str, key: str) -> list[tuple[str, snapshot.Delta]]:
        """Each load's difference (by its ledger date) as far as one node is concerned: found by
        index in the database, not by reading every difference."""
        head = Head(self.dir)
        found, kept = head.entity_deltas(label, key), head.kept()
        return [(r.date, found.get(r.id, snapshot.Delta()) if r.id in kept else self.delta(r, kept))
                for r in self._with_difference(kept)]

    def timeline(self, label: str, key: str) -> dict[str, list[snapshot.Interval]]:
        """Every value one node's properties had, each with the ledger dates it held from and
        until (``None``: still held)."""
        return snapshot.intervals(self._entity_deltas(label, key), label, key)

    def link_timeline(self, label: str, key: str) -> list[snapshot.LinkInterval]:
        """Every relationship one node had, each with the ledger dates it held from and until."""
        return snapshot.link_intervals(self._entity_deltas(label, key), label, key)

    # --- undoing ---------------------------------------------------------------------------
    def undo(self, store: GraphStore, load_id: str, who: str) -> LoadRecord:
        """Put the graph back as it was before the load ``load_id`` (the last one made: later
        loads build on it) and strike it from the record.

        The undo is noted in the database first; the graph is written back; then the head's
        move back, the dropping of the load's difference and the undo's line are one
        transaction. A crash between leaves the note: the next :meth:`repair` (any load, undo,
        ``tupu doctor --repair`` or the server's start) writes the graph back again — each entry
        as it was, so what was already written back stays — and commits."""
        with _locked(self.dir):
            under_way = Head(self.dir).undoing() if Head(self.dir).exists() else None
            mine = under_way is not None and under_way["load"] == load_id  # asked again after it failed
            self._repair_locked(store, audit_undo=not mine)  # (the asker audits its own undo)
            if mine and any(u["undo"] == load_id for u in self.undone()):
                with _past_lock:
                    _past.clear()
                return next(LoadRecord.from_line(x) for x in self._lines() if x.get("id") == load_id)
            recs = self.recorded()
            target = self.get(load_id)
            later = [r for r in recs if r.at > target.at]
            if later:
                raise Conflict(f"载入 {load_id} 之后还有 {len(later)} 次载入（最近一次 {later[-1].id}，"
                               f"台账日期 {later[-1].date}）：请先撤销它们")
            head = Head(self.dir)
            self._adopt_files(head)
            delta = self.delta(target)
            # a whole read (the store's journal is not the head's) moves nothing unless nothing changed
            change = self._changed_since(store, head, None, keep=lambda size: size == 0)
            if change.size:  # the head keeps the journal it followed: the next record looks again
                raise Conflict("图谱在这次载入之后又被改动过（未经记录的写入），撤销会丢掉这些改动：请先核对")
            head.begin_undo({"load": target.id, "who": who, "at": dt.datetime.now().isoformat(timespec="seconds")})
            reached("undo:intent")
            self._undo_graph(store, head, target, delta, who, change.journal_id)
        with _past_lock:
            _past.clear()
        return target

    def _undo_graph(self, store: GraphStore, head: Head, target: LoadRecord, delta: snapshot.Delta, who: str,
                    journal_id: str | None) -> None:
        """Write the graph back, then commit the undo (under the lock, the undo noted)."""
        snapshot.revert(store, delta, halfway=lambda: reached("undo:half"))
        reached("undo:graph")
        line = {"undo": target.id, "at": dt.datetime.now().isoformat(timespec="seconds"), "who": who}

        def also(db: sqlite3.Connection, size: int) -> None:
            keep_line(db, line_key(line), line)
            end_undo(db)
            reached("undo:commit")

        head.apply(delta, journal_id, load_id=target.id, backwards=True, also=also)
        reached("undo:head")
        with contextlib.suppress(OSError):  # (the database has the line; finished next time)
            self._finish_lines()
        reached("undo:line")

    # --- a load under way, and what a crash left -------------------------------------------
    @contextlib.contextmanager
    def loading(self, files: list[str], date: dt.date, who: str) -> Iterator[str]:
        """While a load writes the graph: its intent on disk (``history/loading/``), locked by
        this process. :meth:`record` drops it. Left behind — the process died, or the record
        could not be written — it tells the next :meth:`repair` that the graph may hold a load
        without a record: the load is then recorded as found (``interrupted``), or, if it wrote
        nothing, forgotten. Yields the intent's id, for :meth:`record`."""
        folder = self.dir / "loading"
        folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(8)
        path = folder / f"{token}.json"
        with open(path, "w", encoding="utf-8") as f:
            if fcntl is not None:
                fcntl.flock(f, fcntl.LOCK_EX)
            try:
                f.write(json.dumps({"files": files, "date": date.isoformat(), "who": who,
                                    "at": dt.datetime.now().isoformat(timespec="seconds")}, ensure_ascii=False))
                f.flush()
                os.fsync(f.fileno())
                reached("load:intent")
            except BaseException:  # (a full disk) no intent, and no load: nothing was written
                path.unlink(missing_ok=True)
                raise
            yield token
        # kept on an exception, or when its record failed: the graph may hold the load (repair)
        if token not in self._unrecorded:
            path.unlink(missing_ok=True)

    def _drop_intent(self, token: str | None) -> None:
        if token:
            (self.dir / "loading" / f"{token}.json").unlink(missing_ok=True)

    def _left_intents(self) -> list[Path]:
        """Intents of loads whose process is gone (this process's own, and other live
        processes', are locked)."""
        folder = self.dir / "loading"
        if fcntl is None or not folder.exists():
            return []
        out = []
        for f in sorted(folder.glob("*.json")):
            with open(f, "a") as probe:
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a load under way
                fcntl.flock(probe, fcntl.LOCK_UN)
            out.append(f)
        return out

    def prepare(self, store: GraphStore, policy: Policy | None = None) -> list[str]:
        """Before a load writes the graph: finish what a crash left (:meth:`repair`), and refuse
        (:class:`DamagedRecord`) if the record cannot be kept — a line of loads.jsonl that does
        not read, or a damaged database — rather than write a load no record will hold."""
        bad = self.bad_lines()
        if bad:
            raise DamagedRecord(self.dir / "loads.jsonl", f"第 {'、'.join(map(str, bad[:5]))} 行不完整")
        return self.repair(store, policy)

    def bad_lines(self) -> list[int]:
        """The lines of loads.jsonl that do not read, but for a half line at its end (a write cut
        short, cut off when the next line is written: the database has it)."""
        f = self.dir / "loads.jsonl"
        bad = json_lines(f)[1]
        if bad and f.exists() and not f.read_bytes().endswith(b"\n"):
            bad = bad[:-1] if bad[-1] == f.read_bytes().count(b"\n") + 1 else bad
        return bad

    def repair(self, store: GraphStore | None = None, policy: Policy | None = None) -> list[str]:
        """Finish what a crash (or a full disk) left half done, and say what was done: the
        lines of loads.jsonl the database has and it has not; with ``store``, an undo begun
        (finished) and the loads that wrote without a record (recorded as found). Files a
        record wrote before dying uncommitted go. The history's database damaged:
        :class:`DamagedRecord` (``tupu doctor``)."""
        with _locked(self.dir):
            return self._repair_locked(store, policy)

    def _repair_locked(self, store: GraphStore | None, policy: Policy | None = None,
                       audit_undo: bool = True) -> list[str]:
        done = []
        head = Head(self.dir)
        if head.exists() and (why := head.check()):
            raise DamagedRecord(head.path, why)
        if n := self._finish_lines():
            done.append(f"补写 loads.jsonl：{n} 行（记录已提交，写入文件前中断）")
        if store is not None:
            undoing = head.undoing()
            if undoing:
                done.append(self._finish_undo(store, head, undoing, audit_undo))
            for f in self._left_intents():
                done.append(self._finish_load(store, f, policy))
        self._forget_uncommitted()
        return [d for d in done if d]

    def _finish_undo(self, store: GraphStore, head: Head, undoing: dict[str, Any], audit: bool = True) -> str:
        recs = self.recorded()
        if not recs or recs[-1].id != undoing["load"] or recs[-1].id not in head.kept():
            with head._db() as db:
                end_undo(db)
            return f"放弃未完成的撤销 {undoing['load']}：它已不是最近一次载入"
        target = recs[-1]
        journal = store.journal()
        follows = head.journal_id()
        self._undo_graph(store, head, target, head.delta(target.id), undoing["who"],
                         follows if journal is not None and journal.id == follows else None)
        with _past_lock:
            _past.clear()
        note = self._audit(undoing["who"], "撤销载入",
                           f"{target.id} {target.date} {'、'.join(target.files)}（中断后补完）") if audit else ""
        return f"完成中断的撤销：{target.id}（{target.date}）{note}"

    def _finish_load(self, store: GraphStore, intent: Path, policy: Policy | None) -> str:
        token = intent.name.removesuffix(".json")
        if any(x.get("intent") == token for x in self._lines()):
            intent.unlink(missing_ok=True)  # recorded: the process died just after
            return ""
        try:
            what = read_json(intent)
            day = dt.date.fromisoformat(what["date"])
        except (DamagedRecord, KeyError, ValueError):
            what, day = {"files": [], "who": "（未知）"}, dt.date.today()
        rec = self._new_record(day, list(what.get("files") or []), str(what.get("who") or "（未知）"), interrupted=True)
        gaps = find_gaps(store, as_of=day, policy=policy)
        recorded = self._record_locked(store, rec, gaps, day, policy, intent=token, only_if_changed=True)
        intent.unlink(missing_ok=True)
        if not recorded:
            return f"中断的载入（{'、'.join(rec.files)}）未写入图谱：无需记录"
        note = self._audit(rec.who, "载入台账", f"{'、'.join(rec.files)}（中断后补记为 {rec.id}）")
        return f"补记中断的载入：{rec.id}（台账日期 {rec.date}，{'、'.join(rec.files)}，{rec.changes} 处变动）{note}"

    def _audit(self, who: str, action: str, detail: str) -> str:
        from graph.access import AuditLog

        try:
            AuditLog.at(self.dir.parent).record(who, action, detail)
        except OSError as e:
            return f"；审计日志未能写入（{e.strerror or e}）"
        return ""

    def _forget_uncommitted(self) -> None:
        """A record's files written before a crash kept it from committing, and temporary files."""
        if not self.dir.exists() or json_lines(self.dir / "loads.jsonl")[1]:
            return  # (a line that does not read may be the record of any of them: tupu doctor first)
        ids = {str(x.get("id")) for x in self._lines() if x.get("id")}
        newest = max(ids, default="")  # (ids begin with the time: a record that never committed is newer)
        for f in self.dir.iterdir():
            load = f.name.split(".", 1)[0]
            if f.name.endswith(".tmp") or (f.name.endswith((".json.gz", ".progress.json"))
                                           and not f.name.endswith(".delta.json.gz") and load > newest):
                f.unlink(missing_ok=True)

    # --- changes ---------------------------------------------------------------------------
    def changes(self, since: dt.date, until: dt.date | None = None) -> Changes:
        """Gaps opened and closed between the load of ``since`` and that of ``until`` (the
        latest by default), and the entities changed."""
        a = self.as_of(since)
        b = self.as_of(until) if until else self.loads()[-1]
        before, after = ({gap_key(g): g for g in self.gaps_of(r)} for r in (a, b))
        opened = [g for k, g in after.items() if k not in before]
        closed = [g for k, g in before.items() if k not in after]
        sa, sb = self.state_of(a), self.state_of(b)
        return Changes(since=a, until=b, opened=opened, closed=closed, entities=entity_changes(sa, sb, opened),
                       closed_why=closed_by_ends(closed, sa, sb))

    def since_last(self) -> Changes | None:
        """What changed between the last two loads of different ledger dates (None before
        there are two)."""
        loads = self.loads()
        if len(loads) < 2:
            return None
        earlier = [r for r in loads if r.date < loads[-1].date]
        return self.changes(dt.date.fromisoformat((earlier or loads[:-1])[-1].date))


def _let_go(stores: list[GraphStore]) -> None:
    """Free past graphs let go, now. A graph holds reference cycles, so only the cyclic collector
    frees it; and the analyses' cache froze it with every object alive when it kept an answer
    (``gc.freeze``: graph/analyses/cache.py), where the collector never looks. Unfrozen,
    collected, and what is left frozen again: one full collection per graph let go (a past load
    asked after ``past_graphs`` others), instead of a graph and its answers kept for good."""
    stores.clear()
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _bytes(stores: Any) -> int:
    """About what past graphs take in memory: by their nodes, a count each keeps at hand."""
    return sum(sum(s.counts().values()) for s in stores) * NODE_BYTES


def store_as_of(store: GraphStore, home: Path, day: dt.date | None, settings: Any = None) -> GraphStore:
    """The store that answers "as of ``day``": the current one, unless the ledgers loaded by
    then are an earlier load's — then the graph as that load left it (read-only, in memory;
    as many kept as ``settings`` — a :class:`graph.config.Settings` — allows). Without any load
    recorded, ``day`` is only the date rules judge by."""
    history = History(home)
    if not (day and history.is_past(day)):
        return store
    if settings is None:
        return history.store_as_of(day)
    return history.store_as_of(day, settings.past_graphs, settings.past_graphs_mb * 1024 * 1024)
