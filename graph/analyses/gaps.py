"""Coverage gaps: every rule of docs/domain.md evaluated as of a date, each gap with why (its
message and figures) and who must act (the responsible organisation and the path up to the root).

Who must act:
- a unit or grid gap: the industry / two-new working committee (党工委 of sector 行业) over the
  unit's region for units of the policy's ``industry_unit_kinds``; else the street or township
  党工委 over its region; else the nearest committee up the region tree;
- a member gap: the member's home organisation;
- an organisation gap (O and P1/P2): its parent organisation;
- a pairing gap (P3/P4): the parent of the pairing's first organisation.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部", "kind": "党支部", "term_ends": "2020-01-01"}])
>>> [(g.rule, g.message) for g in find_gaps(s, rules=["O3"], as_of=dt.date(2020, 1, 11))]
[('O3', '届满日期 2020-01-01，换届已逾期 10 天')]
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from graph.analyses.cache import cached_if_present
from graph.analyses.concurrent import at_once
from graph.analyses.context import names_in_context
from graph.analyses.engine import Engine, engine_for
from graph.analyses.kept import kept
from graph.analyses.responsibility import Responsibility
from graph.analyses.trees import OrgTree, load_trees
from graph.collector import collector_paused
from graph.errors import InvalidInput
from graph.model import LABELS
from graph.policy import Policy, load_policy
from graph.rules import RULES, rule_params
from graph.store import GraphStore

ENTITY_ZH = {**{k: v.zh for k, v in LABELS.items()}, "Pairing": "结对"}


class OrgRef(BaseModel):
    id: str
    name: str | None = None


# figures a rule returns only to say something when they are set (M2: its organisation's end)
_ONLY_WHEN_SET = frozenset({"org_ended", "org_end_reason"})


class Gap(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    rule: str = Field(description="规则编号")
    title: str = Field(description="缺口名称")
    entity: str = Field(description="实体类型（英文）")
    entity_zh: str = Field(description="实体类型")
    id: str = Field(description="实体编码")
    name: str | None = Field(None, description="实体名称")
    message: str = Field(description="说明（含判定依据的数字）")
    responsible: OrgRef | None = Field(None, description="负责补齐缺口的党组织")
    path: list[str] = Field(default_factory=list, description="从实体到根组织的编码链")
    path_names: list[str] = Field(default_factory=list, description="同一条链的名称")
    from_: str | None = Field(None, alias="from", description="结对甲方组织编码（P3/P4）")
    to: str | None = Field(None, description="结对乙方组织编码（P3/P4）")
    figures: dict[str, Any] = Field(default_factory=dict, description="判定用到的数字")
    region: str | None = Field(None, description="所在区划代码")
    data_problems: list[str] = Field(default_factory=list,
                                     description="数据问题：台账中未载入的行对该缺口的影响（先修正台账）")

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class UnknownRule(InvalidInput, ValueError):
    pass


def check_rules(rules: list[str] | None) -> list[str]:
    """The rules asked for, in their own order; several may be written in one (``U1,U2`` or
    ``U1、U2``, as 攻坚 campaigns are).

    >>> check_rules(["u1,U2", "P3"])
    ['U1', 'U2', 'P3']
    """
    if not rules:
        return list(RULES)
    wanted = [r.upper() for part in rules for r in re.split(r"[\s,，、;；]+", part) if r]
    bad = [r for r in wanted if r not in RULES]
    if bad:
        raise UnknownRule(f"未知的规则 unknown rule: {', '.join(bad)}（可选：{', '.join(RULES)}）")
    return [r for r in RULES if r in wanted]


def find_gaps(
    store: GraphStore,
    *,
    rules: list[str] | None = None,
    as_of: dt.date | None = None,
    policy: Policy | None = None,
    region: str | None = None,
    org: str | None = None,
    share: bool = False,
) -> list[Gap]:
    """The gaps of the given rules (all by default) as of ``as_of`` (today by default),
    optionally only those within a region's subtree, or those of an organisation's subtree (the
    gaps it or its subordinates must act on, its own, and pairings of its subordinates).

    ``share``: work out every rule's gaps once and cut the answer from them (a server asked about
    one rule after another); otherwise only the rules asked for are computed, unless every
    rule's answer is at hand already."""
    policy = policy or load_policy()
    as_of = as_of or dt.date.today()
    wanted = check_rules(rules)

    def compute(rules: list[str]) -> list[Gap]:
        params = rule_params(policy, as_of)
        engine = engine_for(store)
        by_entity: dict[str, list[str]] = defaultdict(list)
        for rule in sorted(rules, key=lambda r: _STARTS_FIRST.get(RULES[r].entity, len(_STARTS_FIRST))):
            by_entity[RULES[rule].entity].append(rule)
        with collector_paused():
            # the trees (read only here and by the filters below: an answer read from disk needs
            # none) and the data problems while the database works on the rules; each entity's
            # lookups as soon as its rules' rows are in, while the others' rules still run
            trees, problems, *groups = at_once(engine, [
                partial(load_trees, store), engine.data_problems,
                *(partial(_rows_and_lookups, engine, entity, group, params) for entity, group in by_entity.items())])
            regions, orgs = trees
            who = Responsibility(regions, orgs, policy)
            parts = [_explain(who, params, rows, problems, looked_up) for rows, looked_up in groups]
            order = {r: i for i, r in enumerate(RULES)}
            # (sorted with the collector paused too: a key per gap set off a full collection, 1.2 s)
            return sorted((g for part in parts for g in part), key=lambda g: (order[g.rule], g.id))

    def key(rules: list[str]) -> tuple[Any, ...]:
        return ("gaps", tuple(rules), as_of, policy.fingerprint)

    everything = list(RULES)
    # every rule's answer at hand (the API warms it at start): a rule's gaps are a slice of it
    every: list[Gap] | None
    if share:
        every = kept(store, key(everything), lambda: compute(everything))
    else:
        every = cached_if_present(store, key(everything), lambda: compute(everything))
    if every is None:
        gaps = kept(store, key(wanted), lambda: compute(wanted))
    elif wanted != everything:
        keep = set(wanted)
        gaps = [g for g in every if g.rule in keep]
    else:
        gaps = every
    if region:
        subtree = load_trees(store)[0].subtree(region)
        gaps = [g for g in gaps if g.region in subtree]
    if org:
        mine = concerns(org, load_trees(store)[1])
        gaps = [g for g in gaps if mine(g)]
    return gaps


def concerns(org: str, orgs: OrgTree) -> Callable[[Gap], bool]:
    """Whether a gap is ``org``'s to see to: ``org`` is on its path of responsibility, or — a
    pairing — over either side."""
    def mine(g: Gap) -> bool:
        if org in g.path:
            return True
        return g.entity == "Pairing" and any(org in orgs.chain(x) for x in (g.from_, g.to) if x)

    return mine


# The entity whose rules and lookups take the database longest first (M2 reads every member).
_STARTS_FIRST = {e: i for i, e in enumerate(["Member", "Unit", "Organization", "Grid", "Pairing"])}


class Lookups(NamedTuple):
    """What gaps need from the database beyond their rules' rows (per entity label)."""
    places: dict[str, list[dict[str, Any]]]  # Unit / Grid -> rows of id, kind, region
    homes: dict[str, str | None]  # member -> home organisation
    names: dict[tuple[str, str], str]  # (label, key) -> the name with its context
    # member of no known organisation -> the region of the unit they work at, else live in
    homeless: dict[str, str | None] = {}


def _rows_and_lookups(engine: Engine, entity: str, rules: list[str], params: dict[str, Any]
                      ) -> tuple[list[tuple[str, dict[str, Any]]], Lookups]:
    """The rows of ``rules`` (all of ``entity``) and their entities' lookups."""
    answers = at_once(engine, [partial(engine.rule_rows, r, params) for r in rules])
    rows = [(rule, row) for rule, found in zip(rules, answers, strict=True) for row in found]
    return rows, lookups(engine, entity, [row for _, row in rows])


def lookups(engine: Engine, entity: str, rows: list[dict[str, Any]]) -> Lookups:
    """For gaps of ``entity`` on ``rows``: the regions of units or grids, the home organisations
    of members, names in context."""
    if entity not in ("Unit", "Grid", "Member"):
        return Lookups({}, {}, {})
    keys = sorted({str(row["id"]) for row in rows})
    if entity == "Member":  # (a member's name needs no context)
        homes = engine.home_orgs(keys)
        homeless = [m for m in keys if homes.get(m) is None]
        units = engine.member_units(homeless) if homeless else {}
        regions = {r["id"]: r["region"] for r in engine.regions_of("Unit", sorted({u for u in units.values() if u}))
                   } if units else {}
        return Lookups({}, homes, {}, {m: regions.get(u) if u else None for m, u in units.items()})
    named = [(entity, str(row.get("id")), row.get("name")) for row in rows]
    places, names = at_once(engine, [partial(engine.regions_of, entity, keys),
                                     partial(names_in_context, engine, named)])
    return Lookups({entity: places}, {}, names)


def _responsible(who: Responsibility, rows: list[tuple[str, dict[str, Any]]],
                 found: Lookups) -> tuple[dict, dict]:
    """(entity label, key) -> the responsible organisation, and -> the entity's region."""
    orgs = who.orgs
    resp: dict[tuple[str, str], str | None] = {}
    region: dict[tuple[str, str], str | None] = {}
    for label, places in found.places.items():
        for r in places:
            resp[(label, r["id"])] = who.committee(r["region"], r["kind"] if label == "Unit" else None)
            region[(label, r["id"])] = r["region"]
    for m, home in found.homes.items():
        resp[("Member", m)], region[("Member", m)] = home, orgs.region.get(home) if home else None
    for m, where in found.homeless.items():  # no organisation: the committee over where they work or live
        resp[("Member", m)], region[("Member", m)] = who.committee(where) if where else None, where
    for rule, row in rows:
        label = RULES[rule].entity
        if label in ("Organization", "Pairing"):
            o = row["from"] if label == "Pairing" else row["id"]
            resp[(label, o)], region[(label, o)] = orgs.parent.get(o), orgs.region.get(o)
    return resp, region


def _with_problems(message: str, rule: str, problems: list[str]) -> str:
    """A gap's message, saying first when a rejected ledger row may be its cause: M2's member
    whose branch's row was rejected has that as its whole message, not a bare "unknown"."""
    if not problems:
        return message
    if rule == "M2":
        own = [p for p in problems if p.startswith("所在党组织")]
        if own:
            return "；".join(own)
    return f"{message}（数据问题：{'；'.join(problems)}）"


def _explain(who: Responsibility, params: dict[str, Any], rows: list[tuple[str, dict[str, Any]]],
             problems: dict[tuple[str, str], list[str]], looked_up: Lookups) -> list[Gap]:
    """The gaps of the rules' ``rows`` (in their order): who must act, the path, names in
    context, data problems (``engine.data_problems()``), from their :func:`lookups`."""
    resp, region = _responsible(who, rows, looked_up)
    full_names = looked_up.names
    orgs = who.orgs
    chains: dict[str, tuple[list[str], list[str]]] = {}  # a chief's chain and its names: one walk per chief

    def chain(chief: str) -> tuple[list[str], list[str]]:
        if chief not in chains:
            up = orgs.chain(chief)
            chains[chief] = (up, [orgs.name.get(o) or o for o in up])
        return chains[chief]

    gaps = []
    for rule_id, row in rows:
        rule = RULES[rule_id]
        figures = {k: v for k, v in row.items() if k not in ("id", "name", "from_name", "to_name")
                   and not (v is None and k in _ONLY_WHEN_SET)}
        name: str | None
        if rule.entity == "Pairing":
            key = ("Pairing", row["from"])
            gid = f"{row['from']}→{row['to']}/{row.get('form')}"
            name = f"{row['from_name']} ↔ {row['to_name']}（{row.get('form')}）"
        else:
            key = (rule.entity, row["id"])
            gid, name = str(row["id"]), full_names.get(key, row.get("name"))
        chief = resp.get(key)
        found = problems.get(key, []) if problems else []
        up, up_names = chain(chief) if chief else ([], [])
        # (validated: pydantic's validation runs in Rust, faster than its model_construct)
        gaps.append(Gap(
            rule=rule_id, title=rule.title, entity=rule.entity, entity_zh=ENTITY_ZH[rule.entity],
            id=gid, name=name, message=_with_problems(rule.message({**row, "as_of": params["as_of"]}, params),
                                                      rule_id, found),
            data_problems=found,
            # a dict, not an OrgRef: validated inside the one Rust call (an OrgRef built here
            # is a second model per gap, ~1 s of 197,000 gaps at a million members)
            responsible={"id": chief, "name": orgs.name.get(chief)} if chief else None,  # type: ignore[arg-type]
            path=[gid, *up], path_names=[name or gid, *up_names],
            from_=row.get("from"), to=row.get("to"), figures=figures, region=region.get(key),
        ))
    return gaps
