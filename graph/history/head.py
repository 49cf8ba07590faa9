"""The history's database (``history.sqlite``, #18): the graph as the last recorded load left it
(the *head*), and what each load changed (its *difference*), one row per entry, so that

- a record reads and rewrites only the part of the head that the writes since touched;
- the first record of a province streams the whole graph through in pages, holding neither the
  graph nor its difference in memory;
- one entity's changes over every load (its page's 历次变化) are an index lookup, not a read of
  every difference.

The head is two tables, one row per node and per relationship, each with its properties as JSON;
the relationships are indexed by either end. The differences are two more, ``node_changes`` and
``rel_changes`` (``kind`` is added, removed or changed; the body the properties, or
``{prop: [old, new]}``), indexed by load and by entity; ``kept`` lists the loads whose difference
is here. ``meta`` holds the id of the store's journal the head follows (``GraphStore.journal``):
while the store's journal is that one, the nodes it marked are all that can have changed since.
A difference, the head's move and the record's line (``lines``: each line of ``loads.jsonl`` is
kept here too, written in the same transaction) commit together: the commit is the record.
``meta`` also holds an undo under way (``undoing``), to be finished after a crash.

>>> import tempfile
>>> head = Head(Path(tempfile.mkdtemp()))
>>> rel = ("SUBORDINATE_TO", "Organization", "B", "Organization", "A", ())
>>> d = snapshot.diff(snapshot.empty(), {"nodes": {("Organization", "A"): {"id": "A"},
...                                                ("Organization", "B"): {"id": "B"}},
...                                      "rels": {rel: {"loaded_at": "x"}}})
>>> head.apply(d, journal_id="j1", load_id="L1")
>>> part = head.part([("Organization", "A")])
>>> sorted(part["nodes"]), list(part["rels"]) == [rel], head.journal_id()
([('Organization', 'A')], True, 'j1')
>>> head.delta("L1").as_json() == d.as_json(), sorted(head.entity_deltas("Organization", "B"))
(True, ['L1'])
"""
from __future__ import annotations

import contextlib
import gzip
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from graph.history import snapshot
from graph.history.damage import DamagedRecord
from graph.memory.store import MemoryStore
from graph.model import LABELS, RELATIONSHIPS
from graph.store import GraphStore, RelRow, batched

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (label TEXT, key TEXT, props TEXT, PRIMARY KEY (label, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (type TEXT, sl TEXT, sk TEXT, el TEXT, ek TEXT, ident TEXT, props TEXT,
                                 PRIMARY KEY (type, sl, sk, el, ek, ident)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_start ON rels (sl, sk);
CREATE INDEX IF NOT EXISTS rels_end ON rels (el, ek);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS node_changes (load TEXT, kind TEXT, label TEXT, key TEXT, body TEXT);
CREATE INDEX IF NOT EXISTS node_changes_load ON node_changes (load);
CREATE INDEX IF NOT EXISTS node_changes_at ON node_changes (label, key);
CREATE TABLE IF NOT EXISTS rel_changes (load TEXT, kind TEXT, type TEXT, sl TEXT, sk TEXT, el TEXT, ek TEXT,
                                        ident TEXT, body TEXT);
CREATE INDEX IF NOT EXISTS rel_changes_load ON rel_changes (load);
CREATE INDEX IF NOT EXISTS rel_changes_start ON rel_changes (sl, sk);
CREATE INDEX IF NOT EXISTS rel_changes_end ON rel_changes (el, ek);
CREATE TABLE IF NOT EXISTS kept (load TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS lines (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, line TEXT);
"""
_KINDS = ("added", "removed", "changed")
# more written in a transaction of the head's, given the size of the difference
Also = Callable[[sqlite3.Connection, int], None]
_PAGE = 5_000  # nodes or links compared at a time in a whole read
_IN = 500  # keys per lookup (SQLite's bound variables)
_DAMAGED = re.compile(r"not a database|malformed|file is encrypted|disk I/O error")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the database whose changes commit together at the end (or not at all)."""
    with closing(sqlite3.connect(path)) as db:
        # write-ahead log: pages go on reading while a record writes (a province's first record
        # is one long transaction), and see it only once it is committed
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        with db:
            yield db


def _rel_columns(k: snapshot.RelId) -> tuple[Any, ...]:
    """A relationship's id as the ``rels`` table's key columns (its identity values as JSON)."""
    return (*k[:5], _dumps(list(k[5])))


def _rel_id(row: tuple[Any, ...]) -> snapshot.RelId:
    """The id of a ``rels`` row read as ``type, sl, sk, el, ek, ident, ...``."""
    return (*row[:5], tuple(json.loads(row[5])))


def _fill(db: sqlite3.Connection, state: snapshot.State) -> None:
    """Write ``state``'s entries over any of the same ids."""
    db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                   ((label, key, _dumps(props)) for (label, key), props in state["nodes"].items()))
    db.executemany("INSERT OR REPLACE INTO rels VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ((*_rel_columns(k), _dumps(props)) for k, props in state["rels"].items()))


def _follow(db: sqlite3.Connection, journal_id: str | None) -> None:
    db.execute("DELETE FROM meta WHERE name = 'journal'")
    if journal_id is not None:
        db.execute("INSERT INTO meta VALUES ('journal', ?)", (journal_id,))


def _keep(db: sqlite3.Connection, load_id: str, d: snapshot.Delta) -> None:
    """Add ``d``'s entries to the difference of the load ``load_id``."""
    db.execute("INSERT OR IGNORE INTO kept VALUES (?)", (load_id,))
    for kind in _KINDS:
        db.executemany("INSERT INTO node_changes VALUES (?, ?, ?, ?, ?)",
                       ((load_id, kind, label, key, _dumps(body)) for label, key, body in getattr(d, f"nodes_{kind}")))
        db.executemany("INSERT INTO rel_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ((load_id, kind, *_rel_columns(snapshot.entry_rel_id(e)), _dumps(e[1]))
                        for e in getattr(d, f"rels_{kind}")))


def _delta_of(rows: Iterable[tuple[Any, ...]], rel_rows: Iterable[tuple[Any, ...]]) -> snapshot.Delta:
    """A difference from its ``node_changes`` rows (kind, label, key, body) and ``rel_changes``
    rows (kind, type, sl, sk, el, ek, ident, body)."""
    d = snapshot.Delta()
    for kind, label, key, body in rows:
        getattr(d, f"nodes_{kind}").append([label, key, json.loads(body)])
    for kind, *rel, ident, body in rel_rows:
        getattr(d, f"rels_{kind}").append([[*rel, json.loads(ident)], json.loads(body)])
    return d


def _grouped(rows: Iterable[tuple[str, str, str, RelRow]]) -> Iterator[tuple[str, str, str, list[RelRow]]]:
    """Relationship rows ``(type, start label, end label, row)`` in pages of one type and labels."""
    pages: dict[tuple[str, str, str], list[RelRow]] = {}
    for t, sl, el, row in rows:
        page = pages.setdefault((t, sl, el), [])
        page.append(row)
        if len(page) >= _PAGE:
            yield t, sl, el, pages.pop((t, sl, el))
    for (t, sl, el), page in pages.items():
        yield t, sl, el, page


def _move_page(db: sqlite3.Connection, load_id: str | None, table: str, changes: str,
               entries: Iterable[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any] | None]]) -> int:
    """Write a page of the store's nodes or links over the head's (``table``), each given as its
    key columns, its properties now and in the head (``None``: not there), and keep what differs
    in ``changes`` as the load ``load_id``'s: each one's properties encoded once. Returns how
    many differed."""
    rows, kept = [], []
    for columns, props, old in entries:
        if old == props:
            continue
        text = _dumps(props)
        rows.append((*columns, text))
        if old is None:
            kept.append((load_id, "added", *columns, text))
        else:
            kept.append((load_id, "changed", *columns, _dumps(snapshot.changed_values(old, props))))
    if rows:
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        if load_id is not None:
            db.executemany(f"INSERT INTO {changes} VALUES ({', '.join('?' * len(kept[0]))})", kept)
    return len(rows)


def _in(column: str, n: int) -> str:
    return f"{column} IN ({', '.join('?' * n)})"


class Head:
    """The history database of one history folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "history.sqlite"
        self._head_only = folder / "head.sqlite"  # the head alone, as kept before the differences moved in
        self._legacy = folder / "head.json.gz"  # the whole graph as one document, before #18

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self._upgrade()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _connect(self.path) as db:
                yield db
        except sqlite3.DatabaseError as e:
            if _DAMAGED.search(str(e)):  # a file cut short or overwritten: named, with the way out
                raise DamagedRecord(self.path, str(e)) from e
            raise

    def _upgrade(self) -> None:
        """A head kept before (one gzipped document, or a database of the head alone) moves in
        once (built aside and put in place whole: a failure leaves the old head as it was)."""
        if self._head_only.exists() and not self.path.exists():
            with contextlib.suppress(FileNotFoundError):  # another process moved it first
                self._head_only.replace(self.path)
        if not self._legacy.exists():
            return
        if not self.path.exists():
            delta = snapshot.Delta.from_json(json.loads(gzip.decompress(self._legacy.read_bytes())))
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.unlink(missing_ok=True)
            with _connect(tmp) as db:
                _fill(db, snapshot.replay(snapshot.empty(), delta))
            tmp.replace(self.path)
        self._legacy.unlink(missing_ok=True)

    def exists(self) -> bool:
        return self.path.exists() or self._head_only.exists() or self._legacy.exists()

    def journal_id(self) -> str | None:
        """The store journal this head follows (``None``: none; the next record reads everything)."""
        if not self.exists():
            return None
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'journal'").fetchone()
        return row[0] if row else None

    def node_count(self) -> int:
        if not self.exists():
            return 0
        with self._db() as db:
            return int(db.execute("SELECT count(*) FROM nodes").fetchone()[0])

    # --- the head --------------------------------------------------------------------------
    def state(self) -> snapshot.State:
        """The whole graph of the head (empty before any record)."""
        out = snapshot.empty()
        if not self.exists():
            return out
        with self._db() as db:
            for label, key, props in db.execute("SELECT label, key, props FROM nodes"):
                out["nodes"][(label, key)] = json.loads(props)
            for row in db.execute("SELECT type, sl, sk, el, ek, ident, props FROM rels"):
                out["rels"][_rel_id(row)] = json.loads(row[6])
        return out

    def part(self, nodes: Iterable[snapshot.NodeId], linked: Iterable[snapshot.NodeId] | None = None
             ) -> snapshot.State:
        """These nodes (those the head has) and every relationship at those ``linked`` (by
        default all): the same part of the graph as :func:`snapshot.dump_part` reads from the store."""
        out = snapshot.empty()
        if not self.exists():
            return out
        with self._db() as db:
            nodes = list(nodes)
            for table, rows in (("asked", nodes), ("linked", nodes if linked is None else linked)):
                db.execute(f"CREATE TEMP TABLE {table} (label TEXT, key TEXT, PRIMARY KEY (label, key)) WITHOUT ROWID")
                db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", rows)
            for label, key, props in db.execute(
                    "SELECT n.label, n.key, n.props FROM asked a JOIN nodes n ON n.label = a.label AND n.key = a.key"):
                out["nodes"][(label, key)] = json.loads(props)
            for end in ("s", "e"):
                for row in db.execute(
                        "SELECT r.type, r.sl, r.sk, r.el, r.ek, r.ident, r.props FROM linked a "
                        f"JOIN rels r ON r.{end}l = a.label AND r.{end}k = a.key"):
                    out["rels"][_rel_id(row)] = json.loads(row[6])
            db.execute("DROP TABLE asked")
            db.execute("DROP TABLE linked")
        return out

    def part_exact(self, nodes: list[tuple[str, str]], rels: list[snapshot.RelId]) -> snapshot.State:
        """Exactly these nodes and relationships, as the head has them."""
        out = snapshot.empty()
        if not self.exists():
            return out
        with self._db() as db:
            for label, key in nodes:
                row = db.execute("SELECT props FROM nodes WHERE label = ? AND key = ?", (label, key)).fetchone()
                if row:
                    out["nodes"][(label, key)] = json.loads(row[0])
            for k in rels:
                row = db.execute("SELECT props FROM rels WHERE type = ? AND sl = ? AND sk = ? AND el = ? AND ek = ? "
                                 "AND ident = ?", _rel_columns(k)).fetchone()
                if row:
                    out["rels"][k] = json.loads(row[0])
        return out

    # --- moving the head -------------------------------------------------------------------
    def apply(self, delta: snapshot.Delta, journal_id: str | None, load_id: str | None = None,
              backwards: bool = False, also: "Also | None" = None) -> None:
        """Move the head by the difference of the load ``load_id`` (``backwards``: undo it). The
        difference is kept as that load's, or, undone, dropped (``None``: neither); ``also``
        writes more in the same transaction (the record's line)."""
        changed = [(e[0], e[1]) for e in (*delta.nodes_added, *delta.nodes_removed, *delta.nodes_changed)]
        rel_ids = [snapshot.entry_rel_id(e) for e in (*delta.rels_added, *delta.rels_removed, *delta.rels_changed)]
        before = self.part_exact(changed, rel_ids)
        after = snapshot.replay(before, delta, backwards=backwards)
        with self._db() as db:
            db.executemany("DELETE FROM nodes WHERE label = ? AND key = ?", changed)
            db.executemany("DELETE FROM rels WHERE type = ? AND sl = ? AND sk = ? AND el = ? AND ek = ? AND ident = ?",
                           (_rel_columns(k) for k in rel_ids))
            _fill(db, after)
            _follow(db, journal_id)
            if load_id is not None and backwards:
                for table in ("kept", "node_changes", "rel_changes"):
                    db.execute(f"DELETE FROM {table} WHERE load = ?", (load_id,))
            elif load_id is not None:
                _keep(db, load_id, delta)
            if also is not None:
                also(db, delta.size())

    def sync(self, store: GraphStore, journal_id: str, load_id: str | None,
             keep: Callable[[int], bool] = lambda size: True, also: "Also | None" = None) -> int:
        """Compare the whole graph of ``store`` with the head a page at a time, moving the head to
        it and keeping the difference as the load ``load_id``'s; return the difference's size.
        All of it is one transaction, committed only if ``keep(size)`` (an undo checks that
        nothing changed). Memory holds a page, not the graph.

        >>> import tempfile
        >>> from graph.memory.store import MemoryStore
        >>> s, head = MemoryStore(), Head(Path(tempfile.mkdtemp()))
        >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲"}, {"id": "B", "name": "乙"}])
        >>> head.sync(s, "j1", "L1")
        2
        >>> _ = s.delete_nodes("Organization", ["B"])
        >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}])
        >>> head.sync(s, "j2", "L2"), head.delta("L2").nodes_changed, head.state() == snapshot.dump(s)
        (2, [['Organization', 'A', {'name': ['甲', '甲支部']}]], True)
        """
        size = 0
        with self._db() as db:
            db.execute("CREATE TEMP TABLE seen_nodes (label TEXT, key TEXT, PRIMARY KEY (label, key)) WITHOUT ROWID")
            db.execute("CREATE TEMP TABLE seen_rels (type TEXT, sl TEXT, sk TEXT, el TEXT, ek TEXT, ident TEXT, "
                       "PRIMARY KEY (type, sl, sk, el, ek, ident)) WITHOUT ROWID")
            # the first record: nothing to look up, nothing gone
            empty = all(db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is None for t in ("nodes", "rels"))
            for label in LABELS:
                for page in batched(store.iter_nodes(label), _PAGE):
                    if empty:
                        before = {}
                    else:
                        db.executemany("INSERT OR IGNORE INTO seen_nodes VALUES (?, ?)", ((label, n.key) for n in page))
                        before = self._nodes_at(db, label, [n.key for n in page])
                    size += _move_page(db, load_id, "nodes", "node_changes",
                                       (((label, n.key), n.props, before.get((label, n.key))) for n in page))
            for t in RELATIONSHIPS:
                for rels in store.relationship_pages(t):
                    ids = [snapshot.rel_id(r) for r in rels]
                    columns = [_rel_columns(k) for k in ids]
                    if not empty:
                        db.executemany("INSERT OR IGNORE INTO seen_rels VALUES (?, ?, ?, ?, ?, ?)", columns)
                    before = {} if empty else self._rels_at(db, ids)
                    size += _move_page(db, load_id, "rels", "rel_changes",
                                       ((c, r.props, before.get(k)) for c, r, k in zip(columns, rels, ids,
                                                                                         strict=True)))
            if not empty:  # what the head has that the store no longer has goes, kept as removed
                gone_nodes = db.execute(
                    "SELECT label, key, props FROM nodes n WHERE NOT EXISTS "
                    "(SELECT 1 FROM seen_nodes s WHERE s.label = n.label AND s.key = n.key)").fetchall()
                gone_rels = db.execute(
                    "SELECT type, sl, sk, el, ek, ident, props FROM rels r WHERE NOT EXISTS "
                    "(SELECT 1 FROM seen_rels s WHERE s.type = r.type AND s.sl = r.sl AND s.sk = r.sk "
                    "AND s.el = r.el AND s.ek = r.ek AND s.ident = r.ident)").fetchall()
                db.executemany("DELETE FROM nodes WHERE label = ? AND key = ?", (row[:2] for row in gone_nodes))
                db.executemany("DELETE FROM rels WHERE type = ? AND sl = ? AND sk = ? AND el = ? AND ek = ? "
                               "AND ident = ?", (row[:6] for row in gone_rels))
                if load_id is not None:
                    db.executemany("INSERT INTO node_changes VALUES (?, 'removed', ?, ?, ?)",
                                   ((load_id, *row) for row in gone_nodes))
                    db.executemany("INSERT INTO rel_changes VALUES (?, 'removed', ?, ?, ?, ?, ?, ?, ?)",
                                   ((load_id, *row) for row in gone_rels))
                size += len(gone_nodes) + len(gone_rels)
            db.execute("DROP TABLE seen_nodes")
            db.execute("DROP TABLE seen_rels")
            _follow(db, journal_id)
            if load_id is not None:
                db.execute("INSERT OR IGNORE INTO kept VALUES (?)", (load_id,))
            if not keep(size):
                db.rollback()
            elif also is not None:
                also(db, size)
        return size

    @staticmethod
    def _nodes_at(db: sqlite3.Connection, label: str, keys: list[str]) -> dict[Any, dict[str, Any]]:
        out = {}
        for chunk in batched(keys, _IN):
            for key, props in db.execute(f"SELECT key, props FROM nodes WHERE label = ? AND {_in('key', len(chunk))}",
                                         (label, *chunk)):
                out[(label, key)] = json.loads(props)
        return out

    @staticmethod
    def _rels_at(db: sqlite3.Connection, ids: list[snapshot.RelId]) -> dict[Any, dict[str, Any]]:
        """The head's relationships of these ids (looked up by start node, then matched)."""
        wanted, out = set(ids), {}
        by_start: dict[tuple[str, str], None] = dict.fromkeys((k[0], k[1]) for k in ids)
        for t, sl in by_start:
            starts = sorted({k[2] for k in ids if (k[0], k[1]) == (t, sl)})
            for chunk in batched(starts, _IN):
                for row in db.execute("SELECT type, sl, sk, el, ek, ident, props FROM rels "
                                      f"WHERE type = ? AND sl = ? AND {_in('sk', len(chunk))}", (t, sl, *chunk)):
                    k = _rel_id(row)
                    if k in wanted:
                        out[k] = json.loads(row[6])
        return out

    # --- the graph of a past load ----------------------------------------------------------
    def rebuild(self, later: list[snapshot.Delta]) -> MemoryStore:
        """The graph as it was before the loads of ``later`` (their differences, in the order
        the loads were made): the head with those differences taken back, read a page at a time
        straight into a store of its own. A past load a month or two back costs the head's rows
        and its later loads' small differences, not a replay of every load since the first.

        >>> import tempfile
        >>> head, s = Head(Path(tempfile.mkdtemp())), MemoryStore()
        >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲"}])
        >>> _ = head.sync(s, "j1", "L1")
        >>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}, {"id": "B", "name": "乙"}])
        >>> later = snapshot.diff(head.state(), snapshot.dump(s))
        >>> head.apply(later, "j1", "L2")
        >>> snapshot.dump(head.rebuild([later]))["nodes"]
        {('Organization', 'A'): {'id': 'A', 'name': '甲'}}
        """
        nodes = {(e[0], e[1]) for d in later for e in (*d.nodes_added, *d.nodes_removed, *d.nodes_changed)}
        rels = {snapshot.entry_rel_id(e) for d in later for e in (*d.rels_added, *d.rels_removed, *d.rels_changed)}
        back = self.part_exact(sorted(nodes), sorted(rels, key=str))
        for d in reversed(later):
            back = snapshot.replay(back, d, backwards=True)
        store = MemoryStore()
        with self._db() as db:
            for label in LABELS:
                rows = (json.loads(props) for key, props in db.execute(
                    "SELECT key, props FROM nodes WHERE label = ?", (label,)) if (label, key) not in nodes)
                for page in batched(rows, _PAGE):
                    store.upsert_nodes(label, page)
                store.upsert_nodes(label, [props for (lb, _), props in back["nodes"].items() if lb == label])
            rows = ((row[0], row[1], row[3], RelRow(row[2], row[4], json.loads(row[6])))
                    for row in db.execute("SELECT type, sl, sk, el, ek, ident, props FROM rels")
                    if not rels or _rel_id(row) not in rels)
            for t, sl, el, page in _grouped(rows):
                store.upsert_relationships(t, sl, el, page)
            for t, sl, el, page in _grouped((k[0], k[1], k[3], RelRow(k[2], k[4], props))
                                            for k, props in back["rels"].items()):
                store.upsert_relationships(t, sl, el, page)
        return store

    # --- the differences -------------------------------------------------------------------
    def kept(self) -> set[str]:
        """The loads whose difference is in the database."""
        if not self.exists():
            return set()
        with self._db() as db:
            return {row[0] for row in db.execute("SELECT load FROM kept")}

    def delta(self, load_id: str) -> snapshot.Delta:
        """The difference of the load ``load_id``, as it was kept."""
        with self._db() as db:
            return _delta_of(
                db.execute("SELECT kind, label, key, body FROM node_changes WHERE load = ? ORDER BY rowid", (load_id,)),
                db.execute("SELECT kind, type, sl, sk, el, ek, ident, body FROM rel_changes WHERE load = ? "
                           "ORDER BY rowid", (load_id,)))

    def adopt(self, load_id: str, delta: snapshot.Delta) -> None:
        """Keep a difference kept before in a file of its own (the head does not move)."""
        with self._db() as db:
            if db.execute("SELECT 1 FROM kept WHERE load = ?", (load_id,)).fetchone() is None:
                _keep(db, load_id, delta)

    def entity_deltas(self, label: str, key: str) -> dict[str, snapshot.Delta]:
        """The entries about one node in each load's difference (its values, and the links at
        it), by load: what its timeline needs, found through the indexes."""
        if not self.exists():
            return {}
        with self._db() as db:
            nodes = db.execute("SELECT load, kind, label, key, body FROM node_changes WHERE label = ? AND key = ? "
                               "ORDER BY rowid", (label, key)).fetchall()
            rels = db.execute("SELECT load, kind, type, sl, sk, el, ek, ident, body FROM rel_changes "
                              "WHERE sl = ? AND sk = ? UNION SELECT load, kind, type, sl, sk, el, ek, ident, body "
                              "FROM rel_changes WHERE el = ? AND ek = ?", (label, key, label, key)).fetchall()
        loads = sorted({r[0] for r in nodes} | {r[0] for r in rels})
        return {load: _delta_of([r[1:] for r in nodes if r[0] == load], [r[1:] for r in rels if r[0] == load])
                for load in loads}

    # --- the record's lines and an undo under way ------------------------------------------
    def lines(self) -> list[tuple[str, dict[str, Any]]]:
        """The record's lines kept here (``(key, line)``, in the order written): every line
        ``loads.jsonl`` should have since history kept them here. Pages ask on every request:
        read again only when the database's files changed (read-only callers: do not change)."""
        stamp = _stamp(self.path)
        if stamp is None:
            return []
        kept = _LINES.get(self.path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            with closing(sqlite3.connect(self.path)) as db:
                rows = db.execute("SELECT key, line FROM lines ORDER BY seq").fetchall()
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e):
                raise
            rows = []  # a database from before lines were kept here
        except sqlite3.DatabaseError as e:
            raise DamagedRecord(self.path, str(e)) from e
        out = [(key, json.loads(line)) for key, line in rows]
        _LINES[self.path] = (stamp, out)
        return out

    def undoing(self) -> dict[str, Any] | None:
        """The undo begun and not finished (``{"load", "who", "at"}``), if any."""
        if not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'undoing'").fetchone()
        return json.loads(row[0]) if row else None

    def begin_undo(self, what: dict[str, Any]) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('undoing', ?)", (_dumps(what),))

    def check(self, thorough: bool = False) -> str | None:
        """What is wrong with the database (``None``: nothing): whether it opens and reads its
        tables, or, ``thorough`` (``tupu doctor``), every page of it (SQLite's quick_check:
        seconds at a province's size, so not before every load)."""
        if not self.path.exists():
            return None
        try:
            with closing(sqlite3.connect(self.path)) as db:
                if not thorough:
                    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    db.execute("SELECT value FROM meta LIMIT 1").fetchall()
                    return None
                found = [row[0] for row in db.execute("PRAGMA quick_check")]
        except sqlite3.OperationalError:  # not written yet, or busy: not damage
            return None
        except sqlite3.DatabaseError as e:
            return str(e)
        return None if found == ["ok"] else "；".join(found[:3])


_LINES: dict[Path, tuple[tuple[int, ...], list[tuple[str, dict[str, Any]]]]] = {}


def _stamp(path: Path) -> tuple[int, ...] | None:
    """The database's files as they are now (a commit changes its write-ahead log)."""
    out: list[int] = []
    for f in (path, path.with_name(path.name + "-wal")):
        try:
            st = f.stat()
        except FileNotFoundError:
            if f == path:
                return None
            continue
        out += [st.st_mtime_ns, st.st_size, st.st_ino]
    return tuple(out)


def keep_line(db: sqlite3.Connection, key: str, line: dict[str, Any]) -> None:
    """Keep a line of ``loads.jsonl`` in the database (in a transaction of the head's)."""
    db.execute("INSERT OR IGNORE INTO lines (key, line) VALUES (?, ?)", (key, _dumps(line)))


def end_undo(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM meta WHERE name = 'undoing'")
