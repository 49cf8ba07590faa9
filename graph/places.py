"""Region names as people write them, resolved against a region tree: a name
("观音桥社区居委会"), the name a place goes by without its committee's words ("观音桥社区",
"红星村" for 红星村民委员会), or a qualified name — the regions above it written before it, any of
them left out ("四川省成都市锦江区东湖街道观音桥社区居委会", "锦江区东湖街道", "应城市杨河镇红星村").

The NBS's city-level placeholders (市辖区, 县, 省直辖县级行政区划) are no places: they are skipped
in a qualified name that writes them, and never shown in one (:func:`is_placeholder`).

>>> from graph.analyses.trees import RegionTree
>>> t = RegionTree.of([{"code": "11", "name": "北京市"}, {"code": "1101", "name": "市辖区", "parent": "11"},
...     {"code": "110105", "name": "朝阳区", "parent": "1101"},
...     {"code": "110105001", "name": "东湖街道", "parent": "110105"},
...     {"code": "51", "name": "四川省"}, {"code": "5101", "name": "成都市", "parent": "51"},
...     {"code": "510104", "name": "锦江区", "parent": "5101"},
...     {"code": "510104002", "name": "东湖街道", "parent": "510104"},
...     {"code": "510104002007", "name": "观音桥社区居委会", "parent": "510104002"}])
>>> p = Places(t)
>>> p.find("四川省成都市锦江区东湖街道观音桥社区居委会"), p.find("锦江区东湖街道观音桥社区")
(['510104002007'], ['510104002007'])
>>> p.find("东湖街道"), p.find("北京市市辖区朝阳区东湖街道"), p.find("朝阳区 东湖街道")
(['110105001', '510104002'], ['110105001'], ['110105001'])
>>> p.qualified("110105001"), p.find("西湖街道"), p.find("四川省市辖区锦江区")
('北京市朝阳区东湖街道', [], ['510104'])
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property

from graph.analyses.trees import PLACEHOLDERS, RegionTree, is_placeholder

__all__ = ["PLACEHOLDERS", "Places", "is_placeholder", "place_forms", "places"]

# what separates the parts of a qualified name when people separate them
_SEPARATORS = re.compile(r"[\s　/／\\·、>＞|｜-]+")
_IN_BRACKETS = re.compile(r"^(.+?)[（(]([^（）()]+?)[）)]$")
# a committee's words after a place's name (村委会 of 红星村委会): the place's name without them
_COMMITTEE = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村村民委员会", "村"), ("村村委会", "村"),
              ("村民委员会", "村"), ("村委会", "村"), ("居民委员会", "社区"), ("居委会", "社区"),
              ("街道办事处", "街道"), ("办事处", ""))


def place_forms(name: str) -> list[str]:
    """The other names a region goes by: its name without its committee's words.

    >>> place_forms("红星村民委员会"), place_forms("观音桥社区居委会"), place_forms("银闸居委会")
    (['红星村'], ['观音桥社区'], ['银闸社区', '银闸'])
    """
    for suffix, instead in _COMMITTEE:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            forms = [stem + instead] if instead and not stem.endswith(instead) else [stem]
            if suffix in ("居民委员会", "居委会"):
                forms.append(stem)
            return [f for f in forms if len(f) >= 2 and f != name]
    return []


def _without_placeholder(rest: str) -> str:
    """``rest`` without a placeholder written at its end (北京市市辖区 of 北京市市辖区朝阳区)."""
    for word in PLACEHOLDERS:
        if rest.endswith(word) and len(rest) > len(word):
            return rest[: -len(word)]
    return rest


def clean(text: str) -> str:
    """A name as compared: without spaces and the separators people put between its parts."""
    return _SEPARATORS.sub("", text.strip())


class Places:
    """The regions of a tree by name, for :meth:`find`."""

    def __init__(self, tree: RegionTree) -> None:
        self.tree = tree

    @cached_property
    def by_name(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for code, name in self.tree.name.items():
            if name and not is_placeholder(name):
                out[name if name.isalnum() else clean(name)].append(code)
        return dict(out)

    @cached_property
    def by_form(self) -> dict[str, list[str]]:  # made only when a name is not found as written
        out: dict[str, list[str]] = defaultdict(list)
        for name, codes in self.by_name.items():
            if name[-1] in "会处":  # (委员会, 居委会, 办事处: the committee's words)
                for form in place_forms(name):
                    out[form].extend(codes)
        return dict(out)

    def named(self, text: str) -> list[str]:
        """The regions of exactly that name (or, none being, that a name's short form is)."""
        t = clean(text)
        return sorted(self.by_name.get(t) or self.by_form.get(t) or [])

    def find(self, text: str) -> list[str]:
        """The regions ``text`` names: those of that name, else those it names qualified by the
        regions above (the whole name written, before a short form of it)."""
        t = clean(text)
        if not t:
            return []
        if exact := self.by_name.get(t):
            return sorted(exact)
        if m := _IN_BRACKETS.match(t):  # 孟街街道（西岭区）
            return self.find(m.group(2) + m.group(1))
        found = self._qualified(t, self.by_name) or self.by_form.get(t) or self._qualified(t, self.by_form)
        return sorted(set(found or []))

    def qualified_only(self, text: str) -> list[str]:
        """The regions ``text`` names other than by their exact name (qualified, or a short form)."""
        return [] if clean(text) in self.by_name else self.find(text)

    def _qualified(self, text: str, index: dict[str, list[str]]) -> list[str]:
        out: list[str] = []
        for i in range(1, len(text) - 1):
            for code in index.get(text[i:], ()):
                if self._above(text[:i], code):
                    out.append(code)
            if out:  # the longest last part that fits (东湖街道 before 街道)
                return out
        return out

    def _above(self, rest: str, code: str) -> bool:
        """Whether ``rest`` is the names of regions above ``code`` (nearest last), some left out."""
        for up in self.tree.ancestors(code)[1:]:
            rest = _without_placeholder(rest)
            if not rest:
                return True
            name = self.tree.name.get(up) or ""
            for form in sorted({clean(name), *place_forms(clean(name))}, key=len, reverse=True):
                if form and rest.endswith(form):
                    rest = rest[: -len(form)]
                    break
        return not _without_placeholder(rest)

    def qualified(self, code: str) -> str:
        """The region's name after the names of every region above it (placeholders left out)."""
        names = [self.tree.name.get(c) or c for c in reversed(self.tree.ancestors(code))]
        return "".join(n for n in names if not is_placeholder(n))


def places(store) -> Places:  # noqa: ANN001 - any GraphStore
    """The store's regions by name, kept until the store changes."""
    from graph.analyses.cache import cached
    from graph.analyses.trees import load_trees

    tree = load_trees(store)[0]
    return cached(store, ("places", id(tree)), lambda: Places(tree))
