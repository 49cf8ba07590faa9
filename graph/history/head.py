"""The graph as the last recorded load left it (the history's *head*), kept on disk in SQLite so
that a record reads and rewrites only the part of it that the writes since touched (#18), not the
whole graph as one document.

Two tables, one row per node and per relationship, each with its properties as JSON; the
relationships are indexed by either end, so "every relationship at these nodes" is two index
lookups per node. ``meta`` holds the id of the store's journal the head follows
(``GraphStore.journal``): while the store's journal is that one, the nodes it marked are all that
can have changed since.

>>> import tempfile
>>> head = Head(Path(tempfile.mkdtemp()))
>>> rel = ("SUBORDINATE_TO", "Organization", "B", "Organization", "A", ())
>>> head.replace({"nodes": {("Organization", "A"): {"id": "A"}, ("Organization", "B"): {"id": "B"}},
...               "rels": {rel: {"loaded_at": "x"}}}, journal_id="j1")
>>> part = head.part([("Organization", "A")])
>>> sorted(part["nodes"]), list(part["rels"]) == [rel], head.journal_id()
([('Organization', 'A')], True, 'j1')
"""
from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from graph.history import snapshot

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (label TEXT, key TEXT, props TEXT, PRIMARY KEY (label, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (type TEXT, sl TEXT, sk TEXT, el TEXT, ek TEXT, ident TEXT, props TEXT,
                                 PRIMARY KEY (type, sl, sk, el, ek, ident)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_start ON rels (sl, sk);
CREATE INDEX IF NOT EXISTS rels_end ON rels (el, ek);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the head's database whose changes commit together at the end (or not at all)."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript(_SCHEMA)
        with db:
            yield db


def _rel_columns(k: snapshot.RelId) -> tuple[Any, ...]:
    """A relationship's id as the ``rels`` table's key columns (its identity values as JSON)."""
    return (*k[:5], _dumps(list(k[5])))


def _rel_id(row: tuple[Any, ...]) -> snapshot.RelId:
    """The id of a ``rels`` row read as ``type, sl, sk, el, ek, ident, ...``."""
    return (*row[:5], tuple(json.loads(row[5])))


def _fill(db: sqlite3.Connection, state: snapshot.State, journal_id: str | None) -> None:
    """Write ``state``'s entries (over any of the same ids) and the journal followed."""
    db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                   ((label, key, _dumps(props)) for (label, key), props in state["nodes"].items()))
    db.executemany("INSERT OR REPLACE INTO rels VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ((*_rel_columns(k), _dumps(props)) for k, props in state["rels"].items()))
    db.execute("DELETE FROM meta WHERE name = 'journal'")
    if journal_id is not None:
        db.execute("INSERT INTO meta VALUES ('journal', ?)", (journal_id,))


class Head:
    """The head of one history folder (``head.sqlite``)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "head.sqlite"
        self._legacy = folder / "head.json.gz"  # the whole graph as one document, before #18

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self._upgrade()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _connect(self.path) as db:
            yield db

    def _upgrade(self) -> None:
        """A head kept before #18 (one gzipped document) moves into the database once (built
        aside and put in place whole: a failure leaves the old head as it was)."""
        if not self._legacy.exists():
            return
        if not self.path.exists():
            delta = snapshot.Delta.from_json(json.loads(gzip.decompress(self._legacy.read_bytes())))
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.unlink(missing_ok=True)
            with _connect(tmp) as db:
                _fill(db, snapshot.replay(snapshot.empty(), delta), journal_id=None)
            tmp.replace(self.path)
        self._legacy.unlink()

    def exists(self) -> bool:
        return self.path.exists() or self._legacy.exists()

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

    # --- reading ---------------------------------------------------------------------------
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

    # --- writing ---------------------------------------------------------------------------
    def replace(self, state: snapshot.State, journal_id: str | None) -> None:
        """The head becomes ``state``, following the journal ``journal_id``."""
        with self._db() as db:
            db.execute("DELETE FROM nodes")
            db.execute("DELETE FROM rels")
            _fill(db, state, journal_id)

    def apply(self, delta: snapshot.Delta, journal_id: str | None, backwards: bool = False) -> None:
        """Move the head by one load's difference (``backwards``: undo it)."""
        changed = [(e[0], e[1]) for e in (*delta.nodes_added, *delta.nodes_removed, *delta.nodes_changed)]
        rel_ids = [snapshot.entry_rel_id(e) for e in (*delta.rels_added, *delta.rels_removed, *delta.rels_changed)]
        before = self.part_exact(changed, rel_ids)
        after = snapshot.replay(before, delta, backwards=backwards)
        with self._db() as db:
            db.executemany("DELETE FROM nodes WHERE label = ? AND key = ?", changed)
            db.executemany("DELETE FROM rels WHERE type = ? AND sl = ? AND sk = ? AND el = ? AND ek = ? AND ident = ?",
                           (_rel_columns(k) for k in rel_ids))
            _fill(db, after, journal_id)

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

