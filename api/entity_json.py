"""An entity's JSON page (``GET /entities/{label}/{id}``) as a scope may see it: the one piece
both the route and the page maker (:mod:`api.page_maker`) build it with."""
from __future__ import annotations

from pydantic_core import to_json

from api.schemas import link_json, node_json
from graph.analyses.scope import Scope
from graph.store import GraphStore, Node, Rel


def entity_json(store: GraphStore, scope: Scope, label: str, key: str) -> tuple[bytes, dict[str, str]] | None:
    """The entity's JSON page; ``None`` when it has none (not found, outside the scope, or a
    merged code: the route answers those)."""
    node, pairs = store.node_with_neighbours(label, key)
    if node is None or not scope.allows(label, key):
        return None
    return encoded(label, node, seen(scope, pairs)), {}


def seen(scope: Scope, pairs: list[tuple[Rel, Node]]) -> list[tuple[Rel, Node]]:
    """The (relationship, other node) pairs whose other node the scope may see."""
    return scope.keep(pairs, lambda p: [(p[1].label, p[1].key)])


def encoded(label: str, node: Node, pairs: list[tuple[Rel, Node]]) -> bytes:
    return to_json({**node_json(node), "links": [link_json(label, node.key, r, o) for r, o in pairs]})
