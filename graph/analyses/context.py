"""Names that carry their context. Ledgers name a grid "第2网格" and a building "3号楼", and every
community has one: in a gap list, a table, an export or a view such a name is shown with what it
is in, "蒋路社区 第2网格", "幸福小区 3号楼" (a name that already says it is left alone).

>>> with_context("3号楼", ["幸福小区"])
'幸福小区 3号楼'
>>> with_context("蒋路社区第2网格", ["蒋路社区"])
'蒋路社区第2网格'
>>> with_context("第1微网格", ["蒋路社区", "蒋路社区第2网格"])
'蒋路社区第2网格 第1微网格'
>>> with_context("赵路社区第3网格", ["赵路社区", "赵路社区总网格"])  # says where it is already
'赵路社区第3网格'
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.analyses.engine import Engine
from graph.model import UnitKind

# Units whose names mean little alone (their container's name goes first).
CONTEXT_KINDS = [UnitKind.BUILDING.value]
# Labels whose entities may need it.
LABELS = ("Grid", "Unit")


def with_context(name: str, context: list[str]) -> str:
    """``name`` after the parts of ``context`` it does not already contain (one that another
    part already contains is dropped too: a parent grid named after its community)."""
    if context and context[0] and context[0] in name:  # names its outermost place already
        return name
    parts = [c for c in context if c and c not in name]
    parts = [c for i, c in enumerate(parts) if not any(c in later for later in parts[i + 1:])]
    return " ".join([*parts, name])


def names_in_context(engine: Engine, entities: Iterable[tuple[str, str, str | None]]
                     ) -> dict[tuple[str, str], str]:
    """(label, key) -> the name with its context, for those of ``entities`` (label, key, name)
    that need one."""
    wanted: dict[str, dict[str, str]] = defaultdict(dict)
    for label, key, name in entities:
        if label in LABELS and name:
            wanted[label][key] = name
    if not wanted:
        return {}
    out = {}
    for label, names in wanted.items():
        for key, context in engine.contexts(label, sorted(names), CONTEXT_KINDS).items():
            full = with_context(names[key], context)
            if full != names[key]:
                out[(label, key)] = full
    return out
