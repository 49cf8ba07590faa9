"""The meeting pack (``tupu brief``): a PowerPoint file, editable in PowerPoint and WPS, made with
python-pptx — a title slide; totals; coverage rates per street as a native chart; gaps per rule
with who must act; the items to act on first; each alliance's network as a picture; pairing
proposals. Every figure is the one the home page and ``tupu coverage`` show."""
from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from graph.analyses.coverage import MEASURES, coverage
from graph.analyses.gaps import find_gaps
from graph.analyses.pairing import suggest_pairings
from graph.analyses.scope import Scope
from graph.analyses.trees import load_trees
from graph.ends import is_live
from graph.errors import NotFoundError
from graph.history.progress import rate as progress_rate
from graph.model import LABELS
from graph.policy import Policy, load_policy
from graph.rules import RULES
from graph.store import GraphStore

RED = RGBColor(0xB7, 0x1C, 0x1C)
FONT = "Microsoft YaHei"  # WPS and PowerPoint on Chinese Windows have it; others substitute
TOP_ITEMS = 15
MAX_ALLIANCES = 8
MAX_ROWS = 14  # table rows that fit one 16:9 slide at a readable size


def _title(slide, text: str, sub: str = "") -> None:
    box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9))
    p = box.text_frame.paragraphs[0]
    p.text = text
    p.font.size, p.font.bold, p.font.color.rgb, p.font.name = Pt(30), True, RED, FONT
    if sub:
        q = box.text_frame.add_paragraph()
        q.text = sub
        q.font.size, q.font.name = Pt(14), FONT


def _table(slide, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(1.4),
                                   Inches(sum(widths)), Inches(0.4 * (len(rows) + 1)))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for i, row in enumerate([header, *rows]):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = str(value)
            for p in cell.text_frame.paragraphs:
                p.font.size, p.font.name = Pt(14 if i else 15), FONT
                p.font.bold = i == 0


def _table_slides(prs, title: str, sub: str, header: list[str], rows: list[list[str]],
                  widths: list[float]) -> None:
    """A table over as many slides as its rows need (``MAX_ROWS`` each)."""
    rows = rows or [["无"] + [""] * (len(header) - 1)]
    for start in range(0, len(rows), MAX_ROWS):
        s = prs.slides.add_slide(prs.slide_layouts[6])
        _title(s, title, sub + (f"（续 {start // MAX_ROWS + 1}）" if start else ""))
        _table(s, header, rows[start:start + MAX_ROWS], widths)


def _who(g) -> str:
    return (g.responsible.name or g.responsible.id) if g.responsible else "—"


def _rate(m) -> str:
    return "—" if m.rate is None else f"{m.rate:.0%}"


def _progress_slide(s: Any, name: str, region: str, parts: list[Any],
                    progress: list[tuple[str, dict[str, Any]]]) -> None:
    """The region and its parts over the loads: gaps (left) and organisation coverage (right)."""
    first, last = progress[0][0], progress[-1][0]
    codes = [region] + [r.id for r in parts if r.id != region]

    def values(code: str, fn: Callable[[dict[str, Any]], float | None]) -> list[float | None]:
        return [fn(f["regions"][code]) if code in f["regions"] else None for _, f in progress]

    now = progress[-1][1]["regions"].get(region, {})
    then = progress[0][1]["regions"].get(region, {})
    _title(s, "进展", f"{name} · {first} 至 {last} 共 {len(progress)} 次载入 · 缺口 {then.get('gaps', '–')} → "
                      f"{now.get('gaps', '–')}")
    for i, (title, fn) in enumerate((("缺口数", lambda e: e["gaps"]),
                                     ("组织覆盖率（%）", lambda e: None if (r := progress_rate(e, "units_covered"))
                                      is None else round(r * 100, 1)))):
        data = CategoryChartData()
        data.categories = [d for d, _ in progress]
        for code in codes:
            label = progress[-1][1]["regions"].get(code, {}).get("name") or code
            data.add_series(label, values(code, fn))
        chart = s.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Inches(0.4 + 6.3 * i), Inches(1.4), Inches(6.2),
                                   Inches(5.8), data).chart
        chart.has_title, chart.chart_title.text_frame.text = True, title
        chart.has_legend = True
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        chart.legend.font.size = chart.category_axis.tick_labels.font.size = Pt(11)


def build_brief(store: GraphStore, region: str, out: Path, *, as_of: dt.date | None = None,
                policy: Policy | None = None, picture: Callable[[str, Path], Path | None] | None = None,
                progress: list[tuple[str, dict[str, Any]]] | None = None) -> Path:
    """Write the meeting pack of ``region`` to ``out``. ``picture(alliance_id, png)`` draws an
    alliance's network (Chromium); without it the alliance slides list members instead.
    ``progress``: each load's figures (``graph.history.History.progress``), for a slide of the
    region's gaps and coverage over the loads."""
    as_of, policy = as_of or dt.date.today(), policy or load_policy()
    regions, orgs = load_trees(store)
    if region not in regions.name:
        raise NotFoundError(f"未找到区划 {region}")
    name = regions.name[region]
    scope = Scope(store, "region", region, policy)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]

    # 1. title
    s = prs.slides.add_slide(blank)
    box = s.shapes.add_textbox(Inches(0.8), Inches(2.4), Inches(11.7), Inches(2.5))
    p = box.text_frame.paragraphs[0]
    p.text = f"{name}党建工作汇报"
    p.font.size, p.font.bold, p.font.color.rgb, p.font.name = Pt(44), True, RED, FONT
    q = box.text_frame.add_paragraph()
    q.text = f"数据截至 {as_of.isoformat()} · 党建图谱 Tupu 生成"
    q.font.size, q.font.name = Pt(20), FONT

    # 2. totals
    counts = {k: len(scope.visible_keys(k) or ()) for k in ("Organization", "Member", "Unit", "Grid", "Alliance")}
    s = prs.slides.add_slide(blank)
    _title(s, "基本情况", f"{name} · 截至 {as_of.isoformat()}")
    _table(s, ["类型", "数量"], [[LABELS[k].zh, str(counts.get(k, 0))]
                                for k in ("Organization", "Member", "Unit", "Grid", "Alliance") if k in LABELS],
           [4, 2.5])

    # 3. coverage per street (a native chart: editable, its data inside)
    rows = [r for r in coverage(store, as_of=as_of, policy=policy, region=region, scope="region")]
    mine = next(r for r in rows if r.id == region)
    parts = [r for r in rows if r.parent == region] or [mine]
    s = prs.slides.add_slide(blank)
    _title(s, "覆盖率", "、".join(f"{MEASURES[k][0]} {_rate(m)}" for k, m in mine.measures.items()))
    data = CategoryChartData()
    data.categories = [r.name or r.id for r in parts]
    for key, (zh, _) in MEASURES.items():
        data.add_series(zh, [round((r.measures[key].rate or 0) * 100, 1) for r in parts])
    chart = s.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.5), Inches(1.4), Inches(12.3),
                               Inches(5.8), data).chart
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    chart.value_axis.maximum_scale, chart.value_axis.has_major_gridlines = 100, True
    chart.value_axis.tick_labels.font.size = chart.category_axis.tick_labels.font.size = Pt(12)
    chart.legend.font.size = Pt(12)

    # 3b. progress over the loads (native line charts), when there are two or more
    if progress and len(progress) > 1:
        _progress_slide(prs.slides.add_slide(blank), name, region, parts, progress)

    # 4. gaps per rule, and who must act
    gaps = find_gaps(store, as_of=as_of, policy=policy, region=region)
    by_rule = Counter(g.rule for g in gaps)
    table_rows = []
    for rule in RULES:
        if not by_rule[rule]:
            continue
        who = Counter(_who(g) for g in gaps if g.rule == rule and g.responsible)
        table_rows.append([f"{rule} {RULES[rule].title}", str(by_rule[rule]),
                           "、".join(f"{n}（{c}）" for n, c in who.most_common(3)) or "未能确定"])
    _table_slides(prs, "覆盖缺口（按规则）", f"共 {len(gaps)} 个", ["规则", "缺口", "负责补齐（前三）"],
                  table_rows, [4.2, 1.3, 6.8])

    # 5. the items to act on first: those whose organisation has the most to do
    load = Counter(g.responsible.id for g in gaps if g.responsible)
    top = sorted(gaps, key=lambda g: (-load[g.responsible.id] if g.responsible else 0,
                                      list(RULES).index(g.rule), g.id))[:TOP_ITEMS]
    _table_slides(prs, "优先处理", "按负责组织的缺口多少排列", ["名称", "问题", "负责组织"],
                  [[g.name or g.id, f"{g.rule} {g.title}", _who(g)] for g in top], [4.3, 4.0, 4.0])

    # 6. alliances: each a picture of its network
    seen = scope.visible_keys("Alliance") or frozenset()
    day = as_of.isoformat()  # (an ended alliance, or member organisation, is not shown: graph.ends)
    alliances = sorted((n for n in store.iter_nodes("Alliance") if n.key in seen and is_live(n.props, day)),
                       key=lambda n: n.key)[:MAX_ALLIANCES]
    with tempfile.TemporaryDirectory(prefix="tupu-brief-") as tmp:
        for a in alliances:
            s = prs.slides.add_slide(blank)
            _title(s, a.name, "党建联盟网络")
            png = picture(a.key, Path(tmp) / f"{a.key}.png") if picture else None
            if png and png.exists():
                s.shapes.add_picture(str(png), Inches(0.9), Inches(1.3), height=Inches(6.0))
            else:
                members = [(r, o) for r, o in store.neighbours("Alliance", a.key, ["IN_ALLIANCE"], "in")
                           if is_live(o.props, day)]
                _table(s, ["成员组织", "角色"], [[o.name, r.props.get("role") or ""] for r, o in members][:MAX_ROWS],
                       [7.5, 2.5])

    # 7. pairing proposals for the unpaired
    inside = scope.visible_keys("Organization") or frozenset()
    proposals = [p for p in suggest_pairings(store, as_of=as_of, policy=policy) if p.grassroots_id in inside]
    _table_slides(prs, "结对推荐", f"未结对的基层党组织 {len(proposals)} 个有推荐（最小费用流）",
                  ["基层党组织", "推荐机关党组织", "理由"],
                  [[p.grassroots_name or p.grassroots_id, p.organ_name or p.organ_id, p.reason]
                   for p in proposals[:MAX_ROWS]], [4.0, 4.0, 4.3])
    prs.save(str(out))
    return out


def alliance_picture(store: GraphStore, *, as_of: dt.date, policy: Policy) -> Callable[[str, Path], Path | None]:
    """Draw an alliance's view into a PNG with Chromium (as ``tupu view --png``)."""
    from viz.png import html_to_png
    from viz.render import render_html
    from viz.views import alliance_view

    def draw(key: str, png: Path) -> Path:
        html = png.with_suffix(".html")
        html.write_text(render_html(alliance_view(store, key, as_of=as_of, policy=policy)), encoding="utf-8")
        return html_to_png(html, png)
    return draw


