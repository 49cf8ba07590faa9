"""Duplicates inside the ledgers (#16): one unit or organisation under two codes, listed as merge
candidates for a person to confirm (:mod:`graph.screening.merge`) or set aside as two.

- Two units with the same 统一社会信用代码 are one unit, wherever the ledgers put them.
- Otherwise two nodes of one district (an organisation without a region: of one parent; a part
  of a unit, such as a 小区's 楼栋: of one unit) whose names in normal form
  (:mod:`graph.screening.names`) are near-identical (:data:`DUPLICATE_AT`: the same, one an
  abbreviation of the other, words swapped) are candidates, unless something tells them apart: a
  branch and its head office, two different credit codes, two different streets, a different
  number in the name (第一党支部 / 第二党支部), or other characters in a name as long (孙街社区 /
  谢街社区: another proper name, not another way of writing one).
- What a person said are two stays apart on every later run (``$TUPU_HOME/screening/distinct.json``).

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "鑫源科技有限公司", "kind": "非公企业"},
...                             {"id": "DW2", "name": "鑫源科技有限责任公司", "kind": "非公企业"},
...                             {"id": "DW3", "name": "华西物流有限公司", "kind": "非公企业"}])
>>> [(d.keep, d.drop, d.evidence[0]) for d in find_duplicates(s, "Unit")]
[('DW1', 'DW2', '名称规范后相同：鑫源科技')]
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.analyses.cache import cached
from graph.analyses.engine import engine_for
from graph.analyses.trees import load_trees
from graph.errors import InvalidInput
from graph.model import LABEL_OF_ZH
from graph.screening.decisions import read_kept, write_kept
from graph.screening.matching import NameIndex, similarity, street_part
from graph.screening.merge import MERGEABLE
from graph.screening.names import NormalName, normal, region_words
from graph.store import GraphStore

DUPLICATE_AT = 0.90  # names at least this alike in one district are listed
CANDIDATES = 8  # names compared with each name (those sharing most of its rare triples)
_NUMBER = re.compile(r"[0-9一二三四五六七八九十百零〇]+")


@dataclass
class Duplicate:
    label: str
    keep: str  # the one suggested to keep: more links, else a credit code, else the smaller code
    keep_name: str
    drop: str
    drop_name: str
    score: float
    evidence: list[str]
    region: str | None = None
    region_name: str | None = None
    links: dict[str, int] = field(default_factory=dict)  # code -> how many links it has

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "keep": self.keep, "keep_name": self.keep_name, "drop": self.drop,
                "drop_name": self.drop_name, "score": round(self.score, 3), "evidence": self.evidence,
                "region": self.region, "region_name": self.region_name, "links": self.links}


def pair_key(label: str, a: str, b: str) -> str:
    return "|".join([label, *sorted((a, b))])


class Distinct:
    """Pairs a person said are two, not one."""

    def __init__(self, home: Path) -> None:
        self.path = home / "screening" / "distinct.json"

    def all(self) -> dict[str, dict[str, Any]]:
        return read_kept(self.path)  # type: ignore[no-any-return]

    def decide(self, label: str, a: str, b: str, who: str) -> None:
        data = self.all()
        data[pair_key(label, a, b)] = {"who": who, "at": dt.datetime.now().isoformat(timespec="seconds")}
        write_kept(self.path, data)


@dataclass
class _Entry:
    key: str
    name: str
    normal: NormalName
    uscc: str | None
    region: str | None
    block: str  # what it is compared within: its district, else its parent organisation


def _entries(store: GraphStore, label: str) -> tuple[list[_Entry], dict[str, str]]:
    regions, orgs = load_trees(store)
    words = region_words([n for c, n in regions.name.items() if regions.level.get(c) in ("省", "市", "区县")])
    if label == "Unit":  # a part of a unit (a 小区's 楼栋) is compared within its unit only
        placed = {r["id"]: r["region"] for r in engine_for(store).regions_of("Unit", None)}
        parent: dict[str, str | None] = {r.start.key: r.end.key for r in store.iter_relationships("PART_OF")
                                         if r.start.label == "Unit" and r.end.label == "Unit"}
    else:
        placed, parent = dict(orgs.region), dict(orgs.parent)
    out = []
    for n in store.iter_nodes(label):
        region = placed.get(n.key)
        block = f"上级{parent[n.key]}" if label == "Unit" and parent.get(n.key) else \
            f"区{region[:6]}" if region else f"上级{parent.get(n.key) or ''}"
        out.append(_Entry(n.key, n.name, normal(n.name, words), n.props.get("uscc"), region, block))
    return out, dict(regions.name)


def _subsequence(short: str, long_: str) -> bool:
    rest = iter(long_)
    return all(c in rest for c in short)


def written_alike(x: str, y: str) -> bool:
    """Whether two names can be one name written two ways: the same, the same characters in
    another order (words swapped), or the one the other with words left out (an abbreviation,
    starting as it does). A character in place of another is another proper name (孙街社区 /
    谢街社区, 民政局 / 财政局), not another way of writing one: a mistyped name is caught by its
    credit code instead.

    >>> written_alike("鑫源科技", "鑫源科技发展"), written_alike("科技鑫源", "鑫源科技")
    (True, True)
    >>> written_alike("孙街社区党委", "谢街社区党委"), written_alike("社区党委", "常街社区党委")
    (False, False)
    """
    if x == y or sorted(x) == sorted(y):
        return True
    short, long_ = sorted((x, y), key=len)
    return long_.startswith(short[:2]) and _subsequence(short, long_)


def _judge(a: _Entry, b: _Entry, region_names: dict[str, str]) -> tuple[float, list[str]]:
    """How alike two names are, 0 when something tells the two apart, and the evidence."""
    score = similarity(a.normal.key, b.normal.key)
    if a.normal.branch != b.normal.branch or a.uscc and b.uscc and a.uscc != b.uscc:
        return 0.0, []
    if _NUMBER.findall(a.normal.key) != _NUMBER.findall(b.normal.key):
        return 0.0, []
    if not written_alike(a.normal.key, b.normal.key):
        return 0.0, []
    if street_part(a.region) and street_part(b.region) and street_part(a.region) != street_part(b.region):
        return 0.0, []
    evidence = [f"名称规范后相同：{a.normal.key}" if a.normal.key == b.normal.key
                else f"名称相似度 {score:.2f}（{a.normal.key} / {b.normal.key}）"]
    where = a.region or b.region
    if where:
        evidence.append(f"同在{region_names.get(where[:6] + '000000', where)}")
    return score, evidence


def _similar_pairs(entries: list[_Entry], region_names: dict[str, str]
                   ) -> list[tuple[_Entry, _Entry, float, list[str]]]:
    """Near-identical names within each block, each pair once."""
    blocks: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        blocks[e.block].append(e)
    out = []
    for block in blocks.values():
        names = NameIndex(e.normal.key for e in block)
        for i, e in enumerate(block):
            for j in names.candidates(e.normal.key, CANDIDATES, after=i):
                score, evidence = _judge(e, block[j], region_names)
                if score >= DUPLICATE_AT:
                    out.append((e, block[j], score, evidence))
    return out


def find_duplicates(store: GraphStore, label: str, home: Path | None = None) -> list[Duplicate]:
    """The merge candidates among the nodes of ``label`` (单位 or 党组织), surest first; the
    pairs a person set apart (kept in ``home``) are left out. Worked out once per version of the
    data (the page and the export ask again)."""
    if label not in MERGEABLE:
        raise InvalidInput(f"只查找单位或党组织的重复，不支持 {label}")
    found = cached(store, ("duplicates", label), lambda: _candidates(store, label))
    apart = Distinct(home).all() if home else {}
    return [d for d in found if pair_key(label, d.keep, d.drop) not in apart]


def _candidates(store: GraphStore, label: str) -> list[Duplicate]:
    entries, region_names = _entries(store, label)
    pairs: dict[str, tuple[_Entry, _Entry, float, list[str]]] = {}
    by_uscc: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        if e.uscc:
            by_uscc[e.uscc].append(e)
    for same in by_uscc.values():
        for a, b in zip(same, same[1:], strict=False):
            pairs[pair_key(label, a.key, b.key)] = (a, b, 1.0, ["统一社会信用代码相同"])
    for a, b, score, evidence in _similar_pairs(entries, region_names):
        pairs.setdefault(pair_key(label, a.key, b.key), (a, b, score, evidence))
    out = []
    for a, b, score, evidence in pairs.values():
        links = {e.key: len(store.neighbours(label, e.key)) for e in (a, b)}
        keep, drop = sorted((a, b), key=lambda e: (-links[e.key], e.uscc is None, e.key))
        region = a.region or b.region
        where = " / ".join(dict.fromkeys(region_names.get(r, r) for r in (a.region, b.region) if r))
        out.append(Duplicate(label, keep.key, keep.name, drop.key, drop.name, score, evidence, region,
                             where or None, links))
    return sorted(out, key=lambda d: (-d.score, d.region or "", d.keep))


def merge_candidates(store: GraphStore, kind: str | None = None, home: Path | None = None) -> list[Duplicate]:
    """The candidates of one kind (单位 / 党组织, or Unit / Organization), or of both."""
    label = LABEL_OF_ZH.get(kind, kind) if kind else None
    if label is not None and label not in MERGEABLE:
        raise InvalidInput(f"只查找单位或党组织的重复，不支持“{kind}”")
    return [d for lb in ([label] if label else MERGEABLE) for d in find_duplicates(store, lb, home)]
