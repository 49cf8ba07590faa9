"""The engine of a store: the backend-specific half of the analyses."""
from __future__ import annotations

from typing import Any, Protocol

from graph.store import GraphStore

Row = dict[str, Any]


class Engine(Protocol):
    def rule_rows(self, rule: str, params: Row) -> list[Row]: ...
    def committees_of(self, label: str, ids: list[str], committee_kinds: list[str]) -> list[Row]: ...
    def home_orgs(self, ids: list[str]) -> dict[str, str | None]: ...
    def parents(self, ids: list[str]) -> dict[str, str | None]: ...
    def org_regions(self, ids: list[str]) -> dict[str, str | None]: ...
    def chains(self, ids: list[str]) -> dict[str, list[str]]: ...
    def org_names(self, ids: list[str]) -> dict[str, str]: ...
    def region_subtree(self, code: str) -> set[str]: ...


def engine_for(store: GraphStore) -> Engine:
    if store.backend == "neo4j":
        from graph.analyses.neo4j_engine import Neo4jEngine

        return Neo4jEngine(store)  # type: ignore[arg-type]
    from graph.analyses.memory_engine import MemoryEngine

    return MemoryEngine(store)  # type: ignore[arg-type]
