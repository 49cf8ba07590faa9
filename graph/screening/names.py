"""Chinese organisation names brought to one form before they are compared (#16).

The same enterprise is written in many ways: full-width or half-width characters, traditional
characters, brackets of either width, with or without its region ("四川省德阳市…", "…（深圳）…"),
with or without its legal form (有限公司 / 有限责任公司 / 股份有限公司). None of that tells two
enterprises apart, so it is dropped. A branch (分公司, 分店, 营业部 …) is its own unit: it is kept
as a marker and never matched to its head office.

>>> normal("四川省德阳市某某科技有限公司").key
'某某科技'
>>> normal("四川省成都市武侯区某某超市有限公司").key
'某某超市'
>>> normal("德阳市某某科技有限公司").key, normal("好又多超市有限公司").key
('某某科技', '好又多超市')
>>> normal("某某科技（深圳）有限责任公司").key
'某某科技'
>>> normal("ＡＢＣ 電子科技股份有限公司").key
'abc电子科技'
>>> n = normal("某某超市连锁有限公司东湖分店")
>>> n.key, n.branch
('某某超市连锁东湖分店', '分店')
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
# legal forms, longest first: each is dropped from the end of a name (and before a branch marker)
FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "个人独资企业", "普通合伙企业", "有限合伙企业",
         "合伙企业", "股份公司", "公司")
BRANCHES = ("分公司", "分店", "分行", "支行", "营业部", "营业厅", "门店", "分厂", "分院", "分部", "分社", "分所",
            "分中心", "分站")
# a Party organisation of a unit is named after it: 某某科技有限公司党支部 is 某某科技党支部
ORG_SUFFIXES = ("联合党支部", "党总支部", "党总支", "党支部", "党委", "党组", "党小组")
_REGION_SUFFIX = re.compile(r"^(.{2,7}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗|镇|乡|街道))")
_BRACKETS = re.compile(r"[(（\[【〔]([^()（）\[\]【】〔〕]*)[)）\]】〕]")
_NOT_CITY = set("超菜夜门股集花街城都坊")  # 超市, 菜市, 门市, 城市 …: words, not cities
_KEPT_IN_BRACKETS = ("集团", "控股", "股份", "中外合资", "外资")
_DROP = re.compile(r"[\s·•.,，。、:：;；'\"“”‘’\-—_/\\|*#&＆+]")


@dataclass(frozen=True)
class NormalName:
    key: str  # what is compared
    branch: str | None  # the branch marker it carries (分公司 …), or None for a head office
    region_words: tuple[str, ...] = ()  # the region words it was written with (evidence)
    steps: tuple[str, ...] = ()  # the normalisations applied, as the evidence says them
    bare: str | None = None  # the key without a region word inside it ("腾飞德阳家政" → "腾飞家政")
    bare_word: str | None = None  # … that word
    head: str | None = None  # a branch's head office, its key ("鑫源科技旌阳分公司" → "鑫源科技")


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=200_000)
def _width_and_script(text: str) -> str:
    """Half-width, simplified, lower case."""
    t = unicodedata.normalize("NFKC", text)
    return _t2s().convert(t).lower()


# a province's name is a road's in 上海路, 香港街: those are kept
_PROVINCE = re.compile(rf"(?:{'|'.join(PROVINCES)})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
                       r"(?![路街巷里道])")


# a region's level written after its name: 德阳市 is written 德阳, 凉山彝族自治州 凉山
_LEVEL = re.compile(r"(?:(?:[^族]{1,5}族)+)?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|省|市|区|县|盟|旗)$")


def short_form(name: str) -> str | None:
    """A region's name without its level, when at least two characters remain.

    >>> [short_form(n) for n in ("德阳市", "旌阳区", "凉山彝族自治州", "朝阳区", "泸县")]
    ['德阳', '旌阳', '凉山', '朝阳', None]
    """
    level = _LEVEL.search(name, 2)  # from the third character: the name keeps two
    return name[:level.start()] if level else None


@dataclass(frozen=True)
class RegionWords:
    """The graph's region names, ready for :func:`normal`: as a set (full and short forms), as
    one pattern of them at the start of a name (longest first), and one pattern of them
    anywhere, built once rather than for every name."""

    known: frozenset[str]
    prefix: re.Pattern[str] | None


def region_words(names: Iterable[str], short_of: Iterable[str] | None = None) -> RegionWords:
    """``short_of``: the names whose short form (德阳 of 德阳市) counts too; all by default."""
    full = frozenset(w for w in (_width_and_script(n) for n in names if n) if w)
    shortened = full if short_of is None else {_width_and_script(n) for n in short_of if n}
    known = full | {s for s in map(short_form, shortened) if s}
    alternatives = "|".join(re.escape(w) for w in sorted(known, key=len, reverse=True))
    return RegionWords(known, re.compile(alternatives) if known else None)


@lru_cache(maxsize=8)
def _region_words(names: tuple[str, ...]) -> RegionWords:
    return region_words(names)


def _is_region_word(word: str, known: frozenset[str]) -> bool:
    if word in known or word in PROVINCES:
        return True
    return bool(_REGION_SUFFIX.fullmatch(word)) and len(word) <= 8


def _strip_regions(t: str, regions: RegionWords) -> tuple[str, list[str]]:
    """Region words at the start: a province ("四川省", "四川"), then a city or county right
    after it ("德阳市"), and any region name of the graph ("东湖区"). A word ending in 市 that
    follows no province is kept unless the graph knows it: 某某超市 is no city."""
    dropped: list[str] = []
    # after a province: one city (市 / 自治州 / 地区 / 盟), then one county (区 / 县 / 旗)
    allowed = ""
    while True:
        before = t
        named = regions.prefix.match(t) if regions.prefix else None
        province = None if named else _PROVINCE.match(t)
        if named and len(t) > named.end() + 1:
            dropped.append(named.group(0))
            t = t[named.end():]
        elif province and len(t) > province.end() + 1:
            dropped.append(province.group(0))
            t, allowed = t[province.end():], "市|自治州|地区|区|县|旗"
        elif not allowed and not dropped and (m := re.match(r"(.{2,3}市)", t)) \
                and m.group(0)[-2] not in _NOT_CITY and len(t) > m.end() + 3:
            dropped.append(m.group(0))  # a city with no province before it: 德阳市某某
            t, allowed = t[m.end():], "区|县|旗"
        elif allowed and (m := re.match(rf"(.{{2,4}}?(?:{allowed}))", t)) and len(t) > m.end() + 1:
            dropped.append(m.group(0))
            t = t[m.end():]
            county = m.group(0).endswith(("区", "县", "旗"))
            allowed = "区|县|旗" if allowed.startswith("市") and not county else ""
        if t == before:
            return t, dropped


def normal(name: str, regions: RegionWords | Iterable[str] = ()) -> NormalName:
    """The compared form of ``name``; ``regions``: the region names of the graph (东湖区,
    示范市 …), dropped from the start of a name as the provinces and cities are.

    >>> normal("东湖区某某物业服务有限公司", ["东湖区"]).key
    '某某物业服务'
    >>> normal("某某（集团）股份有限公司").key
    '某某集团'
    >>> normal("德阳市某某科技有限公司党支部").key
    '某某科技党支部'
    >>> normal("上海路社区第1小区党支部").key
    '上海路社区第1小区党支部'
    >>> normal("某某科技有限公司东湖分公司").branch
    '分公司'
    """
    words_of = regions if isinstance(regions, RegionWords) else _region_words(tuple(regions))
    known = words_of.known
    t = _width_and_script(name)
    words: list[str] = []
    steps: list[str] = []

    def bracket(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        # a short word in brackets just before the legal form is where it is registered:
        # 某某（深圳）有限公司; 某某（集团）股份有限公司 keeps its 集团
        before_form = any(m.string.startswith(f, m.end()) for f in FORMS)
        if (_is_region_word(inner, known) or inner in ("普通合伙", "有限合伙", "特殊普通合伙", "中国")
                or (before_form and 2 <= len(inner) <= 3 and inner not in _KEPT_IN_BRACKETS)):
            words.append(inner)
            steps.append(f"括号地名「（{inner}）」")
            return ""
        return inner

    t = _BRACKETS.sub(bracket, t)
    t = _DROP.sub("", t)
    t, dropped = _strip_regions(t, words_of)
    words += dropped
    steps += [f"去掉地名「{w}」" for w in dropped]
    party = next((p for p in ORG_SUFFIXES if t.endswith(p) and len(t) > len(p)), None)
    if party:  # the unit's name before it loses its legal form as a unit's name does
        return NormalName(normal(t[: -len(party)], words_of).key + party, None, tuple(words), tuple(steps))
    branch = next((b for b in BRANCHES if t.endswith(b)), None)
    head, tail = t, ""
    if branch:  # "某某有限公司东湖分公司": the legal form sits before the branch's own name
        for form in FORMS:
            i = t.rfind(form, 0, len(t) - len(branch))
            if i > 0:
                head, tail = t[:i], t[i + len(form):]
                break
        else:
            head, tail = t[: -len(branch)], branch
            if tail == branch:
                return NormalName(head + branch, branch, tuple(words), tuple(steps))
    for form in FORMS:
        if head.endswith(form) and len(head) > len(form) + 1:
            head = head[: -len(form)]
            break
    key = head + tail
    bare, word = (None, None) if branch else _without_region_word(key, words_of)
    return NormalName(key, branch, tuple(words), tuple(steps), bare, word, head if branch else None)


def _without_region_word(key: str, regions: RegionWords) -> tuple[str | None, str | None]:
    """The key without one whole region name of the graph written inside it, after the trade
    name: 腾飞德阳家政服务 → 腾飞家政服务. At least two characters stay on each side; a
    region word at the start is dropped from the key already. Matching
    uses it only against a name that is exactly that (never to find similar ones).

    >>> _without_region_word("腾飞德阳家政服务", region_words(["德阳市"]))
    ('腾飞家政服务', '德阳')
    >>> _without_region_word("德阳科技", region_words(["德阳市"]))
    (None, None)
    """
    for m in regions.prefix.finditer(key, 2) if regions.prefix else ():
        if len(key) - m.end() >= 2:
            return key[:m.start()] + key[m.end():], m.group(0)
    return None, None
