"""Turn one spreadsheet row into clean values, the reasons it is rejected, and its warnings.

A row is rejected only for what must reject it (docs/ledgers.md, "Rejected, or landed with a
warning"): a missing or unreadable required value (the key among them) or a link of
a thing to itself. Any other value that cannot be read or fails its check is dropped from the row
with a warning, and the row lands. Every failing column is reported (not only the first), each
with the value as typed (personal data masked), its cell and a reason in Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from graph.privacy import mask_value
from ingest.checks import BadValue, Unreadable, Unusual, split_multi
from ingest.ledgers import Column, Ledger
from ingest.readers import Table, UncomputedFormula
from ingest.report import LANDED_BLANK, Issue

CONTROL_CHARACTERS = "单元格含不可见的控制字符（如 \\x01、\\x0b，多为从其他系统复制而来），已删除这些字符后载入"


@dataclass
class ParsedRow:
    row: int
    props: dict[str, Any] = field(default_factory=dict)
    refs: list[tuple[Column, str]] = field(default_factory=list)  # (link column, code)
    values: dict[str, Any] = field(default_factory=dict)  # column zh -> clean value

    def key(self, columns: tuple[str, ...]) -> tuple:
        return tuple(self.values.get(c) for c in columns)


def shown(col: Column, raw: Any) -> str:
    """A value as the report may quote it: personal data masked."""
    text = str(raw).strip()
    return str(mask_value(col.prop or "", text)) if col.personal else text


def _blank(raw: Any) -> bool:
    # nothing, or a string of spaces (a number 0 is a value)
    return raw is None or (raw.__class__ is str and (not raw or raw.isspace()))


def parse_row(table: Table, row_no: int, cells: list[Any]
              ) -> tuple[ParsedRow, list[Issue], list[Issue]]:
    """The row's clean values, its rejections (the row is rejected when there is any) and its
    warnings (values dropped, the row lands). The parsed row is returned either way: a rejected
    row's readable values say what it would have linked to."""
    parsed = ParsedRow(row_no)
    rejects: list[Issue] = []
    warnings: list[Issue] = []

    def issue(into: list[Issue], i: int, col: Column, raw: Any, reason: str, landed_note: str = "") -> None:
        into.append(Issue(table.file, table.sheet, row_no, col.zh,
                          None if raw is None else shown(col, raw), reason + landed_note,
                          cell=f"{get_column_letter(i + 1)}{row_no}", landed_note=landed_note))

    ledger = table.ledger
    assert ledger is not None
    # a member's code may come from the ID number: a blank one is no rejection by itself
    dk = ledger.derived_key
    derives = ledger.key[0] if dk is not None and (dk.when_blank or all(
        c.zh != ledger.key[0] for c in table.columns.values())) else None
    width = len(cells)
    for i, col in table.columns.items():
        raw = cells[i] if i < width else None
        if raw.__class__ is str and len(raw) > table.limits.cell_chars:
            issue(rejects if col.required else warnings, i, col, raw[:50] + "…",
                  f"单元格内容过长（{len(raw)} 字，上限 {table.limits.cell_chars}，TUPU_MAX_CELL_CHARS）")
            continue
        if raw.__class__ is str and ILLEGAL_CHARACTERS_RE.search(raw):  # invisible, and no xlsx can hold them
            raw = ILLEGAL_CHARACTERS_RE.sub("", raw)
            issue(warnings, i, col, raw, CONTROL_CHARACTERS)
        if raw.__class__ is UncomputedFormula:
            if col.required:
                issue(rejects, i, col, raw, raw.reason)
            else:
                issue(warnings, i, col, raw, raw.reason, LANDED_BLANK)
            continue
        if _blank(raw):
            if col.required and col.zh != derives:
                issue(rejects, i, col, None, f"缺少必填项：{col.zh}")
            continue
        if col.is_link and col.multi:
            codes = []
            for part in split_multi(raw):
                try:
                    code = col.parse(part)
                except BadValue as e:
                    issue(warnings, i, col, part, f"{e}，该项未载入")
                    continue
                if code not in codes:  # a code written twice is one link (MERGE made it one too)
                    codes.append(code)
            if not codes:
                if col.required:
                    issue(rejects, i, col, raw, f"缺少必填项：{col.zh}")
                continue
            parsed.values[col.zh] = codes
            parsed.refs.extend((col, c) for c in codes)
            continue
        try:
            value = col.parse(raw)
        except Unusual as e:  # kept as written, said
            issue(warnings, i, col, raw, str(e), e.kept)
            value = e.value
        except BadValue as e:
            if col.required:
                issue(rejects, i, col, raw, str(e))
            else:
                issue(warnings, i, col, raw, str(e), LANDED_BLANK)
            continue
        if value is None:  # 长期 in an end date: no value
            continue
        parsed.values[col.zh] = value
        if col.prop:
            parsed.props[col.prop] = value
        if col.is_link:
            parsed.refs.append((col, value))

    if derives is not None and derives not in parsed.values:
        _derive_key(table, ledger, cells, parsed, rejects, warnings, issue)
    for source, target, reader in ledger.implied:
        if target not in parsed.values and source in parsed.values:
            i = next(k for k, c in table.columns.items() if c.zh == source)
            if (value := reader(cells[i])) is not None:
                parsed.values[target] = value
                if (prop := ledger.column(target).prop):
                    parsed.props[prop] = value
    for first, second in ledger.self_links:
        b = parsed.values.get(second)
        if b is None or parsed.values.get(first) != b:
            continue
        col = ledger.column(second)
        i = next(k for k, c in table.columns.items() if c is col)
        if ledger.label is None:  # the row is the link: nothing of it can land
            issue(rejects, i, col, b, "不能与自身结对（甲方与乙方组织编码相同）")
        else:  # the row lands without the link to itself
            del parsed.values[second]
            parsed.refs.remove((col, b))
            issue(warnings, i, col, b, f"不能以自身为上级（{first}与{second}相同）", LANDED_BLANK)
    if rejects:  # its warnings are still worth fixing, but the row did not land
        for w in warnings:
            w.on_rejected_row()
    return parsed, rejects, warnings


def _derive_key(table: Table, ledger: Ledger, cells: list[Any], parsed: ParsedRow,
                rejects: list[Issue], warnings: list[Issue], issue: Any) -> None:
    """A row without its key takes it from the column that may stand in for it (a member's
    code from the ID number: ``ingest.member_keys``), or is rejected saying which column to
    fill. An ID number that fails its check still keys its member (the person exists: a branch
    must not lose a formal member to a typo) by the number as typed, with the warning already
    made for it; one Excel has changed (a number cell) keys nobody: the row is rejected."""
    dk = ledger.derived_key
    assert dk is not None
    key_col = ledger.column(ledger.key[0])
    at = {c.zh: (i, c) for i, c in table.columns.items()}
    has_key_col = key_col.zh in at
    if dk.source not in at:
        reason = (f"缺少必填项：{key_col.zh}（本表也没有「{dk.source}」列可生成编码：请填写{key_col.zh}，"
                  f"或增加「公民身份号码」列）")
        if has_key_col:
            issue(rejects, at[key_col.zh][0], key_col, None, reason)
        else:
            rejects.append(Issue(table.file, table.sheet, parsed.row, key_col.zh, None, reason))
        return
    i, col = at[dk.source]
    raw = cells[i] if i < len(cells) else None
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw.__class__ is UncomputedFormula:
        if col.required:  # (its own rejection says so: an organisation's name)
            return
        if has_key_col:
            issue(rejects, at[key_col.zh][0], key_col, None,
                  f"缺少必填项：{key_col.zh}（也没有填{dk.source}，无法识别是哪位党员：请填写其一）")
        else:
            issue(rejects, i, col, None, f"缺少{dk.source}：本表没有「{key_col.zh}」列，党员按{dk.source}识别，"
                                         f"请填写{dk.source}（或增加「{key_col.zh}」列）")
        return
    typed = parsed.values.get(dk.source)
    if typed is None:  # it failed its check: the warning for it is among ``warnings``
        if dk.as_typed is None:  # (an organisation's name fails none: a cell too long is rejected)
            return
        mine = [w for w in warnings if w.column == col.zh]
        typed = dk.as_typed(raw)
        if typed is None:  # unreadable (Excel changed it) or no ID number at all
            for w in mine:
                warnings.remove(w)
            try:
                col.parse(raw)
                why = ""
            except Unreadable as e:
                why = str(e)
            except BadValue as e:
                why = str(e)
            issue(rejects, i, col, raw, f"{why}；本表没有「{key_col.zh}」，无法据此识别党员，本行未载入"
                  if not has_key_col else f"{why}；本行也没有{key_col.zh}，无法识别党员，本行未载入")
            return
        for w in mine:  # the member lands, keyed by the number as typed
            w.reason = w.reason.replace(w.landed_note, "") + KEYED_AS_TYPED + w.landed_note
    parsed.values[key_col.zh] = key = dk.make(str(typed))
    if key_col.prop:
        parsed.props[key_col.prop] = key


# said of an ID number that fails its check and still keys its member (docs/ledgers.md)
KEYED_AS_TYPED = "；党员按所填号码识别（改正号码后会按新号码另建一条党员记录）"
