"""The two trees every analysis walks: regions (PART_OF) and organisations (SUBORDINATE_TO).

Both are small next to the graph (a province has thousands of regions and about a hundred
thousand organisations, against millions of members), so they are fetched once per question and
walked here, in one place for both stores: who must act on a gap, the path up to the root, and
the roll-up of coverage rates.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graph.analyses.concurrent import at_once

# the NBS's city-level rows that stand for a city's districts or a province's counties (graph.places)
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def is_placeholder(name: str | None) -> bool:
    return name in PLACEHOLDERS


def children_of(parent: dict[str, str | None]) -> dict[str, list[str]]:
    """A tree given as child -> parent, turned into parent -> children."""
    children: dict[str, list[str]] = defaultdict(list)
    for child, p in parent.items():
        if p:
            children[p].append(child)
    return children


def subtree(children: dict[str, list[str]], root: str, known: Iterable[str]) -> set[str]:
    """``root`` (if ``known``) and everything below it."""
    out, stack = set(), [root] if root in known else []
    while stack:
        node = stack.pop()
        if node not in out:
            out.add(node)
            stack.extend(children.get(node, ()))
    return out


@dataclass
class RegionTree:
    name: dict[str, str] = field(default_factory=dict)
    level: dict[str, str | None] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[dict[str, Any]]) -> "RegionTree":
        t = cls()
        for r in rows:
            t.name[r["code"]], t.level[r["code"]], t.parent[r["code"]] = r["name"], r.get("level"), r.get("parent")
        return t

    # each walk kept: the tree is kept per store version and asked about the same few thousand
    # regions by every unit, grid and gap (callers must not change the lists they get)
    _ancestors: dict[str | None, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def ancestors(self, code: str | None) -> list[str]:
        """The region and every region above it, nearest first."""
        known = self._ancestors.get(code)
        if known is None:
            known = self._ancestors[code] = self._walk_up(code)
        return known

    def _walk_up(self, code: str | None) -> list[str]:
        out: list[str] = []
        while code is not None and code in self.name and code not in out:
            out.append(code)
            code = self.parent.get(code)
        return out

    @cached_property
    def children(self) -> dict[str, list[str]]:  # built once: the tree is kept per store version
        return children_of(self.parent)

    def subtree(self, code: str) -> set[str]:
        """The region and every region under it."""
        return subtree(self.children, code, self.parent)

    @cached_property
    def _shared_names(self) -> set[str]:
        return {name for name, n in Counter(self.name.values()).items() if n > 1}

    def shown(self, code: str) -> str:
        """The region's name as a person tells it apart: with the name of the region above it
        when another region has the same name ("西岭区孟街街道"; never a placeholder's, 市辖区)."""
        name = self.name.get(code, code)
        parent = next((c for c in self.ancestors(code)[1:] if not is_placeholder(self.name.get(c))), None)
        return self.name.get(parent, "") + name if name in self._shared_names and parent else name


@dataclass
class OrgTree:
    name: dict[str, str | None] = field(default_factory=dict)
    kind: dict[str, str | None] = field(default_factory=dict)
    sector: dict[str, str | None] = field(default_factory=dict)
    region: dict[str, str | None] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)
    needs: dict[str, list[str]] = field(default_factory=dict)  # 需求 categories
    resources: dict[str, list[str]] = field(default_factory=dict)  # 资源 categories

    @classmethod
    def of(cls, rows: Iterable[dict[str, Any]]) -> "OrgTree":
        t = cls()
        for r in rows:
            i = r["id"]
            t.name[i], t.kind[i], t.sector[i] = r.get("name"), r.get("kind"), r.get("sector")
            t.region[i], t.parent[i] = r.get("region"), r.get("parent")
            t.needs[i], t.resources[i] = list(r.get("needs") or []), list(r.get("resources") or [])
        return t

    _chains: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)  # as _ancestors

    def chain(self, org: str) -> list[str]:
        """The organisation and its ancestors up to the root; just itself if the chain loops."""
        known = self._chains.get(org)
        if known is None:
            known = self._chains[org] = self._walk_up(org)
        return known

    def _walk_up(self, org: str) -> list[str]:
        out = [org]
        p = self.parent.get(org)
        while p is not None and p in self.name:
            if p in out:
                return [org]
            out.append(p)
            p = self.parent.get(p)
        return out

    @cached_property
    def children(self) -> dict[str, list[str]]:
        return children_of(self.parent)

    def subtree(self, org: str) -> set[str]:
        """The organisation and every organisation under it."""
        return subtree(self.children, org, self.parent)

    def committees_by_region(self, kinds: list[str]) -> dict[str, list[str]]:
        by: dict[str, list[str]] = defaultdict(list)
        for o, k in self.kind.items():
            region = self.region.get(o)
            if k in kinds and region:
                by[region].append(o)
        return {r: sorted(v) for r, v in by.items()}


def load_trees(store) -> tuple[RegionTree, OrgTree]:
    """The store's two trees, cached until the store changes (graph.analyses.cache)."""
    from graph.analyses.cache import cached
    from graph.analyses.engine import engine_for

    engine = engine_for(store)

    def both() -> tuple[RegionTree, OrgTree]:
        regions, orgs = at_once(engine, [engine.region_tree, engine.org_tree])
        return RegionTree.of(regions), OrgTree.of(orgs)

    return cached(store, "trees", both)
