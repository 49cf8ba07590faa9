"""What changed between loads (#15, first part): every load that writes leaves a dated record — its
id, time, files, who, the date its ledgers stand for — with the gaps the graph had after it
(and who was to close each), and its organisations, pairings in term and covered units. Two
records say which gaps were opened and which closed between them, per rule, and by whom, and
which organisations were established or dissolved, pairings made or lapsed, units covered or
uncovered: what a meeting asks ("自上次以来").

Records live under ``$TUPU_HOME/history``: ``loads.jsonl`` (one line per load) and one gzipped
JSON of gaps per load. Current queries never read them.

>>> import tempfile, datetime as dt
>>> from graph.memory.store import MemoryStore
>>> h = History(Path(tempfile.mkdtemp()))
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部", "kind": "党支部"}])
>>> first = h.record(s, date=dt.date(2025, 1, 31), files=["a.csv"], who="测试")
>>> _ = s.upsert_nodes("Member", [{"id": f"M{i}", "name": "张三", "category": "正式"} for i in range(3)])
>>> from graph.store import RelRow
>>> _ = s.upsert_relationships("MEMBER_OF", "Member", "Organization", [RelRow(f"M{i}", "A") for i in range(3)])
>>> second = h.record(s, date=dt.date(2025, 2, 28), files=["m.csv"], who="测试")
>>> [g.rule for g in h.changes(dt.date(2025, 1, 31)).closed]
['O1']
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.analyses.engine import engine_for
from graph.analyses.gaps import Gap, find_gaps
from graph.analyses.trees import load_trees
from graph.errors import NotFoundError
from graph.policy import Policy
from graph.rules import pairing_current
from graph.store import GraphStore

_KEPT = ("rule", "title", "entity", "entity_zh", "id", "name", "message", "responsible", "path", "from", "to",
         "region")


class NoLoadRecord(NotFoundError):
    pass


def _state(store: GraphStore, date: dt.date) -> dict[str, Any]:
    """What the graph was, in the terms a meeting counts changes in: its organisations, the
    pairings in term, the units covered (an organisation established in or covering them), each
    with its name and region."""
    regions, orgs = load_trees(store)
    iso = date.isoformat()
    covered = {r.end.key for t in ("ESTABLISHED_IN", "COVERS") for r in store.iter_relationships(t)}
    units = {n.key: n for n in store.get_many("Unit", sorted(covered))}
    placed = {r["id"]: r["region"] for r in engine_for(store).regions_of("Unit", sorted(units))} if units else {}
    return {
        "orgs": {o: [orgs.name.get(o), orgs.region.get(o)] for o in orgs.name},
        "pairings": sorted([p["from"], p["to"], p.get("form") or ""] for p in engine_for(store).pairing_rels()
                           if pairing_current(p, iso)),
        "covered": {u: [n.name, placed.get(u)] for u, n in units.items()},
    }


@dataclass
class LoadRecord:
    id: str
    at: str  # when it was loaded (ISO time)
    date: str  # the date its ledgers stand for
    files: list[str]
    who: str
    gaps: int  # how many the graph had after it
    per_rule: dict[str, int] = field(default_factory=dict)


def gap_key(g: Gap) -> tuple[str, str]:
    """A gap's identity across loads: its rule and its entity (a pairing's ends and form)."""
    return g.rule, g.id


@dataclass
class EntityChange:
    kind: str  # 组织新建 / 组织撤销 / 单位新覆盖 / 单位不再覆盖 / 结对新建 / 结对到期或解除
    label: str  # Organization, Unit or Pairing
    id: str
    name: str | None
    region: str | None
    ends: list[str] = field(default_factory=list)  # a pairing's two organisations

    def refs(self) -> list[tuple[str, str]]:
        """The entities it is about (a pairing: its two organisations)."""
        return [("Organization", e) for e in self.ends] if self.label == "Pairing" else [(self.label, self.id)]


@dataclass
class Changes:
    since: LoadRecord
    until: LoadRecord
    opened: list[Gap]
    closed: list[Gap]  # as they were when open: ``responsible`` is who closed it
    entities: list[EntityChange] = field(default_factory=list)

    def keep(self, keep: Callable[[list[Gap]], list[Gap]],
             keep_entities: Callable[[list[EntityChange]], list[EntityChange]] | None = None) -> "Changes":
        """Only the gaps (and changed entities) kept (a region's, or what a token may see)."""
        return Changes(self.since, self.until, keep(self.opened), keep(self.closed),
                       keep_entities(self.entities) if keep_entities else self.entities)

    def in_region(self, codes: set[str]) -> "Changes":
        return self.keep(lambda gaps: [g for g in gaps if g.region in codes],
                         lambda es: [e for e in es if e.region in codes])

    def entity_counts(self) -> dict[str, int]:
        return dict(Counter(e.kind for e in self.entities))

    def per_rule(self) -> dict[str, dict[str, int]]:
        o, c = Counter(g.rule for g in self.opened), Counter(g.rule for g in self.closed)
        return {r: {"opened": o[r], "closed": c[r]} for r in sorted(set(o) | set(c))}

    def as_dict(self) -> dict[str, Any]:
        def brief(g: Gap) -> dict[str, Any]:
            d: dict[str, Any] = {"rule": g.rule, "title": g.title, "name": g.name,
                                 "responsible": g.responsible.name if g.responsible else None}
            if g.entity == "Pairing":
                d.update({"from": g.from_, "to": g.to})
            else:
                d["id"] = g.id
            return d

        return {"since": asdict(self.since), "until": asdict(self.until),
                "gaps_opened": [brief(g) for g in self.opened], "gaps_closed": [brief(g) for g in self.closed],
                "per_rule": self.per_rule(), "entities": [asdict(e) for e in self.entities],
                "entity_counts": self.entity_counts()}


class History:
    def __init__(self, home: Path) -> None:
        self.dir = home / "history"

    def record(self, store: GraphStore, *, date: dt.date, files: list[str], who: str,
               policy: Policy | None = None) -> LoadRecord:
        """Keep the gaps the graph has now (judged as of ``date``) as the record of a load."""
        gaps = find_gaps(store, as_of=date, policy=policy)
        rec = LoadRecord(id=dt.datetime.now().strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3),
                         at=dt.datetime.now().isoformat(timespec="seconds"), date=date.isoformat(),
                         files=files, who=who, gaps=len(gaps), per_rule=dict(Counter(g.rule for g in gaps)))
        self.dir.mkdir(parents=True, exist_ok=True)
        body = [{k: v for k, v in g.as_dict().items() if k in _KEPT} for g in gaps]
        with gzip.open(self.dir / f"{rec.id}.json.gz", "wt", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False)
        with gzip.open(self.dir / f"{rec.id}.state.json.gz", "wt", encoding="utf-8") as out:
            json.dump(_state(store, date), out, ensure_ascii=False)
        with open(self.dir / "loads.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
        return rec

    def loads(self) -> list[LoadRecord]:
        """Every load recorded, by the date its ledgers stand for, then by when it was loaded."""
        f = self.dir / "loads.jsonl"
        if not f.exists():
            return []
        recs = [LoadRecord(**json.loads(line)) for line in f.read_text(encoding="utf-8").splitlines() if line]
        return sorted(recs, key=lambda r: (r.date, r.at))

    def state_of(self, rec: LoadRecord) -> dict[str, Any]:
        with gzip.open(self.dir / f"{rec.id}.state.json.gz", "rt", encoding="utf-8") as f:
            return json.load(f)

    def gaps_of(self, rec: LoadRecord) -> list[Gap]:
        with gzip.open(self.dir / f"{rec.id}.json.gz", "rt", encoding="utf-8") as f:
            return [Gap.model_validate(d) for d in json.load(f)]

    def as_of(self, day: dt.date) -> LoadRecord:
        """The last load whose ledgers stand for ``day`` or before."""
        recs = [r for r in self.loads() if r.date <= day.isoformat()]
        if not recs:
            first = self.loads()
            raise NoLoadRecord(f"{day.isoformat()} 当天或之前没有载入记录"
                               + (f"（最早的是 {first[0].date}）" if first else "（还没有任何载入记录）"))
        return recs[-1]

    def changes(self, since: dt.date, until: dt.date | None = None) -> Changes:
        """Gaps opened and closed between the load of ``since`` and that of ``until`` (the
        latest by default)."""
        a = self.as_of(since)
        b = self.as_of(until) if until else self.loads()[-1]
        before, after = ({gap_key(g): g for g in self.gaps_of(r)} for r in (a, b))
        return Changes(since=a, until=b, opened=[g for k, g in after.items() if k not in before],
                       closed=[g for k, g in before.items() if k not in after],
                       entities=_entity_changes(self.state_of(a), self.state_of(b)))

    def since_last(self) -> Changes | None:
        """What changed between the last two loads of different ledger dates (None before
        there are two)."""
        loads = self.loads()
        if len(loads) < 2:
            return None
        earlier = [r for r in loads if r.date < loads[-1].date]
        return self.changes(dt.date.fromisoformat((earlier or loads[:-1])[-1].date))


def _entity_changes(a: dict[str, Any], b: dict[str, Any]) -> list[EntityChange]:
    out: list[EntityChange] = []
    for key, label, (new, gone) in (("orgs", "Organization", ("组织新建", "组织撤销")),
                                    ("covered", "Unit", ("单位新覆盖", "单位不再覆盖"))):
        for k in sorted(set(b[key]) - set(a[key])):
            out.append(EntityChange(new, label, k, *b[key][k]))
        for k in sorted(set(a[key]) - set(b[key])):
            out.append(EntityChange(gone, label, k, *a[key][k]))
    pa, pb = ({tuple(p) for p in s["pairings"]} for s in (a, b))
    names = {**{k: v[0] for k, v in a["orgs"].items()}, **{k: v[0] for k, v in b["orgs"].items()}}
    where = {**{k: v[1] for k, v in a["orgs"].items()}, **{k: v[1] for k, v in b["orgs"].items()}}
    for what, pairs in (("结对新建", pb - pa), ("结对到期或解除", pa - pb)):
        for f, t, form in sorted(pairs):
            out.append(EntityChange(what, "Pairing", f"{f}→{t}",
                                    f"{names.get(f) or f} ↔ {names.get(t) or t}（{form}）", where.get(f), ends=[f, t]))
    return out

