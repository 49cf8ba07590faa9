"""Draw a :class:`viz.model.View` with pyvis into one self-contained HTML page.

pyvis builds the node and edge lists and the vis-network options; the page itself is our own
template (``template.html``), because pyvis's own loads Bootstrap from a CDN, shows the heading
twice and has no legend, search, details panel or image export. vis-network's script and styles
are inlined from the copy the pyvis package ships, so the page requests nothing from any host.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from graph.rules import RULES
from viz.labels import wrap
from viz.model import View
from viz.palette import BORDER, CHANGES, EDGE_STYLES, GAP_RING, SECTORS, SHAPES

HERE = Path(__file__).resolve().parent
VIS = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
PHYSICS_LIMIT = 300  # above this many nodes, positions are precomputed and physics is off


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    return (VIS / "vis-network.min.js").read_text(encoding="utf-8"), \
        (VIS / "vis-network.css").read_text(encoding="utf-8")


_env = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html"]))


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _js(value) -> str:
    r"""JSON safe to put inside a <script> element: no ``<``, ``>`` or ``&`` (a name holding
    ``<!--<script>`` would otherwise end or swallow the script), no line separators.

    >>> _js({"name": "<!--<script>&"})
    '{"name": "\\u003c!--\\u003cscript\\u003e\\u0026"}'
    """
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE)


def options(view: View) -> dict:
    big = len(view.nodes) > PHYSICS_LIMIT or all(n.x is not None for n in view.nodes)
    opts: dict = {
        "nodes": {"font": {"size": 18, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif",
                           "strokeWidth": 4, "strokeColor": "#ffffff", "color": "#212121"}, "borderWidth": 2},
        "edges": {"smooth": False, "font": {"size": 12, "align": "middle"}, "color": {"inherit": False}},
        "interaction": {"hover": True, "hideEdgesOnDrag": big, "tooltipDelay": 200,
                        "navigationButtons": False, "keyboard": True},
        "physics": {"enabled": not big, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 120},
                    "stabilization": {"enabled": True, "iterations": 300, "fit": True}},
        "layout": {"improvedLayout": len(view.nodes) <= 150},
    }
    if view.hierarchical:
        opts["layout"]["hierarchical"] = {"enabled": True, "direction": "UD", "sortMethod": "directed",
                                          "levelSeparation": 150, "nodeSpacing": 140}
        opts["physics"] = {"enabled": False}
    return opts


def legend(view: View) -> list[dict[str, Any]]:
    """Every colour, shape and line style the view shows, with what it means; each colour and
    shape entry names the filter a click on it toggles."""
    sectors = {n.sector for n in view.nodes}
    labels = {n.label for n in view.nodes}
    styles = {e.style for e in view.edges}
    owned = {sh.own for sh in SHAPES.values()}  # said by the shape's own entry
    out: list[dict[str, Any]] = [
        {"type": "sector", "key": s.key, "text": s.zh, "color": s.color}
        for s in SECTORS.values() if s.key in sectors and s.key not in owned]
    out += [{"type": "shape", "key": sh.label, "text": sh.zh, "shape": sh.vis,
             "color": SECTORS[sh.own].color if sh.own else "#9e9e9e"}
            for sh in SHAPES.values() if sh.label in labels]
    if any(n.gaps for n in view.nodes):
        out.append({"type": "status", "key": "gap", "text": "粗朱红圈、⚠n：有 n 个缺口", "color": GAP_RING})
    changes = {n.change for n in view.nodes} | {e.change for e in view.edges}
    out += [{"type": "status", "key": k, "text": f"{v['mark']} {v['zh']}", "color": v["color"]}
            for k, v in CHANGES.items() if k in changes]
    out += [{"type": "edge", "key": k, "text": v["zh"], "color": v["color"], "dashes": bool(v["dashes"])}
            for k, v in EDGE_STYLES.items() if k in styles]
    return out


def vis_data(view: View) -> dict[str, Any]:
    """The view as vis-network's node and edge lists, with what the page's legend, filters,
    clusters and details panel need."""
    net = Network(directed=False, cdn_resources="in_line", height="100%", width="100%")
    details = {}
    for n in view.nodes:
        extra: dict[str, Any] = {}
        if n.x is not None and n.y is not None:
            extra.update(x=n.x, y=n.y)
        if n.level is not None:
            extra["level"] = n.level
        label = (CHANGES[n.change]["mark"] if n.change else "") + wrap(n.name) + (f" ⚠{len(n.gaps)}" if n.gaps else "")
        border = GAP_RING if n.gaps else CHANGES[n.change]["color"] if n.change else BORDER
        if n.change:
            extra["change"] = n.change
        if n.change == "gone":
            extra.update(opacity=0.35, shapeProperties={"borderDashes": [6, 4]})
        net.add_node(n.id, label=label, shape=SHAPES[n.label].vis if n.label in SHAPES else "dot",
                     size=n.size, title=n.name,
                     color={"background": n.color, "border": border,
                            "highlight": {"background": n.color, "border": "#000"},
                            "hover": {"background": n.color, "border": "#000"}},
                     borderWidth=6 if n.gaps or n.change else 1.5, borderWidthSelected=6 if n.gaps or n.change else 3,
                     sector=n.sector, elabel=n.label, ngaps=len(n.gaps),
                     rules=sorted({g["rule"] for g in n.gaps}), cluster=n.cluster, **extra)
        details[n.id] = {"name": n.name, "kind": n.label_zh, "facts": n.facts, "gaps": n.gaps, "link": n.link}
    for e in view.edges:
        st = EDGE_STYLES[e.style]
        look = {"color": st["color"], "dashes": st["dashes"], "width": st["width"]}
        if e.change == "new":
            look = {"color": CHANGES["new"]["color"], "dashes": st["dashes"], "width": max(4, st["width"])}
        elif e.change == "gone":
            look = {"color": CHANGES["gone"]["color"], "dashes": [4, 6], "width": st["width"]}
        # what an edge says is its tooltip: words along lines crowd a projector's picture
        if e.change:
            look["change"] = e.change
        net.add_edge(e.source, e.target, title=(CHANGES[e.change]["mark"] if e.change else "") + (e.label or st["zh"]),
                     arrows="to" if e.arrows else "", style=e.style, **look)
    rules = sorted({g["rule"] for n in view.nodes for g in n.gaps}, key=lambda r: list(RULES).index(r)
                   if r in RULES else 99)
    return {"nodes": net.nodes, "edges": net.edges, "details": details,
            "clusters": [{"key": k, "name": v} for k, v in view.clusters.items()],
            "legend": legend(view),
            "rules": [{"id": r, "title": RULES[r].title if r in RULES else r} for r in rules]}


def render_html(view: View, state: dict[str, Any] | None = None, embedded: bool = False) -> str:
    """The view's page. ``state``: how a meeting's slide was left (filters, groups unfolded,
    positions; restored on opening). ``embedded``: a slide inside a deck, which holds
    vis-network's script once for all its slides."""
    data = vis_data(view)
    js, css = _assets()
    return _env.get_template("template.html").render(
        title=view.title, subtitle=view.subtitle, legend=data["legend"], notes=view.notes, rules=data["rules"],
        data=_js(data), options=_js(options(view)), initial=_js(state or {}), embedded=embedded,
        title_js=_js(view.title), subtitle_js=_js(view.subtitle), vis_js="" if embedded else js, vis_css=css,
    )


def render_deck(title: str, slides: list[tuple[str, str]]) -> str:
    """A meeting as one offline page: (slide title, slide page) each, stepped with the arrow keys."""
    js, _ = _assets()
    return _env.get_template("deck.html").render(
        title=title, title_js=_js(title), vis_js=js,
        slides=_js([{"title": t, "html": html} for t, html in slides]), count=len(slides))
