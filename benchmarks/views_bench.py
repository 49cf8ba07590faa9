"""Views benchmark, in Debian's Chromium at 1920×1080 (a meeting projector). Prints figures.

1. Time to first paint and to a settled picture (labels placed) of the pairing network at 150,
   1,000 and 3,660 nodes (the 1,100 organ × 2,560 grassroots case), opened folded into streets
   (as served) and unfolded; and pyvis's own defaults (physics on, no positions) for contrast.
2. Label overlap on every view of the demo city: pairs of drawn labels whose boxes (as
   vis-network drew them) overlap, at the fitted zoom, once every group is unfolded, and in
   演示模式 (24 px). The goal is 0 everywhere.

    python -m benchmarks.views_bench
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import time
from pathlib import Path

from pyvis.network import Network

from graph.memory.store import MemoryStore
from graph.store import RelRow
from viz.render import render_html
from viz.views import pairings_view

AS_OF = dt.date(2025, 11, 22)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def pairing_store(organs: int, grassroots: int, seed: int = 7) -> MemoryStore:
    """A city of 10 districts × 8 streets; organ branches at district level paired with
    grassroots organisations of their district (some lapsed)."""
    rng = random.Random(seed)
    s = MemoryStore()
    regions = [{"code": "519900000000", "name": "示范市", "level": "市"}]
    part = []
    for d in range(10):
        dc = f"5199{d + 1:02d}000000"
        regions.append({"code": dc, "name": f"第{d + 1}区", "level": "区县"})
        part.append(RelRow(dc, "519900000000"))
        for t in range(8):
            sc = f"5199{d + 1:02d}{t + 1:03d}000"
            regions.append({"code": sc, "name": f"第{d + 1}区{t + 1}街道", "level": "街道乡镇"})
            part.append(RelRow(sc, dc))
    s.upsert_nodes("Region", regions)
    s.upsert_relationships("PART_OF", "Region", "Region", part)
    orgs, where = [], []
    for i in range(organs):
        d = i % 10
        orgs.append({"id": f"JG{i:05d}", "name": f"第{d + 1}区机关第{i}党支部", "kind": "党支部", "sector": "机关"})
        where.append(RelRow(f"JG{i:05d}", f"5199{d + 1:02d}000000"))
    for i in range(grassroots):
        d, t = i % 10, (i // 10) % 8
        orgs.append({"id": f"SQ{i:05d}", "name": f"第{d + 1}区{t + 1}街道第{i}社区党委", "kind": "党委", "sector": "社区"})
        where.append(RelRow(f"SQ{i:05d}", f"5199{d + 1:02d}{t + 1:03d}000"))
    s.upsert_nodes("Organization", orgs)
    s.upsert_relationships("IN_REGION", "Organization", "Region", where)
    pairs = []
    for i in range(grassroots):
        if rng.random() < 0.85:
            o = rng.randrange(organs // 10) * 10 + i % 10 if organs >= 10 else rng.randrange(organs)
            o = min(o, organs - 1)
            until = "2024-12-31" if rng.random() < 0.1 else "2027-12-31"
            pairs.append(RelRow(f"JG{o:05d}", f"SQ{i:05d}", {"form": "结对共建", "since": "2023-01-01", "until": until}))
    s.upsert_relationships("PAIRED_WITH", "Organization", "Organization", pairs)
    return s


def pyvis_default(view, path: Path) -> None:
    """What pyvis gives out of the box: physics on, no positions, its own template."""
    net = Network(cdn_resources="in_line", height="1000px", width="100%")
    for n in view.nodes:
        net.add_node(n.id, label=n.name, color=n.color)
    for e in view.edges:
        net.add_edge(e.source, e.target)
    net.write_html(str(path), notebook=False)


def open_settled(browser, url: str) -> tuple:
    """(page, seconds to the first drawn canvas, seconds to the settled picture)."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    t = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_function("document.body.dataset.drawn === '1' || window.network", timeout=120_000)
    paint = time.perf_counter() - t
    try:
        page.wait_for_function("document.body.dataset.settled === '1'"
                               " || (window.network && window.network.physics && window.network.physics.stabilized)",
                               timeout=120_000, polling=100)
        still: float | None = time.perf_counter() - t
    except Exception:
        still = None
    return page, paint, still


def timings(browser, tmp: Path) -> None:
    print("1. 首次绘制与稳定（结对网络，1920×1080）")
    print(f"{'nodes':>6} {'edges':>6} {'page':>10} {'build s':>8} {'paint s':>8} {'settled s':>9} {'shown':>6}")
    for organs, grassroots in [(45, 105), (300, 700), (1100, 2560)]:
        store = pairing_store(organs, grassroots)
        t = time.perf_counter()
        view = pairings_view(store, as_of=AS_OF)
        folded = render_html(view)
        build = time.perf_counter() - t
        view.clusters = {}
        unfolded = render_html(view)
        n = organs + grassroots
        for name, html in (("folded", folded), ("unfolded", unfolded)):
            f = tmp / f"{name}-{organs}.html"
            f.write_text(html, encoding="utf-8")
            page, paint, still = open_settled(browser, f.as_uri())
            shown = page.evaluate("shownIds(window.tupu.network).length")
            page.close()
            print(f"{n:>6} {len(view.edges):>6} {name:>10} {build:>8.2f} {paint:>8.2f} {still or float('nan'):>9.2f} {shown:>6}")
        if n <= 1000:
            theirs = tmp / f"pyvis-{organs}.html"
            pyvis_default(view, theirs)
            page, paint, still = open_settled(browser, theirs.as_uri())
            page.close()
            shown_s = f"{still:>9.2f}" if still else "   >120 s"
            print(f"{n:>6} {len(view.edges):>6} {'pyvis':>10} {'':>8} {paint:>8.2f} {shown_s}")


def demo_views(store) -> list[tuple[str, object]]:
    """Every view of the demo city: each alliance, the organisation tree from the top, coverage
    of the city, each district and street, pairings of the city and each street, and a 2-hop
    neighbourhood of each street."""
    from graph.analyses.trees import load_trees
    from viz import views

    regions, orgs = load_trees(store)
    out: list[tuple[str, object]] = []
    for a in sorted(n.key for n in store.iter_nodes("Alliance")):
        out.append((f"alliance {a}", views.alliance_view(store, a, as_of=AS_OF)))
    for o in sorted(o for o, p in orgs.parent.items() if p is None):
        out.append((f"tree {o}", views.tree_view(store, o, as_of=AS_OF)))
    for c in sorted(regions.name):
        if regions.level.get(c) in ("市", "区县", "街道乡镇") or regions.parent.get(c) is None:
            out.append((f"coverage {regions.name[c]}", views.coverage_view(store, c, as_of=AS_OF)))
    out.append(("pairings 全域", views.pairings_view(store, as_of=AS_OF)))
    for c in sorted(c for c in regions.name if regions.level.get(c) == "街道乡镇"):
        out.append((f"pairings {regions.name[c]}", views.pairings_view(store, c, as_of=AS_OF)))
        out.append((f"neighbourhood {regions.name[c]}", views.neighbourhood_view(store, c, 2, as_of=AS_OF)))
    return out


def overlaps(browser, tmp: Path) -> None:
    from tests.apps import demo_store

    store = demo_store(tmp / "demo")
    print("\n2. 标签重叠（示范市每张网络图，1920×1080；重叠的标签对数，目标 0）")
    print(f"{'view':<34} {'nodes':>6} {'fitted':>14} {'unfolded':>14} {'演示模式':>14}")
    worst = 0
    rows = demo_views(store)
    for name, view in rows:
        f = tmp / "view.html"
        f.write_text(render_html(view), encoding="utf-8")
        page, _, _ = open_settled(browser, f.as_uri())
        a = page.evaluate("window.tupu.labelOverlaps()")
        page.click("#unfold") if page.evaluate("window.tupu.folded") else None
        b = page.evaluate("window.tupu.placeLabels(), window.tupu.labelOverlaps()")
        page.click("#present")
        page.wait_for_timeout(300)
        c = page.evaluate("window.tupu.labelOverlaps()")
        page.close()
        worst = max(worst, a["pairs"], b["pairs"], c["pairs"])
        cell = lambda r: f"{r['pairs']} / {r['labels']}"  # noqa: E731
        print(f"{name:<34} {len(view.nodes):>6} {cell(a):>14} {cell(b):>14} {cell(c):>14}")
    print(f"{len(rows)} views; most overlapping pairs in any: {worst} (cells: overlapping pairs / labels drawn)")


def main() -> None:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if not exe:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    tmp = Path(tempfile.mkdtemp(prefix="tupu-views-bench-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=FLAGS)
        timings(browser, tmp)
        overlaps(browser, tmp)
        browser.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
