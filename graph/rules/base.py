"""What a gap rule is, the registry of them, and the parameters every rule is run with.

A rule is one :class:`Rule` entry: its id, title, the entity it flags, its group and colour, its
message, the Cypher that finds its gaps in Neo4j and the walk that finds the same rows in the
embedded store, side by side in its family's file (``units``, ``grids``, ``members``,
``organizations``, ``pairings``). Both engines are generic: they run an entry's ``cypher`` or its
``walk`` and know nothing of the rule. A rule's thresholds are parameters named as in the policy
(``$u1_min_members``); a new rule may declare new ones with their defaults (``thresholds``), which
a policy file can then set.

>>> RULES["U1"].title
'应单独组建'
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph import model as m
from graph.ends import live_cypher as live
from graph.policy import Policy

Row = dict[str, Any]

# A pairing is current when ``since`` is empty or ≤ as_of and ``until`` is empty or ≥ as_of
# (the Python twin is :func:`pairing_current`).
CURRENT_CYPHER = "(coalesce(r.since, '') <= $as_of AND (r.until IS NULL OR r.until >= $as_of))"
# Every node a rule counts has not ended by $as_of (graph.ends): ``live("u")`` in its Cypher; the
# memory engine's walk helpers pass over ended nodes the same way.
__all__ = ["CURRENT_CYPHER", "live"]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    entity: str  # the label of the entity flagged ("Pairing" for a pairing)
    group: str  # 单位 / 网格 / 党员 / 党组织 / 结对
    message: Callable[[Row, Row], str]  # (the gap's figures with as_of, the parameters) -> text
    cypher: str  # returns one row per gap: id and name (or from/to), and the figures
    walk: Callable[[Any, Row], Iterable[Row]]  # (the memory engine, the parameters) -> the same rows
    thresholds: dict[str, int] = field(default_factory=dict)  # new policy parameters, defaults


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to the registry (a family file calls it for each of its rules)."""
    if not rule.cypher.strip() or not callable(rule.walk):
        raise ValueError(f"规则 {rule.id} 缺少 Cypher 或 Python 实现")
    RULES[rule.id] = rule
    return rule


def unregister(rule_id: str) -> None:
    RULES.pop(rule_id, None)


def declared_thresholds() -> dict[str, int]:
    """Every threshold a registered rule declares beyond the policy's own fields."""
    return {k: v for rule in RULES.values() for k, v in rule.thresholds.items()}


def pairing_current(props: dict[str, Any], as_of: str) -> bool:
    """A pairing is current when ``since`` is empty or ≤ as_of and ``until`` is empty or ≥ as_of
    (the Cypher twin is :data:`CURRENT_CYPHER`).

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


def days_between(a: str, b: str) -> int:
    return (dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days


def rule_params(policy: Policy, as_of: dt.date) -> Row:
    """The parameters every engine's rules take: the policy's values under their own names,
    the thresholds rules declare (the policy's value, else the rule's default), the dates
    worked out from them (ISO strings, as stored) and the domain's fixed terms."""
    params: Row = {**declared_thresholds(), **policy.model_dump()}
    params.update({
        "as_of": as_of.isoformat(),
        "coverable": policy.coverable_kinds,
        "pairable": policy.pairable_kinds,
        # lost contact when the last contact is before this day
        "m4_cutoff": _days_before(as_of, policy.m4_lost_contact_days),
        "pair_sectors": policy.p1_sectors + policy.p2_sectors,  # who should be paired at all
        # activities on or after this day count: the window's days up to and including as_of
        "p4_from": _days_before(as_of, policy.p4_window_days - 1),
        "instructor": m.Role.INSTRUCTOR.value,
        "group_kind": m.OrgKind.GROUP.value,
        "building": m.UnitKind.BUILDING.value,
        "compound": m.UnitKind.COMPOUND.value,
        "general_grid": m.GridLevel.GENERAL.value,
        "joint_kind": m.OrgKind.JOINT_BRANCH.value,
        "formal": m.MemberCategory.FORMAL.value,
    })
    return params
