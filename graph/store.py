"""The one store interface that both backends implement.

Every write is a batch: callers hand over many rows of one label (or one relationship type) and
the store writes them in as few round trips as it can. A node is addressed by its label and key
(:class:`NodeRef`); a relationship by its type, its two ends and its identity properties (see
``graph.model.RELATIONSHIPS``). Writing the same rows twice leaves the graph as it was: upserts
merge on the key and overwrite the given properties; a property given as ``None`` is removed.

Results are plain data (:class:`Node`, :class:`Rel`, :class:`Subgraph`) in a stable order, so the
contract tests can compare the two backends with ``==``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from graph.errors import Unavailable
from graph.model import label_spec, rel_spec

Direction = Literal["out", "in", "both"]


class StoreUnavailable(Unavailable, RuntimeError):
    """The store cannot be reached (Neo4j down). The API answers 503 with a plain message (the
    driver's own text stays in the log)."""

    def public_message(self) -> str:
        return "图数据库暂时无法连接，请稍后再试 (the graph store is unavailable, try again later)"


class StoreMisconfigured(StoreUnavailable):
    """The store answers but refuses this configuration (a wrong password, a database that is
    not there): the message names the setting to mend, never the secret."""

    def public_message(self) -> str:
        return str(self)


class SaveFailed(StoreUnavailable):
    """The writes could not be made durable (a full disk); the store went back to its last saved
    state, so what it serves is what it has on disk."""

    def public_message(self) -> str:
        return str(self)


@dataclass(frozen=True, order=True)
class NodeRef:
    label: str
    key: str


@dataclass
class Node:
    label: str
    key: str
    props: dict[str, Any]

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.label, self.key)

    @property
    def name(self) -> str:
        """Its name; an activity without one is called by its kind and date (not its code).

        >>> Node("Activity", "HD0001", {"kind": "主题党日", "date": "2025-03-01"}).name
        '主题党日（2025-03-01）'
        """
        if not self.props.get("name") and self.label == "Activity" and self.props.get("date"):
            return f"{self.props.get('kind') or '活动'}（{self.props['date']}）"
        return str(self.props.get("name") or self.key)


@dataclass
class Rel:
    type: str
    start: NodeRef
    end: NodeRef
    props: dict[str, Any]

    def sort_key(self) -> tuple[Any, ...]:
        return (self.type, self.start, self.end, sorted(self.props.items(), key=str))


@dataclass
class NameHits:
    """Nodes whose name holds a text, best first — the name itself, then names that begin with
    it, then the rest (each in label, key order) — and how many there are of each, counted
    whatever the number (a country has 46 villages named 红星村 and 420 more that begin so)."""

    nodes: list[Node]  # at most the limit asked for
    exact: int  # named exactly the text
    prefix: int  # named with the text at the start (not exactly)
    total: int  # holding it anywhere (the two above included)


@dataclass
class Subgraph:
    nodes: list[Node] = field(default_factory=list)
    rels: list[Rel] = field(default_factory=list)


@dataclass
class RelRow:
    """One relationship to upsert: the keys of its two ends and its properties."""

    start: str
    end: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Journal:
    """The nodes written since the history last read them (``GraphStore.journal``): each node's
    mark is the write that marked it last, so a node written again while the history reads keeps
    its newer mark (``journal_forget`` leaves it)."""

    id: str
    marks: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, key) -> mark
    # the marked nodes whose links a write may have changed (for the others: only their values)
    linked: set[tuple[str, str]] = field(default_factory=set)


def batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def check_rel_ends(rel_type: str, start_label: str, end_label: str) -> tuple[str, ...]:
    """Validate a relationship's type and end labels; return its identity properties."""
    spec = rel_spec(rel_type)
    label_spec(start_label), label_spec(end_label)
    if start_label not in spec.starts or end_label not in spec.ends:
        raise ValueError(f"{rel_type} 不能连接 {start_label} → {end_label}")
    return spec.identity


def check_identity(rel_type: str, identity: tuple[str, ...], row: RelRow) -> None:
    for prop in identity:
        if row.props.get(prop) in (None, ""):
            raise ValueError(f"{rel_type} {row.start}→{row.end} 缺少 {prop}")


def bfs_rings(start: set[Any], hops: int, max_nodes: int,
              ring: Callable[[set[Any]], set[Any]]) -> set[Any]:
    """Breadth-first growth one ring at a time: ``ring(frontier)`` gives the frontier's
    neighbours. When a ring would pass ``max_nodes`` the nearest nodes are kept, in sorted order,
    so both backends cut the same nodes."""
    seen = set(sorted(start)[:max_nodes])
    frontier = set(seen)
    for _ in range(hops):
        if not frontier or len(seen) >= max_nodes:
            break
        new = sorted(ring(frontier) - seen)[: max_nodes - len(seen)]
        seen.update(new)
        frontier = set(new)
    return seen


class GraphStore(ABC):
    """What every backend offers. See the module docstring for the semantics."""

    backend: str
    # Bumped by every write of this process (part of version(), which caches key on).
    generation: int = 0
    # Why the last ping failed, in Chinese (None when it answered).
    last_error: str | None = None
    # A past graph's identity: (its history folder, the load it stands for); None for the store
    # itself. Past graphs are rebuilt with version numbers of their own that two may share, so
    # what is kept per graph is kept under this (api.page_cache).
    past: tuple[str, str] | None = None

    def _touch(self) -> None:
        self.generation += 1

    def version(self) -> Hashable:
        """What an answer computed now depends on: this process's writes (``generation``) and,
        in a store other processes write to as well, the data's own version. An answer kept
        under another version is out of date (``graph.analyses.cache``)."""
        return self.generation

    def data_version(self) -> Hashable | None:
        """The data's version as every process sees it, or ``None`` where there is none (the
        embedded store: its version is this process's own). Answers kept on disk are keyed on it
        (``graph.analyses.kept``)."""
        return None

    # --- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    def ping(self) -> bool:
        """True when the store answers."""

    def save(self) -> None:
        """Make the writes so far durable (the embedded store writes its file)."""

    def close(self) -> None:
        """Release resources (and save, for the embedded store)."""

    @abstractmethod
    def engine(self) -> Any:
        """The analyses' engine of this backend (``graph.analyses.engine.Engine``)."""

    # --- writes ----------------------------------------------------------------------------
    @abstractmethod
    def upsert_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        """Merge nodes of ``label`` on their key; return how many rows were written."""

    def update_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        """Set properties of nodes this load has written already (a rejected row's mark, the
        lists of 需求资源清单). A store merges them like any upsert; a first load's import files
        (``ingest.import_files``) keep them for after the import."""
        return self.upsert_nodes(label, rows)

    @abstractmethod
    def upsert_relationships(
        self, rel_type: str, start_label: str, end_label: str, rows: Iterable[RelRow]
    ) -> int:
        """Merge relationships; rows whose ends do not exist are skipped. Return how many landed."""

    @abstractmethod
    def prune_relationships(self, rel_type: str, label: str, keys: Iterable[str], keep_stamp: str,
                            incoming: bool = False, role: str | None = None) -> int:
        """Delete the ``rel_type`` relationships of these nodes (outgoing, or ``incoming``; only
        those with this ``role`` if given) whose ``loaded_at`` is not ``keep_stamp``: the links a
        ledger no longer lists after it was loaded again. Return how many were deleted."""

    # A load's own bookkeeping (``ingest.unchanged``): which loads began writing and have not
    # finished. What such a load wrote may be incomplete (a node without its links yet).
    @abstractmethod
    def unfinished_loads(self) -> set[str]:
        """The stamps (``loaded_at``) of loads that began writing and did not finish."""

    @abstractmethod
    def load_started(self, stamp: str) -> None:
        """Note that the load of ``stamp`` begins writing."""

    @abstractmethod
    def load_finished(self, stamp: str) -> None:
        """Note that the load of ``stamp`` wrote everything it had to."""

    @abstractmethod
    def delete_relationships(self, rel_type: str, start_label: str, end_label: str,
                             rows: Iterable[RelRow]) -> int:
        """Delete these relationships (matched on their ends and identity properties; other
        properties are ignored); return how many existed. Undoing a load uses it."""

    @abstractmethod
    def delete_nodes(self, label: str, keys: Iterable[str]) -> int:
        """Delete nodes and their relationships; return how many existed."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything (and end the journal: the next record reads the whole graph)."""

    # The journal of writes (``graph.history``): once the history has begun one, every write
    # marks the nodes it wrote, and as *linked* those whose relationships it wrote (as their start,
    # the node pruned, the node deleted), so a load's record reads those nodes (and the links of
    # the linked ones), not the whole graph.
    @abstractmethod
    def journal_start(self) -> str:
        """Begin a new, empty journal (the old one's marks are dropped); return its id."""

    @abstractmethod
    def journal(self) -> Journal | None:
        """The journal with every node marked since it began or was last read (``None``: no
        journal, as before the first record or after ``clear``)."""

    @abstractmethod
    def journal_forget(self, marks: dict[tuple[str, str], str]) -> None:
        """Drop these marks, except where a later write marked the node again."""

    # --- reads -----------------------------------------------------------------------------
    @abstractmethod
    def get(self, label: str, key: str) -> Node | None: ...

    def get_many(self, label: str, keys: Iterable[str]) -> list[Node]:
        """The nodes of these keys that exist, in the order given (a page of a list)."""
        return [n for n in (self.get(label, k) for k in keys) if n is not None]

    @abstractmethod
    def iter_nodes(self, label: str) -> Iterator[Node]:
        """Every node of one label, ordered by key (for exports)."""

    @abstractmethod
    def iter_relationships(self, rel_type: str) -> Iterator[Rel]:
        """Every relationship of one type, in a stable order (for exports)."""

    def relationship_pages(self, rel_type: str) -> Iterator[list[Rel]]:
        """Every relationship of one type, a page at a time and in no set order: for passes over
        the whole graph (a record's whole read) that should not hold every link of a type at once."""
        yield from batched(self.iter_relationships(rel_type), 10_000)

    @abstractmethod
    def existing_keys(self, label: str, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` name a node of ``label``."""

    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        """For each of ``keys`` that names a node of ``label``: the values of ``props`` on it
        (``None`` where a property is not set).

        >>> from graph.memory.store import MemoryStore
        >>> s = MemoryStore()
        >>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "甲公司"}])
        >>> s.node_values("Unit", ["DW1", "DW9"], ("name", "category"))
        {'DW1': ('甲公司', None)}
        """
        return {n.key: tuple(n.props.get(p) for p in props) for n in self.get_many(label, keys)}

    @abstractmethod
    def keys_by_name(self, label: str, names: Iterable[str]) -> dict[str, set[str]]:
        """For each of ``names`` that is the name of nodes of ``label``, or the key of their
        name or 简称 (``name_key`` / ``short_key``: ``graph.name_forms``): their keys (a ledger
        that names a branch where its code should be).

        >>> from graph.memory.store import MemoryStore
        >>> s = MemoryStore()
        >>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "甲公司"}, {"id": "DW2", "name": "甲公司"}])
        >>> s.keys_by_name("Unit", ["甲公司", "乙公司"]) == {"甲公司": {"DW1", "DW2"}}
        True
        >>> _ = s.upsert_nodes("Organization", [{"id": "B1", "name": "中共甲社区第一支部委员会",
        ...     "name_key": "甲社区第1党支部", "short_name": "甲一支部", "short_key": "甲一党支部"}])
        >>> s.keys_by_name("Organization", ["甲社区第1党支部", "甲一党支部"])
        {'甲社区第1党支部': {'B1'}, '甲一党支部': {'B1'}}
        """

    def relationship_props(self, rel_type: str, start_label: str, end_label: str,
                           pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """For each ``(start, end)`` pair joined by ``rel_type`` relationships: their properties.

        >>> from graph.memory.store import MemoryStore
        >>> s = MemoryStore()
        >>> _ = s.upsert_nodes("Organization", [{"id": "A"}, {"id": "B"}, {"id": "C"}])
        >>> _ = s.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
        ...                            [RelRow("A", "B", {"form": "结对共建"})])
        >>> s.relationship_props("PAIRED_WITH", "Organization", "Organization", [("A", "B"), ("A", "C")])
        {('A', 'B'): [{'form': '结对共建'}]}
        """
        wanted = {(str(a), str(b)) for a, b in pairs}
        out: dict[tuple[str, str], list[dict[str, Any]]] = {}
        seen = set()  # (relationships_of gives a link between two of the nodes asked twice)
        for r in self.relationships_of(start_label, sorted({a for a, _ in wanted})):
            pair = (r.start.key, r.end.key)
            if (r.type == rel_type and r.start.label == start_label and r.end.label == end_label
                    and pair in wanted and (pair, repr(sorted(r.props.items()))) not in seen):
                seen.add((pair, repr(sorted(r.props.items()))))
                out.setdefault(pair, []).append(r.props)
        return out

    @abstractmethod
    def relationships_of(self, label: str, keys: Iterable[str]) -> Iterator[Rel]:
        """Every relationship that starts or ends at one of these nodes (one with both ends
        among them may come twice)."""

    def aliases(self, label: str) -> dict[str, str]:
        """The codes merged into another node of ``label`` (``aliases`` property, #16): each
        code to the key of the node that now stands for it. A ledger row with such a code lands
        on that node."""
        return {str(a): n.key for n in self.iter_nodes(label) for a in n.props.get("aliases") or ()}

    @abstractmethod
    def list_nodes(self, label: str, skip: int = 0, limit: int = 50, ended: bool = False) -> list[Node]:
        """Nodes of one label ordered by key: those that have not ended by today, or every one
        (``ended``; graph.ends)."""

    def ended_nodes(self, label: str) -> list[Node]:
        """The nodes of one label that have ended (on any date; graph.ends), ordered by key.

        >>> from graph.memory.store import MemoryStore
        >>> s = MemoryStore()
        >>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "甲"},
        ...                             {"id": "DW2", "name": "乙", "ended": "2026-01-31"}])
        >>> [n.key for n in s.ended_nodes("Unit")]
        ['DW2']
        """
        return [n for n in self.iter_nodes(label) if n.props.get("ended")]

    def ended_count(self, label: str) -> int:
        """How many nodes of one label have ended (a load asks before it looks any up)."""
        return len(self.ended_nodes(label))

    @abstractmethod
    def neighbours(
        self,
        label: str,
        key: str,
        rel_types: list[str] | None = None,
        direction: Direction = "both",
    ) -> list[tuple[Rel, Node]]:
        """The relationships of one node with the node at their other end, ordered."""

    def node_with_neighbours(self, label: str, key: str) -> tuple[Node | None, list[tuple[Rel, Node]]]:
        """One node (``None`` if missing) and what :meth:`neighbours` gives for it: an entity's
        page. A store may answer it in one round trip."""
        node = self.get(label, key)
        return node, (self.neighbours(label, key) if node is not None else [])

    def nodes_with_neighbours(self, label: str, keys: Iterable[str]
                              ) -> dict[str, tuple[Node, list[tuple[Rel, Node]]]]:
        """:meth:`node_with_neighbours` for several nodes of one label, by key (keys with no
        node left out): many entity pages at once. A store may answer it in one round trip.

        >>> from graph.memory.store import MemoryStore
        >>> s = MemoryStore()
        >>> _ = s.upsert_nodes("Grid", [{"id": "G1", "name": "一网格"}])
        >>> {k: (n.props["name"], links) for k, (n, links) in s.nodes_with_neighbours("Grid", ["G1", "G2"]).items()}
        {'G1': ('一网格', [])}
        """
        found = {}
        for key in keys:
            node, links = self.node_with_neighbours(label, key)
            if node is not None:
                found[key] = (node, links)
        return found

    @abstractmethod
    def subgraph(self, refs: list[NodeRef], hops: int = 1, max_nodes: int = 5000) -> Subgraph:
        """Nodes within ``hops`` (either direction) of ``refs`` and the relationships among them."""

    @abstractmethod
    def shortest_path(self, a: NodeRef, b: NodeRef, max_hops: int = 8) -> Subgraph | None:
        """One shortest connection (either direction) between two nodes: its nodes in order from
        ``a`` to ``b`` and the relationship between each consecutive pair; None if there is none
        within ``max_hops``."""

    @abstractmethod
    def search(self, text: str, labels: list[str] | None = None, limit: int = 20,
               ended: bool = False) -> list[Node]:
        """Nodes whose name contains ``text``, ordered by label then key: those that have not
        ended by today, or every one (``ended``; graph.ends)."""

    @abstractmethod
    def find_names(self, text: str, labels: list[str] | None = None, limit: int = 20,
                   ended: bool = False) -> NameHits:
        """Nodes whose name holds ``text``, ranked and counted (:class:`NameHits`): what
        resolution and search rank by, never the first N in key order. As :meth:`search`: those
        that have not ended by today, or every one (``ended``)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many nodes of every label (every label of the model, zeros included)."""

    @abstractmethod
    def rel_counts(self) -> dict[str, int]:
        """How many relationships of every type (every type of the model, zeros included)."""

    # --- helpers shared by the backends ----------------------------------------------------
    @staticmethod
    def _node_key(label: str, row: dict[str, Any]) -> str:
        key_prop = label_spec(label).key
        key = row.get(key_prop)
        if key in (None, ""):
            raise ValueError(f"{label} 缺少主键 {key_prop}: {row!r}")
        return str(key)

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
