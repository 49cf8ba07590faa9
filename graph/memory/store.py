"""The embedded store: a networkx ``MultiDiGraph`` in this process, persisted to one file.

Nodes are ``(label, key)`` tuples whose attribute dict is the node's properties. Edges are keyed
by ``(type, identity values)`` so that upserting the same relationship twice finds it again; the
edge attribute ``props`` holds its properties. ``save`` pickles the graph to a temporary file in
the same folder, fsyncs it and renames it over the old one, so a crash (even ``kill -9``) leaves
either the old file or the new one, never half of one.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import threading
import time
import uuid
from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from graph.collector import collector_paused
from graph.ends import is_live, today
from graph.model import LABELS, RELATIONSHIPS, label_spec, rel_spec
from graph.name_forms import NAMED_BY
from graph.store import (
    Direction,
    GraphStore,
    Journal,
    NameHits,
    Node,
    NodeRef,
    Rel,
    RelRow,
    SaveFailed,
    Subgraph,
    batched,
    bfs_rings,
    check_identity,
    check_rel_ends,
)

FORMAT_VERSION = 1
SHARED_CHARS = 32  # strings up to this long are held once however many nodes carry them


FILE_CHECK_SECONDS = 2.0


class MemoryStore(GraphStore):
    backend = "memory"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self._dirty = False
        # one object for each node's (label, key) and for equal short strings: a million rows
        # saying 正式党员, a load's stamp, a code at the ends of many relationships, each
        # property's name (parsed anew from every row of a past load) are held once, not once
        # per row. The graph as of a past load at 100k members: 891 MB -> 545 MB.
        self._one: dict[Any, Any] = {}
        # nodes are (label, key); an edge's key is (type, identity...) and its data {"props": ...}
        self.g: nx.MultiDiGraph[tuple[str, str]] = nx.MultiDiGraph()
        # label -> set of keys, so listing one label does not walk the whole graph
        self.keys_by_label: dict[str, set[str]] = {label: set() for label in LABELS}
        self._sorted: dict[str, tuple[int, list[str]]] = {}  # label -> (generation, sorted keys)
        self._name_lists: dict[str, tuple[int, list[tuple[str, str]]]] = {}  # label -> (generation, names)
        # the file as this process last read or wrote it: another process's save (a `tupu ingest`
        # while `tupu serve` runs) is not overwritten with a graph that never saw it
        self._on_disk: tuple[int, int] | None = None
        self._looked = 0.0  # when the file was last looked at for another process's save
        self._load_began: tuple[str, bool, int] | None = None  # (stamp, dirty before, generation)
        self._mark = ""  # the journal's mark of the write under way (``_marks``)
        if self.path and self.path.parent.exists():
            self._remove_stale_temporaries()
        if self.path and self.path.exists():
            self._load()

    def _sorted_keys(self, label: str) -> list[str]:
        """A label's keys in order, sorted once per generation: listings and search page
        through it (sorting a million keys on every request took a second)."""
        hit = self._sorted.get(label)
        if hit is None or hit[0] != self.generation:
            hit = self._sorted[label] = (self.generation, sorted(self.keys_by_label[label]))
        return hit[1]

    # --- persistence -----------------------------------------------------------------------
    def _load(self) -> None:
        assert self.path is not None
        with open(self.path, "rb") as f, collector_paused():  # (millions of objects that live on)
            payload = pickle.load(f)
        if payload.get("format") != FORMAT_VERSION:
            raise RuntimeError(f"{self.path}: 不支持的数据文件版本 {payload.get('format')!r}")
        self.g = payload["graph"]
        for node in self.g.nodes:
            self.keys_by_label[node[0]].add(node[1])
            self._one[node] = node
        self._on_disk = self._file_stamp()

    def version(self) -> Hashable:
        """This process's writes and, looked at most every :data:`FILE_CHECK_SECONDS`, another
        process's save of the file: the graph is read again (a `tupu ingest` shows in a running
        `tupu serve` within seconds, as with Neo4j)."""
        now = time.monotonic()
        if self.path is not None and now - self._looked >= FILE_CHECK_SECONDS:
            self._looked = now
            with self.lock:
                if not self._dirty and self._file_stamp() != self._on_disk:
                    self._revert()
        return self.generation

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat() if self.path else None
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size) if st else None

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            if not self._dirty and self.path.exists():
                return
            if self._file_stamp() != self._on_disk:  # another process saved since: its graph stands
                self._revert()
                raise SaveFailed("图谱文件已被另一个进程修改（如 tupu serve 运行时用命令行 tupu ingest 载入）："
                                 "本次写入已撤销，已读入文件中的最新图谱；请重新载入。内置存储请只由一个进程写入")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tupu-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump({"format": FORMAT_VERSION, "graph": self.g}, f, protocol=5)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
                self._on_disk = self._file_stamp()
            except OSError as e:  # a full disk: serve what is on disk, not what was not saved
                Path(tmp).unlink(missing_ok=True)
                self._revert()
                raise SaveFailed(f"无法保存图谱文件（{e.strerror or e}）：本次写入已撤销，"
                                 f"图谱保持上次保存时的状态；请腾出磁盘空间后重新载入") from e
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._dirty = False

    def _revert(self) -> None:
        """Back to the last saved state (or empty, if nothing was ever saved)."""
        self.g = nx.MultiDiGraph()
        self.keys_by_label = {label: set() for label in LABELS}
        self._one = {}
        if self.path is not None and self.path.exists():
            self._load()
        self._on_disk = self._file_stamp()
        self._dirty = False
        self._touch()

    def _remove_stale_temporaries(self) -> None:
        """Temporary files a killed process left beside the store (older than ten minutes: a
        save under way in another process is younger)."""
        assert self.path is not None
        cutoff = time.time() - 600
        for tmp in self.path.parent.glob(".tupu-*.tmp"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                pass

    def close(self) -> None:
        self.save()

    def ping(self) -> bool:
        return True

    def engine(self) -> Any:
        from graph.memory.engine import MemoryEngine

        return MemoryEngine(self)

    # --- writes ----------------------------------------------------------------------------
    def upsert_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        self._touch()
        label_spec(label)
        n = 0
        one = self._one.setdefault
        with self.lock:
            marks = self._marks()
            for row in rows:
                node = (label, self._node_key(label, row))
                node = one(node, node)
                key = node[1]
                self._note(marks, node, linked=False)
                if node not in self.g:
                    self.g.add_node(node)
                    self.keys_by_label[label].add(key)
                attrs = self.g.nodes[node]
                for prop, value in row.items():
                    if value is None:
                        attrs.pop(prop, None)
                    else:
                        attrs[one(prop, prop)] = \
                            one(value, value) if value.__class__ is str and len(value) <= SHARED_CHARS else value
                attrs[label_spec(label).key] = key
                n += 1
            self._dirty = True
        return n

    def upsert_relationships(
        self, rel_type: str, start_label: str, end_label: str, rows: Iterable[RelRow]
    ) -> int:
        self._touch()
        identity = check_rel_ends(rel_type, start_label, end_label)
        n = 0
        one, known = self._one.setdefault, self._one.get
        with self.lock:
            marks = self._marks()
            for row in rows:
                check_identity(rel_type, identity, row)
                u, v = known((start_label, str(row.start))), known((end_label, str(row.end)))
                if u is None or v is None:  # (every node of the graph is among the shared objects)
                    continue
                self._note(marks, u)
                key = (rel_type, tuple(row.props[p] for p in identity))
                key = one(key, key)
                if self.g.has_edge(u, v, key):
                    props = self.g.edges[u, v, key]["props"]
                else:
                    props = {}
                    self.g.add_edge(u, v, key=key, props=props)
                for prop, value in row.props.items():
                    if value is None:
                        props.pop(prop, None)
                    else:
                        props[one(prop, prop)] = \
                            one(value, value) if value.__class__ is str and len(value) <= SHARED_CHARS else value
                n += 1
            self._dirty = True
        return n

    def prune_relationships(self, rel_type: str, label: str, keys: Iterable[str], keep_stamp: str,
                            incoming: bool = False, role: str | None = None) -> int:
        rel_spec(rel_type), label_spec(label)
        self._touch()
        n = 0
        with self.lock:
            marks = self._marks()
            for key in keys:
                node = (label, str(key))
                if node not in self.g:
                    continue
                self._note(marks, node)
                edges = (self.g.in_edges(node, keys=True, data=True) if incoming
                         else self.g.out_edges(node, keys=True, data=True))
                stale = [(u, v, k) for u, v, k, d in edges
                         if k[0] == rel_type and d["props"].get("loaded_at") != keep_stamp
                         and (role is None or d["props"].get("role") == role)]
                for u, v, k in stale:
                    self.g.remove_edge(u, v, k)
                n += len(stale)
            self._dirty = True
        return n

    def delete_relationships(self, rel_type: str, start_label: str, end_label: str,
                             rows: Iterable[RelRow]) -> int:
        self._touch()
        identity = check_rel_ends(rel_type, start_label, end_label)
        n = 0
        with self.lock:
            marks = self._marks()
            for row in rows:
                u, v = (start_label, str(row.start)), (end_label, str(row.end))
                key = (rel_type, tuple(row.props.get(p) for p in identity))
                self._note(marks, u)
                if self.g.has_edge(u, v, key):
                    self.g.remove_edge(u, v, key)
                    n += 1
            self._dirty = True
        return n

    def delete_nodes(self, label: str, keys: Iterable[str]) -> int:
        self._touch()
        label_spec(label)
        n = 0
        with self.lock:
            marks = self._marks()
            for key in keys:
                node = (label, str(key))
                self._note(marks, node)
                if node in self.g:
                    self.g.remove_node(node)
                    self.keys_by_label[label].discard(str(key))
                    self._one.pop(node, None)
                    n += 1
            self._dirty = True
        return n

    def unfinished_loads(self) -> set[str]:
        with self.lock:
            return set(self.g.graph.get("unfinished_loads", ()))

    def load_started(self, stamp: str) -> None:
        with self.lock:  # kept with the graph in its file (``self.g.graph``)
            self._load_began = (stamp, self._dirty, self.generation)
            self.g.graph["unfinished_loads"] = sorted(self.unfinished_loads() | {stamp})
            self._dirty = True

    def load_finished(self, stamp: str) -> None:
        with self.lock:
            self.g.graph["unfinished_loads"] = sorted(self.unfinished_loads() - {stamp})
            # a load that wrote nothing (every row unchanged) leaves the file as it was: no save
            began, self._load_began = self._load_began, None
            if began is not None and began[0] == stamp and began[2] == self.generation:
                self._dirty = began[1]

    # --- the journal (kept with the graph in its file: ``self.g.graph["journal"]``) ----------
    def _marks(self) -> dict[str, Any] | None:
        """The journal, to which this write adds its marks (``_note``); ``None``: no journal.
        Called with the lock held, once per write: each write gets a mark of its own."""
        journal = self.g.graph.get("journal")
        if journal is not None:
            self._mark = uuid.uuid4().hex
        return journal  # type: ignore[no-any-return]

    def _note(self, journal: dict[str, Any] | None, node: tuple[str, str], linked: bool = True) -> None:
        if journal is not None:
            journal["marks"][node] = self._mark
            if linked:
                journal["linked"].add(node)

    def journal_start(self) -> str:
        with self.lock:
            journal_id = uuid.uuid4().hex
            self.g.graph["journal"] = {"id": journal_id, "marks": {}, "linked": set()}
            self._dirty = True
            return journal_id

    def journal(self) -> Journal | None:
        with self.lock:
            journal = self.g.graph.get("journal")
            return None if journal is None else Journal(journal["id"], dict(journal["marks"]), set(journal["linked"]))

    def journal_forget(self, marks: dict[tuple[str, str], str]) -> None:
        with self.lock:
            journal = self.g.graph.get("journal")
            if journal is None:
                return
            kept = journal["marks"]
            for node, mark in marks.items():
                if kept.get(node) == mark:
                    del kept[node]
                    journal["linked"].discard(node)
            self._dirty = True

    def clear(self) -> None:
        self._touch()
        with self.lock:
            self.g.clear()
            self._one.clear()
            for keys in self.keys_by_label.values():
                keys.clear()
            self._dirty = True

    # --- reads -----------------------------------------------------------------------------
    def _node(self, node: tuple[str, str]) -> Node:
        return Node(node[0], node[1], dict(self.g.nodes[node]))

    def get(self, label: str, key: str) -> Node | None:
        label_spec(label)
        node = (label, str(key))
        with self.lock:
            return self._node(node) if node in self.g else None

    def iter_nodes(self, label: str) -> Iterator[Node]:
        label_spec(label)
        with self.lock:
            nodes = [self._node((label, k)) for k in self._sorted_keys(label)]
        yield from nodes

    def iter_relationships(self, rel_type: str) -> Iterator[Rel]:
        rel_spec(rel_type)
        with self.lock:
            rels = [Rel(k[0], NodeRef(*u), NodeRef(*v), dict(d["props"]))
                    for u, v, k, d in self.g.edges(keys=True, data=True) if k[0] == rel_type]
        yield from sorted(rels, key=Rel.sort_key)

    def relationship_pages(self, rel_type: str) -> Iterator[list[Rel]]:
        spec = rel_spec(rel_type)
        with self.lock:  # the start nodes' own links, not every link of the graph once per type
            rels = [Rel(k[0], NodeRef(*u), NodeRef(*v), dict(d["props"]))
                    for label in spec.starts for key in self.keys_by_label[label]
                    for u, v, k, d in self.g.out_edges((label, key), keys=True, data=True) if k[0] == rel_type]
        yield from batched(rels, 10_000)

    def relationships_of(self, label: str, keys: Iterable[str]) -> Iterator[Rel]:
        label_spec(label)
        with self.lock:
            rels = [Rel(k[0], NodeRef(*u), NodeRef(*v), dict(d["props"]))
                    for key in keys if (label, str(key)) in self.g
                    for edges in (self.g.out_edges((label, str(key)), keys=True, data=True),
                                  self.g.in_edges((label, str(key)), keys=True, data=True))
                    for u, v, k, d in edges]
        yield from rels

    def existing_keys(self, label: str, keys: Iterable[str]) -> set[str]:
        label_spec(label)
        with self.lock:
            return {str(k) for k in keys} & self.keys_by_label[label]

    def keys_by_name(self, label: str, names: Iterable[str]) -> dict[str, set[str]]:
        label_spec(label)
        wanted = {str(n) for n in names}
        found: dict[str, set[str]] = {}
        with self.lock:
            for key in self.keys_by_label[label]:  # a scan: asked only for codes no node has
                props = self.g.nodes[(label, key)]
                for prop in NAMED_BY[label]:
                    name = props.get(prop)
                    if name in wanted:
                        found.setdefault(name, set()).add(key)
        return found

    def list_nodes(self, label: str, skip: int = 0, limit: int = 50, ended: bool = False) -> list[Node]:
        label_spec(label)
        with self.lock:
            keys = self._sorted_keys(label)
            if not ended:
                day = today()
                keys = [k for k in keys if is_live(self.g.nodes[(label, k)], day)]
            return [self._node((label, k)) for k in keys[skip : skip + limit]]

    def _edges(self, node: tuple[str, str], direction: Direction
               ) -> Iterator[tuple[tuple[str, str], tuple[str, str], str, dict[str, Any], tuple[str, str]]]:
        if direction in ("out", "both"):
            for _, other, key, data in self.g.out_edges(node, keys=True, data=True):
                yield node, other, key[0], data["props"], other
        if direction in ("in", "both"):
            for other, _, key, data in self.g.in_edges(node, keys=True, data=True):
                yield other, node, key[0], data["props"], other

    def neighbours(
        self,
        label: str,
        key: str,
        rel_types: list[str] | None = None,
        direction: Direction = "both",
    ) -> list[tuple[Rel, Node]]:
        label_spec(label)
        for t in rel_types or []:
            rel_spec(t)
        node = (label, str(key))
        with self.lock:
            if node not in self.g:
                return []
            out = [
                (Rel(t, NodeRef(*u), NodeRef(*v), dict(props)), self._node(other))
                for u, v, t, props, other in self._edges(node, direction)
                if rel_types is None or t in rel_types
            ]
        return sorted(out, key=lambda p: (p[0].sort_key(), p[1].label, p[1].key))

    def subgraph(self, refs: list[NodeRef], hops: int = 1, max_nodes: int = 5000) -> Subgraph:
        with self.lock:
            start = {(r.label, str(r.key)) for r in refs} & set(self.g.nodes)

            def ring(frontier: set[Any]) -> set[Any]:
                return {o for n in frontier for o in (*self.g.successors(n), *self.g.predecessors(n))}

            seen = bfs_rings(start, hops, max_nodes, ring)
            nodes = sorted((self._node(n) for n in seen), key=lambda n: (n.label, n.key))
            rels = [
                Rel(key[0], NodeRef(*u), NodeRef(*v), dict(data["props"]))
                for u, v, key, data in self.g.subgraph(seen).edges(keys=True, data=True)
            ]
        return Subgraph(nodes, sorted(rels, key=Rel.sort_key))

    def shortest_path(self, a: NodeRef, b: NodeRef, max_hops: int = 8) -> Subgraph | None:
        u, v = (a.label, str(a.key)), (b.label, str(b.key))
        with self.lock:
            if u not in self.g or v not in self.g:
                return None
            try:
                hops = nx.shortest_path(self.g.to_undirected(as_view=True), u, v)
            except nx.NetworkXNoPath:
                return None
            if len(hops) - 1 > max_hops:
                return None
            rels = []
            for x, y in zip(hops, hops[1:]):
                edges = [(x, y, k, d) for k, d in (self.g.get_edge_data(x, y) or {}).items()]
                edges += [(y, x, k, d) for k, d in (self.g.get_edge_data(y, x) or {}).items()]
                s, e, k, d = min(edges, key=lambda t: (t[2][0], t[0], t[1]))  # type: ignore[index]
                rels.append(Rel(k[0], NodeRef(*s), NodeRef(*e), dict(d["props"])))  # type: ignore[index]
            return Subgraph([self._node(n) for n in hops], rels)

    def search(self, text: str, labels: list[str] | None = None, limit: int = 20,
               ended: bool = False) -> list[Node]:
        text = text.strip()
        day = today()
        if not text:
            return []
        wanted = labels or list(LABELS)
        for label in wanted:
            label_spec(label)
        hits: list[Node] = []
        with self.lock:
            for label in sorted(wanted):
                for key in self._sorted_keys(label):
                    props = self.g.nodes[(label, key)]
                    name = props.get("name")
                    if isinstance(name, str) and text in name and (ended or is_live(props, day)):
                        hits.append(self._node((label, key)))
                        if len(hits) >= limit:
                            return hits
        return hits

    def find_names(self, text: str, labels: list[str] | None = None, limit: int = 20,
                   ended: bool = False) -> NameHits:
        text = text.strip()
        day = today()
        wanted = labels or list(LABELS)
        for label in wanted:
            label_spec(label)
        tiers: tuple[list[tuple[str, str]], ...] = ([], [], [])
        if not text:
            return NameHits([], 0, 0, 0)
        with self.lock:
            for label in sorted(wanted):
                for name, key in self._names(label):
                    if text in name and (ended or is_live(self.g.nodes[(label, key)], day)):
                        tiers[0 if name == text else 1 if name.startswith(text) else 2].append((label, key))
            nodes = [self._node(n) for n in (tiers[0] + tiers[1] + tiers[2])[:limit]]
        return NameHits(nodes, len(tiers[0]), len(tiers[1]), sum(map(len, tiers)))

    def _names(self, label: str) -> list[tuple[str, str]]:
        """(name, key) of a label's named nodes in key order, made once per generation: a scan
        of a country's 665k regions then takes a tenth of a second."""
        hit = self._name_lists.get(label)
        if hit is None or hit[0] != self.generation:
            nodes = self.g.nodes
            named = [(nodes[(label, k)].get("name"), k) for k in self._sorted_keys(label)]
            hit = self._name_lists[label] = (self.generation, [(n, k) for n, k in named if isinstance(n, str)])
        return hit[1]

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {label: len(keys) for label, keys in self.keys_by_label.items()}

    def rel_counts(self) -> dict[str, int]:
        out = dict.fromkeys(RELATIONSHIPS, 0)
        with self.lock:
            for _, _, key in self.g.edges(keys=True):
                out[key[0]] += 1
        return out
