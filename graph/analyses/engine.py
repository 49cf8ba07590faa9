"""The engine of a store: the backend-specific half of the analyses."""
from __future__ import annotations

from typing import Any, Protocol

from graph.store import GraphStore

Row = dict[str, Any]


class Engine(Protocol):
    def rule_rows(self, rule: str, params: Row) -> list[Row]: ...
    def regions_of(self, label: str, ids: list[str] | None) -> list[Row]:
        """Units or grids (``ids``, or every one for ``None``): ``id``, ``kind`` and ``region``
        (its own, else its container's)."""

    def region_tree(self) -> list[Row]:
        """Every region: ``code``, ``name``, ``level``, ``parent``."""

    def org_tree(self) -> list[Row]:
        """Every organisation: ``id``, ``name``, ``kind``, ``sector``, ``region``, ``parent``."""

    def home_orgs(self, ids: list[str]) -> dict[str, str | None]: ...

    def homeless_members(self) -> list[str]:
        """The members in no organisation (no ``MEMBER_OF``): those of gap M2."""
        ...

    def member_units(self, ids: list[str]) -> dict[str, str | None]:
        """The unit each member works at, else lives in (the least key, if several): where a
        member whose organisation is unknown is to be found."""
        ...

    def members_at_home_in(self, orgs: list[str]) -> list[str]:
        """The members whose home organisation (as in :meth:`home_orgs`) is one of ``orgs``."""
        ...

    def linked_from_orgs(self, orgs: list[str], rel: str, label: str, role: str | None) -> list[str]:
        """Keys of the ``label`` nodes that one of ``orgs`` points to by ``rel`` (whose ``role``
        property is ``role``, unless that is ``None``)."""
        ...

    def pairing_counts(self, as_of: str) -> dict[str, int]:
        """Current pairings per organisation, either side."""

    def entities_in_regions(self, codes: list[str]) -> list[Row]:
        """Units, grids and organisations located in these regions (``label``, ``id``), and the
        units contained in those units (楼栋 in 小区)."""

    def data_problems(self) -> dict[tuple[str, str], list[str]]:
        """(label, key) -> what rejected ledger rows left wrong about that entity
        (``ingest.problems``), for units, grids, members and organisations."""

    def pairing_rels(self) -> list[Row]:
        """Every pairing: ``from``, ``to``, ``form``, ``since``, ``until``."""

    def memberships(self) -> list[Row]:
        """Every member in an organisation: ``id``, ``name`` and ``org`` (the greatest key, if
        several), in no order."""

    def covered_units(self) -> list[Row]:
        """Every unit an organisation is established in or covers: ``id``, ``name`` and
        ``region`` (as in :meth:`regions_of`), in no order."""

    def coverage_facts(self, params: Row) -> dict[str, list[Row]]:
        """Per coverable unit, per 一般网格, per home organisation of mobile members, per
        pairable organisation: the facts coverage rates are counted from."""

    def contexts(self, label: str, ids: list[str], kinds: list[str]) -> dict[str, list[str]]:
        """Of the grids (or the units of ``kinds``) in ``ids``: the names, outer first, that tell
        them apart (``graph.analyses.context``); an entity with none is left out."""

def engine_for(store: GraphStore) -> Engine:
    """The engine the store hands out (each backend keeps its own beside its store)."""
    return store.engine()
