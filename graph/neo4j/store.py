"""The Neo4j store: the official driver, parameters only, UNWIND batches.

One driver per store (one store per process); ``execute_query`` opens a session per call and
retries transient errors, so every write below is idempotent (MERGE on keys). The statements
themselves live in ``graph.neo4j.queries``. A Neo4j that cannot be reached surfaces as
:class:`~graph.store.StoreUnavailable`; the schema is applied on first contact and again after
the server was unreachable, so a store opened while Neo4j is down recovers by itself.
"""
from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, DriverError, ServiceUnavailable, SessionExpired

from graph.ends import today
from graph.model import INDEXED_PROPERTIES, LABELS, RELATIONSHIPS, label_spec, rel_spec
from graph.neo4j import queries as cy
from graph.store import (
    Direction,
    GraphStore,
    Journal,
    NameHits,
    Node,
    NodeRef,
    Rel,
    RelRow,
    StoreMisconfigured,
    StoreUnavailable,
    Subgraph,
    batched,
    bfs_rings,
    check_identity,
    check_rel_ends,
)

DEFAULT_BATCH = 10_000
VERSION_CHECK_SECONDS = 2.0  # how stale another process's write may look to this one
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}$")


class _Rows(list[Any]):
    """A list parameter that shows only its length. The driver formats every query's parameters
    for its debug log whether or not that log is on: for a batch of 10,000 rows the ``repr``
    cost twice the packing itself (~10% of a load's Python), and with debug logging on it would
    have written members' 身份证号 and phone numbers into the log in full."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _ref(label: str, key: Any) -> str:
    """A node as its journal mark names it: "label<US>key" (``_node`` reads it back)."""
    return f"{label}\x1f{key}"


def _node(ref: str) -> tuple[str, str]:
    label, key = ref.split("\x1f", 1)
    return label, key


def _quiet(params: dict[str, Any]) -> dict[str, Any]:
    return {k: _Rows(v) if isinstance(v, list) else v for k, v in params.items()}


class Neo4jStore(GraphStore):
    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str = "neo4j",
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self._auth = (user, password or "") if user else None
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        self.driver = self._connect()
        self._schema_ready = False
        self.last_error: str | None = None
        self._fulltext_seen = -1  # the generation the full-text index was last refreshed at
        self._data_version: tuple[float, str | None] | None = None  # (read at, value)
        self._version_reader = threading.Lock()  # held while the version is read in the background
        self._columns: dict[str, tuple[str, ...]] = {}  # query -> the columns it returns

    # --- plumbing --------------------------------------------------------------------------
    def _connect(self) -> neo4j.Driver:
        return GraphDatabase.driver(
            self.uri,
            auth=self._auth,
            connection_timeout=5.0,
            # a single local server has no leader switches to ride out: fail fast, answer 503
            max_transaction_retry_time=2.0,
            # deprecation / unknown-type warnings of the server are noise in a user's terminal
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
        )

    def reconnect(self) -> None:
        """After the server was restarted under this store (a first load's offline import):
        fresh connections, the schema checked again, the data's version read anew."""
        self.driver.close()
        self.driver = self._connect()
        self._schema_ready = False
        self._data_version = None

    def mark_written(self) -> None:
        """Written behind the driver's back (the offline importer): a new data version, so every
        process's kept answers are out of date."""
        self._touch()
        self._written()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (ServiceUnavailable, SessionExpired, OSError) as e:
            self._schema_ready = False
            raise StoreUnavailable(f"Neo4j 无法连接 unreachable at {self.uri}: {e}") from e
        except AuthError as e:
            self._schema_ready = False
            raise StoreMisconfigured(f"Neo4j 拒绝登录：用户名或密码不对（TUPU_NEO4J_USER / TUPU_NEO4J_PASSWORD，"
                                   f"{self.uri}）") from e
        except ClientError as e:
            if e.code != "Neo.ClientError.Database.DatabaseNotFound":
                raise
            self._schema_ready = False
            raise StoreMisconfigured(f"Neo4j 上没有名为“{self.database}”的数据库（TUPU_NEO4J_DATABASE，"
                                   f"{self.uri}）") from e
        except DriverError as e:  # e.g. a closed driver
            raise StoreUnavailable(f"Neo4j 驱动错误 driver error: {e}") from e

    def _run(self, query: str, read: bool = False, **params: Any) -> list[neo4j.Record]:
        if read:
            return list(self._stream(query, **params))
        self.ensure_schema()
        with self._guard():
            records, _, _ = self.driver.execute_query(
                query, _quiet(params), database_=self.database, routing_=RoutingControl.WRITE)
        return records

    def columns(self, query: str, **params: Any) -> tuple[str, ...]:
        """The names of the columns ``query`` returns (planned, not run)."""
        self.ensure_schema()
        with self._guard(), self._read_session() as s:
            result = s.run("EXPLAIN " + query, _quiet(params))
            keys = tuple(result.keys())
            result.consume()
            return keys

    def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """A read's rows as dicts, many rows to a record (:func:`queries.chunked`): for the
        analyses' large answers."""
        columns = self._columns.get(query)
        if columns is None:
            columns = self._columns[query] = self.columns(query, **params)
        return [dict(zip(columns, row, strict=True))
                for rec in self._stream(cy.chunked(query, columns), **params) for row in rec["chunk"]]

    def _stream(self, query: str, **params: Any) -> Iterator[neo4j.Record]:
        """A read as one auto-commit query, its records one at a time: one round trip instead of
        a managed transaction's two (begin/run/pull, then commit), a third less time per read
        under load; whole-label exports stream through it without holding every record."""
        self.ensure_schema()
        with self._guard(), self._read_session() as s:
            yield from s.run(query, _quiet(params))

    def _read_session(self) -> neo4j.Session:
        """A read-only session: with a ``neo4j://`` URI the driver routes it to a cluster's
        readers (docs/scale.md). It waits for this process's own writes (the bookmarks of
        ``execute_query``), so a follower never answers from before them."""
        return self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                   bookmark_manager=self.driver.execute_query_bookmark_manager)

    def ensure_schema(self) -> None:
        """Apply constraints and indexes (idempotent); wait until they are online."""
        if self._schema_ready:
            return
        with self._guard():
            for stmt in cy.schema_statements():
                self.driver.execute_query(stmt, database_=self.database)
            with self.driver.session(database=self.database) as s:
                s.run(cy.AWAIT_INDEXES).consume()
        self._schema_ready = True

    def engine(self) -> Any:
        from graph.neo4j.engine import Neo4jEngine

        return Neo4jEngine(self)

    def ping(self) -> bool:
        """Whether the configured database answers a query (reachable, logged in, present);
        why not is kept in :attr:`last_error`."""
        try:
            with self._guard():
                self.driver.execute_query("RETURN 1", database_=self.database)
            self.last_error = None
            return True
        except StoreUnavailable as e:
            self.last_error = str(e)
            return False

    def close(self) -> None:
        self.driver.close()

    def version(self) -> Hashable:
        """This process's writes, and the database's version read at most every
        ``VERSION_CHECK_SECONDS`` (a write by another process is seen within that time).

        The served app asks on its event loop, for every kept page: a query there held every
        request of the process for its round trip (under load up to seconds). So a version older
        than that is read again in the background and the one known is answered meanwhile; only
        a version not known (the first ask, after this process's own write) or twice as old (an
        idle process) is read while the asker waits."""
        now = time.monotonic()
        known = self._data_version
        if known is None or now - known[0] >= 2 * VERSION_CHECK_SECONDS:
            known = self._read_data_version(known)
        elif now - known[0] >= VERSION_CHECK_SECONDS and self._version_reader.acquire(blocking=False):
            threading.Thread(target=self._read_data_version, args=(known, True), daemon=True,
                             name="tupu-data-version").start()
        return self.generation, known[1]

    def _read_data_version(self, known: tuple[float, str | None] | None,
                           background: bool = False) -> tuple[float, str | None]:
        try:
            try:
                recs = self._run(cy.DATA_VERSION, read=True)
                value = recs[0]["version"] if recs else None
            except StoreUnavailable:  # unknown: the answers kept so far stand
                value = known[1] if known else None
            read = (time.monotonic(), value)
            if self._data_version is known:  # (not if this process wrote meanwhile: read it anew)
                self._data_version = read
            return read
        finally:
            if background:
                self._version_reader.release()

    def data_version(self) -> str | None:
        """The database's own version: the same in every process, ``None`` before any write
        through Tupu."""
        version = self.version()
        return version[1] if isinstance(version, tuple) else None

    def _written(self) -> None:
        """After a write has committed: a new data version (never before: a reader could then
        compute from the old data under the new version), and this process reads it next."""
        self._run(cy.BUMP_VERSION)
        self._data_version = None

    @staticmethod
    def _to_node(rec: neo4j.Record) -> Node:
        return Node(rec["label"], str(rec["key"]), dict(rec["props"]))

    # --- writes ----------------------------------------------------------------------------
    def upsert_nodes(self, label: str, rows: Iterable[dict[str, Any]]) -> int:
        self._touch()
        query = cy.upsert_nodes(label)
        n = 0
        mark = uuid.uuid4().hex
        for chunk in batched(rows, self.batch_size):
            payload = [{"key": self._node_key(label, r), "props": r} for r in chunk]
            self._mark_written(label, (p["key"] for p in payload), mark, linked=False)
            self._run(query, rows=payload)
            n += len(payload)
        self._written()
        return n

    def upsert_relationships(
        self, rel_type: str, start_label: str, end_label: str, rows: Iterable[RelRow]
    ) -> int:
        self._touch()
        identity = check_rel_ends(rel_type, start_label, end_label)
        query = cy.upsert_relationships(rel_type, start_label, end_label)
        n, mark = 0, uuid.uuid4().hex
        for chunk in batched(rows, self.batch_size):
            for row in chunk:
                check_identity(rel_type, identity, row)
            self._mark_written(start_label, (r.start for r in chunk), mark)
            # in end-node order: consecutive rows touch the same (often dense) node, its
            # relationship chains stay in cache (~20% faster on member → organisation links)
            payload = sorted(({"start": str(r.start), "end": str(r.end), "props": r.props} for r in chunk),
                             key=lambda p: p["end"])
            n += self._run(query, rows=payload)[0]["n"]
        self._written()
        return n

    def prune_relationships(self, rel_type: str, label: str, keys: Iterable[str], keep_stamp: str,
                            incoming: bool = False, role: str | None = None) -> int:
        self._touch()
        query, mark, n = cy.prune_relationships(rel_type, label, incoming), uuid.uuid4().hex, 0
        for chunk in batched(keys, self.batch_size):
            self._mark_written(label, chunk, mark)
            n += self._run(query, keys=[str(k) for k in chunk], stamp=keep_stamp, role=role)[0]["n"]
        self._written()
        return n

    def delete_relationships(self, rel_type: str, start_label: str, end_label: str,
                             rows: Iterable[RelRow]) -> int:
        self._touch()
        identity = check_rel_ends(rel_type, start_label, end_label)
        query, mark, n = cy.delete_relationships(rel_type, start_label, end_label), uuid.uuid4().hex, 0
        for chunk in batched(rows, self.batch_size):
            self._mark_written(start_label, (r.start for r in chunk), mark)
            n += self._run(query, rows=[{"start": str(r.start), "end": str(r.end),
                                         "props": {p: r.props.get(p) for p in identity}} for r in chunk])[0]["n"]
        self._written()
        return n

    def delete_nodes(self, label: str, keys: Iterable[str]) -> int:
        self._touch()
        query, mark, n = cy.delete_nodes(label), uuid.uuid4().hex, 0
        for chunk in batched(keys, self.batch_size):
            self._mark_written(label, chunk, mark)
            n += self._run(query, keys=[str(k) for k in chunk])[0]["n"]
        self._written()
        return n

    def clear(self) -> None:
        self._touch()
        self.ensure_schema()
        with self._guard(), self.driver.session(database=self.database) as s:
            s.run(cy.CLEAR).consume()
        self._written()

    # --- the journal ---------------------------------------------------------------------------
    def _mark_written(self, label: str, keys: Iterable[Any], mark: str, linked: bool = True) -> None:
        """Mark these nodes in the journal, if there is one, before writing them (``linked``: the
        write is to their relationships): a write that fails after its mark only costs the
        record a look at a node that did not change."""
        self._run(cy.JOURNAL_MARK, refs=[_ref(label, k) for k in keys], mark=mark, linked=linked)

    def journal_start(self) -> str:
        journal_id = uuid.uuid4().hex
        self._run(cy.JOURNAL_END)  # no marks while the old ones are dropped ...
        self.ensure_schema()
        with self._guard(), self.driver.session(database=self.database) as s:
            s.run(cy.JOURNAL_DROP_MARKS).consume()
        self._run(cy.JOURNAL_BEGIN, id=journal_id)  # ... and every write marks from here on
        return journal_id

    def journal(self) -> Journal | None:
        found = self._run(cy.JOURNAL_ID)
        if not found:
            return None
        marks = self._run(cy.JOURNAL_MARKS)[0]["marks"]
        return Journal(str(found[0]["id"]), {_node(ref): str(mark) for ref, mark, _ in marks},
                       {_node(ref) for ref, _, linked in marks if linked})

    def journal_forget(self, marks: dict[tuple[str, str], str]) -> None:
        for chunk in batched(marks.items(), self.batch_size):
            self._run(cy.JOURNAL_FORGET, rows=[[_ref(label, key), mark] for (label, key), mark in chunk])

    # --- reads -----------------------------------------------------------------------------
    def get(self, label: str, key: str) -> Node | None:
        recs = self._run(cy.get(label), read=True, key=str(key))
        return self._to_node(recs[0]) if recs else None

    def get_many(self, label: str, keys: Iterable[str]) -> list[Node]:
        keys = [str(k) for k in keys]
        recs = self._run(cy.nodes_by_keys(label), read=True, keys=keys)  # one query, not one per key
        found = {n.key: n for n in map(self._to_node, recs)}
        return [found[k] for k in keys if k in found]

    def iter_nodes(self, label: str) -> Iterator[Node]:
        query, after = cy.nodes_page(label), ""
        while True:
            rows = self._run(query, read=True, after=after, limit=cy.PAGE_ROWS)[0]["rows"]
            for key, props in rows:
                yield Node(label, str(key), dict(props))
            if len(rows) < cy.PAGE_ROWS:
                return
            after = rows[-1][0]

    def relationship_pages(self, rel_type: str) -> Iterator[list[Rel]]:
        for start_label in rel_spec(rel_type).starts:
            query, after = cy.relationships_page(rel_type, start_label), ""
            while True:
                rec = self._run(query, read=True, after=after, limit=cy.PAGE_ROWS)[0]
                yield [Rel(rel_type, NodeRef(start_label, str(skey)), NodeRef(elabel, str(ekey)), dict(props))
                       for links in rec["rows"] for skey, elabel, ekey, props in links]
                if rec["last"] is None:
                    break
                after = rec["last"]

    def iter_relationships(self, rel_type: str) -> Iterator[Rel]:
        yield from sorted((r for page in self.relationship_pages(rel_type) for r in page), key=Rel.sort_key)

    def relationships_of(self, label: str, keys: Iterable[str]) -> Iterator[Rel]:
        query = cy.relationships_of(label)
        for chunk in batched((str(k) for k in keys), self.batch_size):
            for t, sl, sk, el, ek, props in self._run(query, read=True, keys=chunk)[0]["rows"]:
                yield Rel(t, NodeRef(sl, str(sk)), NodeRef(el, str(ek)), dict(props))

    def relationship_props(self, rel_type: str, start_label: str, end_label: str,
                           pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        query = cy.relationship_props(rel_type, start_label, end_label)
        out: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for chunk in batched(sorted({(str(a), str(b)) for a, b in pairs}), self.batch_size):
            for start, end, props in self._run(query, read=True, pairs=[list(p) for p in chunk])[0]["rows"]:
                out.setdefault((str(start), str(end)), []).append(dict(props))
        return out

    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        query = cy.node_values(label)
        return {str(key): tuple(values)
                for chunk in batched({str(k) for k in keys}, self.batch_size)
                for rec in self._run(query, read=True, keys=chunk, props=list(props))
                for key, values in rec["rows"]}

    def unfinished_loads(self) -> set[str]:
        recs = self._run(cy.UNFINISHED_LOADS, read=True)
        return {str(s) for s in recs[0]["stamps"]} if recs else set()

    def load_started(self, stamp: str) -> None:
        self._run(cy.LOAD_STARTED, stamp=stamp)

    def load_finished(self, stamp: str) -> None:
        self._run(cy.LOAD_FINISHED, stamp=stamp)

    def existing_keys(self, label: str, keys: Iterable[str]) -> set[str]:
        return set(self.node_values(label, keys, ()))  # a batch's keys in one record

    def keys_by_name(self, label: str, names: Iterable[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for chunk in batched({str(n) for n in names}, self.batch_size):
            for rec in self._run(cy.keys_by_name(label), read=True, names=chunk):
                for name, key in rec["rows"]:
                    found.setdefault(str(name), set()).add(str(key))
        return found

    def aliases(self, label: str) -> dict[str, str]:
        return {str(r["alias"]): str(r["key"]) for r in self._run(cy.aliases(label), read=True)}

    def list_nodes(self, label: str, skip: int = 0, limit: int = 50, ended: bool = False) -> list[Node]:
        recs = self._run(cy.list_nodes(label), read=True, skip=int(skip), limit=int(limit),
                         ended=ended, today=today())
        return [self._to_node(r) for r in recs]

    def ended_nodes(self, label: str) -> list[Node]:
        return [self._to_node(r) for r in self._run(cy.ended_nodes(label), read=True)]

    def ended_count(self, label: str) -> int:
        return int(self._run(cy.ended_count(label), read=True)[0]["n"])

    def neighbours(
        self,
        label: str,
        key: str,
        rel_types: list[str] | None = None,
        direction: Direction = "both",
    ) -> list[tuple[Rel, Node]]:
        for t in rel_types or []:
            rel_spec(t)
        if direction not in ("out", "in", "both"):
            raise ValueError(f"direction must be out, in or both, got {direction!r}")
        recs = self._run(cy.neighbours(label, direction), read=True, key=str(key), types=rel_types)
        return self._links(NodeRef(label, str(key)), recs)

    def node_with_neighbours(self, label: str, key: str) -> tuple[Node | None, list[tuple[Rel, Node]]]:
        recs = self._run(cy.node_with_neighbours(label), read=True, key=str(key))  # one round trip
        if not recs:
            return None, []
        node = self._to_node(recs[0])
        return node, self._links(node.ref, recs[0]["links"])

    def nodes_with_neighbours(self, label: str, keys: Iterable[str]
                              ) -> dict[str, tuple[Node, list[tuple[Rel, Node]]]]:
        found = {}
        for rec in self._run(cy.nodes_with_neighbours(label), read=True, keys=list(dict.fromkeys(map(str, keys)))):
            node = self._to_node(rec)
            found[rec["asked"]] = (node, self._links(node.ref, rec["links"]))
        return found

    def _links(self, here: NodeRef, recs: Iterable[Any]) -> list[tuple[Rel, Node]]:
        """(relationship, node at the other end) pairs from neighbour records, ordered."""
        out = []
        for r in recs:
            other = self._to_node(r)
            start, end = (here, other.ref) if r["outgoing"] else (other.ref, here)
            out.append((Rel(r["type"], start, end, dict(r["rprops"])), other))
        return sorted(out, key=lambda p: (p[0].sort_key(), p[1].label, p[1].key))

    def _by_label(self, refs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for label, key in refs:
            groups[label].append(key)
        return groups

    def subgraph(self, refs: list[NodeRef], hops: int = 1, max_nodes: int = 5000) -> Subgraph:
        for r in refs:
            label_spec(r.label)
        wanted = self._by_label((r.label, str(r.key)) for r in refs)
        start = {
            (rec["label"], str(rec["key"]))
            for label, keys in wanted.items()
            for rec in self._run(cy.nodes_by_keys(label), read=True, keys=keys)
        }

        def ring(frontier: set[Any]) -> set[Any]:
            return {
                (rec["label"], str(rec["key"]))
                for label, keys in self._by_label(frontier).items()
                for chunk in batched(keys, self.batch_size)
                for rec in self._run(cy.ring(label), read=True, keys=chunk)
            }

        seen = bfs_rings(start, hops, max_nodes, ring)
        nodes, ids = [], []
        for label, keys in self._by_label(seen).items():
            for rec in self._run(cy.nodes_by_keys(label), read=True, keys=keys):
                nodes.append(self._to_node(rec))
                ids.append(rec["eid"])
        rels = [
            Rel(
                r["type"],
                NodeRef(r["slabel"], str(r["skey"])),
                NodeRef(r["elabel"], str(r["ekey"])),
                dict(r["rprops"]),
            )
            for r in self._run(cy.RELS_AMONG, read=True, ids=ids)
        ]
        return Subgraph(
            sorted(nodes, key=lambda n: (n.label, n.key)), sorted(rels, key=Rel.sort_key)
        )

    def shortest_path(self, a: NodeRef, b: NodeRef, max_hops: int = 8) -> Subgraph | None:
        if (a.label, str(a.key)) == (b.label, str(b.key)):
            node = self.get(a.label, a.key)
            return Subgraph([node], []) if node else None
        recs = self._run(cy.shortest_path(a.label, b.label, max_hops), read=True,
                         a=str(a.key), b=str(b.key))
        if not recs:
            return None
        nodes = [Node(n["label"], str(n["key"]), dict(n["props"])) for n in recs[0]["nodes"]]
        rels = [Rel(r["type"], NodeRef(r["slabel"], str(r["skey"])), NodeRef(r["elabel"], str(r["ekey"])),
                    dict(r["props"])) for r in recs[0]["rels"]]
        return Subgraph(nodes, rels)

    def search(self, text: str, labels: list[str] | None = None, limit: int = 20,
               ended: bool = False) -> list[Node]:
        text = text.strip()
        if not text:
            return []
        wanted = sorted(labels or LABELS)
        for label in wanted:
            label_spec(label)
        if _CJK.match(text):
            if self._fulltext_seen != self.generation:  # this process wrote: let the index catch up
                self._run(cy.REFRESH_FULLTEXT, read=True)
                self._fulltext_seen = self.generation
            lucene = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
            recs = self._run(
                cy.SEARCH_FULLTEXT, read=True, lucene=lucene, text=text, labels=wanted, limit=limit,
                ended=ended, today=today())
            return [self._to_node(r) for r in recs]
        hits: list[Node] = []
        for label in wanted:
            recs = self._run(cy.search_scan(label), read=True, text=text, limit=limit - len(hits),
                             ended=ended, today=today())
            hits.extend(self._to_node(r) for r in recs)
            if len(hits) >= limit:
                break
        return hits

    def find_names(self, text: str, labels: list[str] | None = None, limit: int = 20,
                   ended: bool = False) -> NameHits:
        text = text.strip()
        day = today()
        wanted = sorted(labels or LABELS)
        for label in wanted:
            label_spec(label)
        if not text:
            return NameHits([], 0, 0, 0)
        limit = int(limit)
        nodes: list[Node] = []
        exact = prefix = 0
        # the name itself and the names that begin with it: the name's range index, per label
        for query in (cy.names_equal, cy.names_starting):
            for label in wanted:
                if "name" not in INDEXED_PROPERTIES.get(label, ()):
                    continue
                rec = self._run(query(label), read=True, text=text, limit=max(limit - len(nodes), 0),
                                ended=ended, today=day)[0]
                nodes.extend(Node(n["label"], str(n["key"]), dict(n["props"])) for n in rec["nodes"])
                if query is cy.names_equal:
                    exact += rec["n"]
                else:
                    prefix += rec["n"]
        if _CJK.match(text):  # the rest through the full-text index (cjk bigrams), then CONTAINS
            if self._fulltext_seen != self.generation:
                self._run(cy.REFRESH_FULLTEXT, read=True)
                self._fulltext_seen = self.generation
            lucene = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
            rec = self._run(cy.SEARCH_INSIDE_FULLTEXT, read=True, lucene=lucene, text=text, labels=wanted,
                            limit=max(limit - len(nodes), 0), ended=ended, today=day)[0]
            inside, found = int(rec["n"]), rec["nodes"]
        else:
            inside, found = 0, []
            for label in wanted:
                rec = self._run(cy.search_inside_scan(label), read=True, text=text,
                                limit=max(limit - len(nodes) - len(found), 0), ended=ended, today=day)[0]
                inside += int(rec["n"])
                found.extend(rec["nodes"])
        nodes.extend(Node(n["label"], str(n["key"]), dict(n["props"])) for n in found)
        return NameHits(nodes[:limit], exact, prefix, exact + prefix + inside)

    def counts(self) -> dict[str, int]:
        return {label: self._run(cy.count_label(label), read=True)[0]["n"] for label in LABELS}

    def rel_counts(self) -> dict[str, int]:
        return {t: self._run(cy.count_rel(t), read=True)[0]["n"] for t in RELATIONSHIPS}
