"""``tupu meeting``: make a meeting (汇报) from views, list them, play one as one offline HTML."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_app import AsOf, PolicyOpt, TupuTyper, app, console, open_store_as_of, settings
from api.cli_app import parse_date_option as _date
from api.cli_app import policy_option as _policy

meeting_app = TupuTyper(help="汇报：new / add / list / show / render / remove（一页一张网络图，方向键翻页）",
                        no_args_is_help=True)
app.add_typer(meeting_app, name="meeting")


def _book():
    from viz.meetings import MeetingBook

    return MeetingBook(settings().home)


@meeting_app.command("new", help="新建一个汇报")
def meeting_new(name: Annotated[str, typer.Argument(help="汇报名称，如 11月例会")],
                title: Annotated[str | None, typer.Option(help="放映时的标题")] = None) -> None:
    m = _book().new(name, title)
    console.print(f"已新建汇报“{m.name}”：用 tupu meeting add {m.name} KIND ID 加页")


@meeting_app.command("add", help="把一张网络图加入汇报（没有则新建）")
def meeting_add(
    name: Annotated[str, typer.Argument(help="汇报名称")],
    kind: Annotated[str, typer.Argument(help="alliance / tree / coverage / pairings / neighbourhood")],
    id: Annotated[str | None, typer.Argument(help="根的编码或名称（pairings 可省略）")] = None,
    title: Annotated[str | None, typer.Option(help="这一页的标题（默认网络图的标题）")] = None,
    hops: Annotated[int, typer.Option(help="neighbourhood：几步以内", min=1, max=3)] = 1,
    only_gaps: Annotated[bool, typer.Option("--only-gaps", help="只看有缺口的")] = False,
    rule: Annotated[str | None, typer.Option(help="只看这条规则的缺口，如 G2")] = None,
) -> None:
    from graph.analyses.nonempty import require_data
    from graph.analyses.trace import find_entity
    from graph.factory import open_store
    from viz.meetings import Slide
    from viz.registry import VIEWS

    if kind not in VIEWS:
        raise typer.BadParameter(f"应为 {' / '.join(VIEWS)}", param_hint="KIND")
    with open_store(settings()) as store:
        require_data(store)
        key = find_entity(store, id, VIEWS[kind].root).key if id else None
    state = {"onlyGaps": only_gaps, "rule": rule.upper() if rule else ""}
    m = _book().add_slide(name, Slide(title=title or "", kind=kind, root=key, hops=hops, state=state))
    console.print(f"已加入汇报“{m.name}”第 {len(m.slides)} 页：{m.slides[-1].title}")


@meeting_app.command("list", help="列出汇报")
def meeting_list() -> None:
    table = Table("名称", "标题", "页数", title="汇报")
    for m in _book().list():
        table.add_row(m.name, m.title, str(len(m.slides)))
    console.print(table)


@meeting_app.command("show", help="列出一个汇报的各页")
def meeting_show(name: Annotated[str, typer.Argument(help="汇报名称")]) -> None:
    from viz.registry import VIEWS

    m = _book().get(name)
    table = Table("页", "标题", "网络图", "根", title=f"{m.title}（{len(m.slides)} 页）")
    for i, s in enumerate(m.slides, 1):
        table.add_row(str(i), s.title, VIEWS[s.kind].zh, s.root or "全域")
    console.print(table)


@meeting_app.command("render", help="写成一个离线 HTML：方向键翻页，“放映”全屏")
def meeting_render(name: Annotated[str, typer.Argument(help="汇报名称")],
                   out: Annotated[Path, typer.Option("-o", "--output", help="HTML 文件")] = Path("汇报.html"),
                   as_of: AsOf = None, policy: PolicyOpt = None) -> None:
    from graph.analyses.nonempty import require_data
    from viz.deck import render_meeting

    m = _book().get(name)
    with open_store_as_of(_date(as_of)) as store:
        require_data(store)
        html = render_meeting(store, m, as_of=_date(as_of), policy=_policy(policy))
    out.write_text(html, encoding="utf-8")
    console.print(f"已写入 {out}（{len(m.slides)} 页）")


@meeting_app.command("remove", help="删除一个汇报")
def meeting_remove(name: Annotated[str, typer.Argument(help="汇报名称")]) -> None:
    _book().remove(name)
    console.print(f"已删除汇报“{name}”")
