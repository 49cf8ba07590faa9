"""Regions written by name in a 区划 column ("四川省成都市锦江区东湖街道观音桥社区居委会",
"锦江区东湖街道"): the exports of 全国党员管理信息系统 and city platforms write 党组织所在行政区划 so.

A load links such a cell once its own regions (a 行政区划 ledger in the same load, or the shipped
tree loaded by ``tupu regions use``) and their PART_OF links are in: the name is looked up in
the region tree of the store (:class:`graph.places.Places`), and links when it names exactly one
region. Several: a warning listing them by their qualified names; none: a warning that says
how to load the regions when the store has none.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.analyses.trees import load_trees
from graph.places import Places

_REGION = ("Region",)
SHOWN = 5  # regions listed in a warning


def is_name(value: str) -> bool:
    """A 区划 cell that is no code (codes are digits: checks.region_ref pads them)."""
    return not value.isdigit()


def split(chunk: list[tuple], kinds: Sequence[Any]) -> tuple[list[tuple], list[tuple]]:
    """The chunk's links without those to a region written by its name, and those."""
    rest: list[tuple] = []
    named: list[tuple] = []
    for link in chunk:
        kind = kinds[link[0]]
        (named if kind.end_labels == _REGION and is_name(link[3]) else rest).append(link)
    return rest, named


def in_order(links: list[tuple], kinds: Sequence[Any]) -> list[list[tuple]]:
    """Regions' own parents first (a 行政区划 ledger's 上级区划代码), then the rest."""
    parents = [link for link in links if kinds[link[0]].start_labels == _REGION]
    rest = [link for link in links if kinds[link[0]].start_labels != _REGION]
    return [group for group in (parents, rest) if group]


def resolve(store: Any, links: list[tuple]) -> tuple[dict[tuple[str, str], set[str]], dict[str, str]]:
    """The regions each name in ``links`` names, as the loader's ``named`` wants them, and the
    warning's words for a name that names several or none."""
    tree = load_trees(store)[0]
    places = Places(tree)
    named: dict[tuple[str, str], set[str]] = {}
    hints: dict[str, str] = {}
    for value in {link[3] for link in links}:
        found = places.find(value)
        named[("Region", value)] = set(found)
        if len(found) > 1:
            listed = "、".join(f"{places.qualified(c)}（{c}）" for c in found[:SHOWN])
            more = f" 等 {len(found)} 个" if len(found) > SHOWN else ""
            example = places.qualified(found[0])
            hints[value] = (f"「{value}」是 {len(found)} 个行政区划的名称：{listed}{more}；"
                            f"请在前面写出上级区划（如“{example}”）或改填区划代码，该关联未建立")
        elif not found and not tree.name:
            hints[value] = (f"「{value}」：图谱中还没有行政区划，可运行 tupu regions use 所在市县（如“成都市”）"
                            "载入国家统计局区划，或载入行政区划台账；该关联未建立")
        elif not found:
            hints[value] = (f"没有行政区划叫「{value}」（已载入 {len(tree.name)} 个区划；可写全称，"
                            "如“锦江区东湖街道观音桥社区居委会”，或改填区划代码），该关联未建立")
    return named, hints
