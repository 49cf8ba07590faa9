"""The unit inside an organisation row (docs/ledgers.md, "The unit inside an organisation row").

An export of the 全国党员管理信息系统 gives each organisation's unit in its own row: 单位名称,
法人单位统一社会信用代码, 单位性质类别, 在岗职工人数 and 党组织所在单位情况. Each such row creates the
unit or links the one the graph (or this load's 单位 ledger) already has:

- by its 统一社会信用代码 when given, else by its name (in the form names are compared in:
  ``graph.name_forms``); a name two units share links neither (a warning names their codes);
- a unit not found is created, keyed by its 统一社会信用代码, else by a code made from its name
  (``DW-`` …, the same in every load), with its kind, 统一社会信用代码 and 从业人员数;
- 党组织所在单位情况 says the link: 法人单位 (also 非法人单位, or blank for any organisation but a
  联合党支部) — the organisation is established in it (ESTABLISHED_IN); 联合党支部 (or blank for a
  联合党支部) — it covers it (COVERS), and a cell may list several units; 与上级党组织相同 — it is
  established in its parent's unit (its parent as this load links it, that parent's unit as
  this load or the graph has it).

The rows are set aside as the organisations land (on disk: ``ingest.scratch.Spool``). Their
units are found or made once every node of the load is in (a unit of the 单位 ledger of the same
load is there to be found) and before any reference is resolved (a roster's 工作单位 may name a
unit made here); 与上级党组织相同 waits until the load has linked every parent.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.model import OrgKind, UnitSituation
from graph.name_forms import forms_of, keys_of, name_key
from graph.store import RelRow
from ingest.checks import unit_key_of_name
from ingest.guard import OUTSIDE
from ingest.scratch import SeenKeys, Spool

if TYPE_CHECKING:
    from ingest.ledgers import Ledger
    from ingest.report import IngestReport
    from ingest.rows import ParsedRow

SAME = UnitSituation.SAME_AS_PARENT.value
JOINT = UnitSituation.JOINT.value
_MAX_DEPTH = 20  # 与上级党组织相同 up a chain of parents at most this far


class RowUnit(NamedTuple):
    """One organisation row's unit, as read (what a later load compares, too)."""

    org: str
    situation: str | None
    names: tuple[str, ...]
    uscc: str | None
    kind: str | None
    employees: int | None
    row: int
    region: str | None = None  # the organisation's 区划代码: where a unit made from the row lies


def read(ledger: Ledger, parsed: ParsedRow) -> RowUnit | None:
    """The unit an organisation row names (None when it names none)."""
    spec = ledger.unit_in_row
    if spec is None:
        return None
    v = parsed.values
    name, uscc, situation = v.get(spec.name), v.get(spec.uscc), v.get(spec.situation)
    if name is None and uscc is None and situation != SAME:
        return None
    if situation is None:  # blank: a joint branch covers the unit it names, any other is in it
        situation = JOINT if v.get(spec.org_kind) == OrgKind.JOINT_BRANCH.value else UnitSituation.LEGAL.value
    # a joint branch may name several units (甲公司、乙公司); its one 统一社会信用代码 then names none of them
    names = tuple(p for p in _split(name) if p) if name and situation == JOINT else ((name,) if name else ())
    org = str(v[ledger.key[0]])
    return RowUnit(org, situation, names, uscc if len(names) <= 1 else None, v.get(spec.kind), v.get(spec.employees),
                   parsed.row, v.get(spec.region))


def _split(name: str) -> list[str]:
    out, part = [], ""
    for ch in name:
        if ch in ";；、":
            out.append(part.strip())
            part = ""
        else:
            part += ch
    return out + [part.strip()]


class RowUnits:
    """The organisation rows' units of one load (see the module docstring)."""

    def __init__(self, chunk: int) -> None:
        self.spool = Spool(chunk)
        self.same: dict[str, tuple[int, RowUnit]] = {}  # 与上级党组织相同: org -> (source, its row)
        self.parents: dict[str, str] = {}  # those organisations' parents, as this load linked them
        self.made = self.linked = 0
        self.unit_of: dict[str, str] = {}  # organisation -> the unit its row says it is established in
        self.written: set[str] = set()  # the units this load wrote

    def add(self, source: int, unit: RowUnit) -> None:
        if unit.situation == SAME:
            self.same[unit.org] = (source, unit)
        else:
            self.spool.add((source, unit))

    def parent_linked(self, org: str, parent: str) -> None:
        """This load linked ``org`` to its parent (kept for those whose unit is the parent's)."""
        if org in self.same:
            self.parents[org] = parent

    def close(self) -> None:
        self.spool.close()

    # --- once every node and link is in -----------------------------------------------------
    def land(self, load: Any, seen: SeenKeys, report: IngestReport,
             write_nodes: Callable[[list[dict[str, Any]]], None],
             write_links: Callable[[str, str, str, list[RelRow]], None]) -> None:
        """Create or link each row's unit; ``load`` is the :class:`~ingest.loader.Loader` (its
        store, sources, provenance and lookups). A unit made (or written again) from a row lies
        where its organisation does (the row's 区划代码)."""
        unit_of = self.unit_of
        for chunk in self.spool.chunks():
            found, forbidden = self._find(load, seen, chunk)
            nodes: list[dict[str, Any]] = []
            links: dict[str, list[RelRow]] = defaultdict(list)
            for source, u in chunk:
                rel = "COVERS" if u.situation == JOINT else "ESTABLISHED_IN"
                for i, name in enumerate(u.names or (None,)):
                    written = len(nodes)
                    key = self._unit(load, report, source, u, name, found, forbidden, nodes)
                    if key is None:
                        continue
                    links[rel].append(RelRow(u.org, key, load.provenance(source, u.row)))
                    if len(nodes) > written and u.region:
                        links["IN_REGION"].append(RelRow(key, u.region, load.provenance(source, u.row)))
                    if rel == "ESTABLISHED_IN" and i == 0:
                        unit_of[u.org] = key
            if nodes:
                write_nodes(nodes)
                seen.also_landed("units", [(n["id"], n["src_row"], n["name"], forms_of("Unit", n)) for n in nodes])
            for rel, rows in links.items():
                write_links(rel, "Unit" if rel == "IN_REGION" else "Organization",
                            "Region" if rel == "IN_REGION" else "Unit", rows)

    def _find(self, load: Any, seen: SeenKeys, chunk: list[tuple[int, RowUnit]]
              ) -> tuple[dict[str, set[str]], set[str]]:
        """The units of this load and of the graph each 统一社会信用代码 and name of ``chunk`` names
        (for a scoped writer, those it may see), and the keys, 统一社会信用代码 and names of units it
        may not see (neither written nor made again: outside its scope)."""
        asked = {u.uscc for _, u in chunk if u.uscc} | {name_key(n) for _, u in chunk for n in u.names}
        found: dict[str, set[str]] = defaultdict(set)
        for form, keys in seen.named("units", asked).items():
            found[form] |= keys
        forbidden: set[str] = set()
        if "Unit" not in load.fresh:
            for form, keys in load.store.keys_by_name("Unit", asked | {n for _, u in chunk for n in u.names}).items():
                form = form if form in asked else name_key(form)
                found[form] |= {k for k in keys if load.allows("Unit", k)}
                if any(not load.allows("Unit", k) for k in keys):
                    forbidden.add(form)  # (a public register's name or code: no secret to keep)
            if load.guard is not None:
                made = {u.uscc or unit_key_of_name(n) for _, u in chunk for n in u.names}
                forbidden |= {k for k in load.store.existing_keys("Unit", made) if not load.allows("Unit", k)}
        return found, forbidden

    def _unit(self, load: Any, report: IngestReport, source: int, u: RowUnit, name: str | None,
              found: dict[str, set[str]], forbidden: set[str], nodes: list[dict[str, Any]]) -> str | None:
        """The key of the unit ``name`` (or the row's 统一社会信用代码) names: found, or made."""
        hits = found.get(u.uscc, set()) if u.uscc else set()
        if not hits and name:
            hits = found.get(name_key(name), set())
        if len(hits) > 1:
            shown = "、".join(sorted(hits)[:5]) + ("等" if len(hits) > 5 else "")
            what = "名称" if name else "统一社会信用代码"
            load.warn(report, source, u.row, "单位名称", name or u.uscc,
                      f"「{name or u.uscc}」是 {len(hits)} 个单位的{what}（编码 {shown}），未关联所在单位")
            return None
        made = u.uscc or (unit_key_of_name(name) if name else None)
        if made is None:
            return None
        key = next(iter(hits)) if hits else made
        if hits and (key != made or key in self.written):  # a unit of a 单位 ledger (its own row
            self.linked += 1  # says what it is), or one this load wrote already
            return key
        if key in forbidden or (not hits and ((u.uscc or "") in forbidden or (name and name_key(name) in forbidden))):
            # another street's unit: a scoped writer neither changes nor duplicates it
            load.warn(report, source, u.row, "单位名称", name or u.uscc, OUTSIDE + "，未关联所在单位")
            return None
        node: dict[str, Any] = {"id": key, "name": name, "uscc": u.uscc, "kind": u.kind, "employees": u.employees}
        node = {k: v for k, v in node.items() if v is not None}
        if "name" not in node:  # a 统一社会信用代码 with no name: only a unit already there
            return key if hits else None
        node.update(keys_of("Unit", node), **load.provenance(source, u.row))
        nodes.append(node)
        self.written.add(key)  # (written once a load: a first load's import files take a key once)
        load.place("Unit", key)
        if hits:
            self.linked += 1
        else:
            self.made += 1
            found[made].add(key)  # a later row naming it again finds it
            found[name_key(name or "")].add(key)
        return key

    def same_as_parent(self, load: Any, write_links: Callable[[str, str, str, list[RelRow]], None]) -> None:
        """与上级党组织相同: the parent's unit (up the chain of such parents), once this load's
        parents are linked (:meth:`parent_linked`)."""
        parents, unit_of = self.parents, {o: u for o, u in self.unit_of.items() if o in set(self.parents.values())}
        unresolved = [org for org in self.same if org in parents]
        outside = {parents[o] for o in unresolved if parents[o] not in unit_of and parents[o] not in self.same}
        unit_of.update(load.established_in(outside))
        rows = []
        for _ in range(_MAX_DEPTH):
            later = []
            for org in unresolved:
                unit = unit_of.get(parents[org])
                if unit is None and parents[org] in self.same and parents[org] in parents:
                    later.append(org)  # its parent takes its own parent's: next round
                    continue
                if unit is not None and load.allows("Unit", unit):
                    source, u = self.same[org]
                    unit_of[org] = unit
                    rows.append(RelRow(org, unit, load.provenance(source, u.row)))
            if len(later) == len(unresolved):
                break
            unresolved = later
        self.linked += len(rows)
        if rows:
            write_links("ESTABLISHED_IN", "Organization", "Unit", rows)

