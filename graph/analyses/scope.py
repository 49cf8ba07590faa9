"""What a token may see: everything, an organisation subtree, or a region subtree.

- region scope R: regions in R's subtree; organisations located there; units and grids lying
  there; members whose home organisation is located there;
- organisation scope O: O and every organisation under it; the regions under O's own region;
  units and grids lying there or whose responsible committee is in the subtree; members whose
  home organisation is in the subtree;
- a member of no known organisation (gap M2) is seen as the unit they work at, else live in, is
  (the street that must act on them sees them);
- for both: an alliance when its lead organisation is visible, an activity when one of its
  organisations is, a pairing when either side is.

Everything outside answers as if it did not exist (404), so existence is not leaked.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TypeVar

from graph.analyses.cache import cached, cached_if_present
from graph.analyses.engine import engine_for
from graph.analyses.gaps import Gap, find_gaps
from graph.analyses.kept import kept
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import OrgTree, RegionTree, load_trees
from graph.model import LABELS, AllianceRole
from graph.policy import Policy, load_policy
from graph.store import GraphStore, Node

T = TypeVar("T")

# An alliance is seen through its lead organisation, an activity through any organisation in it.
_SEEN_THROUGH_ORGS = {"Alliance": ("IN_ALLIANCE", AllianceRole.LEAD.value), "Activity": ("TOOK_PART_IN", None)}


class Scope:
    def __init__(self, store: GraphStore, kind: str = "all", value: str | None = None,
                 policy: Policy | None = None) -> None:
        self.store, self.kind, self.value = store, kind, value
        self.policy = policy or load_policy()
        self.engine = engine_for(store)

    @property
    def everything(self) -> bool:
        return self.kind == "all"

    def on(self, store: GraphStore) -> "Scope":
        """The same scope on another graph: a past one, to see it as that graph had it."""
        return self if store is self.store else Scope(store, self.kind, self.value, self.policy)

    def contains(self, kind: str, value: str | None) -> bool:
        """Whether what the scope ``(kind, value)`` sees lies inside this one (the scope of a
        campaign or a meeting): a city-wide one only inside a city-wide one, a region or an
        organisation when this scope sees it."""
        if self.everything:
            return True
        if kind == "all" or not value:
            return False
        if kind == "region":
            return value in self.region_set
        return value in self.org_set if self.kind == "org" else self._org_ok(value)

    @cached_property
    def regions(self) -> RegionTree:
        return load_trees(self.store)[0]

    @cached_property
    def orgs(self) -> OrgTree:
        return load_trees(self.store)[1]

    @cached_property
    def org_set(self) -> set[str]:
        return self.orgs.subtree(self.value) if self.kind == "org" and self.value else set()

    @cached_property
    def region_set(self) -> set[str]:
        if self.kind == "region" and self.value:
            return self.regions.subtree(self.value)
        if self.kind == "org" and self.value:
            home = self.orgs.region.get(self.value)
            return self.regions.subtree(home) if home else set()
        return set()

    def _org_ok(self, o: str | None) -> bool:
        if o is None:
            return False
        if self.kind == "org":
            return o in self.org_set
        return self.orgs.region.get(o) in self.region_set

    def _placed_ok(self, label: str, keys: list[str] | None) -> set[str]:
        """Units or grids (``keys``, or every one) in the scope's regions or, for an
        organisation's scope, under a committee of the organisation's subtree."""
        who = Responsibility(self.regions, self.orgs, self.policy)
        out = set()
        for r in self.engine.regions_of(label, keys):
            if r["region"] in self.region_set or (
                    self.kind == "org" and who.committee(r["region"], r["kind"] if label == "Unit" else None)
                    in self.org_set):
                out.add(r["id"])
        return out

    def _homeless_ok(self, members: list[str]) -> set[str]:
        """Which of these members of no organisation the scope sees: those whose unit (the one
        they work at, else live in: as gap M2 names who must act) it sees."""
        units = self.engine.member_units(members) if members else {}
        seen = self._placed_ok("Unit", sorted({u for u in units.values() if u})) if units else set()
        return {m for m, u in units.items() if u in seen}

    def allowed(self, label: str, keys: Iterable[str]) -> set[str]:
        """Which of these entities the scope may see: from the scope's set of ``label`` when it
        is at hand (a list of them was shown), else by asking about just these keys."""
        keys = set(keys)
        if self.everything or not keys:
            return keys
        known = cached_if_present(self.store, *self._visible_entry(label))
        if known is not None:
            return keys & known
        if label == "Region":
            return keys & self.region_set
        if label == "Organization":
            return {k for k in keys if self._org_ok(k)}
        if label in ("Unit", "Grid"):
            return self._placed_ok(label, sorted(keys))
        if label == "Member":
            homes = self.engine.home_orgs(sorted(keys))
            return ({m for m, home in homes.items() if self._org_ok(home)}
                    | self._homeless_ok([m for m, home in homes.items() if home is None]))
        if label in _SEEN_THROUGH_ORGS:
            return keys & (self.visible_keys(label) or frozenset())
        return set()

    def visible_keys(self, label: str) -> frozenset[str] | None:
        """Every key of ``label`` the scope may see; ``None`` for a scope that sees everything.
        Kept until the data changes: paging through a list asks again for every page."""
        if self.everything:
            return None
        return cached(self.store, *self._visible_entry(label))

    def _visible_entry(self, label: str) -> tuple[tuple, Callable[[], frozenset[str]]]:
        """The cache key of the scope's set of ``label``, and how to work it out."""
        return self._key("visible", label), lambda: frozenset(self._visible_keys(label))

    def visible_in_order(self, label: str) -> tuple[str, ...] | None:
        """:meth:`visible_keys` sorted, kept the same way: a list's pages are slices of it
        (a district's members were sorted again for every page)."""
        keys = self.visible_keys(label)
        if keys is None:
            return None
        return cached(self.store, self._key("visible-sorted", label), lambda: tuple(sorted(keys)))

    def _key(self, what: str, label: str) -> tuple:
        return (what, label, self.kind, self.value, self.policy.fingerprint)

    def _visible_keys(self, label: str) -> set[str]:
        if label == "Organization":
            return {o for o in self.orgs.name if self._org_ok(o)}
        if label == "Region":
            return set(self.region_set)
        if label == "Member":
            return (set(self.engine.members_at_home_in(sorted(self.visible_keys("Organization") or ())))
                    | self._homeless_ok(self.engine.homeless_members()))
        if label in _SEEN_THROUGH_ORGS:
            rel, role = _SEEN_THROUGH_ORGS[label]
            orgs = sorted(self.visible_keys("Organization") or ())
            return set(self.engine.linked_from_orgs(orgs, rel, label, role))
        if label in ("Unit", "Grid"):
            return self._placed_ok(label, None)  # one question for the whole label
        raise ValueError(f"unknown label: {label}")

    def allows(self, label: str, key: str) -> bool:
        return key in self.allowed(label, [key])

    def keep(self, items: Iterable[T], refs: Callable[[T], Iterable[tuple[str, str]]],
             need: str = "all") -> list[T]:
        """The one scope filter: the items whose entities (``refs``: an item's ``(label, key)``
        pairs) the scope may see — ``all`` of them, or ``any`` (a pairing, seen from either
        side). One question per label for the whole list; a label the model does not know is
        never seen (it cannot answer 500).

        >>> from graph.memory.store import MemoryStore
        >>> Scope(MemoryStore()).keep([("Unit", "U1")], lambda r: [r])
        [('Unit', 'U1')]
        """
        items = list(items)
        if self.everything:
            return items
        wanted: dict[str, set[str]] = defaultdict(set)
        for item in items:
            for label, key in refs(item):
                wanted[label].add(key)
        ok = {label: self.allowed(label, keys) if label in LABELS else set() for label, keys in wanted.items()}
        test = all if need == "all" else any
        return [item for item in items if test(key in ok[label] for label, key in refs(item))]

    def keep_throughout(self, stores: Sequence[GraphStore], items: Iterable[T],
                        refs: Callable[[T], Iterable[tuple[str, str]]], need: str = "all") -> list[T]:
        """The past cut by the scope as each past graph had it: the items whose entities are
        seen (``all`` or ``any``, as :meth:`keep`) in every one of ``stores`` that holds them,
        and held by one at least. What changed between two loads is shown only when the scope
        saw it on both sides: not after it left the scope, nor from before it came in."""
        items = list(items)
        if self.everything:
            return items
        held_anywhere: set[int] = set()
        for store in stores:
            scope = self.on(store)
            wanted: dict[str, set[str]] = defaultdict(set)
            for item in items:
                for label, key in refs(item):
                    wanted[label].add(key)
            held = {label: store.existing_keys(label, keys) if label in LABELS else set()
                    for label, keys in wanted.items()}
            ok = {label: scope.allowed(label, keys) for label, keys in held.items()}
            test = all if need == "all" else any
            kept = []
            for item in items:
                there = [(label, key) for label, key in refs(item) if key in held[label]]
                if not there:
                    kept.append(item)
                elif test(key in ok[label] for label, key in there):
                    held_anywhere.add(id(item))
                    kept.append(item)
            items = kept
        return [item for item in items if id(item) in held_anywhere]

    def gaps(self, gaps: list[Gap]) -> list[Gap]:
        return self.keep(gaps, _gap_refs, need="any")

    def gaps_throughout(self, stores: Sequence[GraphStore], gaps: list[Gap]) -> list[Gap]:
        """:meth:`gaps` as each of ``stores`` had it (:meth:`keep_throughout`)."""
        return self.keep_throughout(stores, gaps, _gap_refs, need="any")

    def gap_counts(self, as_of: dt.date) -> dict[str, int]:
        """How many gaps of each rule the scope may see as of ``as_of`` (the home page's
        figures), kept on their own: a new process reads a few numbers, not every gap (#18)."""
        def count() -> dict[str, int]:
            return dict(Counter(g.rule for g in self.gaps(find_gaps(self.store, as_of=as_of, policy=self.policy))))

        return kept(self.store, ("gap counts", as_of, self.kind, self.value, self.policy.fingerprint), count)

    def nodes(self, nodes: list[Node]) -> list[Node]:
        """The nodes the scope may see (a name is resolved among these only: no leak)."""
        return self.keep(nodes, lambda n: [(n.label, n.key)])


def _gap_refs(g: Gap) -> list[tuple[str, str]]:
    if g.entity == "Pairing":
        return [("Organization", x) for x in (g.from_, g.to) if x is not None]
    return [(g.entity, g.id)]
