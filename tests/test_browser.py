"""Every view and the home page in a real browser (Debian's Chromium via Playwright), offline:
every request to another host is blocked. Asserts no failed request, no console error, nodes
drawn, the legend there, and the search box finding a Chinese name. Screenshots are kept in
test-artifacts/ as the test's record."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.apps import app_with_admin, demo_store
from tests.browser import Watch, serve

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TODAY = dt.date(2025, 11, 22)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = demo_store(tmp_path_factory.mktemp("demo"), TODAY)
    app, token = app_with_admin(lambda: store)
    with serve(app) as url:
        yield url, store, token


def open_page(browser, url: str, token: str):
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, accept_downloads=True,
                            extra_http_headers={"Authorization": f"Bearer {token}"})
    watch = Watch(page)
    page.goto(url, wait_until="load")
    return page, watch


VIEWS = {
    "alliance": "/views/alliance/LM519901001",
    "tree": "/views/tree/QW0001",
    "coverage": "/views/coverage/519901001000",
    "pairings": "/views/pairings",
    "neighbourhood": "/views/neighbourhood/SQ519901001001?hops=2",
    "path": "/views/path?a=DY00000052&b=SW0001",
}


def node_xy(page, node_id: str) -> tuple[float, float]:
    """Where a node is on the screen (for a real mouse click)."""
    return tuple(page.evaluate("""id => {
        const net = window.tupu.network, p = net.canvasToDOM(net.getPosition(id));
        const r = document.getElementById('network').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""", node_id))


def shown(page) -> int:
    return page.evaluate("shownIds(window.tupu.network).length")


def no_overlaps(page, px: int = 16) -> dict:
    ov = page.evaluate("window.tupu.labelOverlaps()")
    assert ov["pairs"] == 0 and ov["labels"] > 0 and round(ov["px"]) >= px, ov
    return ov


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_in_a_real_browser_offline(site, browser, name):
    """At 1920×1080, as on a projector: labels at 16 px never overlap; a folded view unfolds a
    group in place; filters, the legend, focus and expand in place work; both exports make
    the whole network with its title and legend; 演示模式 keeps labels apart at 24 px."""
    base, store, token = site
    page, watch = open_page(browser, base + VIEWS[name] + ("&" if "?" in VIEWS[name] else "?") + f"as_of={TODAY}",
                            token)
    page.wait_for_function("document.body.dataset.settled === '1'", timeout=30_000)
    total = page.evaluate("window.tupu.nodes.get({filter: n => !n.isClusterNode}).length")
    assert shown(page) > 1
    # the canvas is not blank: some pixels differ from white
    assert page.evaluate("""() => {
        const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) return true;
        return false; }""")
    assert page.locator("#legend").is_visible() and "图例" in page.locator("#legend").inner_text()
    no_overlaps(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"view-{name}.png"))  # as it opens (the README's pictures)

    if page.evaluate("window.tupu.folded"):  # past 150 nodes: folded into groups, one unfolds in place
        assert total > 150 and shown(page) < total
        cluster = page.evaluate("shownIds(window.tupu.network).find(isCluster)")
        before = shown(page)
        page.mouse.click(*node_xy(page, cluster))
        page.wait_for_function(f"shownIds(window.tupu.network).length > {before}", timeout=5_000)
        no_overlaps(page)
        page.click("#fold")
        assert shown(page) == before

    # filter: only what has gaps
    page.check("#only-gaps")
    kept = page.evaluate("window.tupu.nodes.get({filter: n => !n.hidden && n.elabel !== 'Group'})")
    assert kept and all(n["ngaps"] > 0 for n in kept) and len(kept) < total
    assert page.locator("#status").inner_text().startswith("显示")
    no_overlaps(page)
    page.click("#reset")
    assert page.evaluate("window.tupu.nodes.get({filter: n => n.hidden && !n.folded}).length") == 0
    # the legend hides a kind and shows it again
    item = page.locator("#legend .item[data-type=sector]").first
    sector = item.get_attribute("data-key")
    item.click()
    assert page.evaluate(f"window.tupu.nodes.get({{filter: n => n.sector === {sector!r} && !n.hidden}}).length") == 0
    item.click()
    page.click("#reset")

    # focus: 1 hop around a node with links dims the rest
    if page.evaluate("window.tupu.folded"):
        page.click("#unfold")
    centre = page.evaluate("""() => { const e = window.tupu.edges.get(), deg = {};
        for (const x of e) { deg[x.from] = (deg[x.from] || 0) + 1; deg[x.to] = (deg[x.to] || 0) + 1; }
        return Object.keys(deg).filter(id => !id.startsWith('Group:')).sort((a, b) => deg[b] - deg[a])[0]; }""")
    page.evaluate(f"window.tupu.network.focus({centre!r}, {{scale: 2.5, animation: false}})")
    page.mouse.click(*node_xy(page, centre))
    page.select_option("#hops", "1")
    near = page.evaluate("window.tupu.focused")
    assert centre in near and 1 < len(near) < total
    assert page.evaluate("window.tupu.nodes.get({filter: n => n.dimmed}).length") == total - len(near)
    page.select_option("#hops", "0")
    page.click("#reset")

    # expand in place: a double-click on an organisation asks the server for its neighbours
    if page.evaluate("window.tupu.folded"):
        page.click("#unfold")
    before = page.evaluate("window.tupu.nodes.length")
    leaf = page.evaluate("""() => { const deg = {};
        for (const x of window.tupu.edges.get()) { deg[x.from] = (deg[x.from] || 0) + 1; deg[x.to] = (deg[x.to] || 0) + 1; }
        return window.tupu.nodes.getIds().filter(id => id.startsWith('Organization:'))
                 .sort((a, b) => (deg[a] || 0) - (deg[b] || 0))[0] || window.tupu.nodes.getIds()[0]; }""")
    page.evaluate(f"window.tupu.network.focus({leaf!r}, {{scale: 2.5, animation: false}})")
    page.mouse.dblclick(*node_xy(page, leaf))
    page.wait_for_function("document.getElementById('status').textContent.startsWith('展开')", timeout=10_000)
    added = page.evaluate("window.tupu.nodes.length") - before
    assert page.locator("#status").inner_text() == f"展开 {added} 个"
    if name in ("tree", "alliance"):  # members and units they do not draw
        assert added > 0
    page.click("#fit")
    no_overlaps(page)

    # search by a Chinese name taken from the page's own nodes
    name_to_find = page.evaluate("Object.values(DETAILS).map(d => d.name).find(n => /[\\u4e00-\\u9fff]{3,}/.test(n))")
    page.fill("#search", name_to_find[1:4])
    page.press("#search", "Enter")
    assert page.locator("#status").inner_text().startswith("找到")
    assert page.locator("#details").is_visible()

    # exports: the whole network at 3840×2160 under its title, with its legend; and a PDF
    png = page.evaluate("window.tupu.exportPng(false)")
    assert (png["width"], png["height"]) == (3840, 2360) and png["overlaps"]["pairs"] == 0
    assert png["overlaps"]["nodes"] == shown(page) or page.evaluate("window.tupu.folded")
    with page.expect_download() as dl:
        page.click("#png")
    assert dl.value.suggested_filename.endswith(".png")
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible() and page.locator("#printhead").is_visible()
    pdf = page.pdf(landscape=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")

    page.click("#present")
    page.wait_for_timeout(400)
    assert page.evaluate("document.body.classList.contains('present')")
    no_overlaps(page, px=24)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"view-{name}-present.png"))
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()


def test_home_page_in_a_real_browser(site, browser):
    base, _, token = site
    page, watch = open_page(browser, base + f"/?as_of={TODAY}", token)
    assert page.locator("h1").inner_text() == "党建图谱"
    assert page.locator("text=覆盖率（区县、街道）").is_visible()
    links = page.locator("a[href^='/views/alliance/']")
    assert links.count() == 12
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    links.first.click()
    page.wait_for_function("document.body.dataset.drawn === '1'", timeout=20_000)
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()


def test_search_from_the_home_page_open_an_entity_page_and_a_view(site, browser):
    base, store, token = site
    page, watch = open_page(browser, base + f"/?as_of={TODAY}", token)
    page.fill("#find", "社区党委")
    page.wait_for_selector("#suggest li a", timeout=10_000)
    first = page.locator("#suggest li a").first
    name = first.inner_text().split("党组织")[0].strip()
    first.click()
    page.wait_for_load_state("load")
    assert "/entities/Organization/" in page.url
    assert page.locator("h1").inner_text() == name
    assert page.locator("text=基本情况").is_visible() and page.locator("text=数据来源").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "entity-page.png"), full_page=True)
    page.click("text=组织体系图")
    page.wait_for_function("document.body.dataset.drawn === '1'", timeout=20_000)
    # the details panel of a view links back to entity pages
    node = page.evaluate("Object.keys(DETAILS).find(id => id.startsWith('Organization:'))")
    page.evaluate(f"window.tupu.network.selectNodes([{node!r}])")
    page.evaluate(f"document.getElementById('search').value = DETAILS[{node!r}].name")
    page.press("#search", "Enter")
    assert page.locator("#details a.entity-page").count() == 1
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()


def test_api_docs_render_offline(site, browser):
    base, _, token = site
    page, watch = open_page(browser, base + "/docs", token)
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    assert "党建图谱" in page.locator(".swagger-ui .info").inner_text()
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()


def test_a_browser_gets_pages_not_json(site, browser):
    base, _, token = site
    page = browser.new_page()
    page.goto(base + "/gaps")
    assert "需要访问令牌" in page.content() and page.locator("input[name=token]").count() == 1
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(base + "/views/tree/没有这个组织")
    assert page.locator("h1").inner_text() == "未找到" and page.locator("a[href='/']").count() == 1
    page.close()


def test_the_cli_exports_png_and_pdf_without_controls(tmp_path, monkeypatch, browser):
    """``tupu view --png/--pdf``: 1920×1080 without the toolbar, and a PDF page."""
    import struct

    from typer.testing import CliRunner

    from api.cli import app as cli
    from tests.apps import saved_demo

    saved_demo(tmp_path, TODAY)
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    png, pdf = tmp_path / "网络.png", tmp_path / "网络.pdf"
    r = CliRunner().invoke(cli, ["view", "coverage", "519901001000", "-o", str(tmp_path / "v.html"),
                                 "--png", str(png), "--pdf", str(pdf), "--as-of", TODAY.isoformat()])
    assert r.exit_code == 0, r.output
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1920, 1080)
    assert pdf.read_bytes().startswith(b"%PDF")
    # no red toolbar across the top: the picture starts with the printed title on white
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(png.as_uri())
    top = page.evaluate("""() => new Promise(ok => { const img = document.querySelector('img');
        const c = document.createElement('canvas'); c.width = 1920; c.height = 1080;
        const draw = () => { c.getContext('2d').drawImage(img, 0, 0); ok(Array.from(c.getContext('2d').getImageData(960, 10, 1, 1).data)); };
        img.complete ? draw() : img.onload = draw; })""")
    page.close()
    assert min(top[:3]) > 240, top  # the toolbar is #b71c1c


def test_a_meeting_from_the_view_pages_stepped_with_the_arrow_keys(tmp_path, monkeypatch, browser):
    """加入汇报 on two view pages (one filtered to its gaps), then the meeting plays: the arrow keys
    turn the pages, each slide drawn as it was left, 放映 hides the bar."""
    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    store = demo_store(tmp_path / "demo", TODAY)
    app, token = app_with_admin(lambda: store)
    with serve(app) as base:
        page, watch = open_page(browser, base + f"/views/coverage/519901001000?as_of={TODAY}", token)
        page.wait_for_function("document.body.dataset.settled === '1'", timeout=30_000)
        page.check("#only-gaps")
        answers = iter(["例会", "本街道的缺口"])
        page.on("dialog", lambda d: d.accept(next(answers)))
        page.click("#addslide")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('已加入')", timeout=10_000)
        page.goto(base + f"/views/pairings?as_of={TODAY}")
        page.wait_for_function("document.body.dataset.settled === '1'", timeout=30_000)
        answers = iter(["例会", "全域结对"])
        page.click("#addslide")
        page.wait_for_function("document.getElementById('status').textContent.includes('第 2 页')", timeout=10_000)

        page.goto(base + f"/?as_of={TODAY}")  # the home page lists it
        page.click("#meetings a:has-text('例会')")
        page.wait_for_load_state("load")
        assert "/meetings/" in page.url
        page.goto(base + f"/meetings/例会?as_of={TODAY}")
        frame = page.frame_locator("#stage iframe")
        assert page.locator("#counter").inner_text() == "1 / 2"
        assert page.locator("#slide-title").inner_text() == "本街道的缺口"
        page.wait_for_function("document.querySelector('#stage iframe').contentDocument.body.dataset.settled === '1'",
                               timeout=30_000)
        # the slide is as it was left: only what has gaps
        kept = page.evaluate("document.querySelector('#stage iframe').contentWindow.tupu.nodes"
                             ".get({filter: n => !n.hidden && n.elabel !== 'Group'})")
        assert kept and all(n["ngaps"] > 0 for n in kept)
        assert frame.locator("#filters").is_hidden()  # a slide shows the picture, not the controls
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.body.dataset.slide === '2'", timeout=5_000)
        assert page.locator("#slide-title").inner_text() == "全域结对"
        # keys pressed inside the slide turn the page too
        page.wait_for_function("document.querySelector('#stage iframe').contentDocument.body.dataset.settled === '1'",
                               timeout=30_000)
        frame.locator("#network").click()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("document.body.dataset.slide === '1'", timeout=5_000)
        page.click("#show")
        assert page.evaluate("document.body.classList.contains('show')") and page.locator("#bar").is_hidden()
        page.wait_for_function("document.querySelector('#stage iframe').contentDocument.body.classList.contains('present')",
                               timeout=5_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "meeting.png"))
        assert watch.external == [] and watch.failed == [] and watch.errors == []
        page.close()
