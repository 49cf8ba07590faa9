"""A complete ledger (全量台账, ``tupu ingest --complete``): everything of its kind in its scope that
it does not list has ended (graph.ends) as of the ledgers' date — a company no longer in the
street's 单位 ledger closed, a branch no longer in its 党组织 ledger was dissolved, a member no longer
on the roster transferred out.

The scope of a kind is what the uploader may write (a scoped token's street or organisation) or,
for an administrator, what the listed things have in common: the nearest region above every
listed unit or grid, the nearest organisation above every listed organisation (or every listed
member's organisation). A kind whose scope cannot be told (no regions, no common organisation)
ends nothing, and says so. A ledger that would end more than ``complete_max_end_percent`` of its
scope is a partial file, not a month's changes: refused unless forced.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph import ends
from graph.analyses.engine import engine_for
from graph.analyses.trees import OrgTree, RegionTree, load_trees
from graph.model import LABELS
from graph.store import GraphStore

KINDS = ("Organization", "Unit", "Grid", "Member")  # the kinds a complete ledger ends by absence


@dataclass
class Completion:
    """What a complete ledger of one kind covers and ends."""

    label: str
    label_zh: str
    files: list[str]
    scope: str | None  # in words: 骆路社区（510107001001）, 骆路街道党工委及下级, 本令牌的权限范围
    in_scope: int = 0  # things of the kind in the scope that had not ended
    listed: int = 0  # of them, listed by the ledger
    ending: list[dict[str, Any]] = field(default_factory=list)  # id, name: not listed, to end
    share: float = 0.0  # ending / in_scope, in percent
    refused: str | None = None  # why nothing was ended

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _nearest_common(chains: list[list[str]]) -> str | None:
    """The first element of the first chain that every chain holds (each chain nearest first)."""
    if not chains or any(not c for c in chains):
        return None
    others = [set(c) for c in chains[1:]]
    return next((x for x in chains[0] if all(x in o for o in others)), None)


def _region_scope(regions: RegionTree, codes: list[str | None]) -> str | None:
    return _nearest_common([regions.ancestors(c) for c in codes]) if codes and None not in codes else None


def completion(store: GraphStore, label: str, listed: set[str], files: list[str], date: str,
               visible: set[str] | None, max_percent: int, force: bool) -> Completion:
    """What a complete ledger of ``label`` listing ``listed`` ends in its scope (``visible``: the
    keys a scoped uploader may write; ``None``: an administrator, the scope is found)."""
    regions, orgs = load_trees(store)
    engine = engine_for(store)
    gone = {n.key for n in store.ended_nodes(label) if not ends.is_live(n.props, date)}
    c = Completion(label, LABELS[label].zh, sorted({Path(f).name for f in files}), None)
    in_scope: set[str] | None
    if visible is not None:
        c.scope, in_scope = "本令牌的权限范围", set(visible)
    else:
        c.scope, in_scope = _scope(store, label, listed, regions, orgs, engine)
    if in_scope is None:
        c.refused = (f"无法确定这份{c.label_zh}台账覆盖的范围（所列{c.label_zh}没有共同的区划或上级党组织），"
                     "未按完整台账处理")
        return c
    in_scope -= gone
    c.in_scope, c.listed = len(in_scope), len(in_scope & listed)
    absent = sorted(in_scope - listed)
    names = {n.key: n.name for n in store.get_many(label, absent)}
    c.ending = [{"id": k, "name": names.get(k, k)} for k in absent]
    c.share = round(100 * len(absent) / len(in_scope), 1) if in_scope else 0.0
    if absent and c.share > max_percent and not force:
        c.refused = (f"将有 {len(absent)} 个{c.label_zh}（范围内 {len(in_scope)} 个的 {c.share}%）视为已终止，"
                     f"超过 {max_percent}%：像是部分台账而不是完整台账，未执行；确认无误请加 --force")
    return c


def _scope(store: GraphStore, label: str, listed: set[str], regions: RegionTree, orgs: OrgTree,
           engine: Any) -> tuple[str | None, set[str] | None]:
    """(the scope in words, the keys of ``label`` in it) for an administrator's complete ledger."""
    if label in ("Unit", "Grid"):
        placed = {r["id"]: r["region"] for r in engine.regions_of(label, None)}
        root = _region_scope(regions, [placed.get(k) for k in listed if k in placed])
        if root is None:
            return None, None
        inside = regions.subtree(root)
        return f"{regions.shown(root)}（{root}）", {k for k, r in placed.items() if r in inside}
    if label == "Organization":
        mine = [k for k in listed if k in orgs.name]
        root = _nearest_common([orgs.chain(k) for k in mine])
        if root is not None:
            inside = orgs.subtree(root) - ({root} if root not in listed else set())
            return f"{orgs.name.get(root) or root}及其下级党组织", inside
        region = _region_scope(regions, [orgs.region.get(k) for k in mine])
        if region is None:
            return None, None
        inside_r = regions.subtree(region)
        return f"{regions.shown(region)}（{region}）", {k for k, r in orgs.region.items() if r in inside_r}
    if label == "Member":
        homes = set(engine.home_orgs(sorted(listed)).values())
        root = _nearest_common([orgs.chain(o) for o in sorted(h for h in homes if h is not None and h in orgs.name)])
        if root is None:
            return None, None
        members = set(engine.members_at_home_in(sorted(orgs.subtree(root))))
        return f"{orgs.name.get(root) or root}及其下级党组织的党员", members
    return None, None


def end_absent(store: GraphStore, c: Completion, date: str) -> list[dict[str, Any]]:
    """End what ``c`` found not listed; return the report's entries for them."""
    source = f"完整台账 {'、'.join(c.files)} 未列出"
    props = ends.ended_props(date, ends.ABSENT_REASON[c.label], source)
    key = LABELS[c.label].key
    store.update_nodes(c.label, [{key: e["id"], **props} for e in c.ending])
    return [{"label": c.label, "label_zh": c.label_zh, "id": e["id"], "name": e["name"], "date": date,
             "reason": props[ends.END_REASON], "source": source, "file": None, "sheet": None, "row": None}
            for e in c.ending]
