"""How each column of a sheet was read: the column map a report opens with (docs/ledgers.md,
"How each column was read").

For every table: each header as typed and the ledger field it was read as, and the columns
passed over — with the field a passed-over header looks like, when it looks like one
(批准成立的上级党组织 → 上级组织编码). A passed-over column that names a parent, a member's branch, a
region or the key is a warning, never silent: its links would be missing from the graph.

>>> from ingest.ledgers import LEDGERS
>>> nearest("批准成立的上级党组织", LEDGERS["organizations"]).zh
'上级组织编码'
>>> nearest("党组织所在行政区划", LEDGERS["organizations"]).zh
'区划代码'
>>> nearest("民族", LEDGERS["members"]) is None
True
"""
from __future__ import annotations

import difflib

from openpyxl.utils import get_column_letter

from ingest import synonyms
from ingest.ledgers import Column, Ledger
from ingest.readers import Table, normalize_header
from ingest.report import ColumnMap, Issue, PassedColumn, ReadColumn

# Words in a header, and the ledger columns it then may mean (the first one the ledger has).
_HINTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("上级",), ("上级组织编码", "上级单位编码", "上级网格编码", "上级区划代码")),
    (("区划", "行政区", "所在地区"), ("区划代码",)),
    (("身份证", "身份号码"), ("身份证号",)),
    (("流入",), ("流入党组织编码",)),
    (("报到",), ("报到党组织编码",)),
    (("支部", "党组织", "党委", "党总支"), ("所在党组织编码",)),
    (("网格",), ("所在网格编码",)),
    (("工作单位", "单位"), ("工作单位编码", "所在单位编码")),
)
_KEY_WORDS = ("编码", "代码", "编号", "证号")
CLOSE = 0.8  # difflib ratio for a header like a field's name with no hint word (出生日期 / 流出日期: 0.75)
# what a whole column passed over loses, by the relationship its field makes
_LOSES = {"SUBORDINATE_TO": "上级关系", "PART_OF": "上级关系", "MEMBER_OF": "所在党组织",
          "IN_REGION": "所在区划"}


def nearest(header: str, ledger: Ledger) -> Column | None:
    """The field of ``ledger`` a header it did not recognise looks like, if any."""
    name = normalize_header(header)
    have = {c.zh: c for c in ledger.columns}
    for words, fields in _HINTS:
        if any(w in name for w in words):
            found = next((have[f] for f in fields if f in have), None)
            if found is not None:
                return found
    if any(w in name for w in _KEY_WORDS):
        return have[ledger.key[0]] if ledger.key and ledger.key[0] in have and ledger.label else None
    names = {c.zh: c for c in ledger.columns}
    names.update({alias: have[zh] for alias, zh in synonyms.HEADERS.items() if zh in have})
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=CLOSE)
    return names[close[0]] if close else None


def _matters(col: Column, ledger: Ledger) -> str | None:
    """What the graph loses when no column of the sheet is read as ``col``: a parent, a
    member's branch, a region, or the key; ``None`` for anything else."""
    if col.rel in _LOSES:
        return _LOSES[col.rel]
    if col.zh in ledger.key or (ledger.derived_key is not None and col.zh == ledger.derived_key.source):
        return "编码"
    return None


def column_map(t: Table) -> tuple[ColumnMap, list[Issue]]:
    """The table's column map, and a warning for each passed-over column that names a parent,
    a branch, a region or the key (and whose field no other column gives)."""
    ledger = t.ledger
    assert ledger is not None
    cm = ColumnMap(t.file, t.sheet, t.header_row, ledger.zh)
    read_fields = {c.zh for c in t.columns.values()}
    dk = ledger.derived_key
    keyed_by = dk.source if dk is not None and ledger.key[0] not in read_fields else None
    warnings: list[Issue] = []
    for i, header in sorted(t.headers.items()):
        letter = get_column_letter(i + 1)
        col = t.columns.get(i)
        if col is not None:
            note = f"{ledger.key[0]}由它生成（本表没有{ledger.key[0]}列）" if col.zh == keyed_by else ""
            cm.read.append(ReadColumn(letter, header, col.zh, note))
            continue
        if normalize_header(header).upper() in synonyms.IGNORED_HEADERS:
            cm.passed.append(PassedColumn(letter, header, note="行号，不读取"))
            continue
        near = nearest(header, ledger)
        passed = PassedColumn(letter, header, near.zh if near else None)
        cm.passed.append(passed)
        if near is None:
            continue
        if near.zh in read_fields:
            passed.note = "该项已从另一列读取"
            continue
        loses = _matters(near, ledger)
        if loses is None:
            continue
        passed.warned = True
        warnings.append(Issue(
            t.file, t.sheet, t.header_row, header, None,
            f"整列未读取：表头「{header}」像是「{near.zh}」，但未能识别，这一列的{loses}没有载入"
            f"（请把表头改为「{near.zh}」）", cell=f"{letter}{t.header_row}"))
    return cm, warnings
