"""``tupu loads`` and ``tupu changes``: the loads recorded, and what changed between two of them."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Column, Table

from api.cli_app import TupuTyper, app, cli_user, console, parse_date_option, settings

loads_app = TupuTyper(help="载入记录：list 列出每次载入；undo 撤销最近一次载入")
app.add_typer(loads_app, name="loads")


@loads_app.callback(invoke_without_command=True)
def loads(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        loads_list()


@loads_app.command("list", help="每次载入的时间、台账日期、文件、载入人与载入后的缺口数（含已撤销的）")
def loads_list() -> None:
    from graph.history import History

    history = History(settings().home)
    # the id (what tupu loads undo takes) and the dates are never cut; names and files wrap
    table = Table(Column("编号", no_wrap=True), Column("台账日期", no_wrap=True), "载入时间", "载入人",
                  "缺口", "文件", title="载入记录")
    for r in history.loads():
        table.add_row(r.id, r.date, r.at[:19].replace("T", " "), r.who, str(r.gaps), "、".join(r.files)[:60])
    console.print(table)
    for u in history.undone():
        console.print(f"[dim]已撤销：{u['undo']}（{u['at'].replace('T', ' ')}，{u['who']}）[/dim]")


@loads_app.command("undo", help="撤销最近一次载入：图谱回到它之前的样子（节点、关系与属性值），记入审计日志")
def loads_undo(load_id: Annotated[str, typer.Argument(help="载入编号（tupu loads list 的第一列）")],
               yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False) -> None:
    from graph.access import AuditLog
    from graph.factory import open_store
    from graph.history import History

    history = History(settings().home)
    rec = history.get(load_id)
    if not yes:
        typer.confirm(f"撤销 {rec.date} 的载入 {rec.id}（{'、'.join(rec.files)[:60]}）？", abort=True)
    who = cli_user()
    with open_store(settings()) as store, console.status("正在撤销 …"):
        history.undo(store, load_id, who)
    AuditLog(settings().home / "audit.jsonl").record(who, "撤销载入", f"{rec.id} {rec.date} {'、'.join(rec.files)}")
    console.print(f"已撤销 {rec.id}：图谱回到 {rec.date} 这次载入之前的样子")


@app.command(help="变化：两次载入之间新出现与已补齐的缺口（按规则，含负责组织）")
def changes(
    since: Annotated[str, typer.Option("--since", help="从哪天的台账起（YYYY-MM-DD）：取那天或之前最后一次载入")],
    until: Annotated[str | None, typer.Option("--until", help="到哪天的台账（默认最近一次载入）")] = None,
    region: Annotated[str | None, typer.Option(help="只看该区划（含下级）：区划代码或名称")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table 或 json")] = "table",
) -> None:
    import json

    from graph.analyses.trace import find_entity
    from graph.analyses.trees import load_trees
    from graph.factory import open_store
    from graph.history import History
    from graph.rules import RULES

    if fmt not in ("table", "json"):
        raise typer.BadParameter("应为 table 或 json", param_hint="--format")
    ch = History(settings().home).changes(parse_date_option(since, "--since"),  # type: ignore[arg-type]
                                          parse_date_option(until, "--until"))
    if region:
        with open_store(settings()) as store:
            code = find_entity(store, region, "Region").key
            ch = ch.in_region(load_trees(store)[0].subtree(code))
    if fmt == "json":
        print(json.dumps(ch.as_dict(), ensure_ascii=False, indent=1))
        return
    console.print(f"自 {ch.since.date}（{ch.since.at[:19].replace('T', ' ')} 载入）至 {ch.until.date}："
                  f"新出现 {len(ch.opened)} 个缺口，补齐 {len(ch.closed)} 个")
    table = Table("规则", "新出现", "已补齐", title="按规则")
    for rule, n in ch.per_rule().items():
        table.add_row(f"{rule} {RULES[rule].title if rule in RULES else ''}", str(n["opened"]), str(n["closed"]))
    console.print(table)
    if ch.entities:
        kinds = Table("变化", "个数", title="组织、结对与覆盖")
        for kind, count in ch.entity_counts().items():
            kinds.add_row(kind, str(count))
        console.print(kinds)
    closed = Table("规则", "名称", "补齐者（负责组织）", title=f"已补齐（{len(ch.closed)}）")
    for g in ch.closed[:50]:
        closed.add_row(g.rule, g.name or g.id, g.responsible.name if g.responsible else "")
    console.print(closed)
