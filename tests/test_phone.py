"""A street's pages on a phone and on laptops (#39), in Debian's Chromium: at 1920×1080, 1366×768
and 390×844, as the city's admin and as a street's viewer, the home page, a street's gap list,
the street 党工委's page and the street's own page never scroll sideways (measured), their title
reads as a line, not a character a line, and the list's picker is a thumb's size on a phone.
Screenshots are kept in test-artifacts/phone/."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.apps import app_with_admin, demo_store
from tests.browser import Watch, serve

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "phone"
TODAY = dt.date(2025, 11, 22)
STREET, COMMITTEE = "519901001000", "JD519901001"
PAGES = {
    "home": "/",
    "gaps": f"/views/gaps/G2?region={STREET}",
    "committee": f"/entities/Organization/{COMMITTEE}",
    "street": f"/entities/Region/{STREET}",
}
SIZES = [(1920, 1080), (1366, 768), (390, 844)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = demo_store(tmp_path_factory.mktemp("demo"), TODAY)
    app, admin = app_with_admin(lambda: store)
    viewer, _ = app.state.tokens.create("viewer", "region", STREET, name="街道查看者")
    port = int(os.environ.get("TUPU_BROWSER_PORT", "0")) or None
    with serve(app, port) as url:
        yield url, {"admin": admin, "viewer": viewer}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_streets_pages_fit_every_screen(site, browser, size):
    base, tokens = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = size
    for who, token in tokens.items():
        for name, path in PAGES.items():
            page = browser.new_page(viewport={"width": width, "height": height},
                                    extra_http_headers={"Authorization": f"Bearer {token}",
                                                        "Accept": "text/html"})
            watch = Watch(page)
            r = page.goto(base + path + ("&" if "?" in path else "?") + f"as_of={TODAY}", wait_until="load")
            assert r is not None and r.status == 200, (who, name)
            assert page.locator('meta[name="viewport"]').count() == 1, name
            wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert wide[0] <= wide[1], f"{who} {name} at {width}px scrolls sideways: {wide}"
            # the title reads as a line: at most two lines high, never a character a line
            h1 = page.locator("h1").first.bounding_box()
            line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
            assert h1 is not None and h1["height"] <= 2.6 * line * 1.3 and h1["width"] >= 3 * line, (who, name, h1)
            if name == "gaps":
                for control in ("select[name=region]", "select[name=org]", ".places button"):
                    box = page.locator(control).bounding_box()
                    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= width, control
            if name in ("committee", "street"):
                assert page.locator("#duty").count() == 1 and "缺口（0 个）" not in page.locator("#duty").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"{name}-{who}-{width}.png"), full_page=(width == 390))
            assert not watch.errors and not watch.failed and not watch.external, (who, name, watch.errors)
            page.close()
