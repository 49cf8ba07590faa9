"""Registry rows matched to the units of the graph (#16): **match**, **possible** or **new**, each
with the evidence shown.

- The same 统一社会信用代码 is a match.
- Otherwise names are compared in their normal form (:mod:`graph.screening.names`). Candidates are
  the units sharing the name's rarest character pairs (a blocking that needs no region: an
  export often has none). They are scored with rapidfuzz: the best of the plain ratio, a partial
  ratio (an abbreviation inside a full name) and the overlap of character pairs (words in
  another order).
- A branch never matches its head office. Two different valid credit codes never match. Units in
  two different districts are at most possible.
- A person's decision (:mod:`graph.screening.decisions`) overrides all of this on every later run.

>>> units = [UnitRef("DW1", "德阳市某某科技有限公司", None, "510603000000")]
>>> idx = UnitIndex(units, {"510603000000": "旌阳区"})
>>> m = idx.match(RegistryRow("市场监管", "a.csv", 2, "某某科技有限公司"))
>>> m.status, m.unit, m.evidence[0]
('match', 'DW1', '名称规范后相同：某某科技')
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from graph.screening.names import NormalName, normal
from ingest.registries import RegistryRow

MATCH_AT = 0.93  # a name at least this similar is the same unit
POSSIBLE_AT = 0.75  # … and at least this similar is for a person to decide
CANDIDATES = 30  # units scored per row
RARE_PAIRS = 4  # the row's rarest character pairs that pick its candidates


@dataclass(frozen=True)
class UnitRef:
    id: str
    name: str
    uscc: str | None
    region: str | None  # its 区划代码


@dataclass
class Candidate:
    unit: str
    name: str
    score: float
    evidence: list[str]


@dataclass
class Match:
    row: RegistryRow
    status: str  # match / possible / new
    unit: str | None = None
    unit_name: str | None = None
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)  # the next best, for a person to choose

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row.row, "file": self.row.file, "source": self.row.source, "name": self.row.name,
                "uscc": self.row.uscc, "status": self.status, "unit": self.unit, "unit_name": self.unit_name,
                "score": round(self.score, 3), "evidence": self.evidence,
                "candidates": [{"unit": c.unit, "name": c.name, "score": round(c.score, 3)} for c in self.candidates]}


def _pairs(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def similarity(a: str, b: str) -> float:
    """0–1: how alike two names in normal form are.

    >>> similarity("某某科技", "某某科技"), similarity("某某科技", "某某科技发展") > 0.85
    (1.0, True)
    """
    if not a or not b:
        return 0.0
    plain = fuzz.ratio(a, b) / 100
    part = fuzz.partial_ratio(a, b) / 100 * 0.92 if min(len(a), len(b)) >= 4 else 0.0
    pa, pb = _pairs(a), _pairs(b)
    dice = 2 * len(pa & pb) / (len(pa) + len(pb))
    return max(plain, part, dice)


def _district(code: str | None) -> str | None:
    """A region's 区县 part of its code (the first six digits)."""
    return code[:6] if code else None


class UnitIndex:
    """The units of the graph, ready to be matched against: by credit code, and by the rare
    character pairs of their normal names."""

    def __init__(self, units: Iterable[UnitRef], region_names: dict[str, str]) -> None:
        self.units = list(units)
        self.region_names = region_names
        names = list(region_names.values())
        self.by_uscc = {u.uscc: u for u in self.units if u.uscc}
        self.normal: list[NormalName] = [normal(u.name, names) for u in self.units]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, n in enumerate(self.normal):
            for p in _pairs(n.key):
                self.postings[p].append(i)
        # region names in addresses, longest first: 区划 of a row that gives only its 住所
        self._by_name = sorted(((n, c) for c, n in region_names.items() if n), key=lambda x: -len(x[0]))

    def region_of(self, row: RegistryRow) -> str | None:
        if row.region:
            return row.region
        for text in (row.address, row.name):
            for name, code in self._by_name:
                if text and name in text:
                    return code
        return None

    def _candidates(self, key: str) -> list[int]:
        pairs = sorted(_pairs(key), key=lambda p: len(self.postings.get(p, ())))
        rare = [p for p in pairs if p in self.postings][:RARE_PAIRS]
        shared: Counter[int] = Counter()
        for p in rare:
            shared.update(self.postings[p])
        return [i for i, _ in shared.most_common(CANDIDATES)]

    def match(self, row: RegistryRow) -> Match:
        if row.uscc and row.uscc in self.by_uscc:
            u = self.by_uscc[row.uscc]
            return Match(row, "match", u.id, u.name, 1.0, ["统一社会信用代码一致"])
        mine = normal(row.name, list(self.region_names.values()))
        where = _district(self.region_of(row))
        scored: list[Candidate] = []
        for i in self._candidates(mine.key):
            u, theirs = self.units[i], self.normal[i]
            score = similarity(mine.key, theirs.key)
            evidence = [f"名称规范后相同：{mine.key}" if mine.key == theirs.key
                        else f"名称相似度 {score:.2f}（{mine.key} / {theirs.key}）"]
            cap = 1.0
            if mine.branch != theirs.branch:
                cap = 0.0
                evidence.append(f"一方是{mine.branch or theirs.branch}，另一方不是：不是同一单位")
            if row.uscc and u.uscc and row.uscc != u.uscc:
                cap = min(cap, POSSIBLE_AT)
                evidence.append("两者的统一社会信用代码不同")
            there = _district(u.region)
            if where and there:
                if where == there:
                    evidence.append(f"同在{self.region_names.get(u.region or '', there)}")
                else:
                    cap = min(cap, MATCH_AT - 0.01)
                    evidence.append("所在区县不同")
            scored.append(Candidate(u.id, u.name, min(score, cap) if cap < 1 else score, evidence))
        scored.sort(key=lambda c: (-c.score, c.unit))
        if not scored or scored[0].score < POSSIBLE_AT:
            return Match(row, "new", score=scored[0].score if scored else 0.0,
                         evidence=["图谱中没有名称相近的单位"], candidates=scored[:3])
        best = scored[0]
        status = "match" if best.score >= MATCH_AT else "possible"
        if status == "match" and len(scored) > 1 and scored[1].score >= MATCH_AT:
            status = "possible"  # two units fit as well: a person decides
            best.evidence.append(f"另有同样相近的单位：{scored[1].name}")
        return Match(row, status, best.unit, best.name, best.score, best.evidence, scored[1:4])
