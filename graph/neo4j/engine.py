"""The gap rules on Neo4j: each rule is one Cypher query run in the database
(``graph.neo4j.analysis_queries``); only the gaps come back."""
from __future__ import annotations

from typing import Any

from graph.ends import today
from graph.neo4j import analysis_queries as aq
from graph.neo4j.store import Neo4jStore
from graph.rules import RULES

Row = dict[str, Any]


class Neo4jEngine:
    concurrent_reads = True  # its reads may run at once (graph.analyses.concurrent)

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store

    def _rows(self, query: str, **params: Any) -> list[Row]:
        return self.store.rows(query, **params)

    def rule_rows(self, rule: str, params: Row) -> list[Row]:
        """The rows of a rule's gaps, from its entry's Cypher (``graph.rules``)."""
        return self._rows(RULES[rule].cypher, **params)

    def regions_of(self, label: str, ids: list[str] | None) -> list[Row]:
        return self._rows(aq.regions_of(label, every=ids is None), ids=ids)

    def region_tree(self) -> list[Row]:
        return self._rows(aq.REGION_TREE)

    def org_tree(self) -> list[Row]:
        return self._rows(aq.ORG_TREE, as_of=today())

    def home_orgs(self, ids: list[str]) -> dict[str, str | None]:
        return {r["id"]: r["org"] for r in self._rows(aq.HOME_ORGS, ids=ids)}

    def homeless_members(self) -> list[str]:
        return [r["id"] for r in self._rows(aq.HOMELESS_MEMBERS)]

    def member_units(self, ids: list[str]) -> dict[str, str | None]:
        return {r["id"]: r["unit"] for r in self._rows(aq.MEMBER_UNITS, ids=ids)}

    def members_at_home_in(self, orgs: list[str]) -> list[str]:
        return [r["id"] for r in self._rows(aq.MEMBERS_AT_HOME_IN, orgs=orgs)]

    def linked_from_orgs(self, orgs: list[str], rel: str, label: str, role: str | None) -> list[str]:
        return [r["id"] for r in self._rows(aq.linked_from_orgs(rel, label), orgs=orgs, role=role)]

    def coverage_facts(self, params: Row) -> dict[str, list[Row]]:
        return {
            "units": self._rows(aq.UNIT_FACTS, **params),
            "grids": self._rows(aq.GRID_FACTS, **params),
            "mobile": self._rows(aq.MOBILE_FACTS, **params),
            "pairable": self._rows(aq.PAIRABLE_FACTS, **params),
        }

    def pairing_counts(self, as_of: str) -> dict[str, int]:
        return {r["id"]: r["n"] for r in self._rows(aq.PAIRING_COUNTS, as_of=as_of)}

    def entities_in_regions(self, codes: list[str]) -> list[Row]:
        return self._rows(aq.ENTITIES_IN_REGIONS, codes=codes)

    def data_problems(self) -> dict[tuple[str, str], list[str]]:
        return {(r["label"], r["id"]): list(r["problems"]) for r in self._rows(aq.DATA_PROBLEMS)}

    def pairing_rels(self) -> list[Row]:
        return self._rows(aq.PAIRING_RELS, as_of=today())

    def memberships(self) -> list[Row]:
        return self._rows(aq.MEMBERSHIPS, as_of=today())

    def covered_units(self) -> list[Row]:
        return self._rows(aq.COVERED_UNITS, as_of=today())

    def contexts(self, label: str, ids: list[str], kinds: list[str]) -> dict[str, list[str]]:
        if label == "Grid":
            rows = self._rows(aq.GRID_CONTEXT, ids=ids)
        else:
            rows = self._rows(aq.UNIT_CONTEXT, ids=ids, kinds=kinds)
        return {r["id"]: list(r["context"]) for r in rows if r["context"]}
