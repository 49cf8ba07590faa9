"""Identifier checks and value parsers of the ledgers. Each parser returns the clean value (or
``None`` where the text means "nothing", such as 长期 in an end date) or raises :class:`BadValue`
with a reason in Chinese; none of them "fixes" a wrong value. The spellings they accept come from
:mod:`ingest.synonyms`.

>>> uscc_ok("91350100M000100Y43")
True
>>> id_card("11010519491231002x")
'11010519491231002X'
>>> region_code("110101")
'110101000000'
>>> [parse_date(v) for v in ("2024年3月5日", "2024.3.5", "20240305", 45356, "2024/3/5 9:30")]
['2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05']
>>> parse_end_date("长期") is None
True
>>> [parse_bool(v) for v in ("是", "√", "×", "N", "有")]
[True, True, False, False, True]
>>> [parse_int(v) for v in ("35人", "３５", 35.0, "十二")]
[35, 35, 35, 12]
>>> parse_choice("支部", "OrgKind", ["党委", "党支部"])
'党支部'
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import re
import unicodedata
from typing import Any

from graph.errors import InvalidInput
from graph.model import LIST_CATEGORIES
from graph.name_forms import name_key
from ingest import synonyms


class BadValue(InvalidInput, ValueError):
    """A value that fails its check; the message is the reason shown to the user."""


class Unreadable(BadValue):
    """A value Excel has already changed (a long number in a number cell): what was typed is
    lost, so nothing may be derived from it (not even a member's key)."""


class Unusual(BadValue):
    """A value kept as written, with a warning: readable, but not one of the usual ones.
    ``kept`` ends the message and says how it was kept (untrue if the row is rejected)."""

    def __init__(self, message: str, value: Any, kept: str = "") -> None:
        super().__init__(message + kept)
        self.value, self.kept = value, kept


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100-2015: the registration authority codes it defines (1–9, A 军队, N 农业, Y 其他)
_USCC_AUTHORITIES = "123456789ANY"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
AS_TEXT = "：请把该列单元格设为“文本”格式后重新填写（数字格式会被 Excel 截断或改成科学计数）"

_SPACE = re.compile(r"\s+")


def clean_code(value: Any) -> str:
    """A code as typed: full-width characters to half-width, every space removed, upper case."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isalnum():  # the common case: nothing to normalise
        return text.upper()
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).upper()


def clean_name(value: Any) -> str:
    """A name as meant: spaces and line breaks (Alt+Enter in a cell, a 全角 space that lines
    up a two-character name) dropped between two Chinese characters, any other run of them
    one space.

    >>> [clean_name(v) for v in ("王　芳", "华兴科技\\n有限公司", " 北镇物业 服务中心 ", "ABC  Tech 公司")]
    ['王芳', '华兴科技有限公司', '北镇物业服务中心', 'ABC Tech 公司']
    """
    parts = str(value).split()
    if len(parts) <= 1:
        return parts[0] if parts else ""
    out = parts[0]
    for part in parts[1:]:
        out += part if not out[-1].isascii() and not part[0].isascii() else " " + part
    return out


def _number_cell(value: Any, what: str) -> None:
    """A long number in a number cell (or as Excel's scientific text) has lost digits."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Unreadable(f"{what}是数字格式，末几位可能已被 Excel 改掉" + AS_TEXT)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?[eE]\+?\d+\s*", value):
        raise Unreadable(f"{what}已被 Excel 改成科学计数" + AS_TEXT)


def uscc_ok(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): a registration authority it defines, a category digit,
    a six-digit division code, and the check character."""
    if len(code) != 18 or code[0] not in _USCC_AUTHORITIES or not code[1:8].isdigit() \
            or not code[1:8].isascii() or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def uscc(value: Any) -> str:
    _number_cell(value, "统一社会信用代码")
    code = clean_code(value)
    if len(code) != 18:
        raise BadValue(f"统一社会信用代码应为18位，实为{len(code)}位")
    if not uscc_ok(code):
        if code[0] not in _USCC_AUTHORITIES:
            raise BadValue("统一社会信用代码第1位（登记管理部门代码）不在国家标准中")
        if not (code[1:8].isascii() and code[1:8].isdigit()):
            raise BadValue("统一社会信用代码第2至8位应为数字（机构类别与行政区划码）")
        raise BadValue("统一社会信用代码校验位错误")
    return code


_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_ZERO = 48 * sum(_ID_WEIGHTS)  # the weighted sum of seventeen "0" characters


def id_card_ok(code: str) -> bool:
    """身份证号 check character (GB 11643-1999); the birth date is checked by :func:`id_card`."""
    if not _ID_SHAPE.fullmatch(code):
        return False
    # the digits' character codes, weighted, less the "0"s: one pass in C (a million rows a load)
    total = sum(map(operator.mul, code[:17].encode(), _ID_WEIGHTS)) - _ID_ZERO
    return _ID_CHECK[total % 11] == code[17]


def _birth_ok(yyyymmdd: str, today: dt.date | None = None) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= (today or dt.date.today())


def widen_id(code15: str) -> str:
    """A 15-digit number (issued before 1999) as the 18-digit one: 19 before the birth year and
    the check character after.

    >>> widen_id("110105491231002")
    '11010519491231002X'
    """
    body = code15[:6] + "19" + code15[6:]
    total = sum(map(operator.mul, body.encode(), _ID_WEIGHTS)) - _ID_ZERO
    return body + _ID_CHECK[total % 11]


def id_card(value: Any) -> str:
    _number_cell(value, "身份证号")
    code = clean_code(value)
    if len(code) == 15 and code.isascii() and code.isdigit():
        code = widen_id(code)
    if len(code) != 18:
        raise BadValue(f"身份证号应为18位（或15位旧号），实为{len(code)}位")
    if not _ID_SHAPE.fullmatch(code):
        raise BadValue("身份证号应为17位数字加1位数字或X")
    if not _birth_ok(code[6:14]):
        raise BadValue("身份证号中的出生日期不存在或不合理")
    if not id_card_ok(code):
        raise BadValue("身份证号校验位错误")
    return code


_ID_LIKE = re.compile(r"[0-9]{14,17}[0-9X]")


def id_card_as_typed(value: Any) -> str | None:
    """An ID number that fails its check (a wrong check character, an impossible birth date, a
    digit missing) as typed, normalised (half-width, no spaces, ``x`` as ``X``, 15 digits
    widened), when it still looks like one person's number: 15 to 18 digits, an ``X`` last.
    ``None`` for anything else (``无``, ``暂缺``) and for a number Excel has changed, which
    would name several people as one.

    >>> id_card_as_typed("51010719900101123４"), id_card_as_typed(" 无 "), id_card_as_typed(5.10107e17)
    ('510107199001011234', None, None)
    """
    try:
        _number_cell(value, "身份证号")
    except Unreadable:
        return None
    code = clean_code(value)
    if len(code) == 15 and code.isascii() and code.isdigit():
        code = widen_id(code)
    return code if code.isascii() and _ID_LIKE.fullmatch(code) else None


def org_key_of_name(name: str) -> str:
    """The key of an organisation that a sheet gives no code for (an export of the 全国党员管理信息系统
    lists 党组织名称, no code): made from its name's key (``graph.name_forms``), so that the same
    organisation, by any of its name's forms, has the same key in every load.

    >>> org_key_of_name("中共骆路社区委员会") == org_key_of_name("骆路社区党委")
    True
    >>> org_key_of_name("骆路社区党委")
    'DZZ-8300090741D5'
    """
    return "DZZ-" + _name_hash(name_key(name, org=True))


def unit_key_of_name(name: str) -> str:
    """The key of a unit given by name alone (no 统一社会信用代码), the same in every load.

    >>> unit_key_of_name("华兴（成都）科技有限公司") == unit_key_of_name("华兴(成都)科技有限公司")
    True
    """
    return "DW-" + _name_hash(name_key(name))


def _name_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12].upper()


_CJK = re.compile(r"[\u3400-\u9fff]")
_REGION_CODE = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}")


def region_code(value: Any) -> str:
    """区划代码: 2, 4, 6, 9 or 12 digits (省, 市, 区县, 街道乡镇, 社区村), padded to the 12-digit
    统计用区划代码.

    >>> region_code("51"), region_code("5101"), region_code(510104)
    ('510000000000', '510100000000', '510104000000')
    """
    code = clean_code(value)
    if not _REGION_CODE.fullmatch(code):
        raise BadValue("区划代码应为2、4、6、9或12位数字")
    return code.ljust(12, "0")


def region_ref(value: Any) -> str:
    """A 区划 cell that names a region: its code (:func:`region_code`), or its name, plain or
    with the regions above it ("四川省成都市锦江区东湖街道观音桥社区居委会"), resolved when the
    load links it (ingest.region_names).

    >>> region_ref("510104"), region_ref(" 锦江区 东湖街道 ")
    ('510104000000', '锦江区东湖街道')
    """
    text = str(value)
    if not _CJK.search(text):  # digits (of any script: refused as a code), or a code's typo
        return region_code(value)
    return clean_name(text).replace(" ", "")


def phone(value: Any) -> str:
    """联系电话: spaces, dashes and brackets dropped; 7 to 15 ASCII digits (a leading +)."""
    code = re.sub(r"[-－—()（）]", "", clean_code(value))
    if not re.fullmatch(r"\+?[0-9]{7,15}", code):
        raise BadValue("联系电话应为7至15位数字")
    return code


_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日?|(\d{4})(\d{2})(\d{2})")
# a date written to the month only ("2019年5月", "2019.5", "2019-05", "201905")
_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月份?|(\d{4})(\d{2})")
# a time after the date, as Chinese Excel exports it ("2023/5/15 9:30", "2026/6/30 0:00:00")
_TIME = re.compile(r"^(.*?\d日?)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FORMS = "YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日 或 YYYYMMDD"
_YEARS = (1900, 2100)  # a number in this range is a year (an Excel serial there is 1905)


def parse_date(value: Any, end: bool = False) -> str:
    """A date as ``YYYY-MM-DD`` from a date cell, an Excel serial number in a number cell
    (days since 1899-12-30), ``YYYYMMDD`` or text in the forms of :data:`_FORMS`; a time after
    the date is dropped. A date written to the month (``2019年5月``, ``2019.05`` — also the number
    Excel makes of it) is that month's first day, or its last when ``end`` (a term that ends in
    June has not ended before July).

    >>> [parse_date(v) for v in ("2019年5月", "2019.05", 2019.11, "201905")]
    ['2019-05-01', '2019-05-01', '2019-11-01', '2019-05-01']
    >>> parse_date("2026年6月", end=True)
    '2026-06-30'
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _YEARS[0] <= value < _YEARS[1]:
            return _month_number(value, end)
        if 1 <= value < 2958466 and not (19000101 <= value <= 29991231) and not _is_month(value):
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        value = str(int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"[0-9]{5}(\.0+)?", text):  # a serial number that a CSV export kept as text
        return parse_date(int(float(text)))
    m = _TIME.match(text)
    if m:
        text = m[1]
    text = _SPACE.sub("", text)
    m = _DATE.fullmatch(text)
    if not m:
        if re.fullmatch(r"\d{4}年?", text):
            return _month_number(int(text.rstrip("年")), end)
        month = _MONTH.fullmatch(text)
        if month:
            y, mo = (g for g in month.groups() if g is not None)
            return _month(int(y), int(mo), end)
        raise BadValue(f"日期格式应为 {_FORMS}")
    y, mo, d = (g for g in m.groups() if g is not None)
    try:
        return dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        raise BadValue("日期不存在") from None


def _is_month(value: float) -> bool:
    """YYYYMM as a number (201905)."""
    return value == int(value) and _YEARS[0] * 100 <= value < _YEARS[1] * 100 and 1 <= value % 100 <= 12


def _month(year: int, month: int, end: bool) -> str:
    if not 1 <= month <= 12 or not _YEARS[0] <= year < _YEARS[1]:
        raise BadValue("日期不存在")
    if not end:
        return dt.date(year, month, 1).isoformat()
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).isoformat()


def _month_number(value: float, end: bool) -> str:
    """A number cell of 1900–2099: a year typed alone, or ``2019.05`` typed into a number cell
    (Excel keeps 2019.05, and makes 2019.1 of both 2019.1 and 2019.10)."""
    if value == int(value):
        raise BadValue("只写了年份，请写到月或日（如 2019年5月）")
    year, fraction = int(value), f"{value:.6f}".split(".")[1].rstrip("0")
    if fraction == "1":
        raise BadValue(f"数字单元格中的 {value} 分不清是1月还是10月：请把该列设为“文本”格式，"
                       f"或写成 {year}年1月 / {year}年10月")
    if len(fraction) > 2:
        raise BadValue(f"日期格式应为 {_FORMS}")
    return _month(year, int(fraction), end)


def parse_end_date(value: Any) -> str | None:
    """An end date; 长期、至今、无 (and the like) mean no end: ``None``. One written to the
    month is that month's last day."""
    if isinstance(value, str) and _SPACE.sub("", value) in synonyms.OPEN_END_WORDS:
        return None
    return parse_date(value, end=True)


def parse_date_or_none(value: Any) -> str | None:
    """An optional date where a dash or 无 means "none yet": 转正日期 "-" for a 预备党员 is
    no date, not a wrong one (no warning).

    >>> parse_date_or_none("-") is None, parse_date_or_none("2020.7.1")
    (True, '2020-07-01')
    """
    if isinstance(value, str) and _SPACE.sub("", value) in synonyms.NO_DATE_WORDS:
        return None
    return parse_date(value)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_code(value)
    if text in synonyms.TRUE_WORDS:
        return True
    if text in synonyms.FALSE_WORDS:
        return False
    raise BadValue("应填“是”或“否”（也可填 √/×、Y/N、1/0、有/无）")


_CHINESE_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万廿]+")


def parse_int(value: Any) -> int:
    """A count: a number cell, digits (full-width too, thousands commas), a unit after it
    (35人), or a Chinese numeral (三, 十二)."""
    if isinstance(value, bool):
        raise BadValue("应为非负整数")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        text = clean_code(value).replace(",", "")
        text = text.removesuffix("左右")
        for suffix in synonyms.COUNT_SUFFIXES:
            text = text.removesuffix(suffix)
        if re.fullmatch(r"[0-9]+(\.0+)?", text):
            n = int(float(text)) if "." in text else int(text)
        elif _CHINESE_NUMERAL.fullmatch(text):
            import cn2an  # the well-kept converter of Chinese numerals; loaded only when needed

            try:
                n = int(cn2an.cn2an(text, "normal"))
            except (ValueError, KeyError):
                raise BadValue("应为非负整数") from None
        else:
            raise BadValue("应为非负整数")
    if n < 0:
        raise BadValue("应为非负整数")
    return n


def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def parse_choice(value: Any, enum: str, allowed: list[str]) -> str:
    """One of ``allowed`` (the values of the enumeration named ``enum``), as typed or as one of
    its synonyms in :data:`ingest.synonyms.ENUM_SYNONYMS`."""
    text = value if isinstance(value, str) else str(value)
    if text in allowed:  # the common case, typed exactly
        return text
    text = _fold(text)
    found = _choice(text, enum, allowed)
    if found is None and (split := _after_prefix(text, enum, allowed)):
        found = split[1]
    if found is None:
        raise BadValue(f"不在可选值中（可选：{'、'.join(allowed)}）")
    return found


def _after_prefix(text: str, enum: str, allowed: list[str]) -> tuple[str, str] | None:
    """(the word, the value) of a value written after where it sits (社区党委: 社区, 党委)."""
    for prefix in synonyms.ENUM_PREFIXES.get(enum, ()):
        if text.startswith(prefix) and (found := _choice(text[len(prefix):], enum, allowed)):
            return prefix, found
    return None


def sector_before_kind(value: Any) -> str | None:
    """The 所属领域 an 组织类别 names before the kind, if any.

    >>> [sector_before_kind(v) for v in ("社区党委", "非公有制企业党支部", "两新党支部", "党委")]
    ['社区', '非公企业', None, None]
    """
    from graph.model import OrgKind, Sector

    split = _after_prefix(_fold(str(value)), "OrgKind", list(OrgKind.values()))
    return _choice(split[0], "Sector", list(Sector.values())) if split else None


def _choice(text: str, enum: str, allowed: list[str]) -> str | None:
    for a in allowed:  # full-width or spaced variants of an allowed term
        if text == _fold(a):
            return a
    canonical = synonyms.ENUM_SYNONYMS.get(enum, {}).get(text)
    return canonical if canonical in allowed else None


def list_category(value: Any) -> str:
    """A 需求资源清单 entry's 类别: one of :data:`graph.model.LIST_CATEGORIES`, as typed or as
    written for it (法律服务 → 法律); another is kept as written, with a warning (:class:`Unusual`):
    it meets only entries of the very same category.

    >>> list_category("法律援助"), list_category(" 助老 ")
    ('法律', '助老')
    >>> try:
    ...     list_category("养猫")
    ... except Unusual as e:
    ...     e.value, str(e).startswith("不是常用类别（法律、医疗")
    ('养猫', True)
    """
    text = _fold(value if isinstance(value, str) else str(value))
    if text in LIST_CATEGORIES:
        return text
    canonical = synonyms.LIST_CATEGORY_SYNONYMS.get(text)
    if canonical is not None:
        return canonical
    raise Unusual(f"不是常用类别（{'、'.join(LIST_CATEGORIES)}）", text,
                  f"：已按“{text}”载入，只与类别写法完全相同的需求或资源相配")


def split_multi(value: Any) -> list[str]:
    """Several values in one cell, separated by ``;`` or ``；`` (or 、 and ，)."""
    parts = re.split(r"[;；、,，]", str(value))
    return [clean_code(p) for p in parts if clean_code(p)]


ACTIVE = "正常"


@functools.cache
def _status_words() -> tuple[dict[str, str], set[str]]:
    """The status words as :func:`_fold` leaves a cell (NFKC: full-width brackets and commas
    become ASCII)."""
    return ({_fold(k): v for k, v in synonyms.END_STATUS.items()}, {_fold(k) for k in synonyms.ACTIVE_STATUS})


def parse_status(value: Any) -> str:
    """A status column's word: why the thing ended (注销, 撤销, 转出 … as
    :data:`ingest.synonyms.END_STATUS` reads them), or ``正常`` for one that exists (在册, 存续 …).

    >>> parse_status("已注销"), parse_status(" 在册 "), parse_status("停止党籍")
    ('注销', '正常', '停止党籍')
    >>> parse_status("存续（在营、开业、在册）"), parse_status("吊销，未注销")
    ('正常', '吊销')
    """
    text = _fold(value if isinstance(value, str) else str(value)).strip("()")
    head = text.split("(", 1)[0]  # 存续（在营、开业、在册）: the word before its brackets
    ended, active = _status_words()
    for word in (text, head):
        if word in ended:
            return ended[word]
        if word in active:
            return ACTIVE
    # 已于2026年注销, 吊销，未注销: the word written first (not a 注销 later in the text)
    found = [(text.find(w), -len(w), r) for w, r in ended.items() if len(w) > 1 and w in text]
    if found and not text.startswith(("未", "非", "无")):
        return min(found)[2]
    raise BadValue("不是可识别的状态（可写：正常、在册、注销、吊销、撤销、合并、转出、死亡、出党、停止党籍）")
