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

    def regions_of(self, label: str, ids: list[str] | None) -> list[Row]:
        return self._rows(cy.regions_of(label, every=ids is None), ids=ids)

    def region_tree(self) -> list[Row]:
        return self._rows(cy.REGION_TREE)

    def org_tree(self) -> list[Row]:
        return self._rows(cy.ORG_TREE)

    def home_orgs(self, ids: list[str]) -> dict[str, str | None]:
        return {r["id"]: r["org"] for r in self._rows(cy.HOME_ORGS, ids=ids)}

    def members_at_home_in(self, orgs: list[str]) -> list[str]:
        return [r["id"] for r in self._rows(cy.MEMBERS_AT_HOME_IN, orgs=orgs)]

    def linked_from_orgs(self, orgs: list[str], rel: str, label: str, role: str | None) -> list[str]:
        return [r["id"] for r in self._rows(cy.linked_from_orgs(rel, label), orgs=orgs, role=role)]

    def coverage_facts(self, params: Row) -> dict[str, list[Row]]:
        return {
            "units": self._rows(cy.UNIT_FACTS, **params),
            "grids": self._rows(cy.GRID_FACTS, **params),
            "mobile": self._rows(cy.MOBILE_FACTS, **params),
            "pairable": self._rows(cy.PAIRABLE_FACTS, **params),
        }

    def pairing_counts(self, as_of: str) -> dict[str, int]:
        return {r["id"]: r["n"] for r in self._rows(cy.PAIRING_COUNTS, as_of=as_of)}

    def entities_in_regions(self, codes: list[str]) -> list[Row]:
        return self._rows(cy.ENTITIES_IN_REGIONS, codes=codes)

    def data_problems(self) -> dict[tuple[str, str], list[str]]:
        return {(r["label"], r["id"]): list(r["problems"]) for r in self._rows(cy.DATA_PROBLEMS)}

    def pairing_rels(self) -> list[Row]:
        return self._rows(cy.PAIRING_RELS)
