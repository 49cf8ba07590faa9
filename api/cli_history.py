"""``tupu loads`` and ``tupu changes``: the loads recorded, and what changed between two of them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from api.cli_app import (
    TupuTyper,
    app,
    audited,
    check_report_format,
    cli_user,
    console,
    emitted,
    parse_date_option,
    settings,
)

loads_app = TupuTyper(help="载入记录：list 列出每次载入；undo 撤销最近一次载入")
app.add_typer(loads_app, name="loads")


@loads_app.callback(invoke_without_command=True)
def loads(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        loads_list()


@loads_app.command("list", help="每次载入的时间、台账日期、文件、载入人、图谱变动条数与载入后的缺口数（含已撤销的）")
def loads_list() -> None:
    from graph.history import History
    from graph.model import time_zh

    history = History(settings().home)
    # the id (what tupu loads undo takes) and the dates are never cut; names and files wrap
    table = Table(Column("编号", no_wrap=True), Column("台账日期", no_wrap=True), "载入时间", "载入人",
                  Column("变动", justify="right"), "缺口", "文件", title="载入记录",
                  caption="变动：这次载入增、删、改的节点与关系条数")
    for r in history.loads():
        table.add_row(r.id + ("（中断）" if r.interrupted else ""), r.date, time_zh(r.at), r.who,
                      "—" if r.changes is None else f"{r.changes:,}", str(r.gaps), "、".join(r.files)[:60])
    console.print(table)
    if any(r.interrupted for r in history.loads()):
        console.print("[dim]中断：载入进程在记录前中断，之后按图谱现状补记（可照常撤销）[/dim]")
    for u in history.undone():
        console.print(f"[dim]已撤销：{u['undo']}（{time_zh(u['at'])}，{u['who']}）[/dim]")


@loads_app.command("undo", help="撤销最近一次载入：图谱回到它之前的样子（节点、关系与属性值），记入审计日志")
def loads_undo(load_id: Annotated[str, typer.Argument(help="载入编号（tupu loads list 的第一列）")],
               yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False) -> None:
    from graph.factory import open_store
    from graph.history import History

    history = History(settings().home)
    rec = history.get(load_id)
    if not yes:
        typer.confirm(f"撤销 {rec.date} 的载入 {rec.id}（{'、'.join(rec.files)[:60]}）？", abort=True)
    import sqlite3

    from graph.store import StoreUnavailable

    try:
        with open_store(settings()) as store, console.status("正在撤销 …"):
            history.undo(store, load_id, cli_user())
    except (OSError, sqlite3.Error, StoreUnavailable) as e:  # a full disk: said, and how it ends
        cause = e.__cause__ if isinstance(e.__cause__, OSError) else e  # (the store's own words say "载入")
        why = getattr(cause, "strerror", None) or cause
        console.print(f"[red]撤销未完成（{why}）：载入 {rec.id} 仍然有效。"
                      "若图谱已部分写回，腾出磁盘空间后再次运行本命令或 tupu doctor --repair 完成撤销[/red]")
        raise typer.Exit(1) from None
    console.print(f"已撤销 {rec.id}：图谱回到 {rec.date} 这次载入之前的样子")
    try:  # the audit line follows the undo: written only once it is done
        audited("撤销载入", f"{rec.id} {rec.date} {'、'.join(rec.files)}")
    except OSError as e:
        console.print(f"[red]审计日志未能写入（{e.strerror or e}）[/red]")
        raise typer.Exit(1) from None


@app.command(help="变化：两次载入之间新出现与已补齐的缺口（按规则，含负责组织）")
def changes(
    since: Annotated[str, typer.Option("--since", help="从哪天的台账起（YYYY-MM-DD）：取那天或之前最后一次载入")],
    until: Annotated[str | None, typer.Option("--until", help="到哪天的台账（默认最近一次载入）")] = None,
    region: Annotated[str | None, typer.Option(help="只看该区划（含下级）：区划代码或名称")] = None,
    org: Annotated[str | None, typer.Option(help="只看该组织负责的（含下级）：组织编码或名称")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table / json / xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="xlsx 写到哪个文件")] = None,
) -> None:

    from graph.analyses.trace import find_entity
    from graph.analyses.trees import load_trees
    from graph.factory import open_store
    from graph.history import History
    from graph.rules import RULES

    check_report_format(fmt, out)
    ch = History(settings().home).changes(parse_date_option(since, "--since"),  # type: ignore[arg-type]
                                          parse_date_option(until, "--until"))
    if region or org:
        with open_store(settings()) as store:
            regions, orgs = load_trees(store)
            if region:
                ch = ch.in_region(regions.subtree(find_entity(store, region, "Region").key))
            if org:
                ch = ch.of_org(find_entity(store, org, "Organization").key, orgs)
    from api.exports import changes_xlsx
    from graph.model import time_zh

    if emitted(fmt, out, ch.as_dict, lambda: changes_xlsx(ch),
                f"新出现 {len(ch.opened)}，补齐 {len(ch.closed)}，其他变化 {len(ch.entities)}"):
        return
    console.print(f"自 {ch.since.date}（{time_zh(ch.since.at)} 载入）至 {ch.until.date}："
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
    closed = Table("规则", "名称", "补齐者（负责组织）", "原因", title=f"已补齐（{len(ch.closed)}）")
    for g in ch.closed[:50]:
        closed.add_row(g.rule, g.name or g.id, g.responsible.name if g.responsible else "",
                       ch.closed_why.get((g.rule, g.id), ""))
    console.print(closed)


@app.command("end", help="注销、撤销或转出（手工）：单位、党组织、网格、党员或联盟自某日起不再计入当前统计"
                         "（可撤销、可恢复）")
def end_cmd(
    what: Annotated[str, typer.Argument(help="名称或编码")],
    date: Annotated[str | None, typer.Option("--date", help="哪天起（YYYY-MM-DD），默认今天")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="原因：注销、吊销、撤销、合并、转出、死亡、出党、停止党籍"
                         "（默认单位注销、组织撤销、党员转出）")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False,
) -> None:
    from graph.analyses.resolve import resolve
    from graph.ends import ABSENT_REASON
    from graph.factory import open_store
    from graph.history.by_hand import end
    from graph.model import LABELS
    from graph.policy import load_policy
    from ingest.synonyms import END_STATUS

    day = parse_date_option(date, "--date") or dt.date.today()
    word = END_STATUS.get((reason or "").strip(), reason)
    with open_store(settings()) as store:
        node = resolve(store, what)
        if not yes:
            typer.confirm(f"{LABELS[node.label].zh}{node.name}（{node.key}）自 {day} 起{word or '终止'}？", abort=True)
        rec = end(store, settings().home, node, date=day, reason=word, who=cli_user(),
                  policy=load_policy(settings().policy))
    said = word or ABSENT_REASON[node.label]
    audited("手工终止", f"{node.label} {node.key} {day} {said}")
    console.print(f"已记录：{LABELS[node.label].zh}{node.name}（{node.key}）自 {day} 起{said}，不再计入当前缺口与统计"
                  f"（载入记录 {rec.id}，可用 tupu restore 或 tupu loads undo 撤回）")


@app.command("restore", help="恢复已注销、撤销或转出的单位、党组织、网格、党员或联盟（重新登记，或终止有误）")
def restore_cmd(
    what: Annotated[str, typer.Argument(help="名称或编码")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False,
) -> None:
    from graph.analyses.resolve import NotFound, candidates
    from graph.ends import sentence
    from graph.errors import Ambiguous
    from graph.factory import open_store
    from graph.history.by_hand import find_ended, restore
    from graph.model import LABELS
    from graph.policy import load_policy

    with open_store(settings()) as store:
        found = find_ended(store, what)
        if not found:
            raise NotFound(f"没有名称或编码为“{what}”的已注销、撤销或转出的对象（tupu search {what} --all 可查）")
        if len(found) > 1:
            raise Ambiguous(f"“{what}”对应多个已终止的对象，请写编码：" + "、".join(
                f"{n.name}（{LABELS[n.label].zh}，{n.key}）" for n in found[:20]), candidates(store, found[:20]))
        node = found[0]
        if not yes:
            typer.confirm(f"恢复{LABELS[node.label].zh}{node.name}（{node.key}，{sentence(node.props)}）？", abort=True)
        rec = restore(store, settings().home, node, who=cli_user(), policy=load_policy(settings().policy))
    audited("手工恢复", f"{node.label} {node.key}")
    console.print(f"已恢复：{LABELS[node.label].zh}{node.name}（{node.key}），重新计入当前缺口与统计"
                  f"（载入记录 {rec.id}）")


campaign_app = TupuTyper(help="集中攻坚：new 新建 / list 列出 / show 进展 / remove 删除", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("new", help="新建（或修改）一项集中攻坚：名称、开始日期、范围与针对的规则")
def campaign_new(
    name: Annotated[str, typer.Argument(help="攻坚名称，如“两个覆盖百日攻坚”")],
    start: Annotated[str, typer.Option("--start", help="开始日期 YYYY-MM-DD（以那天或之前最后一次载入的缺口为起点）")],
    rules: Annotated[str, typer.Option("--rules", help="针对的规则，逗号分隔，如 U1,U2,U3")],
    region: Annotated[str | None, typer.Option(help="范围：区划编码或名称（含下级），不填为全域")] = None,
) -> None:
    from graph.analyses.trace import find_entity
    from graph.factory import open_store
    from graph.history.campaigns import Campaign, CampaignBook

    parse_date_option(start, "--start")
    code = name_of = None
    if region:
        with open_store(settings()) as store:
            node = find_entity(store, region, "Region")
            code, name_of = node.key, node.name
    c = CampaignBook(settings().home).add(Campaign(name, start, rules.split(","), code, name_of, cli_user()))
    console.print(f"已保存集中攻坚“{c.name}”：自 {c.start}，{c.where}，规则 {'、'.join(c.rules)}")


@campaign_app.command("list", help="列出集中攻坚及其进展数")
def campaign_list() -> None:
    from graph.analyses.scope import Scope
    from graph.factory import open_store
    from graph.history import History
    from graph.history.campaigns import CampaignBook, progress_of

    book, history = CampaignBook(settings().home), History(settings().home)
    table = Table("攻坚", "开始", "范围", "规则", "开始时", "已补齐", "仍未补齐", "期间新出现", title="集中攻坚")
    with open_store(settings()) as store:
        for c in book.list():
            if not history.loads():
                table.add_row(c.name, c.start, c.where, "、".join(c.rules), "", "", "", "")
                continue
            p = progress_of(history, c, store, Scope(store))
            table.add_row(c.name, c.start, c.where, "、".join(c.rules), str(len(p.at_start)),
                          str(len(p.closed)), str(len(p.still_open)), str(len(p.opened_since)))
    console.print(table)


@campaign_app.command("show", help="一项集中攻坚的进展：开始时、已补齐、仍未补齐、期间新出现，按街道排名")
def campaign_show(
    name: Annotated[str, typer.Argument(help="攻坚名称")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table / json / xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="xlsx 写到哪个文件（给走访小组）")] = None,
) -> None:

    from api.exports import campaign_xlsx
    from graph.analyses.scope import Scope
    from graph.factory import open_store
    from graph.history import History
    from graph.history.campaigns import CampaignBook, progress_of

    check_report_format(fmt, out)
    with open_store(settings()) as store:
        p = progress_of(History(settings().home), CampaignBook(settings().home).get(name), store, Scope(store))
    if emitted(fmt, out, p.as_dict, lambda: campaign_xlsx(p), f"仍未补齐 {len(p.still_open)} 条"):
        return
    console.print(f"[bold]{p.campaign.name}[/bold]：自 {p.start_load.date} 至 {p.latest_load.date}，"
                  f"开始时 {len(p.at_start)}，已补齐 [green]{len(p.closed)}[/green]，"
                  f"仍未补齐 [red]{len(p.still_open)}[/red]，期间新出现 {len(p.opened_since)}")
    table = Table("街道", "开始时", "已补齐", "补齐率", "仍未补齐", "期间新出现", title="按街道（未补齐多的在前）")
    for s in p.streets:
        rate = f"{s.closed_rate:.0%}" if s.closed_rate is not None else ""
        table.add_row(s.name, str(s.at_start), str(s.closed), rate, str(s.still_open), str(s.opened_since))
    console.print(table)


@campaign_app.command("remove", help="删除一项集中攻坚（载入记录不受影响）")
def campaign_remove(name: Annotated[str, typer.Argument(help="攻坚名称")]) -> None:
    from graph.history.campaigns import CampaignBook

    CampaignBook(settings().home).remove(name)
    console.print(f"已删除集中攻坚“{name}”")


@app.command(help="一个实体的历次变化：改过的值与得失的关系，各带起止的台账日期")
def timeline(id: Annotated[str, typer.Argument(help="实体编码或名称")],
             fmt: Annotated[str, typer.Option("--format", "-f", help="table 或 json")] = "table") -> None:
    from graph.analyses.trace import find_entity
    from graph.factory import open_store
    from graph.history import History
    from graph.history.timeline import entity_timeline
    from graph.model import value_zh

    with open_store(settings()) as store:
        node = find_entity(store, id)
        t = entity_timeline(History(settings().home), store, node.label, node.key)
    if emitted(fmt, None, lambda: {"id": node.key, "name": node.name, **t}, lambda: b"", ""):
        return
    console.print(f"[bold]{node.name}[/bold]（{node.key}）")
    values = Table("项目", "值", "自", "至", title="改过的值")
    for v in t["values"]:
        values.add_row(v["field"], value_zh(v["value"]), v["since"], v["until"] or "今")
    links = Table("关系", "对方", "自", "至", title="得失的关系")
    for x in t["links"]:
        links.add_row(x["rel"] if x["outgoing"] else f"{x['rel']}（被）", f"{x['name']}（{x['id']}）",
                      x["since"], x["until"] or "今")
    console.print(values if t["values"] else "改过的值：无")
    console.print(links if t["links"] else "得失的关系：无")
