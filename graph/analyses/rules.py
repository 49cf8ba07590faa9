"""The gap rules of domain.md: ids, titles, which entity each one flags, and its message.

Both engines (``memory_engine``, ``neo4j_engine``) return, per rule, rows with the entity's id,
name and the figures that make it a gap; this module turns them into messages. The parameters
both engines get are computed here once from the policy and the as-of date, so the two cannot
disagree on a threshold or a date window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from graph.policy import Policy


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    entity: str  # the label of the entity flagged ("Pairing" for P3/P4)
    group: str  # 单位 / 网格 / 党员 / 党组织 / 结对

    def message(self, f: dict[str, Any], p: Policy) -> str:
        return _MESSAGES[self.id](f, p)


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("U1", "应单独组建", "Unit", "单位"),
        Rule("U2", "应联合组建", "Unit", "单位"),
        Rule("U3", "工作覆盖缺失", "Unit", "单位"),
        Rule("G1", "网格未建党组织", "Grid", "网格"),
        Rule("G2", "楼栋未建党小组", "Unit", "网格"),
        Rule("G3", "小区未建党组织", "Unit", "网格"),
        Rule("M1", "流动党员未纳入管理", "Member", "党员"),
        Rule("M2", "党员无所在组织", "Member", "党员"),
        Rule("M3", "在职党员未报到", "Member", "党员"),
        Rule("M4", "流动党员失联风险", "Member", "党员"),
        Rule("O1", "党支部不足三名正式党员", "Organization", "党组织"),
        Rule("O2", "党支部规模超限", "Organization", "党组织"),
        Rule("O3", "换届逾期", "Organization", "党组织"),
        Rule("O4", "联合党支部覆盖过多", "Organization", "党组织"),
        Rule("P1", "机关党组织未结对", "Organization", "结对"),
        Rule("P2", "基层党组织未结对", "Organization", "结对"),
        Rule("P3", "结对已到期", "Pairing", "结对"),
        Rule("P4", "结对有名无实", "Pairing", "结对"),
    )
}


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days


_MESSAGES = {
    "U1": lambda f, p: f"党员 {f['members']} 名（≥{p.u1_min_members}），未单独建立党组织"
                       + ("，目前仅被联合党组织覆盖" if f.get("covered") else ""),
    "U2": lambda f, p: f"党员 {f['members']} 名，未单独建立也未纳入联合党组织",
    "U3": lambda f, p: "无党员，未被党组织覆盖，也未选派党建工作指导员",
    "G1": lambda f, p: "一般网格未建立党组织",
    "G2": lambda f, p: f"居住党员 {f['residents']} 名（≥{p.g2_min_residents}），未建立党小组",
    "G3": lambda f, p: f"居住党员 {f['residents']} 名（≥{p.g3_min_residents}），小区未被党组织覆盖",
    "M1": lambda f, p: "流动党员，未纳入流入地党组织管理",
    "M2": lambda f, p: f"所在党组织编码 {f.get('org_code') or '（空）'} 不是已知的党组织",
    "M3": lambda f, p: f"在{f['work_kind']}「{f['work_name']}」工作，未到居住地社区报到",
    "M4": lambda f, p: (f"流动党员，最近联系 {f['last_contact']}，已 {_days(f['as_of'], f['last_contact'])} 天未联系"
                        f"（>{p.m4_lost_contact_days}）") if f.get("last_contact") else "流动党员，无联系记录",
    "O1": lambda f, p: f"正式党员 {f['formal']} 名，不足 {p.o1_min_formal} 名",
    "O2": lambda f, p: f"党员 {f['members']} 名，超过 {p.o2_max_members} 名",
    "O3": lambda f, p: f"届满日期 {f['term_ends']}，换届已逾期 {_days(f['as_of'], f['term_ends'])} 天",
    "O4": lambda f, p: f"覆盖单位 {f['covered']} 个，超过 {p.o4_max_covered} 个",
    "P1": lambda f, p: "机关党组织，无在期结对" + (f"（已有结对 {f['lapsed']} 个均不在期）" if f.get("lapsed") else ""),
    "P2": lambda f, p: f"{f.get('sector') or ''}党组织，无在期结对"
                       + (f"（已有结对 {f['lapsed']} 个均不在期）" if f.get("lapsed") else ""),
    "P3": lambda f, p: f"{f['form']}于 {f['until']} 到期，已过期 {_days(f['as_of'], f['until'])} 天",
    "P4": lambda f, p: f"近 {p.p4_window_days} 天共同开展活动 {f['activities']} 次，少于 {p.p4_min_activities} 次",
}
assert set(_MESSAGES) == set(RULES)


def pairing_current(props: dict[str, Any], as_of: str) -> bool:
    """A pairing is current when ``since`` is empty or ≤ as_of and ``until`` is empty or ≥ as_of
    (the Cypher twin is ``_CURRENT`` in neo4j_cypher.py).

    >>> pairing_current({"since": "2024-01-01", "until": "2025-06-30"}, "2025-06-30")
    True
    """
    return (props.get("since") or "") <= as_of and (props.get("until") is None or props["until"] >= as_of)


def _days_before(day: dt.date, days: int) -> str:
    """``day`` minus ``days`` as ISO text; the calendar's first day if that is before it."""
    try:
        return (day - dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return dt.date.min.isoformat()


def rule_params(policy: Policy, as_of: dt.date) -> dict[str, Any]:
    """The parameters every engine's rules take (dates as ISO strings, as stored)."""
    return {
        "as_of": as_of.isoformat(),
        "coverable": policy.coverable_kinds,
        "pairable": policy.pairable_kinds,
        "u1_min": policy.u1_min_members,
        "g2_min": policy.g2_min_residents,
        "g3_min": policy.g3_min_residents,
        "branch_kinds": policy.branch_kinds,
        "o1_min": policy.o1_min_formal,
        "o2_max": policy.o2_max_members,
        "o4_max": policy.o4_max_covered,
        "m3_kinds": policy.m3_work_kinds,
        # lost contact when the last contact is before this day
        "m4_cutoff": _days_before(as_of, policy.m4_lost_contact_days),
        "p1_sectors": policy.p1_sectors,
        "p2_sectors": policy.p2_sectors,
        "pair_sectors": policy.p1_sectors + policy.p2_sectors,  # who should be paired at all
        "p4_min": policy.p4_min_activities,
        # activities on or after this day count: the window's days up to and including as_of
        "p4_from": _days_before(as_of, policy.p4_window_days - 1),
        "instructor": "党建指导员",
        "group_kind": "党小组",
        "building": "楼栋",
        "compound": "小区",
        "general_grid": "一般网格",
        "joint_kind": "联合党支部",
        "formal": "正式",
    }
