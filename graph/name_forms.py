"""A name in the one form references are compared in (docs/ledgers.md, "Names where codes belong").

The same organisation is written several ways in the forms staff fill and the systems they export
from: 中共骆路社区委员会 and 骆路社区党委, 第一党支部 and 第1党支部, （成都） and (成都), with and
without spaces. None of that tells two organisations apart, so :func:`name_key` drops it; two names
with the same key name the same thing. Nothing else is dropped (a unit's legal form, its region:
those do tell apart, and the 摸排's looser comparison is ``graph.screening.names``).

Every node with a name carries its key (``name_key``) and an organisation its 简称's
(``short_key``): an index finds a reference's key among them (``GraphStore.keys_by_name``).

>>> name_key("中共骆路社区委员会", org=True) == name_key("骆路社区党委", org=True)
True
>>> name_key("中国共产党骆路社区第一支部委员会", org=True)
'骆路社区第1党支部'
>>> name_key("华兴（成都） 科技有限公司"), name_key("第十二网格")
('华兴(成都)科技有限公司', '第12网格')
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# the node properties that hold a name's key, by label: each one's key and what it is the key of
NAME_KEYS: dict[str, dict[str, str]] = {
    "Organization": {"name_key": "name", "short_key": "short_name"},
    "Unit": {"name_key": "name"},
    "Grid": {"name_key": "name"},
    "Alliance": {"name_key": "name"},
}
# derived from the names: bookkeeping, never shown (graph.privacy)
KEY_PROPS = frozenset(p for keys in NAME_KEYS.values() for p in keys)
# what ``GraphStore.keys_by_name`` finds a node of each label by: its name, its names' keys, and
# a unit's 统一社会信用代码 (it names the unit as well as its name does)
NAMED_BY: dict[str, tuple[str, ...]] = {
    label: ("name", *NAME_KEYS.get(label, {}), *(("uscc",) if label == "Unit" else ()))
    for label in ("Region", "Organization", "Unit", "Grid", "Member", "Alliance", "Activity")}

# The Party's name before an organisation's (中共骆路社区委员会), longest first.
PARTY_PREFIXES = ("中国共产党", "中共")
# An organisation's name ends in the body it is, written out or short: each form on the left is
# read as the one on the right (longest first, only at the end of the name).
ORG_ENDINGS: tuple[tuple[str, str], ...] = (
    ("党的工作委员会", "党工委"), ("党工作委员会", "党工委"), ("工作委员会", "党工委"),
    ("党总支部委员会", "党总支"), ("总支部委员会", "党总支"), ("党总支部", "党总支"), ("总支委员会", "党总支"),
    ("总支部", "党总支"), ("党总支", "党总支"), ("总支", "党总支"),
    ("党支部委员会", "党支部"), ("支部委员会", "党支部"), ("党支部", "党支部"), ("支部", "党支部"),
    ("党的委员会", "党委"), ("党委员会", "党委"), ("委员会", "党委"),
)
# brackets of every shape are round ones (NFKC makes （） of (), not 【】 or 〔〕)
_BRACKETS = str.maketrans({"【": "(", "〔": "(", "［": "(", "[": "(", "】": ")", "〕": ")", "］": ")", "]": ")"})
_SPACE = re.compile(r"\s+")
# 第 with a Chinese numeral: 第一 is 第1, 第十二 is 第12 (an ordinal in a branch's or grid's name)
_ORDINAL = re.compile(r"第([零〇一二两三四五六七八九十百]+)")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int | None:
    """A small Chinese numeral (up to 九百九十九) as a number; None for one written otherwise."""
    total, digit = 0, None
    for ch in text:
        if ch in "零〇" and total and digit is None:  # 一百零五
            continue
        if ch in _DIGITS:
            if digit is not None:  # 一二: not a numeral
                return None
            digit = _DIGITS[ch]
        elif ch in "十百":
            total += (1 if digit is None else digit) * (10 if ch == "十" else 100)
            digit = None
    return total + (digit or 0)


def _ordinal(m: re.Match[str]) -> str:
    n = _number(m[1])
    return m[0] if n is None else f"第{n}"


@lru_cache(maxsize=100_000)
def name_key(name: str, org: bool = False) -> str:
    """The form ``name`` is compared in: half-width (full-width brackets, digits and letters),
    brackets round, no spaces, letters upper case, ordinals in digits; an organisation's
    (``org``) without the Party's name before it and with its body's short form at its end.

    >>> [name_key(n, org=True) for n in ("XX社区党委", "中共XX社区委员会", "XX社区党委员会")]
    ['XX社区党委', 'XX社区党委', 'XX社区党委']
    >>> [name_key(n, org=True) for n in ("中共骆路街道工作委员会", "骆路街道党的工作委员会", "骆路街道党工委")]
    ['骆路街道党工委', '骆路街道党工委', '骆路街道党工委']
    >>> [name_key(n, org=True) for n in ("甲村党总支部委员会", "中共甲村总支部委员会", "甲村党总支部", "甲村党总支")]
    ['甲村党总支', '甲村党总支', '甲村党总支', '甲村党总支']
    >>> [name_key(n, org=True) for n in ("甲公司支部委员会", "甲公司党支部委员会", "甲公司支部",
    ...                                   "甲公司联合支部委员会")]
    ['甲公司党支部', '甲公司党支部', '甲公司党支部', '甲公司联合党支部']
    >>> name_key("第一百零五网格")
    '第105网格'
    >>> [name_key(n) for n in ("第一网格", "第 1 网格", "第１网格", "第二十三网格", "第一二网格")]
    ['第1网格', '第1网格', '第1网格', '第23网格', '第一二网格']
    >>> name_key("ABC Tech（成都）公司"), name_key("【甲】公司")
    ('ABCTECH(成都)公司', '(甲)公司')
    >>> name_key("中共甲公司委员会"), name_key("中共", org=True)
    ('中共甲公司委员会', '中共')
    """
    text = _SPACE.sub("", unicodedata.normalize("NFKC", name)).translate(_BRACKETS).upper()
    text = _ORDINAL.sub(_ordinal, text)
    if not org:
        return text
    for prefix in PARTY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    for ending, short in ORG_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending):
            return text[: -len(ending)] + short
    return text


def keys_of(label: str, props: dict[str, object]) -> dict[str, str | None]:
    """The name keys a node of ``label`` with ``props`` carries (None for a name it has not).

    >>> keys_of("Organization", {"name": "中共甲社区委员会", "short_name": "甲社区党委"})
    {'name_key': '甲社区党委', 'short_key': '甲社区党委'}
    >>> keys_of("Member", {"name": "张三"})
    {}
    """
    org = label == "Organization"
    out: dict[str, str | None] = {}
    for key, prop in NAME_KEYS.get(label, {}).items():
        value = props.get(prop)
        out[key] = name_key(value, org) if isinstance(value, str) and value else None
    return out


def forms_of(label: str, props: dict[str, object]) -> tuple[str, ...]:
    """The forms a reference may name a node of ``label`` by: its names' keys (a node of a label
    with none stored, by its name's).

    >>> forms_of("Organization", {"name": "中共甲社区委员会", "short_name": "甲社区"})
    ('甲社区党委', '甲社区')
    >>> forms_of("Member", {"name": "王 芳"})
    ('王芳',)
    """
    if label in NAME_KEYS:
        uscc = props.get("uscc") if label == "Unit" else None
        return tuple(dict.fromkeys([*(v for v in keys_of(label, props).values() if v),
                                    *((uscc,) if isinstance(uscc, str) else ())]))
    name = props.get("name")
    return (name_key(name),) if isinstance(name, str) and name else ()
