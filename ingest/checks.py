"""Identifier checks and value parsers of the ledgers. Each parser returns the clean value or
raises :class:`BadValue` with a reason in Chinese; none of them "fixes" a wrong value.

>>> uscc_ok("91350100M000100Y43")
True
>>> id_card_ok("11010519491231002X")
True
>>> region_code("110101")
'110101000000'
>>> parse_date("2024年3月5日")
'2024-03-05'
>>> parse_bool("是")
True
"""
from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from typing import Any


class BadValue(ValueError):
    """A value that fails its check; the message is the reason shown to the user."""


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


_SPACE = re.compile(r"\s+")


def clean_code(value: Any) -> str:
    """A code as typed: full-width characters to half-width, every space removed, upper case."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isalnum():  # the common case: nothing to normalise
        return text.upper()
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).upper()


def uscc_ok(code: str) -> bool:
    """统一社会信用代码 check character (GB 32100-2015)."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def uscc(value: Any) -> str:
    code = clean_code(value)
    if len(code) != 18:
        raise BadValue(f"统一社会信用代码应为18位，实为{len(code)}位")
    if not uscc_ok(code):
        raise BadValue("统一社会信用代码校验位错误")
    return code


_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_ZERO = 48 * sum(_ID_WEIGHTS)  # the weighted sum of seventeen "0" characters


def id_card_ok(code: str) -> bool:
    """身份证号 check character (GB 11643-1999)."""
    if not _ID_SHAPE.fullmatch(code):
        return False
    # the digits' character codes, weighted, less the "0"s: one pass in C (a million rows a load)
    total = sum(map(operator.mul, code[:17].encode(), _ID_WEIGHTS)) - _ID_ZERO
    return _ID_CHECK[total % 11] == code[17]


def id_card(value: Any) -> str:
    code = clean_code(value)
    if len(code) != 18:
        raise BadValue(f"身份证号应为18位，实为{len(code)}位")
    if not id_card_ok(code):
        raise BadValue("身份证号校验位错误")
    return code


def region_code(value: Any) -> str:
    """区划代码: 6, 9 or 12 digits, padded to the 12-digit 统计用区划代码."""
    code = clean_code(value)
    if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", code):
        raise BadValue("区划代码应为6、9或12位数字")
    return code.ljust(12, "0")


def phone(value: Any) -> str:
    code = clean_code(value).replace("-", "")
    if not re.fullmatch(r"\+?\d{7,15}", code):
        raise BadValue("联系电话应为7至15位数字")
    return code


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)


def parse_date(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` from a date cell or ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY年MM月DD日``."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = clean_code(value)
    # a time part typed after the date ("2024-03-05 00:00:00") is dropped
    text = re.sub(r"(日|\d)(T|\s*)\d{1,2}:\d{2}(:\d{2})?$", r"\1", text)
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise BadValue(f"日期不存在：{value}") from None
    raise BadValue("日期格式应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年MM月DD日")


_TRUE = {"是", "TRUE", "1", "Y", "YES"}
_FALSE = {"否", "FALSE", "0", "N", "NO"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_code(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("应填“是”或“否”")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue("应为非负整数")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        text = clean_code(value).replace(",", "")
        if not re.fullmatch(r"\d+(\.0+)?", text):
            raise BadValue("应为非负整数")
        n = int(float(text)) if "." in text else int(text)
    if n < 0:
        raise BadValue("应为非负整数")
    return n


def parse_choice(value: Any, allowed: list[str]) -> str:
    text = value if isinstance(value, str) else str(value)
    if text in allowed:  # the common case, typed exactly
        return text
    text = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    for a in allowed:  # full-width or spaced variants of an allowed term
        if text == unicodedata.normalize("NFKC", a):
            return a
    raise BadValue(f"不在可选值中（可选：{'、'.join(allowed)}）")


def split_multi(value: Any) -> list[str]:
    """Several values in one cell, separated by ``;`` or ``；`` (or 、 and ，)."""
    parts = re.split(r"[;；、,，]", str(value))
    return [clean_code(p) for p in parts if clean_code(p)]
