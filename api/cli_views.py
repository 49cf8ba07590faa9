"""``tupu view``: write a network view as one self-contained HTML file (and a PNG)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_app import AsOf, PolicyOpt, app, console, open_store_as_of, settings
from api.cli_app import parse_date_option as _date
from api.cli_app import policy_option as _policy
from graph.analyses.nonempty import require_data


@app.command(help="网络图：alliance / tree / coverage / pairings / neighbourhood，写成离线 HTML")
def view(
    kind: Annotated[str, typer.Argument(
        help="alliance（联盟）tree（组织体系）coverage（覆盖）pairings（结对）neighbourhood（关联）")],
    id: Annotated[str | None, typer.Argument(help="联盟、组织、区划或实体的编码或名称（pairings 可省略）")] = None,
    out: Annotated[Path, typer.Option("-o", "--output", help="HTML 文件")] = Path("view.html"),
    png: Annotated[Path | None, typer.Option("--png", help="同时用 Chromium 导出 PNG（1920×1080，无工具栏）")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="同时用 Chromium 导出 PDF（A4 横向，含标题与图例）")] = None,
    hops: Annotated[int, typer.Option(help="neighbourhood：几步以内", min=1, max=3)] = 1,
    as_of: AsOf = None, policy: PolicyOpt = None,
    compare: Annotated[str | None, typer.Option(
        "--compare", help="与哪一天的台账对比（YYYY-MM-DD）：新增的标［新］，已不在的淡色显示")] = None,
) -> None:
    from graph.analyses.trace import find_entity
    from viz.registry import VIEWS
    from viz.render import render_html

    if kind not in VIEWS:
        raise typer.BadParameter(f"应为 {' / '.join(VIEWS)}", param_hint="KIND")
    spec = VIEWS[kind]
    if id is None and not spec.root_optional:
        raise typer.BadParameter(f"{kind} 需要编码或名称", param_hint="ID")
    kw: dict[str, Any] = {"as_of": _date(as_of), "policy": _policy(policy)}
    with open_store_as_of(kw["as_of"]) as store:
        require_data(store)
        key = find_entity(store, id, spec.root).key if id else None  # a code or a name
        args = (key, hops) if kind == "neighbourhood" else (key,)
        day = _date(compare) if compare else None
        if day:
            from graph.history import store_as_of
            from viz.compare import view_against

            v = view_against(spec.build, store, store_as_of(store, settings().home, day), day, *args, **kw)
        else:
            v = spec.build(store, *args, **kw)
    out.write_text(render_html(v), encoding="utf-8")
    console.print(f"已写入 {out}（{len(v.nodes)} 个节点，{len(v.edges)} 条连线）")
    if png or pdf:
        from viz.png import html_to_pdf, html_to_png

        for target, make in ((png, html_to_png), (pdf, html_to_pdf)):
            if target:
                make(out, target)
                console.print(f"已写入 {target}")
