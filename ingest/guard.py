"""Writes of a scoped token stay inside its scope.

A writer whose token sees one street (or one organisation's subtree) may only create or change
entities inside that scope, and only link them to entities it may see. A row is inside when
- its key names nothing the writer may not see (an existing entity outside the scope is not its
  to change; a new one is placed by the row itself), and
- it is placed in the scope by one of its anchor columns (:data:`ANCHORS`: an organisation by its
  parent in an organisation scope or its region in a region scope, a unit by its region or the
  unit it is part of, a member by its organisation ...), and
- every code the row links to is one the writer may see (or one this load has just placed
  inside the scope); a name where a code belongs, when it names such an entity (names resolve
  among those alone: the loader asks :meth:`WriteScope.allows`).
Any other row is rejected with the same reason whether or not what it names exists, so an upload
(a dry run too) tells nothing about what lies outside the scope.

What the writer may see is taken once when the load starts (``graph.analyses.scope.Scope``);
keys that this load places inside are added as they land.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from graph.model import LABELS
from graph.name_forms import forms_of, name_key
from ingest.problems import row_ends

if TYPE_CHECKING:
    from graph.analyses.scope import Scope
    from graph.store import GraphStore
    from ingest.ledgers import Ledger
    from ingest.rows import ParsedRow

OUTSIDE = "超出权限范围：只能载入本范围内的数据，且只能关联本范围内可见的党组织、单位、网格和区划"

# The columns that place a new row inside a scope, by label and scope kind ("*": either kind).
ANCHORS: dict[str, dict[str, tuple[str, ...]]] = {
    "Organization": {"org": ("上级组织编码",), "region": ("区划代码",)},
    "Unit": {"*": ("区划代码", "上级单位编码")},
    "Grid": {"*": ("区划代码", "上级网格编码")},
    "Member": {"*": ("所在党组织编码",)},
    "Region": {"*": ("上级区划代码",)},
    "Alliance": {"*": ("牵头组织编码",)},
    "Activity": {"*": ("参与组织编码",)},
}
class WriteScope:
    """Decides, row by row, whether a scoped writer may land it (see the module docstring)."""

    def __init__(self, store: GraphStore, scope: Scope) -> None:
        self.store, self.kind = store, scope.kind
        self.visible: dict[str, set[str]] = {label: set(scope.visible_keys(label) or ()) for label in LABELS}
        self.placed: dict[str, set[str]] = defaultdict(set)
        self.placed_names: dict[str, dict[str, set[str]]] = defaultdict(dict)  # label -> name form -> keys

    def sees(self, labels: tuple[str, ...], code: str) -> bool:
        if any(code in self.visible[x] or code in self.placed[x] for x in labels):
            return True
        return not code.isascii() and self._sees_name(labels, code)

    def _sees_name(self, labels: tuple[str, ...], name: str) -> bool:
        """A name where a code belongs (所在党支部 “骆路社区第一党支部”): seen when it names an
        entity the writer may see, or one this load has placed inside the scope; the loader
        then links it to that one (it looks among those alone: ``allows``)."""
        for label in labels:
            form = name_key(name, label == "Organization")
            if self.placed_names[label].get(form):
                return True
            found = self.store.keys_by_name(label, {form, name})
            if any(self.allows(label, k) for keys in found.values() for k in keys):
                return True
        return False

    def check(self, ledger: Ledger, parsed: ParsedRow) -> str | None:
        """The column that takes the row outside the scope, or ``None`` when it may land."""
        links = [(col.zh, col.target, code) for col, code in parsed.refs]
        if ledger.label is None:  # the row is a link: both ends must be seen
            for column, labels in row_ends(ledger):
                code = parsed.values.get(column)
                if isinstance(code, str) and not self.sees(labels, code):
                    return column
            return next((c for c, target, code in links if not self.sees(target, code)), None)
        key_column = ledger.key[0]
        key = str(parsed.values[key_column])
        label = ledger.label
        if not self.sees((label,), key) and self.store.existing_keys(label, [key]):
            return key_column  # someone else's entity
        bad = next((c for c, target, code in links if not self.sees(target, code)), None)
        if bad is not None:
            return bad
        anchors = ANCHORS[label].get(self.kind) or ANCHORS[label].get("*", ())
        if not any(c in anchors for c, _, _ in links):
            return anchors[0] if anchors else key_column  # nothing places it inside the scope
        self.placed[label].add(key)
        for form in forms_of(label, parsed.props):
            self.placed_names[label].setdefault(form, set()).add(key)
        return None

    def allows(self, label: str, key: str) -> bool:
        return self.sees((label,), key)
