"""Every Cypher statement of the analyses, in one place. All values are parameters (see
``graph.analyses.rules.rule_params``); the rules run in the database and return only the rows
that are gaps, with the figures that make them gaps.

A pairing is *current* when ``since`` is empty or ≤ as_of and ``until`` is empty or ≥ as_of.
"""
from __future__ import annotations

from graph.model import label_spec, rel_spec

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
    # the first test walks the member's own MEMBER_OF (cheap), so the index is asked only for
    # members whose relationship does not already name their organisation
    "M2": """
MATCH (m:Member)
WHERE m.org_code IS NULL OR (
  NOT EXISTS { MATCH (m)-[:MEMBER_OF]->(x:Organization) WHERE x.id = m.org_code }
  AND NOT EXISTS { MATCH (o:Organization) WHERE o.id = m.org_code })
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

# --- the trees and the regions of entities ------------------------------------------------------
# The region of a unit (or grid): its own IN_REGION, else the nearest container's.
_REGIONS_OF = """
{match}
OPTIONAL MATCH p = (e)-[:PART_OF*0..5]->(:{label})-[:IN_REGION]->(r:Region)
WITH e, r ORDER BY length(p), r.code
RETURN e.id AS id, e.kind AS kind, collect(r.code)[0] AS region
"""


def regions_of(label: str, every: bool = False) -> str:
    """Of the units or grids in ``$ids``, or of every one."""
    if label not in ("Unit", "Grid"):
        raise ValueError(label)
    match = f"MATCH (e:{label})" if every else f"UNWIND $ids AS id MATCH (e:{label} {{id: id}})"
    return _REGIONS_OF.format(label=label, match=match)


def linked_from_orgs(rel: str, label: str) -> str:
    """The ``label`` nodes that one of ``$orgs`` points to by ``rel`` (with ``$role``, if not null)."""
    return (f"UNWIND $orgs AS oid MATCH (:Organization {{id: oid}})-[r:{rel_spec(rel).name}]->"
            f"(x:{label_spec(label).name}) WHERE $role IS NULL OR r.role = $role RETURN DISTINCT x.id AS id")


REGION_TREE = """
MATCH (r:Region)
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
WITH r, min(p.code) AS parent
RETURN r.code AS code, r.name AS name, r.level AS level, parent
"""

ORG_TREE = """
MATCH (o:Organization)
OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(p:Organization)
WITH o, min(p.id) AS parent
OPTIONAL MATCH (o)-[:IN_REGION]->(r:Region)
WITH o, parent, min(r.code) AS region
RETURN o.id AS id, o.name AS name, o.kind AS kind, o.sector AS sector, region, parent,
       o.needs AS needs, o.resources AS resources
"""

HOME_ORGS = """
UNWIND $ids AS id MATCH (m:Member {id: id})
OPTIONAL MATCH (m)-[:MEMBER_OF]->(o:Organization)
RETURN m.id AS id, min(o.id) AS org
"""

MEMBERS_AT_HOME_IN = """
UNWIND $orgs AS oid MATCH (:Organization {id: oid})<-[:MEMBER_OF]-(m:Member)
WITH DISTINCT m
MATCH (m)-[:MEMBER_OF]->(h:Organization)
WITH m, min(h.id) AS home WHERE home IN $orgs
RETURN m.id AS id
"""

# --- coverage facts (rolled up the trees in graph.analyses.coverage) ----------------------------
UNIT_FACTS = """
MATCH (u:Unit) WHERE u.kind IN $coverable
OPTIONAL MATCH p = (u)-[:PART_OF*0..5]->(:Unit)-[:IN_REGION]->(r:Region)
WITH u, r ORDER BY length(p), r.code
WITH u, collect(r.code)[0] AS region
RETURN u.id AS id, u.kind AS kind, region,
       EXISTS { (:Organization)-[:ESTABLISHED_IN]->(u) } AS established,
       EXISTS { (:Organization)-[:ESTABLISHED_IN|COVERS]->(u) } AS covered
"""

GRID_FACTS = """
MATCH (g:Grid {level: $general_grid})
OPTIONAL MATCH p = (g)-[:PART_OF*0..5]->(:Grid)-[:IN_REGION]->(r:Region)
WITH g, r ORDER BY length(p), r.code
WITH g, collect(r.code)[0] AS region
RETURN g.id AS id, region, EXISTS { (:Organization)-[:ON_GRID]->(g) } AS has_org
"""

MOBILE_FACTS = """
MATCH (m:Member {mobile: true})
OPTIONAL MATCH (m)-[:MEMBER_OF]->(o:Organization)
WITH m, min(o.id) AS org
WITH org, EXISTS { (m)-[:MOBILE_TO]->(:Organization) } AS managed
RETURN org, count(*) AS total, sum(CASE WHEN managed THEN 1 ELSE 0 END) AS managed
"""

PAIRABLE_FACTS = f"""
MATCH (o:Organization) WHERE o.kind IN $pairable AND o.sector IN $pair_sectors
RETURN o.id AS id, EXISTS {{ MATCH (o)-[r:PAIRED_WITH]-(:Organization) WHERE {_CURRENT} }} AS paired
"""

PAIRING_COUNTS = f"""
MATCH (o:Organization)-[r:PAIRED_WITH]-(:Organization) WHERE {_CURRENT}
RETURN o.id AS id, count(r) AS n
"""

# --- for the views --------------------------------------------------------------------------------
ENTITIES_IN_REGIONS = """
MATCH (r:Region) WHERE r.code IN $codes
MATCH (e)-[:IN_REGION]->(r) WHERE e:Unit OR e:Grid OR e:Organization
RETURN labels(e)[0] AS label, e.id AS id
UNION
MATCH (r:Region) WHERE r.code IN $codes
MATCH (c:Unit)-[:PART_OF*1..3]->(:Unit)-[:IN_REGION]->(r)
RETURN 'Unit' AS label, c.id AS id
"""

# Entities a rejected ledger row left wrong (ingest.problems): label, key, the sentences.
DATA_PROBLEMS = """
MATCH (n) WHERE (n:Unit OR n:Grid OR n:Member OR n:Organization) AND n.data_problems IS NOT NULL
RETURN labels(n)[0] AS label, n.id AS id, n.data_problems AS problems
"""

PAIRING_RELS = """
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization)
RETURN a.id AS from, b.id AS to, r.form AS form, r.since AS since, r.until AS until
ORDER BY a.id, b.id, r.form
"""
