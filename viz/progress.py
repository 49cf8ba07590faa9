"""Progress over the loads as charts (ECharts, embedded: no network at run time): gaps and
organisation coverage per district at every load (lines), and the streets ranked by their gaps
now against the load before (bars). Built from what each load kept
(:mod:`graph.history.progress`), so drawing them reads no graph.

>>> charts = progress_charts([("2025-01-31", {"regions": {"11": {"name": "甲区", "level": "区县",
...     "parent": None, "measures": {"units_covered": [3, 4]}, "gaps": 5, "per_rule": {"U1": 5}}}})])
>>> [c.id for c in charts], charts[0].option["series"][0]["data"]
(['chart-gaps', 'chart-coverage', 'chart-streets'], [5])
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.history.progress import rate

ECHARTS = Path(__file__).resolve().parent / "vendor" / "echarts-5.6.0" / "echarts.min.js"
# Okabe–Ito, as the network views; black for the whole city
COLOURS = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#8C8C8C"]
_TEXT = {"fontSize": 16, "fontFamily": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}
STREETS_SHOWN = 15


@lru_cache(maxsize=1)
def echarts_js() -> str:
    return ECHARTS.read_text(encoding="utf-8")


@dataclass
class Chart:
    id: str
    title: str
    option: dict[str, Any]


def _base(title: str, x: list[str], y: dict[str, Any]) -> dict[str, Any]:
    return {"color": COLOURS, "textStyle": _TEXT, "animation": False,
            "title": {"text": title, "left": "center", "textStyle": {**_TEXT, "fontSize": 20}},
            "tooltip": {"trigger": "axis", "textStyle": _TEXT},
            "legend": {"top": 34, "textStyle": _TEXT, "type": "scroll"},
            "grid": {"top": 90, "left": 60, "right": 30, "bottom": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": x, "axisLabel": _TEXT},
            "yAxis": {"type": "value", "axisLabel": _TEXT, **y}}


def progress_charts(progress: list[tuple[str, dict[str, Any]]], visible: set[str] | None = None) -> list[Chart]:
    """``progress``: (ledger date, figures) per load, oldest first; ``visible``: the regions a
    viewer may see (None: all). The city (or the viewer's top regions) and each district."""
    def shown(code: str, entry: dict[str, Any]) -> bool:
        return visible is None or code in visible

    dates = [d for d, _ in progress]
    latest = progress[-1][1]["regions"] if progress else {}
    top = [c for c, e in latest.items() if shown(c, e) and e["level"] in ("省", "市")]
    districts = [c for c, e in latest.items() if shown(c, e) and e["level"] == "区县"]
    lines = sorted(top) + sorted(districts)

    def series(kind: str, fn: Any) -> list[dict[str, Any]]:
        out = []
        for code in lines:
            values = [fn(f["regions"][code]) if code in f["regions"] else None for _, f in progress]
            out.append({"name": latest[code]["name"], "type": kind, "data": values, "connectNulls": True,
                        "symbolSize": 8, "lineStyle": {"width": 4 if code in top else 2}})
        return out

    gaps = _base("缺口数（每次载入后）", dates, {"minInterval": 1})
    gaps["series"] = series("line", lambda e: e["gaps"])
    cover = _base("组织覆盖率（每次载入后，%）", dates, {"max": 100, "axisLabel": {**_TEXT, "formatter": "{value}%"}})
    cover["series"] = series("line", lambda e: None if (r := rate(e, "units_covered")) is None else round(r * 100, 1))
    streets = sorted(((c, e) for c, e in latest.items() if shown(c, e) and e["level"] == "街道乡镇"),
                     key=lambda ce: (-ce[1]["gaps"], ce[1]["name"] or ""))[:STREETS_SHOWN]
    before = progress[-2][1]["regions"] if len(progress) > 1 else {}
    names = [e["name"] for _, e in streets]
    bars = _base(f"缺口最多的街道（{dates[-1] if dates else ''}）", names, {"minInterval": 1})
    bars["xAxis"]["axisLabel"] = {**_TEXT, "interval": 0, "rotate": 30}
    bars["series"] = [{"name": f"上次（{dates[-2]}）" if len(dates) > 1 else "上次", "type": "bar",
                       "data": [before.get(c, {}).get("gaps") for c, _ in streets], "itemStyle": {"color": "#8C8C8C"}},
                      {"name": f"本次（{dates[-1] if dates else ''}）", "type": "bar",
                       "data": [e["gaps"] for _, e in streets], "itemStyle": {"color": "#D55E00"}}]
    return [Chart("chart-gaps", "缺口数", gaps), Chart("chart-coverage", "组织覆盖率", cover),
            Chart("chart-streets", "街道排名", bars)]


def campaign_chart(streets: list[Any], shown: int = 20) -> Chart:
    """A campaign ranked by street: closed, still open and appeared since, stacked
    (``streets``: :class:`graph.history.campaigns.StreetProgress`, most still to do first)."""
    top = streets[:shown]
    option = _base("各街道进展（按未补齐排序）", [s.name for s in top], {"minInterval": 1})
    option["xAxis"]["axisLabel"] = {**_TEXT, "interval": 0, "rotate": 30}
    option["series"] = [
        {"name": "已补齐", "type": "bar", "stack": "s", "data": [s.closed for s in top],
         "itemStyle": {"color": "#009E73"}},
        {"name": "仍未补齐", "type": "bar", "stack": "s", "data": [s.still_open for s in top],
         "itemStyle": {"color": "#D55E00"}},
        {"name": "期间新出现", "type": "bar", "stack": "s", "data": [s.opened_since for s in top],
         "itemStyle": {"color": "#E69F00"}}]
    return Chart("chart-campaign", "集中攻坚进展", option)
