"""Organisation rules (O1–O4): branches too small or too large, terms overdue, joint branches
covering too many units (支部工作条例, 2018)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graph.rules.base import Row, Rule, days_between, live, register

STOPPED = "停止党籍"  # an end of a member (graph.ends) that its branch's gap mentions


def _branches(g: Any, p: Row, field: str, counted: Callable[[tuple[str, str]], bool],
              is_gap: Callable[[int], bool]) -> Iterator[Row]:
    """Branches whose count of members (those ``counted``; an ended member is not) ``is_gap``,
    with that count as ``field``, and the members whose 党籍 is stopped as ``stopped`` (kept on
    the roll, not counted: the gap says so)."""
    for n, a in g.nodes("Organization"):
        if a.get("kind") in p["branch_kinds"]:
            count = sum(1 for m, _ in g.ins(n, "MEMBER_OF", "Member") if counted(m))
            if is_gap(count):
                stopped = sum(1 for m, _ in g._ins_all(n, "MEMBER_OF", "Member")
                              if m in g.gone and g.prop(m, "end_reason") == STOPPED)
                yield {"id": n[1], "name": a.get("name"), field: count, "stopped": stopped}


def _not_counted(f: Row) -> str:
    return f"（另有 {f['stopped']} 名停止党籍，不计入）" if f.get("stopped") else ""


# the members of a branch whose 党籍 is stopped by $as_of (graph.ends), said beside the count
_STOPPED = ("COUNT { MATCH (s:Member)-[:MEMBER_OF]->(o) WHERE s.end_reason = '" + STOPPED + "' AND NOT "
            + live("s") + " } AS stopped")


def _o1(g: Any, p: Row) -> Iterator[Row]:
    return _branches(g, p, "formal", lambda m: bool(g.prop(m, "category") == p["formal"]),
                     lambda n: n < p["o1_min_formal"])


register(Rule(
    "O1", "党支部不足三名正式党员", "Organization", "党组织",
    message=lambda f, p: f"正式党员 {f['formal']} 名，不足 {p['o1_min_formal']} 名" + _not_counted(f),
    cypher="""
MATCH (o:Organization) WHERE o.kind IN $branch_kinds AND """ + live("o") + """
WITH o, COUNT { (m:Member {category: $formal})-[:MEMBER_OF]->(o) WHERE """ + live("m") + """ } AS formal
WHERE formal < $o1_min_formal
RETURN o.id AS id, o.name AS name, formal, """ + _STOPPED,
    walk=_o1,
))


def _o2(g: Any, p: Row) -> Iterator[Row]:
    return _branches(g, p, "members", lambda m: True, lambda n: n > p["o2_max_members"])


register(Rule(
    "O2", "党支部规模超限", "Organization", "党组织",
    message=lambda f, p: f"党员 {f['members']} 名，超过 {p['o2_max_members']} 名" + _not_counted(f),
    cypher="""
MATCH (o:Organization) WHERE o.kind IN $branch_kinds AND """ + live("o") + """
WITH o, COUNT { (m:Member)-[:MEMBER_OF]->(o) WHERE """ + live("m") + """ } AS members
WHERE members > $o2_max_members
RETURN o.id AS id, o.name AS name, members, """ + _STOPPED,
    walk=_o2,
))


def _o3(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Organization"):
        if a.get("term_ends") is not None and a["term_ends"] < p["as_of"]:
            yield {"id": n[1], "name": a.get("name"), "term_ends": a["term_ends"]}


register(Rule(
    "O3", "换届逾期", "Organization", "党组织",
    message=lambda f, p: f"届满日期 {f['term_ends']}，换届已逾期 {days_between(f['as_of'], f['term_ends'])} 天",
    cypher="""
MATCH (o:Organization) WHERE o.term_ends < $as_of AND """ + live("o") + """
RETURN o.id AS id, o.name AS name, o.term_ends AS term_ends""",
    walk=_o3,
))


def _o4(g: Any, p: Row) -> Iterator[Row]:
    for n, a in g.nodes("Organization"):
        if a.get("kind") == p["joint_kind"]:
            covered = sum(1 for _ in g.outs(n, "COVERS", "Unit"))
            if covered > p["o4_max_covered"]:
                yield {"id": n[1], "name": a.get("name"), "covered": covered}


register(Rule(
    "O4", "联合党支部覆盖过多", "Organization", "党组织",
    message=lambda f, p: f"覆盖单位 {f['covered']} 个，超过 {p['o4_max_covered']} 个",
    cypher="""
MATCH (o:Organization {kind: $joint_kind}) WHERE """ + live("o") + """
WITH o, COUNT { (o)-[:COVERS]->(u:Unit) WHERE """ + live("u") + """ } AS covered
WHERE covered > $o4_max_covered
RETURN o.id AS id, o.name AS name, covered""",
    walk=_o4,
))
