"""The gap rules of docs/domain.md, one self-describing entry each (:class:`Rule`), in a file per
family. Importing this package registers them all, in this order.

To add a rule, see docs/architecture.md: its entry in the family's file (with any new threshold
and its default), the threshold in ``graph/policy.yaml`` if it should be shown to users, and a
test. Nothing else changes: the engines, the API, the CLI, the views and the exports read the
registry.
"""
from graph.rules import grids, members, organizations, pairings, units  # noqa: F401 (they register)
from graph.rules.base import (
    CURRENT_CYPHER,
    RULES,
    Row,
    Rule,
    days_between,
    pairing_current,
    register,
    rule_params,
    unregister,
)

# the order users read them in: U, G, M, O, P (each family registers when imported)
_ORDER = "UGMOP"
for _id in sorted(RULES, key=lambda r: (_ORDER.index(r[0]) if r[0] in _ORDER else len(_ORDER), r)):
    RULES[_id] = RULES.pop(_id)


def rules_of_group(group: str) -> list[str]:
    """The ids of a group's rules (e.g. 结对: P1–P4), in order."""
    return [r for r, rule in RULES.items() if rule.group == group]


__all__ = ["CURRENT_CYPHER", "RULES", "Row", "Rule", "days_between",
           "pairing_current", "register", "rule_params", "rules_of_group", "unregister"]
