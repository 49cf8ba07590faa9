"""The gap rules on Neo4j: each rule is one Cypher query run in the database
(``graph.analyses.neo4j_cypher``); only the gaps come back."""
from __future__ import annotations

from typing import Any

from graph.analyses import neo4j_cypher as cy
from graph.neo4j_store import Neo4jStore

Row = dict[str, Any]


class Neo4jEngine:
    def __init__(self, store: Neo4jStore) -> None:
        self.store = store

    def _rows(self, query: str, **params: Any) -> list[Row]:
        return [dict(r) for r in self.store._run(query, read=True, **params)]

    def rule_rows(self, rule: str, params: Row) -> list[Row]:
        return self._rows(cy.RULES[rule], **params)

    def committees_of(self, label: str, ids: list[str], committee_kinds: list[str]) -> list[Row]:
        return self._rows(cy.committees_of(label), ids=ids, committee_kinds=committee_kinds)

    def _map(self, query: str, ids: list[str], field: str) -> dict[str, Any]:
        return {r["id"]: r[field] for r in self._rows(query, ids=ids)}

    def home_orgs(self, ids: list[str]) -> dict[str, str | None]:
        return self._map(cy.HOME_ORGS, ids, "org")

    def parents(self, ids: list[str]) -> dict[str, str | None]:
        return self._map(cy.PARENTS, ids, "parent")

    def org_regions(self, ids: list[str]) -> dict[str, str | None]:
        return self._map(cy.ORG_REGIONS, ids, "region")

    def chains(self, ids: list[str]) -> dict[str, list[str]]:
        return self._map(cy.CHAINS, ids, "chain")

    def org_names(self, ids: list[str]) -> dict[str, str]:
        return self._map(cy.ORG_NAMES, ids, "name")

    def region_subtree(self, code: str) -> set[str]:
        return {r["code"] for r in self._rows(cy.REGION_SUBTREE, code=code)}
