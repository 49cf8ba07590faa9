"""In a real browser (Debian's Chromium, offline): every view still draws when names carry
``<!--<script>`` and the like, and a user without a terminal loads a messy workbook from the home
page, reads the report and downloads the return list."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.apps import app_with_admin, demo_store
from tests.browser import Watch, serve
from tests.ledger_files import write_xlsx
from tests.test_browser import VIEWS

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TODAY = dt.date(2025, 11, 22)
HOSTILE = ["<!--<script>", "</script><script>document.title='x'</script>", "\u2028&amp;", "<b>粗</b>"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = demo_store(tmp_path_factory.mktemp("demo"), TODAY)
    for label in ("Organization", "Alliance", "Unit", "Member"):
        store.upsert_nodes(label, [{"id": n.key, "name": HOSTILE[i % len(HOSTILE)] + n.props["name"]}
                                   for i, n in enumerate(store.iter_nodes(label))])
    app, token = app_with_admin(lambda: store)
    with serve(app) as url:
        yield url, store, token


def _page(browser, token: str):
    page = browser.new_page(viewport={"width": 1920, "height": 1080},
                            extra_http_headers={"Authorization": f"Bearer {token}"})
    return page, Watch(page)


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_draws_with_hostile_names(site, browser, name):
    base, store, token = site
    page, watch = _page(browser, token)
    sep = "&" if "?" in VIEWS[name] else "?"
    page.goto(base + VIEWS[name] + f"{sep}as_of={TODAY}", wait_until="load")
    page.wait_for_function("document.body.dataset.drawn === '1'", timeout=20_000)
    assert page.evaluate("Object.keys(window.tupu.network.getPositions()).length") > 1
    names = page.evaluate("Object.values(DETAILS).map(d => d.name)")
    assert any(n.startswith(tuple(HOSTILE)) for n in names)  # the names arrive intact, as text
    assert page.title() != "x"
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()


def test_a_user_loads_a_workbook_from_the_home_page(site, browser, tmp_path):
    base, store, token = site
    f = write_xlsx(tmp_path / "北镇街道台账.xlsx", {
        "填表说明": [["填表说明"], ["日期可写 2025.1.1"]],
        "党组织": [["北镇街道党组织台账（2025年）"], ["序号", "组织编码", "党组织名称（全称）", "组织类型", "上级党组织编码", "成立日期"],
                 [1, "BZ01", "北镇街道党工委", "党工委", "QW0001", "2019.3.1"],
                 [2, "BZ02", "秦街社区党委", "基层党委", "BZ01", "2021年6月30日"],
                 [3, "BZ03", "坏支部", "党小队", "BZ01", ""],
                 [4, "BZ04", "华兴科技党支部", "支部", "BZ01", "去年"],
                 ["合计", None, "4个"]],
    })
    page, watch = _page(browser, token)
    page.goto(base + f"/?as_of={TODAY}", wait_until="load")
    page.set_input_files("#upload-files", str(f))
    page.click("#upload-go")
    page.wait_for_function("!document.getElementById('upload-go').disabled", timeout=20_000)
    assert page.locator("#upload-result > table").count() == 1, page.locator("#upload-result").inner_text()
    text = page.locator("#upload-result").inner_text()
    # it opens with how each column was read
    assert page.locator("#upload-result details.column-map").count() == 1
    assert "党组织名称（全称）\t组织名称" in text and "组织类型\t组织类别" in text
    assert "有 1 行未载入" in text and "第5行" in text and "组织类别" in text
    assert "第6行 「成立日期」：日期格式应为" in text and "已跳过 2 处" in text  # a few warnings: each with its cell
    assert store.get("Organization", "BZ02").props["founded"] == "2021-06-30"
    link = page.locator("#upload-result a")
    assert link.inner_text() == "下载退回清单：北镇街道台账_退回清单.xlsx"
    got = page.request.get(base + link.get_attribute("href"))  # the link, fetched as the page would
    assert got.status == 200
    saved = tmp_path / "returned.xlsx"
    saved.write_bytes(got.body())
    from openpyxl import load_workbook

    wb = load_workbook(saved)
    assert wb.sheetnames[:3] == ["各列读取方式", "退回清单", "填表说明"] and wb["党组织"]["D5"].comment is not None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-upload.png"))
    assert watch.external == [] and watch.failed == [] and watch.errors == []
    page.close()
