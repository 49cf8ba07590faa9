"""Views benchmark: time to first paint and to a still picture of the pairing network at 100,
1,000 and 3,660 nodes (the 1,100 organ × 2,560 grassroots case), in Debian's Chromium; and, for
contrast, pyvis's own defaults (physics on, no positions) on the same graphs. Prints figures.

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


MEASURE = """() => new Promise(resolve => {
  const t0 = performance.now();
  const net = window.tupu ? window.tupu.network : window.network;
  let first = null;
  const done = (still) => resolve({first: first, still: still});
  if (!net) { resolve({first: null, still: null}); return; }
  net.once('afterDrawing', () => { first = performance.now(); });
  // a still picture: physics off from the start, or stabilization finished
  const phys = net.physics && net.physics.physicsEnabled;
  if (!phys) { net.redraw(); setTimeout(() => done(performance.now()), 0); return; }
  net.once('stabilized', () => done(performance.now()));
  setTimeout(() => done(null), 120000);
})"""


def measure(browser, url: str) -> tuple[float, float | None]:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    t = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_function("document.querySelector('canvas') !== null", timeout=120_000)
    paint = time.perf_counter() - t
    still = None
    try:
        page.wait_for_function(
            "(window.tupu && window.tupu.ready && !window.tupu.network.physics.physicsEnabled)"
            " || (window.network && window.network.physics && window.network.physics.stabilized)",
            timeout=120_000, polling=200)
        still = time.perf_counter() - t
    except Exception:
        still = None
    page.close()
    return paint, still


def main() -> None:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if not exe:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    sizes = [(30, 70), (300, 700), (1100, 2560)]
    tmp = Path(tempfile.mkdtemp(prefix="tupu-views-bench-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=FLAGS)
        print(f"{'nodes':>6} {'edges':>6} {'page':>8} {'build s':>8} {'paint s':>8} {'still s':>8}")
        for organs, grassroots in sizes:
            store = pairing_store(organs, grassroots)
            t = time.perf_counter()
            view = pairings_view(store, as_of=AS_OF)
            html = render_html(view)
            build = time.perf_counter() - t
            ours = tmp / f"ours-{organs}.html"
            ours.write_text(html, encoding="utf-8")
            paint, still = measure(browser, ours.as_uri())
            n = organs + grassroots
            print(f"{n:>6} {len(view.edges):>6} {'Tupu':>8} {build:>8.2f} {paint:>8.2f} {still or float('nan'):>8.2f}")
            if n <= 1000:
                theirs = tmp / f"pyvis-{organs}.html"
                pyvis_default(view, theirs)
                paint, still = measure(browser, theirs.as_uri())
                shown = f"{still:>8.2f}" if still else "  >120 s"
                print(f"{n:>6} {len(view.edges):>6} {'pyvis':>8} {'':>8} {paint:>8.2f} {shown}")
        browser.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
