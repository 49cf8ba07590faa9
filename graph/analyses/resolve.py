"""Find an entity the way staff name it: by its code, its exact name, or a unique part of its
name ("北镇街道", "秦街社区党委", "秦街"); and, where two share a name (a 新村社区 in two
streets), by the name with a region above it, written before it or in brackets after it
("西岭区孟街街道", "西岭区 孟街街道", "孟街街道（西岭区）"). Two or more fit:
:class:`~graph.errors.Ambiguous` with the candidates (name, kind, region, code) to choose from;
none: :class:`NotFound` naming the closest names. Never a silent empty answer.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "O1", "name": "秦街社区党委"}, {"id": "O2", "name": "北镇街道党工委"}])
>>> resolve(s, "秦街").key, resolve(s, "O2").key, resolve(s, "北镇街道党工委").key
('O1', 'O2', 'O2')
>>> resolve(s, "党")
Traceback (most recent call last):
graph.errors.Ambiguous: “党”对应多个实体，请写出全称或编码：秦街社区党委（党组织，O1）、北镇街道党工委（党组织，O2）

Two of one name, told apart by the region they are in:

>>> from graph.store import RelRow
>>> _ = s.upsert_nodes("Region", [{"code": "A", "name": "东湖区"}, {"code": "B", "name": "西岭区"},
...     {"code": "A1", "name": "孟街街道"}, {"code": "B1", "name": "孟街街道"}])
>>> _ = s.upsert_relationships("PART_OF", "Region", "Region", [RelRow("A1", "A"), RelRow("B1", "B")])
>>> resolve(s, "西岭区孟街街道").key, resolve(s, "孟街街道（东湖区）").key, resolve(s, "西岭区/孟街").key
('B1', 'A1', 'B1')
>>> try:
...     resolve(s, "孟街街道")
... except Ambiguous as e:
...     print(str(e).split("：")[0]); print([(c["region"], c["code"]) for c in e.candidates])
“孟街街道”对应多个实体，请在名称前写出所在区划（如“东湖区孟街街道”）或写编码
[('东湖区', 'A1'), ('西岭区', 'B1')]
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from graph.analyses.trees import load_trees
from graph.ends import is_live, today
from graph.errors import Ambiguous, NotFoundError
from graph.model import LABELS
from graph.name_forms import NAME_KEYS, name_key
from graph.places import Places, clean, places
from graph.store import GraphStore, Node

# the order codes are looked up in when the kind is not given
LOOKUP_ORDER = ("Organization", "Unit", "Grid", "Member", "Alliance", "Activity", "Region")
MAX_CANDIDATES = 20
MAX_HITS = 200  # names fetched per question (each kind of match counted whatever its number)
MAX_EXACT = 5000  # of one exact name, fetched to keep those the asker may see
# "孟街街道（西岭区）" and "西岭区 孟街街道", "西岭区/孟街街道", "西岭区·孟街街道"
_IN_BRACKETS = re.compile(r"^(.+?)\s*[（(]\s*([^（）()]+?)\s*[）)]$")
_SEPARATOR = re.compile(r"\s*[\s/／\\·、>＞|｜-]\s*")


class NotFound(NotFoundError, LookupError):
    """No entity has that code or name (or none the asker may see)."""


Visible = Callable[[list[Node]], list[Node]]


def resolve(store: GraphStore, text: str, labels: Iterable[str] | None = None,
            visible: Visible | None = None) -> Node:
    """The one entity ``text`` names among ``labels`` (every kind by default); ``visible``
    keeps only what the asker may see, so neither an answer nor a candidate leaks.

    Looked for in this order, the first that names any deciding: the code; the exact name;
    the name after the regions it is in ("应城市杨河镇红星村"); names that begin with the text;
    names that hold it. Several of one kind: :class:`Ambiguous`, with their true number
    (“等 46 个”), whatever the number of names that hold the text."""
    wanted = tuple(labels or LOOKUP_ORDER)
    seen = visible or (lambda nodes: nodes)
    t = text.strip()
    if not t:
        raise NotFound("未给出编码或名称")
    for node in seen([n for n in (_by_code(store, lb, t) for lb in wanted) if n is not None]):
        return node
    named = seen(_by_name_key(store, t, wanted))  # its name in another form, or its 简称
    if len(named) == 1:
        return named[0]
    hits = store.find_names(t, list(wanted), limit=MAX_HITS)
    if hits.exact > MAX_HITS:  # every one of that name, to keep what the asker may see
        hits = store.find_names(t, list(wanted), limit=min(hits.exact, MAX_EXACT))
    exact = seen(hits.nodes[:hits.exact])
    if len(exact) == 1:
        return exact[0]
    # a name after its region's ("西岭区孟街街道") before a name it is part of ("西岭区孟街街道党工委")
    within = [] if exact else within_region(store, t, wanted, seen)
    if len(within) == 1:
        return within[0]
    if exact:
        raise _ambiguous(store, t, exact, hits.exact if visible is None else len(exact))
    if within:
        raise _ambiguous(store, t, within, len(within))
    rest = hits.nodes[hits.exact:]
    for tier, count in (([n for n in rest if n.name.startswith(t)], hits.prefix),
                        ([n for n in rest if not n.name.startswith(t)], hits.total - hits.exact - hits.prefix)):
        shown = seen(tier)
        if len(shown) == 1:
            return shown[0]
        if shown:
            raise _ambiguous(store, t, shown, count if visible is None else len(shown))
    near = _closest(store, t, wanted, seen)
    raise NotFound(f"未找到“{t}”" + (f"，最接近的有：{'、'.join(near)}" if near else "")
                   + _of_other_kinds(store, t, wanted, seen))


def _of_other_kinds(store: GraphStore, text: str, wanted: tuple[str, ...], seen: Visible) -> str:
    """Where only some kinds were asked for (a region to filter by): the entities of other kinds
    whose names hold the text — “骆路街道” is no region when no 行政区划 ledger was loaded, but
    骆路街道党工委 is an organisation to filter by."""
    others = [lb for lb in LOOKUP_ORDER if lb not in wanted and lb != "Member"]  # (no person's name)
    if not others:
        return ""
    hits = seen(store.search(text, labels=others, limit=3))
    if not hits:
        return ""
    listed = "、".join(f"{LABELS[n.label].zh}“{n.name}”" for n in hits)
    return f"；名称含有它的有：{listed}（可按{LABELS[hits[0].label].zh}筛选）"


def _ambiguous(store: GraphStore, text: str, chosen: list[Node], count: int) -> Ambiguous:
    """``count``: how many there are (``chosen`` may be the first of them)."""
    cands = candidates(store, chosen[:MAX_CANDIDATES])
    listed = "、".join(f"{c['name']}（{c['kind']}，{c['region'] + '，' if c['region'] else ''}{c['code']}）"
                      for c in cands[:8])
    count = max(count, len(chosen))
    more = f" 等 {count} 个" if count > 8 else ""
    names = [c["name"] for c in cands]
    twin = next((c for c in cands if c["region"] and names.count(c["name"]) > 1), None)
    how = (f"请在名称前写出所在区划（如“{twin['region']}{twin['name']}”）或写编码" if twin
           else "请写出全称或编码")
    return Ambiguous(f"“{text}”对应多个实体，{how}：{listed}{more}", cands)


def _by_name_key(store: GraphStore, text: str, labels: tuple[str, ...]) -> list[Node]:
    """The entities whose name is ``text`` in another form (中共…委员会 for …党委, 第1 for 第一)
    or whose 简称 it is (``graph.name_forms``)."""
    out: list[Node] = []
    for label in labels:
        if label in NAME_KEYS:
            found = store.keys_by_name(label, {text, name_key(text, label == "Organization")})
            out += store.get_many(label, sorted({k for keys in found.values() for k in keys}))
    return out


def within_region(store: GraphStore, text: str, labels: tuple[str, ...], seen: Visible) -> list[Node]:
    """The entities ``text`` names as a region and a name in it ("西岭区孟街街道", "孟街街道（西岭区）",
    "示范市西岭区孟街街道", "应城市杨河镇红星村"): those of the name inside a region of that name, at
    any depth (those of exactly that name, if any). Regions are looked up by name
    (:class:`graph.places.Places`), never through the first N names that hold the text."""
    pl = places(store)
    found: dict[tuple[str, str], tuple[Node, bool]] = {}
    if "Region" in labels:
        codes = pl.qualified_only(text)
        for n in seen([r for r in store.get_many("Region", codes)]):
            found[(n.label, n.key)] = (n, True)
    # a part of a name after its region's ("西岭区/孟街"): any kind, a region too if none was named
    others = [lb for lb in labels if lb != "Region" or not found]
    if others:
        regions, _ = load_trees(store)
        for where, rest in _splits(pl, text):
            hits = store.find_names(rest, others, limit=MAX_HITS)  # of that name first, all of them
            if hits.exact > MAX_HITS:
                hits = store.find_names(rest, others, limit=min(hits.exact, MAX_EXACT))
            nodes = {(n.label, n.key): (n, n.name == rest) for n in seen(hits.nodes)}
            places_of = _enclosing(store, [n for n, _ in nodes.values()], regions)
            for k, (n, whole) in nodes.items():
                if where & set(places_of.get(k, ())):
                    found[k] = (n, whole or found.get(k, (n, False))[1])
    exact = [n for n, whole in found.values() if whole]
    return exact or [n for n, _ in found.values()]


def _splits(pl: Places, text: str) -> list[tuple[set[str], str]]:
    """(the regions named, the rest) for each way ``text`` is a region's name and a name after it:
    "孟街街道（西岭区）", "西岭区 孟街街道", "西岭区孟街街道党工委" (the longest region first)."""
    out: list[tuple[set[str], str]] = []
    if m := _IN_BRACKETS.match(text.strip()):
        if codes := pl.find(m.group(2)):
            out.append((set(codes), m.group(1)))
    parts = _SEPARATOR.split(text.strip(), maxsplit=1)
    if len(parts) == 2 and all(parts) and (codes := pl.find(parts[0])):
        out.append((set(codes), parts[1]))
    t = clean(text)
    for i in range(len(t) - 2, 1, -1):  # a rest of two characters at least (“村” is no name)
        if codes := pl.find(t[:i]):
            out.append((set(codes), t[i:]))
    return out


def _enclosing(store: GraphStore, nodes: list[Node], regions) -> dict[tuple[str, str], list[str]]:
    """The codes of the regions each node is in, nearest first (a region's own above it)."""
    return {k: regions.ancestors(code) for k, code in _region_of(store, nodes).items()}


def _region_of(store: GraphStore, nodes: list[Node]) -> dict[tuple[str, str], str | None]:
    """The code of the region each node is in (a region's: the one above it)."""
    regions, orgs = load_trees(store)
    where: dict[tuple[str, str], str | None] = {}
    for n in nodes:
        if n.label == "Organization":
            where[(n.label, n.key)] = orgs.region.get(n.key)
        elif n.label == "Region":
            where[(n.label, n.key)] = regions.parent.get(n.key)
    for label in ("Unit", "Grid"):
        keys = [n.key for n in nodes if n.label == label]
        if keys:
            for r in store.engine().regions_of(label, keys):
                where[(label, r["id"])] = r["region"]
    return where


def search_names(store: GraphStore, text: str, labels: Iterable[str] | None = None, limit: int = 20,
                 visible: Visible | None = None, ended: bool = False) -> tuple[list[Node], int]:
    """What a search lists, best first: the entity of that code, those the text names after
    their region's ("应城市杨河镇红星村"), then the names that hold it — the name itself, names
    that begin with it, the rest (:func:`rank`); and how many names hold it, whatever their
    number (never the first N in key order)."""
    wanted = tuple(labels or LOOKUP_ORDER)
    seen = visible or (lambda nodes: nodes)
    t = text.strip()
    day = today()
    first = seen([n for n in (store.get(lb, t) for lb in wanted) if n is not None and (ended or is_live(n.props, day))])
    first += rank(within_region(store, t, wanted, seen), t)
    # enough to rank and, for a scope, to keep what it may see
    hits = store.find_names(t, list(wanted), limit=max(limit, MAX_HITS) if visible is None else MAX_EXACT,
                            ended=ended)
    listed = {(n.label, n.key) for n in first}
    shown = first + [n for n in rank(seen(hits.nodes), t) if (n.label, n.key) not in listed]
    total = max(hits.total if visible is None else len(shown), len(first))
    return shown[:limit], total


# the kinds staff look for first, when a search lists several
_KIND_RANK = {label: i for i, label in enumerate(("Region", "Organization", "Unit", "Alliance", "Grid",
                                                   "Member", "Activity"))}


def rank(nodes: list[Node], text: str) -> list[Node]:
    """Search hits in the order a person wants them: the exact name, then names that begin
    with the text, then by kind (区划, 党组织, 单位, 联盟, 网格, 党员, 活动) and shorter names.

    >>> from graph.store import Node
    >>> [n.key for n in rank([Node("Grid", "G", {"name": "天津路社区第1网格"}),
    ...                       Node("Organization", "O", {"name": "天津路社区党委"})], "天津")]
    ['O', 'G']
    """
    t = text.strip()
    return sorted(nodes, key=lambda n: (n.name != t, not n.name.startswith(t),
                                        _KIND_RANK.get(n.label, 9), len(n.name), n.key))


def _by_code(store: GraphStore, label: str, text: str) -> Node | None:
    if label == "Region" and text.isascii() and text.isdigit() and len(text) in (2, 4, 6, 9):
        text = text.ljust(12, "0")  # a short 区划代码
    code = text.upper() if text.isascii() else text
    found = store.get(label, code)
    if found is None and text.isascii() and label in ("Unit", "Organization"):
        # a code merged into another node (#16) still names it
        merged = store.aliases(label)
        now = merged.get(code) or merged.get(text)
        found = store.get(label, now) if now else None
    return found


def _closest(store: GraphStore, text: str, labels: tuple[str, ...], seen: Visible) -> list[str]:
    """Names near ``text``: those sharing a part of it, ranked by similarity."""
    pool: dict[str, Node] = {}
    parts = {text[i:i + 2] for i in range(len(text) - 1)} or {text}
    for part in sorted(parts)[:10]:
        for n in seen(store.search(part, labels=list(labels), limit=50)):
            pool.setdefault(n.name, n)
    return difflib.get_close_matches(text, list(pool), n=5, cutoff=0.3)


def candidates(store: GraphStore, nodes: list[Node]) -> list[dict[str, str | None]]:
    """Name, kind, code and region of each, for a person to choose from."""
    regions, _ = load_trees(store)
    where = _region_of(store, nodes)
    out = []
    for n in nodes:
        code = where.get((n.label, n.key))
        out.append({"name": n.name, "kind": LABELS[n.label].zh, "code": n.key,
                    "region": regions.shown(code) if code else None})
    return out
