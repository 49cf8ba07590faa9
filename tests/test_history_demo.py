"""The demo city over three months (``tupu demo --months 3``), loaded month by month on both
stores: the graph as of each date is the graph of that month's ledgers loaded on their own, the
changes and the per-rule opened/closed counts are the differences of the gaps computed on those
independent graphs, and campaigns and progress figures agree with them. Then, in a real browser,
the home page's charts, a campaign page and a before/after view."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from graph.analyses.coverage import coverage
from graph.analyses.gaps import find_gaps
from graph.analyses.trees import load_trees
from graph.history import History, gap_key
from graph.history.campaigns import Campaign, CampaignBook, campaign_progress
from graph.history.snapshot import dump
from graph.memory.store import MemoryStore
from graph.model import PROVENANCE_ZH
from ingest.demo import CITY_CODE
from ingest.demo_months import generate_months
from ingest.loader import Loader
from tests.apps import app_with_admin
from tests.browser import Watch, serve
from viz.registry import VIEWS

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TODAY = dt.date(2025, 11, 22)
DONGHU = "519901000000"


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    return generate_months(tmp_path_factory.mktemp("months"), 3, fmt="csv", today=TODAY)


@pytest.fixture(scope="module")
def independent(months):
    """Each month's ledgers loaded on their own into an empty store, and its gaps."""
    out = {}
    for day, folder in months:
        s = MemoryStore()
        Loader(s).load([folder])
        out[day] = (s, {gap_key(g) for g in find_gaps(s, as_of=day)})
    return out


def data(store):
    return {part: {k: {p: v for p, v in props.items() if p not in PROVENANCE_ZH} for k, props in entries.items()}
            for part, entries in dump(store).items()}


def test_three_demo_months_loaded_in_turn_on_both_stores(store, months, independent, tmp_path):
    history = History(tmp_path / "home")
    for day, folder in months:
        Loader(store).load([folder])
        history.record(store, date=day, files=[folder.name], who="测试")
    days = [d for d, _ in months]
    for day in days:
        past = history.store_as_of(day)
        assert data(past) == data(independent[day][0])
        assert {gap_key(g) for g in find_gaps(past, as_of=day)} == independent[day][1]
    for a, b in ((days[0], days[1]), (days[1], days[2]), (days[0], days[2])):
        ch = history.changes(a, b)
        opened, closed = independent[b][1] - independent[a][1], independent[a][1] - independent[b][1]
        assert {gap_key(g) for g in ch.opened} == opened and {gap_key(g) for g in ch.closed} == closed
        o, c = Counter(r for r, _ in opened), Counter(r for r, _ in closed)
        assert ch.per_rule() == {r: {"opened": o[r], "closed": c[r]} for r in sorted(set(o) | set(c))}
    # the demo's months carry what they promise
    whole = history.changes(days[0], days[2])
    kinds = whole.entity_counts()
    assert kinds["组织新建"] >= 3 and kinds["结对到期或解除"] >= 2 and kinds["结对新建"] >= 3 and kinds["党员转移"] > 0
    assert {g.rule for g in whole.closed} >= {"U1", "P2", "M4", "O3"}
    assert len(history.gaps_of(history.loads()[-1])) < len(history.gaps_of(history.loads()[0]))
    # a campaign on the U rules: its figures are the independent graphs' differences
    rules = ["U1", "U2", "U3"]
    p = campaign_progress(history, Campaign("两个覆盖攻坚", days[0].isoformat(), rules), load_trees(store)[0])
    start = {k for k in independent[days[0]][1] if k[0] in rules}
    now = {k for k in independent[days[2]][1] if k[0] in rules}
    assert {gap_key(g) for g in p.closed} == start - now and {gap_key(g) for g in p.still_open} == start & now
    assert {gap_key(g) for g in p.opened_since} == now - start and p.closed
    assert sum(s.at_start for s in p.streets) == len(start) and sum(s.closed for s in p.streets) == len(start - now)
    # progress figures: the city's coverage and gaps as the independent graph has them
    for (_rec, figures), day in zip(history.progress(), days, strict=True):
        s = independent[day][0]
        city = next(r for r in coverage(s, as_of=day, scope="region") if r.id == CITY_CODE)
        m = city.measures["units_covered"]
        assert figures["regions"][CITY_CODE]["measures"]["units_covered"] == [m.done, m.total]
        placed = sum(1 for g in find_gaps(s, as_of=day) if g.region is not None)
        assert figures["regions"][CITY_CODE]["gaps"] == placed


def open_page(browser, url: str, token: str):
    page = browser.new_page(viewport={"width": 1920, "height": 1080},
                            extra_http_headers={"Authorization": f"Bearer {token}"})
    watch = Watch(page)
    page.goto(url, wait_until="load")
    return page, watch


def test_charts_campaign_and_before_after_in_a_real_browser(browser, months, independent):
    store = MemoryStore()
    app, token = app_with_admin(lambda: store)
    home = app.state.settings.home
    history = History(home)
    for day, folder in months:
        Loader(store).load([folder])
        history.record(store, date=day, files=[folder.name], who="测试")
    first, last = months[0][0], months[-1][0]
    CampaignBook(home).add(Campaign("两个覆盖攻坚", first.isoformat(), ["U1", "U2", "U3"]))
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(app) as url:
        page, watch = open_page(browser, f"{url}/?as_of={last}", token)
        page.wait_for_selector("#chart-gaps svg path", state="attached")
        axis = page.locator("#chart-gaps").inner_text()
        assert all(d.isoformat() in axis for d, _ in months) and "示范市" in axis
        # the city's line ends at the gaps the last load left in the city
        page.locator("#progress").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "home-progress.png"))
        row = page.locator("#campaigns tr", has_text="两个覆盖攻坚").inner_text()
        p = campaign_progress(history, CampaignBook(home).get("两个覆盖攻坚"), load_trees(store)[0])
        assert f"{len(p.at_start)}\t{len(p.closed)}\t{len(p.still_open)}" in row
        page.locator("#campaigns a", has_text="两个覆盖攻坚").click()
        page.wait_for_selector("#chart-campaign svg path", state="attached")
        assert page.locator("#figures").inner_text().split() == [
            "开始时", str(len(p.at_start)), "已补齐", str(len(p.closed)), "仍未补齐", str(len(p.still_open)),
            "期间新出现", str(len(p.opened_since))]
        assert page.locator("#streets tr").count() == len(p.streets) + 1
        page.screenshot(path=str(ARTIFACTS / "campaign.png"))
        # before / after: what is new since the first month is marked, what is gone kept faded
        page.goto(f"{url}/views/pairings?region={DONGHU}&as_of={last}&compare={first}")
        page.wait_for_function("document.body.dataset.settled === '1'", timeout=30_000)
        build = VIEWS["pairings"].build
        ids = {d: {n.id for n in build(independent[d][0], DONGHU, as_of=d).nodes} for d in (first, last)}
        new = set(page.evaluate("window.tupu.nodes.get({filter: n => n.change === 'new'}).map(n => n.id)"))
        gone = set(page.evaluate("window.tupu.nodes.get({filter: n => n.change === 'gone'}).map(n => n.id)"))
        assert new == ids[last] - ids[first] and new and gone == ids[first] - ids[last]
        legend = page.locator("#legend").inner_text()
        assert "［新］" in legend and f"对比 {first} → {last}" in page.locator("header").inner_text()
        page.screenshot(path=str(ARTIFACTS / "before-after.png"))
        assert watch.external == [] and watch.failed == [] and watch.errors == []
        page.close()


def test_the_meeting_pack_charts_the_loads(months, tmp_path):
    """``tupu brief`` adds a progress slide: the district's and its streets' gaps and coverage at
    every load, as native (editable) line charts holding the recorded figures."""
    from pptx import Presentation

    from viz.brief import build_brief

    store, history = MemoryStore(), History(tmp_path / "home")
    for day, folder in months:
        Loader(store).load([folder])
        history.record(store, date=day, files=[folder.name], who="测试")
    progress = [(r.date, f) for r, f in history.progress()]
    out = build_brief(store, DONGHU, tmp_path / "汇报.pptx", as_of=months[-1][0], progress=progress)
    charts = [sh.chart for slide in Presentation(str(out)).slides for sh in slide.shapes
              if sh.has_chart and sh.chart.has_title and sh.chart.chart_title.text_frame.text == "缺口数"]
    assert len(charts) == 1
    series = {s.name: list(s.values) for s in charts[0].plots[0].series}
    assert series["东湖区"] == [f["regions"][DONGHU]["gaps"] for _, f in progress]
    assert list(charts[0].plots[0].categories) == [d.isoformat() for d, _ in months]
