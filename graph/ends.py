"""When things end (docs/history.md, “注销、撤销与转出”): a unit closes, an organisation is
dissolved, a member transfers out, dies or has membership stopped, a grid is redrawn.

An ended thing is kept, with three properties on its node, the same for every label:

- ``ended``: the ISO date it ended;
- ``end_reason``: why, in the words people use (注销, 吊销, 撤销, 合并, 转出, 死亡, 出党, 停止党籍);
- ``end_source``: where that was said (“单位.xlsx 第 12 行”, “完整台账 单位.xlsx 未列出”, “手工：张三”).

From its date on it leaves every current answer: the analyses ask :func:`live_cypher` (Neo4j)
or :func:`is_live` (the embedded store's walk) of every node they count, lists and search leave it
out unless asked, views drop it. Before its date (and in the graph of an earlier load) it is there
as it was. A later row with an active status (正常, 在册 …) or ``tupu restore`` removes the three
properties: the history keeps the interval it was ended.

>>> sentence({"ended": "2026-10-15", "end_reason": "注销", "end_source": "单位.xlsx 第 12 行"})
'已于 2026-10-15 注销（台账：单位.xlsx 第 12 行）'
>>> is_live({"ended": "2026-10-15"}, "2026-10-14"), is_live({"ended": "2026-10-15"}, "2026-10-15")
(True, False)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

ENDED, END_REASON, END_SOURCE = "ended", "end_reason", "end_source"
END_PROPS = (ENDED, END_REASON, END_SOURCE)
END_ZH = {ENDED: "终止日期", END_REASON: "终止原因", END_SOURCE: "终止依据"}
# the labels a ledger or a hand may end (regions and activities do not end: they are history)
ENDABLE = ("Organization", "Unit", "Grid", "Member", "Alliance")
# what leaving a complete ledger means, per label (“没有列出的视为已撤销/转出”)
ABSENT_REASON = {"Organization": "撤销", "Unit": "注销", "Grid": "撤销", "Member": "转出", "Alliance": "撤销"}
# how a meeting names an ended thing: 单位注销, 组织撤销, 党员转出
SHORT_ZH = {"Organization": "组织", "Unit": "单位", "Grid": "网格", "Member": "党员", "Alliance": "联盟"}
# the words an end's reason may be given in (the reasons a status column says, ingest.synonyms)
REASONS = ("注销", "吊销", "撤销", "合并", "转出", "死亡", "出党", "停止党籍")
# a property set to None is removed (graph.store): a restored node has none of the three
RESTORED: dict[str, Any] = dict.fromkeys(END_PROPS)


def live_cypher(var: str) -> str:
    """The Cypher test that the node ``var`` has not ended by ``$as_of`` (its twin is
    :func:`is_live`)."""
    return f"({var}.ended IS NULL OR {var}.ended > $as_of)"


def is_live(props: Mapping[str, Any], as_of: str) -> bool:
    """Whether a node with these properties has not ended by ``as_of`` (ISO date)."""
    ended = props.get(ENDED)
    return ended is None or ended > as_of


def today() -> str:
    return dt.date.today().isoformat()


def ended_props(date: str, reason: str, source: str) -> dict[str, Any]:
    return {ENDED: date, END_REASON: reason, END_SOURCE: source}


def sentence(props: Mapping[str, Any]) -> str | None:
    """What an entity's page says of its end (``None``: it has not ended)."""
    if not props.get(ENDED):
        return None
    source = props.get(END_SOURCE)
    where = f"（{'' if str(source).startswith(('手工', '完整台账')) else '台账：'}{source}）" if source else ""
    return f"已于 {props[ENDED]} {props.get(END_REASON) or '终止'}{where}"


def change_kind(label: str, reason: str | None) -> str:
    """How a meeting counts an end: 单位注销, 组织撤销, 党员转出, 党员死亡 …

    >>> change_kind("Unit", "注销"), change_kind("Member", None), change_kind("Unit", "经营不善")
    ('单位注销', '党员转出', '单位终止')
    """
    word = reason if reason in REASONS else (ABSENT_REASON.get(label) if reason is None else "终止")
    return f"{SHORT_ZH.get(label, '')}{word}"
