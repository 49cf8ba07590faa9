"""Grid rules (G1–G3): grids, buildings and compounds without their Party organisation.

A unit's resident members live in it or in a unit PART_OF it, up to three steps (a 楼栋 in a
小区)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graph.rules.base import Row, Rule, live, register

_RESIDENTS = ("COUNT { MATCH p = (m:Member)-[:LIVES_IN]->(:Unit)-[:PART_OF*0..3]->(x) WHERE all(y IN nodes(p) WHERE "
              + live("y") + ") RETURN DISTINCT m }")


def _g1(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Grid"):
        if a.get("level") == p["general_grid"] and not g.has_in(n, "ON_GRID", "Organization"):
            yield {"id": n[1], "name": a.get("name")}


register(Rule(
    "G1", "网格未建党组织", "Grid", "网格",
    message=lambda f, p: "一般网格未建立党组织",
    cypher="""
MATCH (g:Grid {level: $general_grid}) WHERE """ + live("g") + """
  AND NOT EXISTS { (o:Organization)-[:ON_GRID]->(g) WHERE """ + live("o") + """ }
RETURN g.id AS id, g.name AS name""",
    walk=_g1,
))


def _resident_gaps(g: Any, kind: str, minimum: int,
                   counts: Callable[[tuple[str, str], dict[str, Any]], bool] | None) -> Iterator[Row]:
    """Units of ``kind`` with at least ``minimum`` resident members and no organisation (that
    ``counts``) established in or covering them."""
    for n, a in g.nodes("Unit"):
        if a.get("kind") != kind:
            continue
        residents = g.residents(n)
        if residents >= minimum and not (g.has_in(n, "ESTABLISHED_IN", "Organization", counts)
                                         or g.has_in(n, "COVERS", "Organization", counts)):
            yield {"id": n[1], "name": a.get("name"), "residents": residents}


def _g2(g: Any, p: Row) -> Iterator[Row]:
    def is_group(u: tuple[str, str], _: dict[str, Any]) -> bool:
        return bool(g.prop(u, "kind") == p["group_kind"])

    return _resident_gaps(g, p["building"], p["g2_min_residents"], is_group)


register(Rule(
    "G2", "楼栋未建党小组", "Unit", "网格",
    message=lambda f, p: f"居住党员 {f['residents']} 名（≥{p['g2_min_residents']}），未建立党小组",
    cypher="""
MATCH (x:Unit {kind: $building}) WHERE """ + live("x") + """
WITH x, """ + _RESIDENTS + """ AS residents
WHERE residents >= $g2_min_residents
  AND NOT EXISTS { (o:Organization {kind: $group_kind})-[:ESTABLISHED_IN|COVERS]->(x) WHERE """ + live("o") + """ }
RETURN x.id AS id, x.name AS name, residents""",
    walk=_g2,
))


def _g3(g: Any, p: Row) -> Iterator[Row]:
    return _resident_gaps(g, p["compound"], p["g3_min_residents"], None)


register(Rule(
    "G3", "小区未建党组织", "Unit", "网格",
    message=lambda f, p: f"居住党员 {f['residents']} 名（≥{p['g3_min_residents']}），小区未被党组织覆盖",
    cypher="""
MATCH (x:Unit {kind: $compound}) WHERE """ + live("x") + """
WITH x, """ + _RESIDENTS + """ AS residents
WHERE residents >= $g3_min_residents
  AND NOT EXISTS { (o:Organization)-[:ESTABLISHED_IN|COVERS]->(x) WHERE """ + live("o") + """ }
RETURN x.id AS id, x.name AS name, residents""",
    walk=_g3,
))
