"""``tupu brief`` (#14): the meeting pack opens in python-pptx with the expected slides, and its
figures are those of ``tupu coverage`` and ``tupu gaps``."""
from __future__ import annotations

from collections import Counter

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.coverage import MEASURES, coverage
from graph.analyses.gaps import find_gaps
from graph.rules import RULES
from tests.apps import DEMO_DAY, saved_demo
from tests.browser import chromium_path

DISTRICT = "519901000000"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    return home, saved_demo(home)


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def _table(slide) -> list[list[str]]:
    t = next(sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.TABLE).table
    return [[c.text for c in row.cells] for row in t.rows]


def test_the_brief_of_a_district(demo, tmp_path, monkeypatch):
    home, store = demo
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_DATA", str(home / "g.pickle"))
    chromium_path()  # the alliance pictures need it (CI installs it; elsewhere skip loudly)
    name = store.get("Region", DISTRICT).props["name"]
    out = tmp_path / "汇报.pptx"
    r = CliRunner().invoke(cli, ["brief", "--region", name, "-o", str(out), "--as-of", DEMO_DAY.isoformat()])
    assert r.exit_code == 0, r.output
    slides = list(Presentation(str(out)).slides)
    titles = [_texts(s)[0].split("\n")[0] for s in slides]
    alliances = [a for a in store.iter_nodes("Alliance") if a.key.startswith("LM519901")]
    assert titles[:4] == [f"{name}党建工作汇报", "基本情况", "覆盖率", "覆盖缺口（按规则）"] and "优先处理" in titles
    assert titles[-1] == "结对推荐"
    assert sorted(t for t in titles if t.endswith("党建联盟")) == sorted(a.name for a in alliances)

    # the chart: one category per street, one series per measure, the rates of `tupu coverage`
    rows = coverage(store, as_of=DEMO_DAY, region=DISTRICT, scope="region")
    streets = [r for r in rows if r.parent == DISTRICT]
    chart = next(sh for sh in slides[2].shapes if sh.has_chart).chart
    assert list(chart.plots[0].categories) == [r.name for r in streets]
    for series, key in zip(chart.series, MEASURES):
        assert series.name == MEASURES[key][0]
        assert list(series.values) == [round((r.measures[key].rate or 0) * 100, 1) for r in streets]

    # gaps per rule, as `tupu gaps --region`
    gaps = Counter(g.rule for g in find_gaps(store, as_of=DEMO_DAY, region=DISTRICT))
    table = [row for s, t in zip(slides, titles) if t == "覆盖缺口（按规则）" for row in _table(s)[1:]]
    assert {row[0].split()[0]: int(row[1]) for row in table} == {r: n for r, n in gaps.items() if r in RULES}
    # each alliance a picture of its network, drawn by Chromium
    pictures = [s for s in slides if any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)]
    assert len(pictures) == len(alliances) > 0


def test_an_unknown_region_is_said(demo, tmp_path, monkeypatch):
    home, _ = demo
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_DATA", str(home / "g.pickle"))
    r = CliRunner().invoke(cli, ["brief", "--region", "没有这个区", "-o", str(tmp_path / "x.pptx"), "--no-pictures"])
    assert r.exit_code == 1 and "未找到" in r.output and not (tmp_path / "x.pptx").exists()
