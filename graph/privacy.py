"""Masking personal data (身份证号, 联系电话) for everything that leaves the store.

>>> mask_id_card("51010519900101123X")
'5101**********123X'
>>> mask_phone("13812345678")
'138****5678'
>>> mask_props({"name": "张三", "phone": "13812345678", "row_digest": "9f2c", "name_key": "张三"})
{'name': '张三', 'phone': '138****5678'}
"""
from __future__ import annotations

import re
from typing import Any

from graph.model import PERSONAL_PROPERTIES, ROW_DIGEST
from graph.name_forms import KEY_PROPS


def mask_id_card(value: str) -> str:
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str) -> str:
    v = str(value)
    if len(v) <= 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


_MASKERS = {"id_card": mask_id_card, "phone": mask_phone}
assert set(_MASKERS) == set(PERSONAL_PROPERTIES)


def mask_value(prop: str, value: Any) -> Any:
    masker = _MASKERS.get(prop)
    return masker(value) if masker and value not in (None, "") else value


def mask_props(props: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``props`` as users see it: every personal property masked, and without the
    loader's bookkeeping (a node's row digest, its names' keys)."""
    out = dict(props)  # copied whole, then only the personal keys looked at: runs for every link
    out.pop(ROW_DIGEST, None)
    if "name_key" in out or "short_key" in out:
        for prop in KEY_PROPS:
            out.pop(prop, None)
    for prop in _MASKERS.keys() & out.keys():
        out[prop] = mask_value(prop, out[prop])
    return out


# 18-character ID numbers and 11-digit mobile numbers inside free text (log lines, error messages,
# a name typed with its owner's number in it); and the old 15-digit ID numbers (county, YYMMDD, a
# sequence), matched only with a real month and day so that other 15-digit codes mostly pass
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_OLD_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-8]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask ID and mobile numbers found in free text.

    >>> mask_text("身份证 51010519900101123X 电话 13812345678")
    '身份证 5101**********123X 电话 138****5678'
    >>> mask_text("张三510105900101123（老证）")
    '张三5101*******1123（老证）'
    """
    text = _ID_IN_TEXT.sub(lambda m: mask_id_card(m.group(0)), text)
    text = _OLD_ID_IN_TEXT.sub(lambda m: mask_id_card(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


_SECRET_PARAM = re.compile(r"(?i)([?&](?:token|access_token)=)[^&#\s]*")


def mask_url(url: str) -> str:
    """A request's path and query as a log may show it: the token parameter hidden, ID and mobile
    numbers masked.

    >>> mask_url("/trace/51010519900101123X?token=tupu_abc&q=13812345678")
    '/trace/5101**********123X?token=***&q=138****5678'
    """
    return mask_text(_SECRET_PARAM.sub(r"\1***", url))
