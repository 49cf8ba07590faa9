"""Positions for large views, worked out before drawing (no physics in the page): each group
(a street, a community) a sunflower disc, the discs on a 16:9 grid, largest first — a view that
opens folded into its groups unfolds each in place, where its cluster node stood.

>>> from viz.model import VNode
>>> a = [VNode(id=f"Unit:{i}", name=str(i), label_zh="单位", sector="other") for i in range(3)]
>>> discs([a])
>>> (a[0].x, a[0].y)
(0.0, 0.0)
"""
from __future__ import annotations

import math

from viz.model import VNode

GOLDEN = math.pi * (3 - math.sqrt(5))


def disc_radius(n: int, spacing: float) -> float:
    return spacing * math.sqrt(n) + spacing


def discs(groups: list[list[VNode]], spacing: float = 70.0) -> None:
    """Place each group's nodes (the first at its centre) on a sunflower disc, and the discs
    in rows filling a 16:9 screen."""
    if not groups:
        return
    cols = max(1, round(math.sqrt(len(groups) * 16 / 9)))
    cell = 2 * max(disc_radius(len(g), spacing) for g in groups) + spacing
    rows = math.ceil(len(groups) / cols)
    for gi, group in enumerate(groups):
        r, c = divmod(gi, cols)
        cx, cy = (c - (cols - 1) / 2) * cell, (r - (rows - 1) / 2) * cell
        for i, node in enumerate(group):
            d = 0.0 if i == 0 else spacing * math.sqrt(i) + spacing * 0.4
            node.x, node.y = cx + d * math.cos(i * GOLDEN), cy + d * math.sin(i * GOLDEN)
