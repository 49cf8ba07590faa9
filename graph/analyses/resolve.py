"""Find an entity the way staff name it: by its code, its exact name, or a unique part of its
name ("北镇街道", "秦街社区党委", "秦街"). Two or more fit: :class:`~graph.errors.Ambiguous` with
the candidates (name, kind, code, region) to choose from; none: :class:`NotFound` naming the
closest names. Never a silent empty answer.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "O1", "name": "秦街社区党委"}, {"id": "O2", "name": "北镇街道党工委"}])
>>> resolve(s, "秦街").key, resolve(s, "O2").key, resolve(s, "北镇街道党工委").key
('O1', 'O2', 'O2')
>>> resolve(s, "党")
Traceback (most recent call last):
graph.errors.Ambiguous: “党”对应多个实体，请写出全称或编码：秦街社区党委（党组织，O1）、北镇街道党工委（党组织，O2）
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from graph.analyses.trees import load_trees
from graph.errors import Ambiguous, NotFoundError
from graph.model import LABELS
from graph.store import GraphStore, Node

# the order codes are looked up in when the kind is not given
LOOKUP_ORDER = ("Organization", "Unit", "Grid", "Member", "Alliance", "Activity", "Region")
MAX_CANDIDATES = 20


class NotFound(NotFoundError, LookupError):
    """No entity has that code or name (or none the asker may see)."""


Visible = Callable[[list[Node]], list[Node]]


def resolve(store: GraphStore, text: str, labels: Iterable[str] | None = None,
            visible: Visible | None = None) -> Node:
    """The one entity ``text`` names among ``labels`` (every kind by default); ``visible``
    keeps only what the asker may see, so neither an answer nor a candidate leaks."""
    wanted = tuple(labels or LOOKUP_ORDER)
    seen = visible or (lambda nodes: nodes)
    t = text.strip()
    if not t:
        raise NotFound("未给出编码或名称")
    for node in seen([n for n in (_by_code(store, lb, t) for lb in wanted) if n is not None]):
        return node
    hits = seen(store.search(t, labels=list(wanted), limit=200))
    exact = [n for n in hits if n.props.get("name") == t]
    if len(exact) == 1:
        return exact[0]
    chosen = exact or hits
    if len(chosen) == 1:
        return chosen[0]
    if chosen:
        cands = candidates(store, chosen[:MAX_CANDIDATES])
        listed = "、".join(f"{c['name']}（{c['kind']}，{c['code']}）" for c in cands[:8])
        more = f" 等 {len(chosen)} 个" if len(chosen) > 8 else ""
        raise Ambiguous(f"“{t}”对应多个实体，请写出全称或编码：{listed}{more}", cands)
    near = _closest(store, t, wanted, seen)
    raise NotFound(f"未找到“{t}”" + (f"，最接近的有：{'、'.join(near)}" if near else ""))


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
    if label == "Region" and text.isdigit() and len(text) in (6, 9):
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
    out = []
    for n in nodes:
        code = where.get((n.label, n.key))
        out.append({"name": n.name, "kind": LABELS[n.label].zh, "code": n.key,
                    "region": regions.name.get(code) if code else None})
    return out
