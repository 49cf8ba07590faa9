"""On-disk scratch space of one load, so the loader's memory stays flat as ledgers grow.

- :class:`Spool`: links waiting for every node to be in, pickled in chunks to a temporary file.
- :class:`SeenKeys`: the keys each ledger has landed (to reject duplicates, to prune the links
  of re-loaded nodes, and to resolve references in a dry run), in a temporary SQLite file.
- :class:`GroupedSpool`: items to be read back grouped by a key (需求资源清单 rows by their
  organisation), in a temporary SQLite file.

Both live in the system's temporary folder and are removed when the load ends.

>>> seen = SeenKeys()
>>> seen.add("units", [("DW1", 2), ("DW2", 3)], source=0)
{}
>>> seen.add("units", [("DW2", 9), ("DW3", 10)], source=1)
{'DW2': (0, 3)}
>>> sorted(seen.known("units", {"DW1", "DW9"}))
['DW1']
>>> seen.mark_unchanged("units", ["DW1"])
>>> list(seen.keys("units", 10, written=True))
[['DW2', 'DW3']]
>>> seen.close()
"""
from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


class Spool:
    """Items on disk, written and read back in chunks of ``chunk``."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self._buf: list[Any] = []
        fd, self.path = tempfile.mkstemp(prefix="tupu-links-", suffix=".spool")
        self._f = os.fdopen(fd, "w+b")

    def add(self, item: Any) -> None:
        self._buf.append(item)
        if len(self._buf) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            pickle.dump(self._buf, self._f, protocol=5)
            self._buf = []

    def chunks(self) -> Iterator[list[Any]]:
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


def _scratch_db(prefix: str) -> tuple[str, sqlite3.Connection]:
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".sqlite")
    os.close(fd)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-8000"):
        db.execute(f"PRAGMA {pragma}")  # scratch data: no journal, no fsync, 8 MB of cache
    return path, db


def _begin(db: sqlite3.Connection) -> None:
    # one transaction for the file's whole life (it is thrown away, never committed): a commit
    # per batch would write every touched page again, 5x slower
    db.execute("BEGIN")


class GroupedSpool:
    """Items written in any order, read back grouped by key (keys in sorted order).

    >>> g = GroupedSpool()
    >>> for key, item in (("b", 1), ("a", 2), ("b", 3)):
    ...     g.add(key, item)
    >>> list(g.groups())
    [('a', [2]), ('b', [1, 3])]
    >>> g.close()
    """

    def __init__(self) -> None:
        self.path, self._db = _scratch_db("tupu-groups-")
        self._db.execute("CREATE TABLE items (key TEXT, item BLOB)")
        _begin(self._db)

    def add(self, key: str, item: Any) -> None:
        self._db.execute("INSERT INTO items VALUES (?, ?)", (key, pickle.dumps(item, protocol=5)))

    def groups(self) -> Iterator[tuple[str, list[Any]]]:
        key: str = ""
        items: list[Any] = []
        for k, blob in self._db.execute("SELECT key, item FROM items ORDER BY key, rowid"):
            if k != key and items:
                yield key, items
                items = []
            key = k
            items.append(pickle.loads(blob))
        if items:
            yield key, items

    def close(self) -> None:
        self._db.close()
        Path(self.path).unlink(missing_ok=True)


class SeenKeys:
    """Keys landed per ledger, with the row each first appeared on (a B-tree on disk: a few MB
    of cache whatever the number of rows)."""

    def __init__(self) -> None:
        self.path, self._db = _scratch_db("tupu-keys-")
        self._db.execute("CREATE TABLE seen (ledger TEXT, key TEXT, batch INTEGER, source INTEGER, "
                         "row INTEGER, unchanged INTEGER DEFAULT 0, name TEXT, "
                         "PRIMARY KEY (ledger, key)) WITHOUT ROWID")
        self._db.execute("CREATE TABLE forms (ledger TEXT, form TEXT, key TEXT)")
        _begin(self._db)
        self._batch = 0
        self._name_index = False

    def add(self, ledger: str, rows: list[tuple[str, int]], source: int,
            names: list[str | None] | None = None,
            forms: list[tuple[str, ...]] | None = None) -> dict[str, tuple[int, int]]:
        """Record ``(key, row)`` pairs of one source (a file or sheet, by number) whose keys are
        distinct among themselves, with their nodes' ``names`` as written (the names to
        suggest) and the ``forms`` a reference may name each by (its name's and 简称's keys:
        :meth:`named`); return the keys an earlier call recorded, each with the source and row
        it first appeared on (those rows are duplicates: not recorded again)."""
        self._batch += 1
        before = self._db.total_changes
        named = names or [None] * len(rows)
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?, 0, ?)",
                             ((ledger, k, self._batch, source, r, n) for (k, r), n in zip(rows, named)))
        added = self._db.total_changes - before
        earlier = {} if added == len(rows) else {  # (the common case: nothing seen before)
            k: (src, r) for k, batch, src, r in self._rows(ledger, [k for k, _ in rows]) if batch != self._batch}
        if forms:
            self._db.executemany("INSERT INTO forms VALUES (?, ?, ?)",
                                 ((ledger, f, k) for (k, _), fs in zip(rows, forms) if k not in earlier
                                  for f in set(fs)))
        return earlier

    def also_landed(self, ledger: str, nodes: list[tuple[str, int, str, tuple[str, ...]]]) -> None:
        """Nodes of ``ledger``'s label this load wrote from another ledger's rows (a unit an
        organisation row names: ``ingest.row_units``), as ``(key, row, name, forms)``: known and
        named like the ledger's own, but not its rows (a later load's pruning passes them over)."""
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, 0, -1, ?, 1, ?)",
                             ((ledger, k, r, n) for k, r, n, _ in nodes))
        self._db.executemany("INSERT INTO forms VALUES (?, ?, ?)",
                             ((ledger, f, k) for k, _, _, fs in nodes for f in set(fs)))

    def known(self, ledger: str, keys: Iterable[str]) -> set[str]:
        return {row[0] for row in self._rows(ledger, list(keys))}

    def _rows(self, ledger: str, keys: list[str]) -> Iterator[tuple[str, int, int, int]]:
        return self._where_in("key, batch, source, row", "key", ledger, keys)

    def _where_in(self, select: str, column: str, ledger: str, values: list[str]) -> Iterator[Any]:
        """``select`` of the rows of ``ledger`` whose ``column`` is one of ``values`` (both
        named here, never by a user)."""
        for i in range(0, len(values), 500):  # SQLite's bound-parameter limit
            part = values[i:i + 500]
            yield from self._db.execute(
                f"SELECT {select} FROM seen WHERE ledger = ? AND {column} IN ({','.join('?' * len(part))})",
                (ledger, *part))

    def named(self, ledger: str, forms: Iterable[str]) -> dict[str, set[str]]:
        """The keys landed from ``ledger`` under each of ``forms`` (the keys of their names).

        >>> seen = SeenKeys()
        >>> _ = seen.add("orgs", [("B1", 2), ("B2", 3), ("B3", 4)], 0, ["第一党支部", "第1党支部", "秦街党委"],
        ...              [("第1党支部",), ("第1党支部",), ("秦街党委", "秦街")])
        >>> seen.named("orgs", ["第1党支部", "秦街", "无此名"]) == {"第1党支部": {"B1", "B2"}, "秦街": {"B3"}}
        True
        >>> seen.close()
        """
        if not self._name_index:  # made when first asked: most loads never ask
            self._db.execute("CREATE INDEX forms_form ON forms (ledger, form)")
            self._name_index = True
        found: dict[str, set[str]] = {}
        wanted = list(forms)
        for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            part = wanted[i:i + 500]
            for form, key in self._db.execute(
                    f"SELECT form, key FROM forms WHERE ledger = ? AND form IN ({','.join('?' * len(part))})",
                    (ledger, *part)):
                found.setdefault(form, set()).add(key)
        return found

    def names(self, ledger: str) -> Iterator[tuple[str, str]]:
        """(name, key) of each node landed from ``ledger`` that has a name."""
        yield from self._db.execute("SELECT name, key FROM seen WHERE ledger = ? AND name IS NOT NULL", (ledger,))

    def mark_unchanged(self, ledger: str, keys: Iterable[str]) -> None:
        """These keys' rows were the same as their nodes: not written (``ingest.unchanged``)."""
        self._db.executemany("UPDATE seen SET unchanged = 1 WHERE ledger = ? AND key = ?",
                             ((ledger, k) for k in keys))

    def keys(self, ledger: str, chunk: int, written: bool = False) -> Iterator[list[str]]:
        """The keys landed from ``ledger`` (only the rows written, not those unchanged, if
        ``written``), ``chunk`` at a time."""
        cur = self._db.execute("SELECT key FROM seen WHERE ledger = ?" + (" AND unchanged = 0" if written else ""),
                               (ledger,))
        while rows := cur.fetchmany(chunk):
            yield [k for (k,) in rows]

    def ledgers(self) -> list[str]:
        return [name for (name,) in self._db.execute("SELECT DISTINCT ledger FROM seen")]

    def close(self) -> None:
        self._db.close()
        Path(self.path).unlink(missing_ok=True)
