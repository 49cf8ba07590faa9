"""Our identifier checks against python-stdnum (``stdnum.cn.uscc``, ``stdnum.cn.ric``) as an
independent oracle, on generated values: valid ones, and valid ones with one character changed.

Known divergences, excluded from the comparison and tested on their own:
- USCC: stdnum wants digits in positions 1–8, so it rejects the registration authorities A, N and
  Y that GB 32100-2015 defines (we accept them) and accepts 0, which it does not (we reject it).
- 身份证号: stdnum's ``validate`` also checks the county code against its own table (it rejects
  counties created after the birth year and raises KeyError on unknown ones), and takes any
  calendar date as a birth date; we check the check character and a birth date between
  1900-01-01 and today, not the county. The oracle is its check digit and birth-date parts.
"""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as std_ric
from stdnum.cn import uscc as std_uscc
from stdnum.exceptions import ValidationError

from ingest.checks import _USCC_CHARS, BadValue, id_card, uscc_ok

DIGITS = "0123456789"


def _with_uscc_check(body: str) -> str:
    return body + std_uscc.calc_check_digit(body + "0")


@st.composite
def usccs(draw) -> str:
    first = draw(st.sampled_from("123456789"))
    body = first + draw(st.text(DIGITS, min_size=7, max_size=7)) + draw(st.text(_USCC_CHARS, min_size=9, max_size=9))
    code = _with_uscc_check(body)
    if draw(st.booleans()):  # one character changed
        i = draw(st.integers(1, 17))
        code = code[:i] + draw(st.sampled_from(_USCC_CHARS)) + code[i + 1:]
    return code


@settings(max_examples=3000, deadline=None)
@given(usccs())
def test_uscc_agrees_with_stdnum(code):
    try:
        std_uscc.validate(code)
        theirs = True
    except ValidationError:
        theirs = False
    assert uscc_ok(code) is theirs, code


def test_uscc_divergences_are_the_known_ones():
    body = "1100000" + "MA1234567"
    for first in "ANY":
        code = _with_uscc_check(first + body)
        assert uscc_ok(code)
        try:
            std_uscc.validate(code)
            raise AssertionError("stdnum accepted a letter first")
        except ValidationError:
            pass
    zero = _with_uscc_check("0" + body)
    assert not uscc_ok(zero) and std_uscc.validate(zero)


@st.composite
def ids(draw) -> str:
    area = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(dt.date(1850, 1, 1), dt.date(2100, 12, 31)))
    if draw(st.integers(0, 9)) == 0:  # a date that does not exist
        text = f"{born.year:04d}{draw(st.integers(0, 19)):02d}{draw(st.integers(0, 39)):02d}"
    else:
        text = born.strftime("%Y%m%d")
    body = area + text + draw(st.text(DIGITS, min_size=3, max_size=3))
    code = body + std_ric.calc_check_digit(body + "0")
    if draw(st.booleans()):
        i = draw(st.integers(0, 17))
        code = code[:i] + draw(st.sampled_from(DIGITS + ("X" if i == 17 else ""))) + code[i + 1:]
    return code


@settings(max_examples=3000, deadline=None)
@given(ids())
def test_id_numbers_agree_with_stdnum(code):
    try:
        check_ok = std_ric.calc_check_digit(code) == code[17]
        born = std_ric.get_birth_date(code)
        theirs = check_ok and dt.date(1900, 1, 1) <= born <= dt.date.today()
    except ValidationError:
        theirs = False
    try:
        ours = id_card(code) == code
    except BadValue:
        ours = False
    assert ours is theirs, code
