"""Member rules (M1–M4): members nobody manages — mobile members without an inflow
organisation or out of contact, members with no known organisation, in-service members who have
not reported to their residence community."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.rules.base import Row, Rule, days_between, live, register


def _m1(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Member"):
        if a.get("mobile") is True and not any(g.outs(n, "MOBILE_TO", "Organization")):
            yield {"id": n[1], "name": a.get("name")}


register(Rule(
    "M1", "流动党员未纳入管理", "Member", "党员",
    message=lambda f, p: "流动党员，未纳入流入地党组织管理",
    cypher="""
MATCH (m:Member {mobile: true}) WHERE """ + live("m") + """
  AND NOT EXISTS { (m)-[:MOBILE_TO]->(o:Organization) WHERE """ + live("o") + """ }
RETURN m.id AS id, m.name AS name""",
    walk=_m1,
))


def _m2(g: Any, p: Row) -> Iterator[Row]:
    orgs = g.store.keys_by_label["Organization"]
    for n, a in g.nodes("Member"):
        code = a.get("org_code")
        if code is None or code not in orgs:
            yield {"id": n[1], "name": a.get("name"), "org_code": code, "org_ended": None, "org_end_reason": None}
        elif ("Organization", code) in g.gone:  # its organisation was dissolved
            o = ("Organization", code)
            yield {"id": n[1], "name": a.get("name"), "org_code": code, "org_ended": g.prop(o, "ended"),
                   "org_end_reason": g.prop(o, "end_reason")}


def _m2_message(f: Row, p: Row) -> str:
    if f.get("org_ended"):  # a data problem to act on: its members' organisation relations
        return (f"所在党组织 {f['org_code']} 已于 {f['org_ended']} {f.get('org_end_reason') or '撤销'}，"
                "请转接组织关系")
    return f"所在党组织编码 {f.get('org_code') or '（空）'} 不是已知的党组织"


register(Rule(
    "M2", "党员无所在组织", "Member", "党员",
    message=_m2_message,
    # the first test walks the member's own MEMBER_OF (cheap), so the index is asked only for
    # members whose relationship does not already name their organisation
    cypher="""
MATCH (m:Member) WHERE """ + live("m") + """ AND (m.org_code IS NULL OR
  NOT EXISTS { MATCH (m)-[:MEMBER_OF]->(x:Organization) WHERE x.id = m.org_code AND """ + live("x") + """ })
OPTIONAL MATCH (o:Organization) WHERE o.id = m.org_code
WITH m, o WHERE o IS NULL OR NOT """ + live("o") + """
RETURN m.id AS id, m.name AS name, m.org_code AS org_code, o.ended AS org_ended, o.end_reason AS org_end_reason""",
    walk=_m2,
))


def _m3(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Member"):
        if (a.get("retired") or False) is not False or any(g.outs(n, "REPORTS_TO", "Organization")):
            continue
        units = sorted(u for u, _ in g.outs(n, "WORKS_AT", "Unit") if g.prop(u, "kind") in p["m3_work_kinds"])
        if units:
            u = g.g.nodes[units[0]]
            yield {"id": n[1], "name": a.get("name"), "work_kind": u.get("kind"), "work_name": u.get("name")}


register(Rule(
    "M3", "在职党员未报到", "Member", "党员",
    message=lambda f, p: f"在{f['work_kind']}「{f['work_name']}」工作，未到居住地社区报到",
    cypher="""
MATCH (m:Member)-[:WORKS_AT]->(u:Unit)
WHERE coalesce(m.retired, false) = false AND u.kind IN $m3_work_kinds AND """ + live("m") + " AND " + live("u") + """
  AND NOT EXISTS { (m)-[:REPORTS_TO]->(o:Organization) WHERE """ + live("o") + """ }
WITH m, u ORDER BY u.id
WITH m, collect(u)[0] AS u
RETURN m.id AS id, m.name AS name, u.kind AS work_kind, u.name AS work_name""",
    walk=_m3,
))


def _m4(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Member"):
        if a.get("mobile") is True and (a.get("last_contact") is None or a["last_contact"] < p["m4_cutoff"]):
            yield {"id": n[1], "name": a.get("name"), "last_contact": a.get("last_contact")}


def _m4_message(f: Row, p: Row) -> str:
    if not f.get("last_contact"):
        return "流动党员，无联系记录"
    return (f"流动党员，最近联系 {f['last_contact']}，已 {days_between(f['as_of'], f['last_contact'])} 天未联系"
            f"（>{p['m4_lost_contact_days']}）")


register(Rule(
    "M4", "流动党员失联风险", "Member", "党员",
    message=_m4_message,
    cypher="""
MATCH (m:Member {mobile: true}) WHERE (m.last_contact IS NULL OR m.last_contact < $m4_cutoff) AND """ + live("m") + """
RETURN m.id AS id, m.name AS name, m.last_contact AS last_contact""",
    walk=_m4,
))
