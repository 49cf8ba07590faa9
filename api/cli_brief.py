"""``tupu brief``: the meeting pack of a region as an editable PowerPoint file."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_app import AsOf, PolicyOpt, app, console, open_store_as_of, settings
from api.cli_app import parse_date_option as _date
from api.cli_app import policy_option as _policy


@app.command(help="汇报材料：区划的总量、各街道覆盖率（图表）、缺口与负责组织、优先处理事项、联盟网络图、结对推荐，"
                  "写成可编辑的 PPTX（PowerPoint、WPS）")
def brief(
    region: Annotated[str, typer.Option("--region", help="区划编码或名称")],
    out: Annotated[Path, typer.Option("-o", "--output", help="PPTX 文件")] = Path("汇报.pptx"),
    pictures: Annotated[bool, typer.Option("--pictures/--no-pictures",
                                           help="用 Chromium 画联盟网络图（默认画；无 Chromium 时列出成员）")] = True,
    as_of: AsOf = None, policy: PolicyOpt = None,
) -> None:
    import datetime as dt

    from graph.analyses.nonempty import require_data
    from graph.analyses.trace import find_entity
    from viz.brief import alliance_picture, build_brief
    from viz.png import NoBrowser, chromium

    day, pol = _date(as_of), _policy(policy)
    with open_store_as_of(day) as store, console.status("正在生成汇报材料 …"):
        require_data(store)
        code = find_entity(store, region, "Region").key
        draw = None
        if pictures:
            try:
                chromium()
                draw = alliance_picture(store, as_of=day or dt.date.today(), policy=pol)
            except NoBrowser:
                console.print("[yellow]未找到 Chromium：联盟页列出成员，不画网络图[/yellow]")
        from graph.history import History

        build_brief(store, code, out, as_of=day, policy=pol, picture=draw,
                    progress=[(r.date, f) for r, f in History(settings().home).progress()])
    console.print(f"已写入 {out}")
