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
    page = browser.new_page(viewport={"width": 1600, "height": 1000},
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


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_in_a_real_browser_offline(site, browser, name):
    base, store, token = site
    page, watch = open_page(browser, base + VIEWS[name] + ("&" if "?" in VIEWS[name] else "?") + f"as_of={TODAY}",
                            token)
    page.wait_for_function("document.body.dataset.drawn === '1'", timeout=20_000)
    drawn = page.evaluate("Object.keys(window.tupu.network.getPositions()).length")
    assert drawn == page.evaluate("window.tupu.nodes.length") and drawn > 1
    # the canvas is not blank: some pixels differ from white
    assert page.evaluate("""() => {
        const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) return true;
        return false; }""")
    assert page.locator("#legend").is_visible() and "图例" in page.locator("#legend").inner_text()
    # search by a Chinese name taken from the page's own nodes
    name_to_find = page.evaluate("Object.values(DETAILS).map(d => d.name).find(n => /[\\u4e00-\\u9fff]{3,}/.test(n))")
    page.fill("#search", name_to_find[1:4])
    page.press("#search", "Enter")
    assert page.locator("#status").inner_text().startswith("找到")
    assert page.locator("#details").is_visible()
    page.click("#present")
    assert page.evaluate("document.body.classList.contains('present')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"view-{name}.png"))
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
