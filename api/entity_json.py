"""An entity's JSON page (``GET /entities/{label}/{id}``) as a scope may see it: the one piece
both the route and the page maker (:mod:`api.page_maker`) build it with."""
from __future__ import annotations

from pydantic_core import to_json

from api.schemas import link_json, node_json
from graph.analyses.scope import Scope
from graph.store import GraphStore, Node, Rel

Made = tuple[bytes, dict[str, str]]  # a JSON body and its headers


def entity_json(store: GraphStore, scope: Scope, label: str, key: str) -> Made | None:
    """The entity's JSON page; ``None`` when it has none (not found, outside the scope, or a
    merged code: the route answers those)."""
    return entity_jsons(store, scope, label, [key])[0]


def entity_jsons(store: GraphStore, scope: Scope, label: str, keys: list[str]) -> list[Made | None]:
    """:func:`entity_json` for several entities of one label, in the order of ``keys``: one
    question to the store for all of them, and one per label to the scope (the page maker
    makes the pages asked at once together)."""
    found = store.nodes_with_neighbours(label, keys)
    allowed = scope.allowed(label, found)
    # (key, (relationship, other node)): the other nodes the scope may see, as seen() keeps them
    pairs = scope.keep([(key, pair) for key in allowed for pair in found[key][1]],
                       lambda item: [(item[1][1].label, item[1][1].key)])
    theirs: dict[str, list[tuple[Rel, Node]]] = {key: [] for key in allowed}
    for key, pair in pairs:
        theirs[key].append(pair)
    return [(encoded(label, found[key][0], theirs[key]), {}) if key in allowed else None for key in keys]


def seen(scope: Scope, pairs: list[tuple[Rel, Node]]) -> list[tuple[Rel, Node]]:
    """The (relationship, other node) pairs whose other node the scope may see."""
    return scope.keep(pairs, lambda p: [(p[1].label, p[1].key)])


def encoded(label: str, node: Node, pairs: list[tuple[Rel, Node]]) -> bytes:
    return to_json({**node_json(node), "links": [link_json(label, node.key, r, o) for r, o in pairs]})
