"""The analyses on the embedded store, walked over the networkx graph: each gap rule's entry
(``graph.rules``) walks it with the helpers here, and yields the same rows as its Cypher twin
(the contract tests compare them); trees, regions and coverage facts likewise."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graph import ends
from graph.memory.store import MemoryStore
from graph.rules import RULES, pairing_current

Row = dict[str, Any]
N = tuple[str, str]


class MemoryEngine:
    """The walks see the graph as of a day (``as_of``, today unless a rule's parameters give
    one): :meth:`nodes`, :meth:`ins`, :meth:`outs` and :meth:`pairings` pass over what has ended
    by then (``graph.ends``), as every Cypher twin does with ``live_cypher``. The ``_all``
    helpers see everything (regions, contexts, scope: an ended thing is still where it was)."""

    def __init__(self, store: MemoryStore, as_of: str | None = None) -> None:
        self.store = store
        self.g = store.g
        self.as_of = as_of or ends.today()

    def at(self, as_of: str) -> "MemoryEngine":
        """This engine judging as of another day."""
        return self if as_of == self.as_of else MemoryEngine(self.store, as_of)

    @property
    def gone(self) -> set[N]:
        """The nodes ended by ``as_of`` (kept per write generation and day: every rule asks)."""
        key = (self.store.generation, self.as_of)
        kept = getattr(self.store, "_gone", None)
        if kept is None or kept[0] != key:
            found = {n for n, a in self.g.nodes(data=True) if a.get(ends.ENDED) and a[ends.ENDED] <= self.as_of}
            kept = (key, found)
            self.store._gone = kept  # type: ignore[attr-defined]
        return kept[1]

    # --- graph helpers ---------------------------------------------------------------------
    def _nodes_all(self, label: str) -> Iterator[tuple[N, dict[str, Any]]]:
        for key in sorted(self.store.keys_by_label[label]):
            yield (label, key), self.g.nodes[(label, key)]

    def nodes(self, label: str) -> Iterator[tuple[N, dict[str, Any]]]:
        gone = self.gone
        for n, a in self._nodes_all(label):
            if n not in gone:
                yield n, a

    # networkx's adjacency dictionaries read directly: its edge views cost a view object per
    # call, which was most of building a country's region tree (665k regions)
    def _ins_all(self, n: N, rel: str, label: str | None = None) -> Iterator[tuple[N, dict[str, Any]]]:
        for u, edges in self.g._pred[n].items():  # type: ignore[attr-defined]
            if label is None or u[0] == label:
                for k, d in edges.items():
                    if k[0] == rel:
                        yield u, d["props"]

    def _outs_all(self, n: N, rel: str, label: str | None = None) -> Iterator[tuple[N, dict[str, Any]]]:
        for v, edges in self.g._succ[n].items():  # type: ignore[attr-defined]
            if label is None or v[0] == label:
                for k, d in edges.items():
                    if k[0] == rel:
                        yield v, d["props"]

    def ins(self, n: N, rel: str, label: str | None = None) -> Iterator[tuple[N, dict[str, Any]]]:
        """Nodes with a ``rel`` relationship into ``n`` (and the relationship's properties)."""
        gone = self.gone
        return ((u, p) for u, p in self._ins_all(n, rel, label) if u not in gone)

    def outs(self, n: N, rel: str, label: str | None = None) -> Iterator[tuple[N, dict[str, Any]]]:
        gone = self.gone
        return ((v, p) for v, p in self._outs_all(n, rel, label) if v not in gone)

    def has_in(self, n: N, rel: str, label: str | None = None,
               where: Callable[[N, dict[str, Any]], bool] | None = None) -> bool:
        return any(where is None or where(u, p) for u, p in self.ins(n, rel, label))

    def prop(self, n: N, key: str) -> Any:
        return self.g.nodes[n].get(key)

    def pairings(self) -> Iterator[tuple[N, N, dict[str, Any]]]:
        gone = self.gone
        for u, v, k, d in self.g.edges(keys=True, data=True):
            if k[0] == "PAIRED_WITH" and u[0] == v[0] == "Organization" and u not in gone and v not in gone:
                yield u, v, d["props"]

    def pairings_of(self, n: N) -> list[dict[str, Any]]:
        """The properties of every pairing of an organisation, either side."""
        return [r for _, r in self.outs(n, "PAIRED_WITH", "Organization")] + \
               [r for _, r in self.ins(n, "PAIRED_WITH", "Organization")]

    current = staticmethod(pairing_current)

    def residents(self, x: N) -> int:
        """Members (not ended: a stopped 党籍 is an end) living in ``x`` or in a unit up to three
        PART_OF steps below it."""
        units, frontier = {x}, {x}
        for _ in range(3):
            frontier = {u for f in frontier for u, _ in self.ins(f, "PART_OF", "Unit")} - units
            units |= frontier
        return len({m for u in units for m, _ in self.ins(u, "LIVES_IN", "Member")})

    def rule_rows(self, rule: str, params: Row) -> list[Row]:
        """The rows of a rule's gaps, from its entry's walk (``graph.rules``)."""
        with self.store.lock:
            return list(RULES[rule].walk(self.at(params["as_of"]), params))

    # --- who must act ----------------------------------------------------------------------
    def _region(self, n: N) -> N | None:
        """Its own region, else the nearest container's (PART_OF, up to five steps)."""
        frontier = [n]
        for _ in range(6):
            regions = sorted(r for f in frontier for r, _ in self._outs_all(f, "IN_REGION", "Region"))
            if regions:
                return regions[0]
            frontier = sorted({c for f in frontier for c, _ in self._outs_all(f, "PART_OF", n[0])})
            if not frontier:
                return None
        return None

    def regions_of(self, label: str, ids: list[str] | None) -> list[Row]:
        with self.store.lock:
            if ids is None:
                ids = [n[1] for n, _ in self._nodes_all(label)]
            out = []
            for key in ids:
                n = (label, key)
                if n in self.g:
                    region = self._region(n)
                    out.append({"id": key, "kind": self.prop(n, "kind"),
                                "region": region[1] if region else None})
            return out

    def _min_out(self, n: N, rel: str, label: str) -> str | None:
        return min((v[1] for v, _ in self._outs_all(n, rel, label)), default=None)

    def region_tree(self) -> list[Row]:
        with self.store.lock:
            return [{"code": n[1], "name": a.get("name"), "level": a.get("level"),
                     "parent": self._min_out(n, "PART_OF", "Region")}
                    for n, a in self._nodes_all("Region")]

    def org_tree(self) -> list[Row]:
        with self.store.lock:
            return [{"id": n[1], "name": a.get("name"), "kind": a.get("kind"), "sector": a.get("sector"),
                     "region": self._min_out(n, "IN_REGION", "Region"),
                     "parent": min((v[1] for v, _ in self.outs(n, "SUBORDINATE_TO", "Organization")), default=None),
                     "needs": a.get("needs"), "resources": a.get("resources")}
                    for n, a in self.nodes("Organization")]

    def home_orgs(self, ids: list[str]) -> dict[str, str | None]:
        with self.store.lock:
            return {k: self._min_out(("Member", k), "MEMBER_OF", "Organization")
                    for k in ids if ("Member", k) in self.g}

    def homeless_members(self) -> list[str]:
        with self.store.lock:
            return [n[1] for n, _ in self._nodes_all("Member")
                    if not any(self._outs_all(n, "MEMBER_OF", "Organization"))]

    def member_units(self, ids: list[str]) -> dict[str, str | None]:
        with self.store.lock:
            return {k: self._min_out(n, "WORKS_AT", "Unit") or self._min_out(n, "LIVES_IN", "Unit")
                    for k in ids if (n := ("Member", k)) in self.g}

    def members_at_home_in(self, orgs: list[str]) -> list[str]:
        wanted = set(orgs)
        with self.store.lock:
            candidates = {m[1] for o in wanted if ("Organization", o) in self.g
                          for m, _, k in self.g.in_edges(("Organization", o), keys=True)
                          if k[0] == "MEMBER_OF" and m[0] == "Member"}
        return [m for m, home in self.home_orgs(sorted(candidates)).items() if home in wanted]

    def linked_from_orgs(self, orgs: list[str], rel: str, label: str, role: str | None) -> list[str]:
        with self.store.lock:
            return sorted({v[1] for o in orgs if ("Organization", o) in self.g
                           for v, props in self._outs_all(("Organization", o), rel, label)
                           if role is None or props.get("role") == role})

    def coverage_facts(self, params: Row) -> dict[str, list[Row]]:
        if params["as_of"] != self.as_of:
            return self.at(params["as_of"]).coverage_facts(params)
        with self.store.lock:
            units = []
            for n, a in self.nodes("Unit"):
                if a.get("kind") in params["coverable"]:
                    est = self.has_in(n, "ESTABLISHED_IN", "Organization")
                    region = self._region(n)
                    units.append({"id": n[1], "kind": a.get("kind"), "region": region[1] if region else None,
                                  "established": est,
                                  "covered": est or self.has_in(n, "COVERS", "Organization")})
            grids = []
            for n, a in self.nodes("Grid"):
                if a.get("level") == params["general_grid"]:
                    region = self._region(n)
                    grids.append({"id": n[1], "region": region[1] if region else None,
                                  "has_org": self.has_in(n, "ON_GRID", "Organization")})
            mobile: dict[str | None, Row] = {}
            for n, a in self.nodes("Member"):
                if a.get("mobile") is True:
                    org = self._min_out(n, "MEMBER_OF", "Organization")
                    row = mobile.setdefault(org, {"org": org, "total": 0, "managed": 0})
                    row["total"] += 1
                    row["managed"] += 1 if any(self.outs(n, "MOBILE_TO", "Organization")) else 0
            pairable = []
            for n, a in self.nodes("Organization"):
                if a.get("kind") in params["pairable"] and a.get("sector") in params["pair_sectors"]:
                    rels = self.pairings_of(n)
                    pairable.append({"id": n[1], "paired": any(self.current(r, params["as_of"]) for r in rels)})
        return {"units": units, "grids": grids, "mobile": list(mobile.values()), "pairable": pairable}

    def pairing_counts(self, as_of: str) -> dict[str, int]:
        out: dict[str, int] = {}
        with self.store.lock:
            for a, b, r in self.at(as_of).pairings():
                if self.current(r, as_of):
                    for o in (a[1], b[1]):
                        out[o] = out.get(o, 0) + 1
        return out

    def entities_in_regions(self, codes: list[str]) -> list[Row]:
        out: set[tuple[str, str]] = set()
        with self.store.lock:
            for c in codes:
                r = ("Region", c)
                if r not in self.g:
                    continue
                for e, _ in self._ins_all(r, "IN_REGION"):
                    out.add(e)
                    if e[0] == "Unit":  # buildings in a compound in the region, and so on
                        frontier = {e}
                        for _ in range(3):
                            frontier = {u for f in frontier for u, _ in self._ins_all(f, "PART_OF", "Unit")}
                            out |= frontier
        return [{"label": label, "id": key} for label, key in sorted(out)]

    def pairing_rels(self) -> list[Row]:
        with self.store.lock:
            rows = [{"from": a[1], "to": b[1], "form": r.get("form"), "since": r.get("since"),
                     "until": r.get("until")} for a, b, r in self.pairings()]
        return sorted(rows, key=lambda r: (r["from"], r["to"], r["form"] or ""))

    def memberships(self) -> list[Row]:
        with self.store.lock:
            return [{"id": m[1], "name": a.get("name"), "org": org} for m, a in self.nodes("Member")
                    if (org := max((o[1] for o, _ in self.outs(m, "MEMBER_OF", "Organization")), default=None))
                    is not None]

    def covered_units(self) -> list[Row]:
        with self.store.lock:
            covered = [n for n, _ in self.nodes("Unit")
                       if self.has_in(n, "ESTABLISHED_IN", "Organization") or self.has_in(n, "COVERS", "Organization")]
            return [{"id": n[1], "name": self.prop(n, "name"),
                     "region": r[1] if (r := self._region(n)) else None} for n in covered]

    def data_problems(self) -> dict[tuple[str, str], list[str]]:
        with self.store.lock:
            return {n: list(a["data_problems"]) for n, a in self.g.nodes(data=True)
                    if a.get("data_problems") and n[0] in ("Unit", "Grid", "Member", "Organization")}

    def contexts(self, label: str, ids: list[str], kinds: list[str]) -> dict[str, list[str]]:
        def first(n: N, rel: str, to: str) -> N | None:
            found = sorted(v for v, _ in self._outs_all(n, rel, to))
            return found[0] if found else None

        def name(n: N | None) -> str | None:
            return self.prop(n, "name") if n is not None else None

        out: dict[str, list[str]] = {}
        with self.store.lock:
            for key in ids:
                n = (label, key)
                if n not in self.g:
                    continue
                if label == "Grid":
                    parent = first(n, "PART_OF", "Grid")
                    region = first(n, "IN_REGION", "Region") or (
                        first(parent, "IN_REGION", "Region") if parent else None)
                    context = [name(region), name(parent)]
                elif self.prop(n, "kind") in kinds:
                    context = [name(first(n, "PART_OF", "Unit")) or name(first(n, "IN_REGION", "Region"))]
                else:
                    continue
                if any(context):
                    out[key] = [c for c in context if c]
        return out
