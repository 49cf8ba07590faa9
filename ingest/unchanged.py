"""Rows a load need not write again: the monthly ledgers are mostly last month's.

A street office sends its whole ledgers every month, and most rows are what they were (about 3%
of the demo city's members change in a month). A node written by a load carries its row's
digest (``ROW_DIGEST``): a hash of the row's values and of the links it makes, not of where or
when it was read. When a later load finds the node of a row carrying the row's digest, the row
is the same: neither the node nor its links are written again, and its links are not pruned.
Its provenance stays that of the load that wrote it — where its current values came from, and
when.

A row is written again, whatever its digest, when its node

- has data problems (``data_problems``: worked out again by every load that writes the node);
- was written by a load that did not finish (``GraphStore.unfinished_loads``: the links of its
  row may not all be there);
- could not make every link of its row when it was written: that load clears its digest
  (:meth:`Unchanged.unsettle`), so the link is tried again once its other end may exist.

>>> a = row_digest({"id": "DY1", "name": "张三", "src_row": 5, "loaded_at": "2026-10-22"},
...                [("MEMBER_OF", "所在党组织编码", None, "DY1", "SW1", None)])
>>> b = row_digest({"name": "张三", "id": "DY1", "src_row": 9, "loaded_at": "2026-11-22"},
...                [("MEMBER_OF", "所在党组织编码", None, "DY1", "SW1", None)])
>>> c = row_digest({"id": "DY1", "name": "张三"}, [("MEMBER_OF", "所在党组织编码", None, "DY1", "SW2", None)])
>>> a == b, a == c
(True, False)
>>> links = [("IN_ALLIANCE", "成员组织编码", "成员", "O1", "LM1", None),
...          ("IN_ALLIANCE", "成员组织编码", "成员", "O2", "LM1", None)]
>>> row_digest({"id": "LM1"}, links) == row_digest({"id": "LM1"}, links[::-1])
True
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from graph.model import LABELS, PROVENANCE_ZH, ROW_DIGEST
from ingest.problems import PROBLEMS

_NOT_CONTENT = frozenset({*PROVENANCE_ZH, PROBLEMS})


def row_digest(node: dict[str, Any], links: Iterable[tuple[Any, ...]]) -> str:
    """The digest of a node's row: its properties (not its provenance or data problems) and its
    links, each as ``(type, column, role, start, end, properties)``."""
    # a blank (None: the row removes the value) is no value, as in a row without the column
    content = sorted((p, v) for p, v in node.items() if p not in _NOT_CONTENT and v is not None)
    # links in any order (a cell listing the same organisations in another order is the same);
    # repr, not pickle: pickle writes a string seen twice as a back-reference, so equal rows
    # could give different bytes
    return hashlib.blake2b(repr((content, sorted(map(repr, links)))).encode(), digest_size=12).hexdigest()


class _Reads(Protocol):
    def node_values(self, label: str, keys: Iterable[str], props: tuple[str, ...]) -> dict[str, tuple[Any, ...]]: ...
    def unfinished_loads(self) -> set[str]: ...


class Unchanged:
    """Which rows of one load are the same as their nodes; and the nodes whose rows could not
    make every link, whose digests the load clears at its end.

    ``present``: the labels that had nodes before the load (rows of another label are new)."""

    _READ = (ROW_DIGEST, PROBLEMS, "loaded_at")

    def __init__(self, store: _Reads, present: set[str]) -> None:
        self.store = store
        self.present = present
        self.untrusted = store.unfinished_loads() if present else set()
        self.unsettled: dict[str, set[str]] = defaultdict(set)

    def keys(self, label: str, digests: dict[str, str]) -> set[str]:
        """The keys among ``digests`` (key -> its row's digest) whose node is as its row says."""
        if label not in self.present or not digests:
            return set()
        return {key for key, (digest, problems, stamp) in
                self.store.node_values(label, digests, self._READ).items()
                if digest == digests[key] and not problems and stamp not in self.untrusted}

    def unsettle(self, label: str, key: str) -> None:
        """A link of the row of this node could not be made."""
        self.unsettled[label].add(key)

    def clearing(self) -> Iterable[tuple[str, list[dict[str, Any]]]]:
        """Per label, the updates that clear the digests of the unsettled nodes."""
        for label, keys in sorted(self.unsettled.items()):
            yield label, [{LABELS[label].key: k, ROW_DIGEST: None} for k in sorted(keys)]
