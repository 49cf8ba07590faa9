"""A screening run: registry rows against the units of the graph, with the people's decisions
applied. The units and region names are read from the store once per run."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graph.analyses.engine import engine_for
from graph.analyses.trees import is_placeholder, load_trees
from graph.screening.decisions import Decisions, decision_key
from graph.screening.matching import Match, UnitIndex, UnitRef
from graph.store import GraphStore
from ingest.registries import RegistryRow

if TYPE_CHECKING:
    from graph.analyses.scope import Scope


MAX_DISTRICTS = 300  # a province has at most ~200 districts and counties; more is the whole country


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
    above = [c for c in regions.name if _above_streets(c, regions.level.get(c)) and not is_placeholder(regions.name[c])]
    # a deployment's own area has its districts' short forms (旌阳 of 旌阳区); a store holding the
    # whole country (tupu regions use with no area) only its provinces' and cities' (朝阳, 长安 …
    # are trade names somewhere)
    districts = [c for c in above if c[4:6] != "00"]
    short_of = None if len(districts) <= MAX_DISTRICTS else [regions.name[c] for c in above if c[4:6] == "00"]
    return UnitIndex(units, dict(regions.name), [regions.name[c] for c in above], short_of)


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
