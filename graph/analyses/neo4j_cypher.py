"""Every Cypher statement of the analyses, in one place. All values are parameters (see
``graph.analyses.rules.rule_params``); the rules run in the database and return only the rows
that are gaps, with the figures that make them gaps.

A pairing is *current* when ``since`` is empty or ≤ as_of and ``until`` is empty or ≥ as_of.
"""
from __future__ import annotations

_CURRENT = "(coalesce(r.since, '') <= $as_of AND (r.until IS NULL OR r.until >= $as_of))"

# A unit's member count: the larger of its ledger's 党员数 and the members working there.
_UNIT_FIGURES = """
MATCH (u:Unit) WHERE u.kind IN $coverable
WITH u, COUNT { (:Member)-[:WORKS_AT]->(u) } AS workers
WITH u, CASE WHEN coalesce(u.members_reported, 0) > workers THEN u.members_reported ELSE workers END AS members,
     EXISTS { (:Organization)-[:ESTABLISHED_IN]->(u) } AS established,
     EXISTS { (:Organization)-[:COVERS]->(u) } AS covers
"""

# Resident members of a unit: living in it or in a unit PART_OF it (a 楼栋 in a 小区).
_RESIDENTS = "COUNT { MATCH (m:Member)-[:LIVES_IN]->(:Unit)-[:PART_OF*0..3]->(x) RETURN DISTINCT m }"

RULES: dict[str, str] = {
    "U1": _UNIT_FIGURES + """
WITH u, members, established, covers WHERE members >= $u1_min AND NOT established
RETURN u.id AS id, u.name AS name, members, covers AS covered""",
    "U2": _UNIT_FIGURES + """
WITH u, members, established, covers
WHERE members >= 1 AND members < $u1_min AND NOT established AND NOT covers
RETURN u.id AS id, u.name AS name, members""",
    "U3": _UNIT_FIGURES + """
WITH u, members, established, covers WHERE members = 0 AND NOT established AND NOT covers
  AND NOT EXISTS { (:Member)-[:HOLDS_ROLE {role: $instructor}]->(u) }
RETURN u.id AS id, u.name AS name, members""",
    "G1": """
MATCH (g:Grid {level: $general_grid}) WHERE NOT EXISTS { (:Organization)-[:ON_GRID]->(g) }
RETURN g.id AS id, g.name AS name""",
    "G2": """
MATCH (x:Unit {kind: $building})
WITH x, """ + _RESIDENTS + """ AS residents
WHERE residents >= $g2_min
  AND NOT EXISTS { (:Organization {kind: $group_kind})-[:ESTABLISHED_IN|COVERS]->(x) }
RETURN x.id AS id, x.name AS name, residents""",
    "G3": """
MATCH (x:Unit {kind: $compound})
WITH x, """ + _RESIDENTS + """ AS residents
WHERE residents >= $g3_min AND NOT EXISTS { (:Organization)-[:ESTABLISHED_IN|COVERS]->(x) }
RETURN x.id AS id, x.name AS name, residents""",
    "M1": """
MATCH (m:Member {mobile: true}) WHERE NOT EXISTS { (m)-[:MOBILE_TO]->(:Organization) }
RETURN m.id AS id, m.name AS name""",
    "M2": """
MATCH (m:Member) WHERE m.org_code IS NULL OR NOT EXISTS { MATCH (o:Organization) WHERE o.id = m.org_code }
RETURN m.id AS id, m.name AS name, m.org_code AS org_code""",
    "M3": """
MATCH (m:Member)-[:WORKS_AT]->(u:Unit)
WHERE coalesce(m.retired, false) = false AND u.kind IN $m3_kinds
  AND NOT EXISTS { (m)-[:REPORTS_TO]->(:Organization) }
WITH m, u ORDER BY u.id
WITH m, collect(u)[0] AS u
RETURN m.id AS id, m.name AS name, u.kind AS work_kind, u.name AS work_name""",
    "M4": """
MATCH (m:Member {mobile: true}) WHERE m.last_contact IS NULL OR m.last_contact < $m4_cutoff
RETURN m.id AS id, m.name AS name, m.last_contact AS last_contact""",
    "O1": """
MATCH (o:Organization) WHERE o.kind IN $branch_kinds
WITH o, COUNT { (:Member {category: $formal})-[:MEMBER_OF]->(o) } AS formal
WHERE formal < $o1_min
RETURN o.id AS id, o.name AS name, formal""",
    "O2": """
MATCH (o:Organization) WHERE o.kind IN $branch_kinds
WITH o, COUNT { (:Member)-[:MEMBER_OF]->(o) } AS members
WHERE members > $o2_max
RETURN o.id AS id, o.name AS name, members""",
    "O3": """
MATCH (o:Organization) WHERE o.term_ends < $as_of
RETURN o.id AS id, o.name AS name, o.term_ends AS term_ends""",
    "O4": """
MATCH (o:Organization {kind: $joint_kind})
WITH o, COUNT { (o)-[:COVERS]->(:Unit) } AS covered
WHERE covered > $o4_max
RETURN o.id AS id, o.name AS name, covered""",
    "P1": f"""
MATCH (o:Organization) WHERE o.kind IN $pairable AND o.sector IN $p1_sectors
  AND NOT EXISTS {{ MATCH (o)-[r:PAIRED_WITH]-(:Organization) WHERE {_CURRENT} }}
RETURN o.id AS id, o.name AS name, o.sector AS sector,
       COUNT {{ (o)-[:PAIRED_WITH]-(:Organization) }} AS lapsed""",
    "P2": f"""
MATCH (o:Organization) WHERE o.kind IN $pairable AND o.sector IN $p2_sectors
  AND NOT EXISTS {{ MATCH (o)-[r:PAIRED_WITH]-(:Organization) WHERE {_CURRENT} }}
RETURN o.id AS id, o.name AS name, o.sector AS sector,
       COUNT {{ (o)-[:PAIRED_WITH]-(:Organization) }} AS lapsed""",
    "P3": """
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization) WHERE r.until < $as_of
RETURN a.id AS from, b.id AS to, a.name AS from_name, b.name AS to_name, r.form AS form,
       r.until AS until""",
    "P4": f"""
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization) WHERE {_CURRENT}
WITH a, b, r, COUNT {{
  MATCH (a)-[:TOOK_PART_IN]->(x:Activity)<-[:TOOK_PART_IN]-(b)
  WHERE x.date >= $p4_from AND x.date <= $as_of RETURN DISTINCT x }} AS activities
WHERE activities < $p4_min
RETURN a.id AS from, b.id AS to, a.name AS from_name, b.name AS to_name, r.form AS form,
       activities""",
}

# --- who must act ------------------------------------------------------------------------------
# The region of a unit (or grid): its own IN_REGION, else the nearest container's.
_REGION_OF = """
UNWIND $ids AS id MATCH (e:{label} {{id: id}})
OPTIONAL MATCH p = (e)-[:PART_OF*0..5]->(:{label})-[:IN_REGION]->(r:Region)
WITH e, r ORDER BY length(p), r.code
WITH e, collect(r)[0] AS r
"""

# Committees up the region chain, nearest first: returns the industry committee (党工委 of sector
# 行业), the nearest other 党工委 (street / township) and the nearest committee of any kind.
_COMMITTEES = """
OPTIONAL MATCH rp = (r)-[:PART_OF*0..8]->(anc:Region)
OPTIONAL MATCH (c:Organization)-[:IN_REGION]->(anc) WHERE c.kind IN $committee_kinds
WITH e, r, c, length(rp) AS depth ORDER BY depth, c.id
WITH e, r, [x IN collect(c) WHERE x IS NOT NULL] AS cs
RETURN e.id AS id, e.kind AS kind, r.code AS region,
       [x IN cs WHERE x.kind = '党工委' AND x.sector = '行业' | x.id][0] AS industry,
       [x IN cs WHERE x.kind = '党工委' AND coalesce(x.sector, '') <> '行业' | x.id][0] AS street,
       [x IN cs | x.id][0] AS nearest
"""


def committees_of(label: str) -> str:
    if label not in ("Unit", "Grid"):
        raise ValueError(label)
    return _REGION_OF.format(label=label) + _COMMITTEES


HOME_ORGS = """
UNWIND $ids AS id MATCH (m:Member {id: id})
OPTIONAL MATCH (m)-[:MEMBER_OF]->(o:Organization)
WITH m, o ORDER BY o.id
RETURN m.id AS id, collect(o.id)[0] AS org
"""

PARENTS = """
UNWIND $ids AS id MATCH (o:Organization {id: id})
OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(p:Organization)
WITH o, p ORDER BY p.id
RETURN o.id AS id, collect(p.id)[0] AS parent
"""

# The chain of an organisation up to its root (ids, the organisation first).
CHAINS = """
UNWIND $ids AS id MATCH (o:Organization {id: id})
OPTIONAL MATCH p = (o)-[:SUBORDINATE_TO*0..30]->(root:Organization)
WHERE NOT EXISTS { (root)-[:SUBORDINATE_TO]->(:Organization) }
WITH o, p ORDER BY length(p) DESC
WITH o, collect(p)[0] AS p
RETURN o.id AS id, CASE WHEN p IS NULL THEN [o.id] ELSE [n IN nodes(p) | n.id] END AS chain
"""

ORG_NAMES = "UNWIND $ids AS id MATCH (o:Organization {id: id}) RETURN o.id AS id, o.name AS name"

# Regions of entities (for --region): units and grids as above; organisations their own;
# members their home organisation's.
ORG_REGIONS = """
UNWIND $ids AS id MATCH (o:Organization {id: id})
OPTIONAL MATCH (o)-[:IN_REGION]->(r:Region)
WITH o, r ORDER BY r.code
RETURN o.id AS id, collect(r.code)[0] AS region
"""

REGION_SUBTREE = """
MATCH (top:Region {code: $code})
MATCH (r:Region)-[:PART_OF*0..8]->(top)
RETURN DISTINCT r.code AS code
"""
