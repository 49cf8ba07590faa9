"""A screening run: registry rows against the units of the graph, with the people's decisions
applied. The units and region names are read from the store once per run."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graph.analyses.engine import engine_for
from graph.analyses.trees import load_trees
from graph.screening.decisions import Decisions, decision_key
from graph.screening.matching import Match, UnitIndex, UnitRef
from graph.store import GraphStore
from ingest.registries import RegistryRow

if TYPE_CHECKING:
    from graph.analyses.scope import Scope


# the NBS tree's placeholders at the city level: not places, never region words
NOT_PLACES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _above_streets(code: str, level: str | None) -> bool:
    """A province, city or district: by its level, else (a level written otherwise) by its code."""
    if level in ("省", "市", "区县"):
        return True
    return level not in ("街道乡镇", "社区村") and len(code) == 12 and code[6:] == "000000"


def unit_index(store: GraphStore, visible: frozenset[str] | None = None) -> UnitIndex:
    """The units to match against: all, or those of ``visible`` (a scoped token's)."""
    regions, _ = load_trees(store)
    placed = {r["id"]: r["region"] for r in engine_for(store).regions_of("Unit", None)}
    units = [UnitRef(n.key, n.name, n.props.get("uscc"), placed.get(n.key)) for n in store.iter_nodes("Unit")
             if visible is None or n.key in visible]
    above_streets = [n for c, n in regions.name.items()
                     if _above_streets(c, regions.level.get(c)) and n not in NOT_PLACES]
    return UnitIndex(units, dict(regions.name), above_streets)


def screen(store: GraphStore, rows: list[RegistryRow], home: Path, index: UnitIndex | None = None,
           scope: Scope | None = None) -> list[Match]:
    """Each row matched (``match`` / ``possible`` / ``new``); a decision made earlier (within
    ``scope``: a scoped token's run applies no decision of another scope) wins."""
    index = index or unit_index(store)
    decided = Decisions(home).all(scope)
    names = {u.id: u.name for u in index.units}
    out = []
    for row in rows:
        d = decided.get(decision_key(row))
        if d is not None and (d["unit"] is None or d["unit"] in names):
            how = f"人工确认（{d['who']}，{d['at'][:10]}）"
            out.append(Match(row, "match" if d["unit"] else "new", d["unit"], names.get(d["unit"] or ""),
                             1.0 if d["unit"] else 0.0, [how]))
        else:
            out.append(index.match(row))
    return out
