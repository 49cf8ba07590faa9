"""Registry rows matched to the units of the graph (#16): **match**, **possible** or **new**, each
with the evidence shown.

- The same 统一社会信用代码 is a match.
- Otherwise names are compared in their normal form (:mod:`graph.screening.names`). Candidates are
  the units sharing the name's rarest character triples (a blocking that needs no region: an
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

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from graph.privacy import mask_text
from graph.screening.names import NormalName, _width_and_script, normal, region_words, short_form
from ingest.registries import RegistryRow

MATCH_AT = 0.93  # a name at least this similar is the same unit
POSSIBLE_AT = 0.75  # … and at least this similar is for a person to decide
SUBSTITUTED = 0.925  # one character in place of another: possible, ahead of a name inside another (≤ 0.92)
MARGIN = 0.03  # … and ahead of the next unit by this much (else two fit: a person decides)
CANDIDATES = 12  # units scored per row (those sharing most of its rare character pairs)
RARE_PAIRS = 4  # the row's rarest character triples that pick its candidates


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
    exact: int = 0  # 2: written alike; 1: alike once normalised; 0: only similar


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
        # the names as shown: a number typed inside one masked (the registry's were at reading)
        return {"row": self.row.row, "file": self.row.file, "source": self.row.source, "name": mask_text(self.row.name),
                "uscc": self.row.uscc, "status": self.status, "unit": self.unit,
                "unit_name": self.unit_name and mask_text(self.unit_name),
                "score": round(self.score, 3), "evidence": [mask_text(e) for e in self.evidence],
                "candidates": [{"unit": c.unit, "name": mask_text(c.name), "score": round(c.score, 3)}
                               for c in self.candidates]}


def _pairs(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def name_grams(key: str) -> set[str]:
    """What candidates are looked up by: character triples (rarer than pairs, so a lookup
    touches few units), pairs for a short name."""
    if len(key) < 4:
        return _pairs(key)
    return {key[i:i + 3] for i in range(len(key) - 2)}


def similarity(a: str, b: str) -> float:
    """0–1: how alike two names in normal form are. Besides the plain ratio, three ways the
    same name is written score as the same: the one inside the other (an abbreviation: the
    industry word dropped), one character changed in a long name (a typo), and the same
    characters in another order (words swapped).

    >>> similarity("某某科技", "某某科技")
    1.0
    >>> pairs = [("明腾盟新农业", "明腾盟新农业开发"), ("同兴万达农业开发", "同兴万点农业开发"),
    ...          ("网络科技超艺创联", "超艺创联网络科技"), ("某某科技", "某某物流")]
    >>> [round(similarity(a, b), 3) for a, b in pairs]
    [0.938, 0.925, 0.95, 0.613]
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    scores = [fuzz.ratio(a, b) / 100]
    if len(short) >= 4:
        scores.append(fuzz.partial_ratio(a, b) / 100 * 0.92)
    # an abbreviation drops words at the end (the industry's: 物业服务 → 物业); a word more at
    # the start is another trade name (天开恒聪 ≠ 恒聪), so only a prefix counts
    if len(short) >= 4 and long_.startswith(short):
        scores.append(0.90 + 0.05 * len(short) / len(long_))
    one_apart = len(short) >= 4 and len(long_) - len(short) <= 1 and Levenshtein.distance(a, b) == 1
    if len(short) >= 6 and one_apart and len(a) != len(b):
        scores.append(0.95)  # one character more or less in a long name: a typo
    if len(short) >= 4 and len(a) == len(b) and sorted(a) == sorted(b):
        scores.append(0.95)
    pa, pb = _pairs(a), _pairs(b)
    scores.append(2 * len(pa & pb) / (len(pa) + len(pb)))
    if one_apart and len(a) == len(b) and len(short) >= 4:
        # one character in place of another may be another trade name (鸿运 / 宏运): a person
        # decides, and it ranks above a name that only contains this one
        return SUBSTITUTED
    return max(scores)


def _within(code: str, above: str) -> bool:
    """``code`` is ``above`` or lies within it (12-digit 区划代码: 2 / 4 / 6 / 9 significant digits)."""
    if code == above:
        return True
    kept = next((n for n in (2, 4, 6, 9) if above[n:].strip("0") == ""), len(above))
    return len(code) == len(above) and code[:kept] == above[:kept]


def _district(code: str | None) -> str | None:
    """A region's 区县 part of its code (the first six digits)."""
    return code[:6] if code else None


def street_part(code: str | None) -> str | None:
    """Its 街道乡镇 part (nine digits), when the code is that precise."""
    return code[:9] if code and len(code) >= 9 and code[6:9] != "000" else None


class NameIndex:
    """Names in normal form by their character triples. A name is compared only with the names
    sharing most of its rarest triples: a blocking that needs no region (exports often have none).

    >>> NameIndex(["鑫源科技", "华西物流", "鑫源科技发展"]).candidates("鑫源科技")
    [0, 2]
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            for g in name_grams(key):
                self.postings[g].append(i)

    def candidates(self, key: str, limit: int = CANDIDATES, after: int = -1) -> list[int]:
        """The names (their positions) sharing most of ``key``'s rare triples, at most
        ``limit``; only those after position ``after`` (each pair of one list once)."""
        grams = sorted((g for g in name_grams(key) if g in self.postings), key=lambda g: len(self.postings[g]))
        shared: Counter[int] = Counter()
        for g in grams[:RARE_PAIRS]:
            found = self.postings[g]
            shared.update(found if after < 0 else (j for j in found if j > after))
        return [i for i, _ in shared.most_common(limit)]


class UnitIndex:
    """The units of the graph, ready to be matched against: by credit code, and by the rare
    character pairs of their normal names."""

    def __init__(self, units: Iterable[UnitRef], region_names: dict[str, str],
                 prefixes: Iterable[str] | None = None, short_of: Iterable[str] | None = None) -> None:
        """``prefixes``: the region names dropped from the start of a name (provinces, cities
        and districts; a street's name is part of its 社工服务中心's). All by default."""
        self.units = list(units)
        self.region_names = region_names
        self._words = region_words(region_names.values() if prefixes is None else prefixes, short_of)
        self.by_uscc = {u.uscc: u for u in self.units if u.uscc}
        self.normal: list[NormalName] = [normal(u.name, self._words) for u in self.units]
        self.names = NameIndex(n.key for n in self.normal)
        self.by_key: dict[str, list[int]] = defaultdict(list)  # exact names are always candidates
        for i, n in enumerate(self.normal):
            self.by_key[n.key].append(i)
            if n.bare:
                self.by_key[n.bare].append(i)
        self._written = [_width_and_script(u.name) for u in self.units]
        self._codes_of: dict[str, set[str]] = defaultdict(set)  # a region word → the regions it names
        for code, name in region_names.items():
            for w in filter(None, (name, short_form(name))):
                self._codes_of[_width_and_script(w)].add(code)
        # region names in addresses, one pattern (longest first): 区划 of a row that gives only its 住所
        self._code_of = {n: c for c, n in region_names.items() if n}
        names = sorted(self._code_of, key=len, reverse=True)
        self._in_text = re.compile("|".join(map(re.escape, names))) if names else None

    def region_of(self, row: RegistryRow) -> str | None:
        """Its 区划代码, else the most specific region named in its address (or name):
        "德阳市旌阳区某路4号" is 旌阳区."""
        if row.region:
            return row.region
        for text in (row.address, row.name):
            named = [self._code_of[n] for n in self._in_text.findall(text)] if text and self._in_text else []
            if named:
                return max(named, key=lambda c: (len(c.rstrip("0")), c))
        return None

    def _judge(self, row: RegistryRow, mine: NormalName, where: str | None, i: int, written: str) -> Candidate:
        """A candidate's score, capped by what rules it out, and the evidence for it (``written``:
        the row's name half-width and simplified)."""
        u, theirs = self.units[i], self.normal[i]
        if written == self._written[i]:
            score, exact, evidence = 1.0, 2, [f"名称相同：{u.name}"]
        elif mine.key == theirs.key or (mine.bare and mine.bare == theirs.key) or (theirs.bare == mine.key):
            steps = [s for s in mine.steps if s not in theirs.steps]
            if mine.key != theirs.key:
                steps.append(f"去掉地名「{mine.bare_word if mine.bare == theirs.key else theirs.bare_word}」")
            score, exact = 1.0, 1
            evidence = [f"名称规范后相同：{theirs.key}" + (f"（{'、'.join(steps)}）" if steps else "")]
        else:
            score, exact = similarity(mine.key, theirs.key), 0
            evidence = [f"名称只差一个字（{mine.key} / {theirs.key}），可能是另一字号" if score == SUBSTITUTED
                        else f"名称相似度 {score:.2f}（{mine.key} / {theirs.key}）"]
        if exact and self._other_places(mine, theirs):
            score = min(score, MATCH_AT - 0.01)
            evidence.append(f"名称中的地名不同（{'、'.join(mine.region_words)} / {'、'.join(theirs.region_words)}）")
        if mine.branch != theirs.branch:
            score = 0.0
            evidence.append(f"一方是{mine.branch or theirs.branch}，另一方不是：不是同一单位")
        if row.uscc and u.uscc and row.uscc != u.uscc:
            score = min(score, POSSIBLE_AT)
            evidence.append("两者的统一社会信用代码不同")
        there = _district(u.region)
        if where and there:
            if not _within(there + "0" * (len(where) - 6), where[:6] + "0" * (len(where) - 6)):
                # a row placed only in a city (德阳市 in its name) is in each of its districts
                score = min(score, MATCH_AT - 0.01)
                evidence.append("所在区县不同")
            elif street_part(where) and street_part(u.region) and street_part(where) != street_part(u.region):
                score = min(score, MATCH_AT - 0.01)
                evidence.append("所在街道不同")
            else:
                evidence.append(f"同在{self.region_names.get(there + '000000', there)}")
        return Candidate(u.id, u.name, score, evidence, exact if score >= MATCH_AT else 0)

    def _other_places(self, mine: NormalName, theirs: NormalName) -> bool:
        """Both names carry a region of the graph, and no region of one is, or lies within or
        above, one of the other's: 旌阳某某 and 罗江某某 are two units, 德阳某某 and 旌阳某某 may be one."""
        a = {c for w in mine.region_words for c in self._codes_of.get(w, ())}
        b = {c for w in theirs.region_words for c in self._codes_of.get(w, ())}
        return bool(a and b) and not any(_within(x, y) or _within(y, x) for x in a for y in b)

    def head_office(self, mine: NormalName) -> UnitRef | None:
        """A branch's head office among the units: its name before the legal form, else the
        longest start of the name before the branch marker that is a unit's name."""
        if not mine.branch:
            return None
        keys = [mine.head] if mine.head else \
            [mine.key[:n] for n in range(len(mine.key) - len(mine.branch), 1, -1)]
        for k in keys:
            found = [i for i in self.by_key.get(k or "", ()) if self.normal[i].key == k and not self.normal[i].branch]
            if found:
                return self.units[found[0]]
        return None

    def match(self, row: RegistryRow) -> Match:
        if row.uscc and row.uscc in self.by_uscc:
            u = self.by_uscc[row.uscc]
            return Match(row, "match", u.id, u.name, 1.0, ["统一社会信用代码一致"])
        mine = normal(row.name, self._words)
        where = self.region_of(row)
        exact = [*self.by_key.get(mine.key, ()), *self.by_key.get(mine.bare or "", ())]
        picked = dict.fromkeys([*exact, *self.names.candidates(mine.key)])  # exact names first, once
        written = _width_and_script(row.name)
        scored = [self._judge(row, mine, where, i, written) for i in picked]
        # an exact name ranks first, written alike before alike once normalised, then similar ones
        scored.sort(key=lambda c: (-c.score, -c.exact, c.unit))
        if not scored or scored[0].score < POSSIBLE_AT:
            head = self.head_office(mine)
            said = f"总公司「{head.name}」已在台账（{mine.branch}应单独核实）" if head else "图谱中没有名称相近的单位"
            return Match(row, "new", score=scored[0].score if scored else 0.0, evidence=[said], candidates=scored[:3])
        best = scored[0]
        status = "match" if best.score >= MATCH_AT else "possible"
        # an exact name wins over similar ones; two units of one name, or two similar, need a person
        if status == "match" and len(scored) > 1 and scored[1].score >= MATCH_AT \
                and best.exact <= scored[1].exact and (best.exact or best.score - scored[1].score < MARGIN):
            status = "possible"  # two units fit about as well: a person decides
            best.evidence.append(f"另有同样相近的单位：{scored[1].name}")
        return Match(row, status, best.unit, best.name, best.score, best.evidence, scored[1:4])
