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

from viz.labels import wrap
from viz.model import GAP_BORDER, View

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
                           "strokeWidth": 3, "strokeColor": "#ffffff"}, "borderWidth": 2},
        "edges": {"smooth": False, "font": {"size": 12, "align": "middle"}, "color": {"inherit": False}},
        "interaction": {"hover": True, "hideEdgesOnDrag": big, "tooltipDelay": 200,
                        "navigationButtons": False, "keyboard": True},
        "physics": {"enabled": not big, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": True, "iterations": 300, "fit": True}},
        "layout": {"improvedLayout": len(view.nodes) <= 150},
    }
    if view.hierarchical:
        opts["layout"]["hierarchical"] = {"enabled": True, "direction": "UD", "sortMethod": "directed",
                                          "levelSeparation": 150, "nodeSpacing": 140}
        opts["physics"] = {"enabled": False}
    return opts


def render_html(view: View) -> str:
    net = Network(directed=False, cdn_resources="in_line", height="100%", width="100%")
    details = {}
    for n in view.nodes:
        extra: dict[str, Any] = {}
        if n.x is not None and n.y is not None:
            extra.update(x=n.x, y=n.y)
        if n.level is not None:
            extra["level"] = n.level
        border = GAP_BORDER if n.gaps else n.color
        label = wrap(n.name) + (f"\n⚠{len(n.gaps)}" if n.gaps else "")
        net.add_node(n.id, label=label, shape=n.shape, size=n.size,
                     color={"background": n.color, "border": border,
                            "highlight": {"background": n.color, "border": "#000"}},
                     borderWidth=4 if n.gaps else 2, **extra)
        details[n.id] = {"name": n.name, "kind": n.label_zh, "facts": n.facts, "gaps": n.gaps, "link": n.link}
    for e in view.edges:
        net.add_edge(e.source, e.target, label=e.label, color=e.color, dashes=e.dashes, width=e.width,
                     arrows="to" if e.arrows else "")
    legend = list(dict.fromkeys(view.legend))  # builders may list a colour twice
    js, css = _assets()
    return _env.get_template("template.html").render(
        title=view.title, subtitle=view.subtitle, legend=legend, notes=view.notes,
        nodes=_js(net.nodes), edges=_js(net.edges), details=_js(details), options=_js(options(view)),
        title_js=_js(view.title), subtitle_js=_js(view.subtitle), vis_js=js, vis_css=css,
    )
