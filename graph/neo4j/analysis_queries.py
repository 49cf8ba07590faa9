"""The Cypher of the analyses beside the gap rules (whose Cypher is in their entries,
``graph.rules``): the trees, the regions of entities, coverage facts, the views' questions. All
values are parameters (``graph.rules.rule_params``).
"""
from __future__ import annotations

from graph.ends import live_cypher as live
from graph.model import label_spec, rel_spec
from graph.rules import CURRENT_CYPHER as _CURRENT

# What a meeting and the coverage count is what has not ended by $as_of (graph.ends); regions,
# contexts and scope see everything (an ended thing is still where it was).

# --- the trees and the regions of entities ------------------------------------------------------
# The region of a unit (or grid): its own IN_REGION, else the nearest container's (the
# containers walked only for those without their own: most have one).
_REGIONS_OF = """
{match}
OPTIONAL MATCH (e)-[:IN_REGION]->(own:Region)
WITH e, min(own.code) AS own
CALL {{
  WITH e, own
  WITH e WHERE own IS NULL
  OPTIONAL MATCH p = (e)-[:PART_OF*1..5]->(:{label})-[:IN_REGION]->(r:Region)
  WITH r ORDER BY length(p), r.code
  RETURN collect(r.code)[0] AS up
}}
RETURN e.id AS id, e.name AS name, e.kind AS kind, coalesce(own, up) AS region
"""


def regions_of(label: str, every: bool = False) -> str:
    """Of the units or grids in ``$ids``, or of every one."""
    if label not in ("Unit", "Grid"):
        raise ValueError(label)
    match = f"MATCH (e:{label})" if every else f"UNWIND $ids AS id MATCH (e:{label} {{id: id}})"
    return _REGIONS_OF.format(label=label, match=match)


# the units a meeting counts as covered (graph.history.changes.meeting_state)
COVERED_UNITS = _REGIONS_OF.format(
    label="Unit", match=f"MATCH (e:Unit) WHERE {live('e')} "
                        f"AND EXISTS {{ (o:Organization)-[:ESTABLISHED_IN|COVERS]->(e) WHERE {live('o')} }}")

# each member's organisation, as a meeting counts transfers: a few columns per member in chunks,
# not every member's and link's properties (5 s -> 0.4 s at 100k members)
MEMBERSHIPS = f"""
MATCH (m:Member)-[:MEMBER_OF]->(o:Organization) WHERE {live("m")} AND {live("o")}
RETURN m.id AS id, m.name AS name, max(o.id) AS org
"""


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

ORG_TREE = f"""
MATCH (o:Organization) WHERE {live("o")}
OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(p:Organization) WHERE {live("p")}
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

HOMELESS_MEMBERS = """
MATCH (m:Member) WHERE NOT EXISTS { (m)-[:MEMBER_OF]->(:Organization) }
RETURN m.id AS id
"""

MEMBER_UNITS = """
UNWIND $ids AS id MATCH (m:Member {id: id})
OPTIONAL MATCH (m)-[:WORKS_AT]->(w:Unit)
WITH m, min(w.id) AS work
OPTIONAL MATCH (m)-[:LIVES_IN]->(h:Unit)
WITH m, work, min(h.id) AS home
RETURN m.id AS id, coalesce(work, home) AS unit
"""

MEMBERS_AT_HOME_IN = """
UNWIND $orgs AS oid MATCH (:Organization {id: oid})<-[:MEMBER_OF]-(m:Member)
WITH DISTINCT m
MATCH (m)-[:MEMBER_OF]->(h:Organization)
WITH m, min(h.id) AS home WHERE home IN $orgs
RETURN m.id AS id
"""

# --- coverage facts (rolled up the trees in graph.analyses.coverage) ----------------------------
UNIT_FACTS = f"""
MATCH (u:Unit) WHERE u.kind IN $coverable AND {live("u")}
OPTIONAL MATCH p = (u)-[:PART_OF*0..5]->(:Unit)-[:IN_REGION]->(r:Region)
WITH u, r ORDER BY length(p), r.code
WITH u, collect(r.code)[0] AS region
RETURN u.id AS id, u.kind AS kind, region,
       EXISTS {{ (o:Organization)-[:ESTABLISHED_IN]->(u) WHERE {live("o")} }} AS established,
       EXISTS {{ (o:Organization)-[:ESTABLISHED_IN|COVERS]->(u) WHERE {live("o")} }} AS covered
"""

GRID_FACTS = f"""
MATCH (g:Grid {{level: $general_grid}}) WHERE {live("g")}
OPTIONAL MATCH p = (g)-[:PART_OF*0..5]->(:Grid)-[:IN_REGION]->(r:Region)
WITH g, r ORDER BY length(p), r.code
WITH g, collect(r.code)[0] AS region
RETURN g.id AS id, region, EXISTS {{ (o:Organization)-[:ON_GRID]->(g) WHERE {live("o")} }} AS has_org
"""

MOBILE_FACTS = f"""
MATCH (m:Member {{mobile: true}}) WHERE {live("m")}
OPTIONAL MATCH (m)-[:MEMBER_OF]->(o:Organization)
WITH m, min(o.id) AS org
WITH org, EXISTS {{ (m)-[:MOBILE_TO]->(x:Organization) WHERE {live("x")} }} AS managed
RETURN org, count(*) AS total, sum(CASE WHEN managed THEN 1 ELSE 0 END) AS managed
"""

PAIRABLE_FACTS = f"""
MATCH (o:Organization) WHERE o.kind IN $pairable AND o.sector IN $pair_sectors AND {live("o")}
RETURN o.id AS id,
       EXISTS {{ MATCH (o)-[r:PAIRED_WITH]-(x:Organization) WHERE {_CURRENT} AND {live("x")} }} AS paired
"""

PAIRING_COUNTS = f"""
MATCH (o:Organization)-[r:PAIRED_WITH]-(x:Organization) WHERE {_CURRENT} AND {live("o")} AND {live("x")}
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

PAIRING_RELS = f"""
MATCH (a:Organization)-[r:PAIRED_WITH]->(b:Organization) WHERE {live("a")} AND {live("b")}
RETURN a.id AS from, b.id AS to, r.form AS form, r.since AS since, r.until AS until
ORDER BY a.id, b.id, r.form
"""

# What a grid's or a building's name needs to be told apart (graph.analyses.context): a grid's
# region (its own, else its parent grid's) and its parent grid; a 楼栋's compound, else region.
GRID_CONTEXT = """
UNWIND $ids AS id MATCH (e:Grid {id: id})
OPTIONAL MATCH (e)-[:PART_OF]->(p:Grid)
WITH e, p ORDER BY p.id
WITH e, collect(p)[0] AS p
OPTIONAL MATCH (e)-[:IN_REGION]->(r:Region)
WITH e, p, r ORDER BY r.code
WITH e, p, collect(r)[0] AS r
OPTIONAL MATCH (p)-[:IN_REGION]->(pr:Region)
WITH e, p, r, pr ORDER BY pr.code
WITH e, p, r, collect(pr)[0] AS pr
WITH e, p, coalesce(r, pr) AS r
RETURN e.id AS id, [x IN [r.name, p.name] WHERE x IS NOT NULL] AS context
"""

UNIT_CONTEXT = """
UNWIND $ids AS id MATCH (e:Unit {id: id}) WHERE e.kind IN $kinds
OPTIONAL MATCH (e)-[:PART_OF]->(p:Unit)
WITH e, p ORDER BY p.id
WITH e, collect(p)[0] AS p
OPTIONAL MATCH (e)-[:IN_REGION]->(r:Region)
WITH e, p, r ORDER BY r.code
WITH e, p, collect(r)[0] AS r
RETURN e.id AS id, [x IN [coalesce(p.name, r.name)] WHERE x IS NOT NULL] AS context
"""
