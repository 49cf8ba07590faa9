"""Who must act on a unit or grid gap (docs/domain.md, "Who must act"): the industry /
two-new working committee (党工委 of sector 行业) over the region for the policy's industry unit
kinds, else the street or township 党工委 over it, else the nearest committee up the region tree.
"""
from __future__ import annotations

from collections.abc import Callable

from graph import model as m
from graph.analyses.trees import OrgTree, RegionTree
from graph.policy import Policy

WORKING_COMMITTEE = m.OrgKind.WORKING_COMMITTEE.value
INDUSTRY = m.Sector.INDUSTRY.value


class Responsibility:
    """Who must act on a unit or grid gap, from the region it lies in (see gaps.py)."""

    def __init__(self, regions: RegionTree, orgs: OrgTree, policy: Policy) -> None:
        self.regions, self.orgs, self.policy = regions, orgs, policy
        self.by_region = orgs.committees_by_region(policy.committee_kinds)
        # (region, an industry unit?) -> the committee: tens of thousands of gaps, a few
        # thousand regions
        self._known: dict[tuple[str | None, bool], str | None] = {}

    def committee(self, region: str | None, unit_kind: str | None = None) -> str | None:
        key = (region, unit_kind in self.policy.industry_unit_kinds)
        if key not in self._known:
            self._known[key] = self._committee(region, key[1])
        return self._known[key]

    def _committee(self, region: str | None, industry_unit: bool) -> str | None:
        cs = [c for r in self.regions.ancestors(region) for c in self.by_region.get(r, [])]
        o = self.orgs

        def first(pred: Callable[[str], bool]) -> str | None:
            return next((c for c in cs if pred(c)), None)

        if industry_unit:
            industry = first(lambda c: o.kind[c] == WORKING_COMMITTEE and o.sector[c] == INDUSTRY)
            if industry:
                return industry
        street = first(lambda c: o.kind[c] == WORKING_COMMITTEE and o.sector[c] != INDUSTRY)
        return street or (cs[0] if cs else None)
