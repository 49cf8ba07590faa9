"""Pairing rules (P1–P4): organs and grassroots organisations with no current pairing, pairings
whose term has ended, pairings on paper only (too few activities together)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.rules.base import CURRENT_CYPHER, Row, Rule, days_between, live, pairing_current, register

_UNPAIRED = f"""
MATCH (o:Organization) WHERE o.kind IN $pairable AND o.sector IN ${{sectors}} AND {live("o")}
  AND NOT EXISTS {{{{ MATCH (o)-[r:PAIRED_WITH]-(x:Organization) WHERE {CURRENT_CYPHER} AND {live("x")} }}}}
RETURN o.id AS id, o.name AS name, o.sector AS sector,
       COUNT {{{{ (o)-[:PAIRED_WITH]-(x:Organization) WHERE {live("x")} }}}} AS lapsed"""


def _unpaired(g: Any, p: Row, sectors: list[str]) -> Iterator[Row]:
    for n, a in g.nodes("Organization"):
        if a.get("kind") not in p["pairable"] or a.get("sector") not in sectors:
            continue
        rels = g.pairings_of(n)
        if not any(pairing_current(r, p["as_of"]) for r in rels):
            yield {"id": n[1], "name": a.get("name"), "sector": a.get("sector"), "lapsed": len(rels)}


def _lapsed(f: Row) -> str:
    return f"（已有结对 {f['lapsed']} 个均不在期）" if f.get("lapsed") else ""


register(Rule(
    "P1", "机关党组织未结对", "Organization", "结对",
    message=lambda f, p: "机关党组织，无在期结对" + _lapsed(f),
    cypher=_UNPAIRED.format(sectors="p1_sectors"),
    walk=lambda g, p: _unpaired(g, p, p["p1_sectors"]),
))

register(Rule(
    "P2", "基层党组织未结对", "Organization", "结对",
    message=lambda f, p: f"{f.get('sector') or ''}党组织，无在期结对" + _lapsed(f),
    cypher=_UNPAIRED.format(sectors="p2_sectors"),
    walk=lambda g, p: _unpaired(g, p, p["p2_sectors"]),
))


def _pair_row(g: Any, a: tuple[str, str], b: tuple[str, str], r: Row) -> Row:
    return {"from": a[1], "to": b[1], "from_name": g.prop(a, "name"), "to_name": g.prop(b, "name"),
            "form": r.get("form")}


def _p3(g: Any, p: Row) -> Iterator[Row]:
    for a, b, r in g.pairings():
        if r.get("until") is not None and r["until"] < p["as_of"]:
            yield {**_pair_row(g, a, b, r), "until": r["until"]}


register(Rule(
    "P3", "结对已到期", "Pairing", "结对",
    message=lambda f, p: f"{f['form']}于 {f['until']} 到期，已过期 {days_between(f['as_of'], f['until'])} 天",
    cypher="""
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization)
WHERE r.until < $as_of AND """ + live("a") + " AND " + live("b") + """
RETURN a.id AS from, b.id AS to, a.name AS from_name, b.name AS to_name, r.form AS form,
       r.until AS until""",
    walk=_p3,
))


def _p4(g: Any, p: Row) -> Iterator[Row]:
    def acts(o: tuple[str, str]) -> set[tuple[str, str]]:
        return {x for x, _ in g.outs(o, "TOOK_PART_IN", "Activity")
                if p["p4_from"] <= (g.prop(x, "date") or "") <= p["as_of"]}

    for a, b, r in g.pairings():
        if pairing_current(r, p["as_of"]):
            n = len(acts(a) & acts(b))
            if n < p["p4_min_activities"]:
                yield {**_pair_row(g, a, b, r), "activities": n}


register(Rule(
    "P4", "结对有名无实", "Pairing", "结对",
    message=lambda f, p: f"近 {p['p4_window_days']} 天共同开展活动 {f['activities']} 次，"
                         f"少于 {p['p4_min_activities']} 次",
    cypher=f"""
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization) WHERE {CURRENT_CYPHER} AND {live("a")} AND {live("b")}
WITH a, b, r, COUNT {{
  MATCH (a)-[:TOOK_PART_IN]->(x:Activity)<-[:TOOK_PART_IN]-(b)
  WHERE x.date >= $p4_from AND x.date <= $as_of RETURN DISTINCT x }} AS activities
WHERE activities < $p4_min_activities
RETURN a.id AS from, b.id AS to, a.name AS from_name, b.name AS to_name, r.form AS form,
       activities""",
    walk=_p4,
))
