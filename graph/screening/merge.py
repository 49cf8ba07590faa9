"""Two nodes that are one unit (or one organisation) made one (#16): the node kept takes the
other's links and the values it lacks, and keeps the other's code as an alias, so a later ledger
with either code lands on it (``GraphStore.aliases``, read by the loader).

Written through the store interface only, so both backends merge alike. A scoped writer's merge
obeys the scoped-write rule of a load (``ingest.guard``): nothing gets linked to, or merged with,
what the writer cannot see — a merge that would is refused as if it were missing, before
anything is written.

>>> from graph.memory.store import MemoryStore
>>> from graph.store import RelRow
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "鑫源科技", "kind": "非公企业"},
...                             {"id": "DW9", "name": "鑫源科技有限公司", "kind": "非公企业", "uscc": "X"}])
>>> _ = s.upsert_nodes("Organization", [{"id": "Z1", "name": "鑫源科技党支部", "kind": "党支部"}])
>>> _ = s.upsert_relationships("ESTABLISHED_IN", "Organization", "Unit", [RelRow("Z1", "DW9")])
>>> merged = merge(s, "Unit", keep="DW1", drop="DW9")
>>> s.get("Unit", "DW9") is None, s.get("Unit", "DW1").props["aliases"], s.get("Unit", "DW1").props["uscc"]
(True, ['DW9'], 'X')
>>> [o.key for _, o in s.neighbours("Unit", "DW1")], s.aliases("Unit")
(['Z1'], {'DW9': 'DW1'})
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph.errors import InvalidInput, NotFoundError
from graph.model import PROVENANCE_ZH, ROW_DIGEST, label_spec
from graph.store import GraphStore, NodeRef, RelRow

MERGEABLE = {"Unit": "单位", "Organization": "党组织"}
OUTSIDE = "超出权限范围：并入的{kind}关联着本范围以外的党组织、单位、网格或区划，合并会把它们关联过来；请由管理员合并"


class Sees(Protocol):
    """What a scoped writer may see (``ingest.guard.WriteScope``)."""

    def allows(self, label: str, key: str) -> bool: ...


class OutsideScope(NotFoundError):
    pass
_OWN = {"aliases", *PROVENANCE_ZH, "data_problems"}  # never taken from the node merged away


@dataclass
class Merged:
    label: str
    keep: str
    keep_name: str
    drop: str
    drop_name: str
    links_moved: int
    filled: list[str] = field(default_factory=list)  # the properties the kept node took over

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "keep": self.keep, "keep_name": self.keep_name, "drop": self.drop,
                "drop_name": self.drop_name, "links_moved": self.links_moved, "filled": self.filled}

    def summary(self) -> str:
        return (f"{MERGEABLE[self.label]}“{self.drop_name}”（{self.drop}）已并入“{self.keep_name}”（{self.keep}）："
                f"转移关联 {self.links_moved} 条" + (f"，补充 {'、'.join(self.filled)}" if self.filled else "")
                + f"；以后台账中的 {self.drop} 都载入到 {self.keep}")


def merge(store: GraphStore, label: str, keep: str, drop: str, guard: Sees | None = None) -> Merged:
    """Make ``drop`` part of ``keep``: its links moved over (a link between the two is dropped),
    the values ``keep`` lacks filled from it, its code (and its own aliases) kept as aliases of
    ``keep``, then ``drop`` deleted. Members whose 所在党组织编码 named a merged organisation
    name the kept one. ``guard``: a scoped writer's, who must see both and every link moved."""
    if label not in MERGEABLE:
        raise InvalidInput(f"只能合并单位或党组织，不能合并 {label}")
    if keep == drop:
        raise InvalidInput("要合并的是同一个编码")
    k, d = store.get(label, keep), store.get(label, drop)
    for code, node in ((keep, k), (drop, d)):
        if node is None or (guard is not None and not guard.allows(label, code)):
            raise NotFoundError(f"未找到{MERGEABLE[label]} {code}")
    assert k is not None and d is not None
    links: dict[tuple[str, str, str], list[RelRow]] = defaultdict(list)
    moved = 0
    here, there = NodeRef(label, drop), NodeRef(label, keep)
    for rel, other in store.neighbours(label, drop):
        start = there if rel.start == here else rel.start
        end = there if rel.end == here else rel.end
        if start == end:  # a link between the two (a pairing of the two, one under the other)
            continue
        if guard is not None and not guard.allows(other.label, other.key):
            raise OutsideScope(OUTSIDE.format(kind=MERGEABLE[label]))
        links[(rel.type, start.label, end.label)].append(RelRow(start.key, end.key, dict(rel.props)))
        moved += 1
    filled = {p: v for p, v in d.props.items() if p not in _OWN and v not in (None, "", [])
              and k.props.get(p) in (None, "", [])}
    aliases = sorted({*(k.props.get("aliases") or ()), drop, *(d.props.get("aliases") or ())})
    members = [m.key for r, m in store.neighbours(label, drop, ["MEMBER_OF"], "in")
               if m.props.get("org_code") == drop] if label == "Organization" else []
    # both labels' key is id; no row digest: the next load writes the kept node from its row again,
    # as it would any row (its row is the truth for it and its links; ``ingest.unchanged``)
    store.upsert_nodes(label, [{"id": keep, **filled, "aliases": aliases, ROW_DIGEST: None}])
    for (rel_type, a, b), rows in links.items():
        store.upsert_relationships(rel_type, a, b, rows)
    if members:
        store.upsert_nodes("Member", [{"id": m, "org_code": keep} for m in members])
    store.delete_nodes(label, [drop])
    store.save()
    return Merged(label, keep, k.name, drop, d.name, moved,
                  [label_spec(label).field_zh(p) for p in sorted(filled)])
