"""Unit rules (U1–U3): units that should have a Party organisation, or at least work coverage.

A unit's member count is the larger of its ledger's 党员数 and the members working there; it is
established when an organisation is ESTABLISHED_IN it, covered when one COVERS it."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.rules.base import Row, Rule, live, register

# A unit's member count and whether it is established or covered, in Cypher ...
_UNIT_FIGURES = f"""
MATCH (u:Unit) WHERE u.kind IN $coverable AND {live("u")}
WITH u, COUNT {{ (w:Member)-[:WORKS_AT]->(u) WHERE {live("w")} }} AS workers
WITH u, CASE WHEN coalesce(u.members_reported, 0) > workers THEN u.members_reported ELSE workers END AS members,
     EXISTS {{ (o:Organization)-[:ESTABLISHED_IN]->(u) WHERE {live("o")} }} AS established,
     EXISTS {{ (c:Organization)-[:COVERS]->(u) WHERE {live("c")} }} AS covers
"""


# ... and walked
def _units(g: Any, p: Row) -> Iterator[tuple[tuple[str, str], dict[str, Any], int, bool, bool]]:
    for n, a in g.nodes("Unit"):
        if a.get("kind") not in p["coverable"]:
            continue
        workers = sum(1 for _ in g.ins(n, "WORKS_AT", "Member"))
        members = max(a.get("members_reported") or 0, workers)
        yield (n, a, members, g.has_in(n, "ESTABLISHED_IN", "Organization"),
               g.has_in(n, "COVERS", "Organization"))


def _u1(g: Any, p: Row) -> Iterator[Row]:
    for n, a, members, est, cov in _units(g, p):
        if members >= p["u1_min_members"] and not est:
            yield {"id": n[1], "name": a.get("name"), "members": members, "covered": cov}


register(Rule(
    "U1", "应单独组建", "Unit", "单位",
    message=lambda f, p: f"党员 {f['members']} 名（≥{p['u1_min_members']}），未单独建立党组织"
                         + ("，目前仅被联合党组织覆盖" if f.get("covered") else ""),
    cypher=_UNIT_FIGURES + """
WITH u, members, established, covers WHERE members >= $u1_min_members AND NOT established
RETURN u.id AS id, u.name AS name, members, covers AS covered""",
    walk=_u1,
))


def _u2(g: Any, p: Row) -> Iterator[Row]:
    for n, a, members, est, cov in _units(g, p):
        if 1 <= members < p["u1_min_members"] and not est and not cov:
            yield {"id": n[1], "name": a.get("name"), "members": members}


register(Rule(
    "U2", "应联合组建", "Unit", "单位",
    message=lambda f, p: f"党员 {f['members']} 名，未单独建立也未纳入联合党组织",
    cypher=_UNIT_FIGURES + """
WITH u, members, established, covers
WHERE members >= 1 AND members < $u1_min_members AND NOT established AND NOT covers
RETURN u.id AS id, u.name AS name, members""",
    walk=_u2,
))


def _u3(g: Any, p: Row) -> Iterator[Row]:
    for n, a, members, est, cov in _units(g, p):
        if members == 0 and not est and not cov and not g.has_in(
                n, "HOLDS_ROLE", "Member", lambda u, r: r.get("role") == p["instructor"]):
            yield {"id": n[1], "name": a.get("name"), "members": members}


register(Rule(
    "U3", "工作覆盖缺失", "Unit", "单位",
    message=lambda f, p: "无党员，未被党组织覆盖，也未选派党建工作指导员",
    cypher=_UNIT_FIGURES + """
WITH u, members, established, covers WHERE members = 0 AND NOT established AND NOT covers
  AND NOT EXISTS { (i:Member)-[:HOLDS_ROLE {role: $instructor}]->(u) WHERE """ + live("i") + """ }
RETURN u.id AS id, u.name AS name, members""",
    walk=_u3,
))
