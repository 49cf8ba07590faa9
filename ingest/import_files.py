"""A first load's writes as files for Neo4j's offline importer (``neo4j-admin database import``).

:class:`ImportFiles` stands where the store stands for :class:`ingest.loader.Loader`: the loader
reads, checks and reports exactly as on the MERGE path, and each batch it would have written
becomes one CSV file (its own header, so every batch says its columns and their types).
Properties set on nodes already written (a rejected row's mark, 需求资源清单) and any value a CSV
cannot carry (an empty list, a list element holding the delimiter) wait in :attr:`updates`, to
be written through Cypher once the database is up.

>>> import tempfile
>>> sink = ImportFiles(Path(tempfile.mkdtemp()))
>>> sink.upsert_nodes("Organization", [{"id": "O1", "name": "甲,乙", "founded": "2020-01-01"}])
1
>>> path = sink.nodes[0][1]
>>> print(path.read_text(encoding="utf-8").strip())
id:ID(Organization),name:string,founded:string
"O1","甲,乙","2020-01-01"
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graph.model import LABELS
from graph.store import Node, Rel, RelRow, check_identity, check_rel_ends
from neo4j_local.launcher import ARRAY_DELIMITER

_TYPES = {str: "string", bool: "boolean", int: "long", float: "double"}


class ImportFiles:
    """Node and relationship batches as CSV files in ``folder`` (see the module docstring)."""

    backend = "neo4j-import"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.nodes: list[tuple[str, Path]] = []  # (label, file), in the order written
        self.relationships: list[tuple[str, Path]] = []  # (type, file)
        self.multiline: list[Path] = []  # files with a line break inside a value
        self.updates: list[tuple[str, list[dict[str, Any]]]] = []  # (label, rows) for Cypher
        self.written = {"nodes": 0, "relationships": 0}
        self._lock = threading.Lock()  # the loader writes node batches on two threads

    # --- what the loader asks of a store ---------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Nothing is there yet: a first load writes into an empty database."""
        return dict.fromkeys(LABELS, 0)

    def aliases(self, label: str) -> dict[str, str]:
        return {}

    def existing_keys(self, label: str, keys: Iterable[str]) -> set[str]:
        return set()  # (not asked: every label is new, the loader knows its own keys)

    def keys_by_name(self, label: str, names: Iterable[str]) -> dict[str, set[str]]:
        return {}  # (not asked: the loader knows the names it landed)

    def iter_nodes(self, label: str) -> Iterator[Node]:
        return iter(())  # (not asked either)

    def relationships_of(self, label: str, keys: Iterable[str]) -> Iterator[Rel]:
        return iter(())  # (nor this: no relationship yet)

    def prune_relationships(self, *args: Any, **kwargs: Any) -> int:
        return 0  # a first load has no older links

    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        return {}  # (not asked either: there is no node yet)

    def relationship_props(self, rel_type: str, start_label: str, end_label: str,
                           pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        return {}  # (nor this: no relationship yet)

    def unfinished_loads(self) -> set[str]:
        return set()

    # the import is whole or not at all: a failed one leaves the database empty
    def load_started(self, stamp: str) -> None: ...

    def load_finished(self, stamp: str) -> None: ...

    def save(self) -> None:
        """(The files are complete when the loader returns; the import runs after.)"""

    def upsert_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        key = LABELS[label].key
        rows = list(rows)
        odd = self._write("n", label, f"{key}:ID({label})", [[str(r[key])] for r in rows], rows, skip=(key,))
        with self._lock:
            self.written["nodes"] += len(rows)
            if odd:
                self.updates.append((label, [{key: rows[i][key], **values} for i, values in odd.items()]))
        return len(rows)

    def update_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        """Properties of nodes this load wrote already: set through Cypher after the import."""
        rows = list(rows)
        with self._lock:
            self.updates.append((label, rows))
        return len(rows)

    def upsert_relationships(self, rel_type: str, start_label: str, end_label: str,
                             rows: Iterable[RelRow]) -> int:
        identity = check_rel_ends(rel_type, start_label, end_label)
        rows = list(rows)
        for row in rows:
            check_identity(rel_type, identity, row)
        first = f":START_ID({start_label}),:END_ID({end_label})"
        odd = self._write("r", rel_type, first, [[str(r.start), str(r.end)] for r in rows],
                          [r.props for r in rows], skip=())
        if odd:  # (no ledger gives a relationship a list: a new one must not be dropped silently)
            raise TypeError(f"{rel_type}: {sorted(next(iter(odd.values())))} cannot go to the importer")
        with self._lock:
            self.written["relationships"] += len(rows)
        return len(rows)

    # --- the files -------------------------------------------------------------------------
    def _write(self, kind: str, name: str, first: str, ids: list[list[str]],
               props: list[dict[str, Any]], skip: tuple[str, ...]) -> dict[int, dict[str, Any]]:
        """One batch as one file: ``first`` (the id columns) and one typed column per property.
        Return the values the file cannot carry (lists that are empty, mixed or hold the
        delimiter), by row: left out of the file."""
        columns: dict[str, str] = {}
        odd: dict[int, dict[str, Any]] = {}
        for i, row in enumerate(props):
            for k, v in row.items():
                if v is None or k in skip:
                    continue
                if v.__class__ is list and not _listable(v):
                    odd.setdefault(i, {})[k] = v
                elif k not in columns:
                    columns[k] = _type_of(k, v)
        lines = [",".join([first, *(f"{k}:{t}" for k, t in columns.items())])]
        multiline = False
        for id_cells, row in zip(ids, props, strict=True):
            cells = ['"' + c.replace('"', '""') + '"' for c in id_cells]
            for k, t in columns.items():
                v = row.get(k)
                if v is None:
                    cells.append("")
                elif v.__class__ is str and t == "string":  # most cells: kept inline
                    cells.append('"' + v.replace('"', '""') + '"')
                else:
                    cells.append(_cell(v, t, k))
            line = ",".join(cells)
            multiline = multiline or "\n" in line or "\r" in line
            lines.append(line)
        with self._lock:
            path = self.folder / f"{kind}-{name}-{len(self.nodes) + len(self.relationships):05d}.csv"
            (self.nodes if kind == "n" else self.relationships).append((name, path))
            if multiline:
                self.multiline.append(path)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return odd


def _listable(v: list[Any]) -> bool:
    """Whether the importer can carry this list as an array: not empty, one type, strings free
    of the delimiter."""
    return bool(v) and len({type(x) for x in v}) == 1 and not any(
        isinstance(x, str) and ARRAY_DELIMITER in x for x in v) and type(v[0]) in _TYPES


def _type_of(prop: str, v: Any) -> str:
    if isinstance(v, list):
        return _TYPES[type(v[0])] + "[]"
    try:
        return _TYPES[type(v)]
    except KeyError:
        raise TypeError(f"{prop}: a {type(v).__name__} cannot go to the importer") from None


def _cell(v: Any, t: str, prop: str) -> str:
    """A value as the importer reads it: strings always quoted (so "" stays an empty string),
    nothing for a missing value."""
    if v is None or (isinstance(v, list) and not _listable(v)):
        return ""
    if _type_of(prop, v) != t:
        raise TypeError(f"{prop}: {t} and {_type_of(prop, v)} in one batch")
    if t == "string":
        return '"' + v.replace('"', '""') + '"'
    if t == "boolean":
        return "true" if v else "false"
    if t.endswith("[]"):
        text = ARRAY_DELIMITER.join("true" if x is True else "false" if x is False else str(x) for x in v)
        return '"' + text.replace('"', '""') + '"'
    return repr(v)
