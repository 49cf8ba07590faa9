"""Every Cypher statement of the Neo4j store, in one place.

User values only ever travel as parameters (``$rows``, ``$key``, ``$text`` ...). Labels,
relationship types and property names cannot be parameters in Cypher, so the functions below
splice them in only after checking them against the closed sets of ``graph.model``: a name that
is not in the model raises before any text is built.
"""
from __future__ import annotations

from graph.model import INDEXED_PROPERTIES, LABELS, RELATIONSHIPS, label_spec, rel_spec
from graph.name_forms import NAMED_BY

FULLTEXT_INDEX = "tupu_name_fulltext"
# One node outside the model holds the data's version: a new random value after every write, so
# every process serving the same database knows when its kept answers are out of date.
META = "TupuMeta"
BUMP_VERSION = f"MERGE (m:{META} {{id: 'data'}}) SET m.version = randomUUID()"
DATA_VERSION = f"MATCH (m:{META} {{id: 'data'}}) RETURN m.version AS version"
# The stamps of loads that began writing and have not finished (``ingest.unchanged``).
UNFINISHED_LOADS = f"MATCH (m:{META} {{id: 'loads'}}) RETURN coalesce(m.unfinished, []) AS stamps"
LOAD_STARTED = (f"MERGE (m:{META} {{id: 'loads'}}) "
                "SET m.unfinished = [s IN coalesce(m.unfinished, []) WHERE s <> $stamp] + $stamp")
LOAD_FINISHED = (f"MATCH (m:{META} {{id: 'loads'}}) "
                 "SET m.unfinished = [s IN coalesce(m.unfinished, []) WHERE s <> $stamp]")


# The journal of writes (``GraphStore.journal``): one node holds its id; each node written since
# the history last read them has a mark, a node of its own keyed "label<US>key" (a deleted node's
# mark outlives it). A write marks only while a journal exists: the MATCH finds none otherwise.
JOURNAL = "TupuJournal"
TOUCHED = "TupuTouched"
JOURNAL_MARK = (f"MATCH (j:{JOURNAL}) WITH j LIMIT 1 UNWIND $refs AS ref "
                f"MERGE (t:{TOUCHED} {{ref: ref}}) SET t.mark = $mark, t.linked = coalesce(t.linked, false) OR $linked")
JOURNAL_END = f"MATCH (j:{JOURNAL}) DELETE j"
# Auto-commit only (session.run), as CLEAR
JOURNAL_DROP_MARKS = f"MATCH (t:{TOUCHED}) CALL (t) {{ DELETE t }} IN TRANSACTIONS OF 10000 ROWS"
JOURNAL_BEGIN = f"CREATE (:{JOURNAL} {{id: $id}})"
JOURNAL_ID = f"MATCH (j:{JOURNAL}) RETURN j.id AS id"
JOURNAL_MARKS = f"MATCH (t:{TOUCHED}) RETURN collect([t.ref, t.mark, t.linked]) AS marks"
JOURNAL_FORGET = f"UNWIND $rows AS row MATCH (t:{TOUCHED} {{ref: row[0]}}) WHERE t.mark = row[1] DELETE t"


def _label(label: str) -> tuple[str, str]:
    spec = label_spec(label)
    return spec.name, spec.key


def schema_statements() -> list[str]:
    """Idempotent schema: a uniqueness constraint per label key, property indexes, full text."""
    out = []
    for label, spec in LABELS.items():
        out.append(
            f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{spec.key} IS UNIQUE"
        )
        for prop in INDEXED_PROPERTIES.get(label, ()):
            out.append(
                f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
            )
    out.append(f"CREATE CONSTRAINT tupumeta_key IF NOT EXISTS FOR (m:{META}) REQUIRE m.id IS UNIQUE")
    out.append(f"CREATE CONSTRAINT tuputouched_ref IF NOT EXISTS FOR (t:{TOUCHED}) REQUIRE t.ref IS UNIQUE")
    labels = "|".join(LABELS)
    out.append(
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{labels}) ON EACH [n.name] "
        # eventually consistent: Lucene's CJK analysis runs after the commit instead of inside it
        # (node writes ~1.5x faster); a search refreshes the index first (REFRESH_FULLTEXT)
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: true}}"
    )
    return out


AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
REFRESH_FULLTEXT = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"


def upsert_nodes(label: str) -> str:
    label, key = _label(label)
    return f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) SET n += row.props"


def _rel_parts(rel_type: str, start_label: str, end_label: str) -> tuple[str, str, str]:
    """A relationship row's start pattern, end pattern and type with its identity properties
    (``row.start``, ``row.end``, ``row.props``), e.g. ``:Organization {id: row.start}``."""
    spec = rel_spec(rel_type)
    a, akey = _label(start_label)
    b, bkey = _label(end_label)
    ident = ", ".join(f"{p}: row.props.{p}" for p in spec.identity)
    return (f":{a} {{{akey}: row.start}}", f":{b} {{{bkey}: row.end}}",
            spec.name + (f" {{{ident}}}" if ident else ""))


def upsert_relationships(rel_type: str, start_label: str, end_label: str) -> str:
    a, b, r = _rel_parts(rel_type, start_label, end_label)
    return (f"UNWIND $rows AS row MATCH (a{a}) MATCH (b{b}) "
            f"MERGE (a)-[r:{r}]->(b) SET r += row.props RETURN count(r) AS n")


def prune_relationships(rel_type: str, label: str, incoming: bool) -> str:
    label, key = _label(label)
    arrow = f"<-[r:{rel_spec(rel_type).name}]-" if incoming else f"-[r:{rel_spec(rel_type).name}]->"
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}){arrow}() "
        "WHERE (r.loaded_at IS NULL OR r.loaded_at <> $stamp) AND ($role IS NULL OR r.role = $role) "
        "DELETE r RETURN count(*) AS n"
    )


def delete_relationships(rel_type: str, start_label: str, end_label: str) -> str:
    a, b, r = _rel_parts(rel_type, start_label, end_label)
    return f"UNWIND $rows AS row MATCH ({a})-[r:{r}]->({b}) DELETE r RETURN count(*) AS n"


def delete_nodes(label: str) -> str:
    label, key = _label(label)
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) "
        f"DETACH DELETE n RETURN count(*) AS n"
    )


# Auto-commit only (session.run): CALL { } IN TRANSACTIONS cannot run in a managed transaction.
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# Every node carries exactly one label; Region's key is `code`, every other label's is `id`.
_NODE = "labels({v})[0] AS {p}label, coalesce({v}.id, {v}.code) AS {p}key, properties({v}) AS {p}props"


def get(label: str) -> str:
    label, key = _label(label)
    return f"MATCH (n:{label} {{{key}: $key}}) RETURN {_NODE.format(v='n', p='')}"


# Whole-label reads (exports, a load's record) come a page of nodes at a time, each page one
# record: one record per node cost the driver ≈ 35 µs each, 20 s for a 100k-member city's record.
# Pages follow the key's index (``n.key > $after ORDER BY n.key``): no page sorts the label.
PAGE_ROWS = 10_000


def nodes_page(label: str) -> str:
    label, key = _label(label)
    return (f"MATCH (n:{label}) WHERE n.{key} > $after WITH n ORDER BY n.{key} LIMIT $limit "
            f"RETURN collect([n.{key}, properties(n)]) AS rows")


def relationships_page(rel_type: str, start_label: str) -> str:
    """The ``rel_type`` relationships leaving a page of ``start_label`` nodes (in key order after
    ``$after``); ``last`` is the page's last key (null when there is no node left)."""
    a, akey = _label(start_label)
    return (f"MATCH (a:{a}) WHERE a.{akey} > $after WITH a ORDER BY a.{akey} LIMIT $limit "
            f"WITH collect(a) AS page RETURN page[-1].{akey} AS last, "
            f"[a IN page | [(a)-[r:{rel_spec(rel_type).name}]->(b) | "
            f"[a.{akey}, labels(b)[0], coalesce(b.id, b.code), properties(r)]]] AS rows")


def relationships_of(label: str) -> str:
    """Every relationship of the model at these nodes (``$keys``), either way, in one record:
    ``[type, start label, start key, end label, end key, properties]``."""
    label, key = _label(label)
    types = "|".join(rel_spec(t).name for t in RELATIONSHIPS)
    return (f"UNWIND $keys AS k MATCH (:{label} {{{key}: k}})-[r:{types}]-() "
            "WITH r, startNode(r) AS a, endNode(r) AS b "
            "RETURN collect([type(r), labels(a)[0], coalesce(a.id, a.code), labels(b)[0], coalesce(b.id, b.code), "
            "properties(r)]) AS rows")


def relationship_props(rel_type: str, start_label: str, end_label: str) -> str:
    """The properties of the ``rel_type`` relationships between each pair of ``$pairs`` (``[start
    key, end key]``), in one record: ``[start key, end key, properties]``."""
    (a, ak), (b, bk), rel = _label(start_label), _label(end_label), rel_spec(rel_type).name
    return (f"UNWIND $pairs AS p MATCH (:{a} {{{ak}: p[0]}})-[r:{rel}]->(:{b} {{{bk}: p[1]}}) "
            "RETURN collect([p[0], p[1], properties(r)]) AS rows")


def node_values(label: str) -> str:
    """Some properties (``$props``, read by name: ``n[p]``) of the nodes of these keys, in one
    record (a loader's batch: one Bolt message, not one per node)."""
    label, key = _label(label)
    return (f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) "
            f"RETURN collect([n.{key}, [p IN $props | n[p]]]) AS rows")


def keys_by_name(label: str) -> str:
    """The keys of the nodes named each of ``$names``, or whose name's or 简称's key it is
    (``graph.name_forms``), in one record: each by its property's index."""
    props = NAMED_BY[label_spec(label).name]
    label, key = _label(label)
    union = " UNION ".join(f"MATCH (n:{label} {{{prop}: name}}) RETURN n.{key} AS key" for prop in props)
    return (f"UNWIND $names AS name CALL (name) {{ {union} }} "
            f"RETURN collect([name, key]) AS rows")


def aliases(label: str) -> str:
    label, key = _label(label)
    return (f"MATCH (n:{label}) WHERE n.aliases IS NOT NULL "
            f"UNWIND n.aliases AS alias RETURN alias, n.{key} AS key")


# what has ended by $today is left out unless $ended (graph.ends)
_LIVE_OR_ENDED = "($ended OR n.ended IS NULL OR n.ended > $today)"


def list_nodes(label: str) -> str:
    label, key = _label(label)
    return (
        f"MATCH (n:{label}) WHERE {_LIVE_OR_ENDED} RETURN {_NODE.format(v='n', p='')} "
        f"ORDER BY n.{key} SKIP $skip LIMIT $limit"
    )


def ended_count(label: str) -> str:
    label, _ = _label(label)
    return f"MATCH (n:{label}) WHERE n.ended IS NOT NULL RETURN count(n) AS n"


def ended_nodes(label: str) -> str:
    label, key = _label(label)
    return f"MATCH (n:{label}) WHERE n.ended IS NOT NULL RETURN {_NODE.format(v='n', p='')} ORDER BY n.{key}"


_PATTERNS = {"out": "(n)-[r]->(m)", "in": "(n)<-[r]-(m)", "both": "(n)-[r]-(m)"}


def neighbours(label: str, direction: str) -> str:
    label, key = _label(label)
    pattern = _PATTERNS[direction]
    return (
        f"MATCH (n:{label} {{{key}: $key}}) MATCH {pattern} "
        f"WHERE $types IS NULL OR type(r) IN $types "
        f"RETURN type(r) AS type, startNode(r) = n AS outgoing, properties(r) AS rprops, "
        f"{_NODE.format(v='m', p='')}"
    )


def node_with_neighbours(label: str) -> str:
    """One node and its neighbours in one row (``links``: one map per relationship)."""
    label, key = _label(label)
    return (
        f"MATCH (n:{label} {{{key}: $key}}) OPTIONAL MATCH (n)-[r]-(m) "
        f"RETURN {_NODE.format(v='n', p='')}, " + _LINKS
    )


# a node's relationships with the node at their other end, one map each
_LINKS = ("collect(CASE WHEN r IS NULL THEN null ELSE {type: type(r), outgoing: startNode(r) = n, "
          "rprops: properties(r), label: labels(m)[0], key: coalesce(m.id, m.code), "
          "props: properties(m)} END) AS links")


def nodes_with_neighbours(label: str) -> str:
    """:func:`node_with_neighbours` for each of ``$keys`` (``asked``: the key as given)."""
    label, key = _label(label)
    return (
        f"UNWIND $keys AS asked MATCH (n:{label} {{{key}: asked}}) OPTIONAL MATCH (n)-[r]-(m) "
        f"RETURN asked, {_NODE.format(v='n', p='')}, " + _LINKS
    )


def ring(label: str) -> str:
    """The neighbours (either direction) of the nodes of one label whose keys are given."""
    label, key = _label(label)
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}})--(m) "
        f"RETURN DISTINCT labels(m)[0] AS label, coalesce(m.id, m.code) AS key"
    )


def nodes_by_keys(label: str) -> str:
    label, key = _label(label)
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) "
        f"RETURN elementId(n) AS eid, {_NODE.format(v='n', p='')}"
    )


RELS_AMONG = (
    "MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND elementId(b) IN $ids "
    "RETURN type(r) AS type, labels(a)[0] AS slabel, coalesce(a.id, a.code) AS skey, "
    "labels(b)[0] AS elabel, coalesce(b.id, b.code) AS ekey, properties(r) AS rprops"
)


# Names containing the text. The full-text index (cjk bigrams) narrows the candidates for CJK
# text of two or more characters; `CONTAINS` then keeps exactly the substring matches, so the
# answer equals the embedded store's. Other text falls back to a label scan.
SEARCH_FULLTEXT = (
    f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene) YIELD node AS n "
    f"WITH n WHERE n.name CONTAINS $text AND labels(n)[0] IN $labels AND {_LIVE_OR_ENDED} "
    f"RETURN {_NODE.format(v='n', p='')} ORDER BY label, key LIMIT $limit"
)


# Names as resolution and search rank them (GraphStore.find_names): the name itself and the names
# that begin with it through the name's range index, the others holding it through the full-text
# index; each counted whatever the number, the first $limit of each in key order.
def _counted(key: str) -> str:
    """The tail of a name query: how many matched, and the first $limit of them in key order."""
    return (f"WITH n ORDER BY n.{key} WITH count(n) AS n, collect(n)[..$limit] AS found "
            f"RETURN n, [x IN found | {{label: labels(x)[0], key: x.{key}, props: properties(x)}}] AS nodes")


def names_equal(label: str) -> str:
    label, key = _label(label)
    return f"MATCH (n:{label} {{name: $text}}) WHERE {_LIVE_OR_ENDED} " + _counted(key)


def names_starting(label: str) -> str:
    label, key = _label(label)
    return (f"MATCH (n:{label}) WHERE n.name STARTS WITH $text AND n.name <> $text AND {_LIVE_OR_ENDED} "
            + _counted(key))


SEARCH_INSIDE_FULLTEXT = (
    f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $lucene) YIELD node AS n "
    "WITH n WHERE n.name CONTAINS $text AND NOT n.name STARTS WITH $text AND labels(n)[0] IN $labels "
    f"AND {_LIVE_OR_ENDED} "
    "WITH n ORDER BY labels(n)[0], coalesce(n.id, n.code) "
    "WITH count(n) AS n, collect(n)[..$limit] AS found "
    "RETURN n, [x IN found | {label: labels(x)[0], key: coalesce(x.id, x.code), props: properties(x)}] AS nodes"
)


def search_inside_scan(label: str) -> str:
    label, key = _label(label)
    return (f"MATCH (n:{label}) WHERE n.name CONTAINS $text AND NOT n.name STARTS WITH $text AND {_LIVE_OR_ENDED} "
            + _counted(key))


def search_scan(label: str) -> str:
    label, key = _label(label)
    return (
        f"MATCH (n:{label}) WHERE n.name CONTAINS $text AND {_LIVE_OR_ENDED} "
        f"RETURN {_NODE.format(v='n', p='')} ORDER BY key LIMIT $limit"
    )


def count_label(label: str) -> str:
    label, _ = _label(label)
    return f"MATCH (n:{label}) RETURN count(n) AS n"


def count_rel(rel_type: str) -> str:
    return f"MATCH ()-[r:{rel_spec(rel_type).name}]->() RETURN count(r) AS n"


PING = "RETURN 1 AS ok"


def shortest_path(a_label: str, b_label: str, max_hops: int) -> str:
    a, akey = _label(a_label)
    b, bkey = _label(b_label)
    hops = int(max_hops)  # an int, never text: safe to splice (a pattern's bound cannot be a parameter)
    return (
        f"MATCH (a:{a} {{{akey}: $a}}), (b:{b} {{{bkey}: $b}}) "
        f"MATCH p = shortestPath((a)-[*..{hops}]-(b)) "
        "RETURN [n IN nodes(p) | {label: labels(n)[0], key: coalesce(n.id, n.code), props: properties(n)}] AS nodes, "
        "[r IN relationships(p) | {type: type(r), slabel: labels(startNode(r))[0], "
        "skey: coalesce(startNode(r).id, startNode(r).code), elabel: labels(endNode(r))[0], "
        "ekey: coalesce(endNode(r).id, endNode(r).code), props: properties(r)}] AS rels"
    )


# Large answers come back in lists of this many rows: the driver's work is per record (a Bolt
# message each), so 200,000 one-row records cost seconds that 10 records of 20,000 rows do not.
CHUNK_ROWS = 20_000


def chunked(query: str, columns: tuple[str, ...]) -> str:
    """``query`` (whose rows have ``columns``) with its rows sent back as lists of up to
    :data:`CHUNK_ROWS` rows, one list per record (column ``chunk``), in the query's order.
    Column names come from the query itself (its ``EXPLAIN``), never from a user."""
    cols = ", ".join(f"`{c.replace('`', '``')}`" for c in columns)
    return (f"CALL () {{ {query} }} WITH collect([{cols}]) AS rows "
            f"UNWIND range(0, size(rows) - 1, {CHUNK_ROWS}) AS i RETURN rows[i..i + {CHUNK_ROWS}] AS chunk")
