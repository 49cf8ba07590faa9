"""The analysis commands of ``tupu``: gaps, unpaired, coverage, trace, path, pair suggest."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api import exports
from api.cli_app import AsOf, Fmt, Out, PolicyOpt, TupuTyper, app, console, open_store_as_of, settings
from api.cli_app import parse_date_option as _date
from api.cli_app import policy_option as _policy
from graph.analyses.nonempty import require_data
from graph.factory import open_store
from graph.rules import rules_of_group

pair_app = TupuTyper(help="结对：suggest 为未结对的基层党组织推荐机关党组织", no_args_is_help=True)
app.add_typer(pair_app, name="pair")


def _emit(fmt: str, out: Path | None, rows: list[dict[str, Any]], data: Any, title: str,
          xlsx: bytes | None = None) -> None:
    if fmt not in exports.FORMATS:
        raise typer.BadParameter(f"格式应为 {' / '.join(exports.FORMATS)}", param_hint="--format")
    if fmt == "table":
        table = Table(*(rows[0].keys() if rows else ["结果"]), title=title, show_lines=False)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r.values()))
        if not rows:
            table.add_row("没有符合条件的结果")
        console.print(table)
        return
    payload = {"json": lambda: exports.to_json(data), "csv": lambda: exports.to_csv(rows),
               "xlsx": lambda: xlsx or exports.to_xlsx({title[:31]: rows})}[fmt]()
    if out is None:
        if fmt == "xlsx":
            raise typer.BadParameter("xlsx 需要用 -o 指定输出文件", param_hint="-o")
        typer.echo(payload.decode("utf-8-sig"))
    else:
        out.write_bytes(payload)
        console.print(f"已写入 {out}（{len(rows)} 条）")


def _answer(compute: Any, *args: Any, **kwargs: Any) -> Any:
    """Run an analysis on the configured store (an unknown code ends the command with exit 1:
    the CLI's error handler, api.cli_app.TupuTyper)."""
    with open_store_as_of(kwargs.get("as_of")) as store:
        require_data(store)
        return compute(store, *args, **kwargs)


def _place(store: Any, region: str | None, org: str | None) -> tuple[str | None, str | None]:
    """``--region`` and ``--org`` as codes, from a code or a name (unknown: exit 1 with the
    closest names; ambiguous: exit 2 with the candidates)."""
    from graph.analyses.trace import find_entity

    return (find_entity(store, region, "Region").key if region else None,
            find_entity(store, org, "Organization").key if org else None)


def _gaps(rules: list[str] | None, region: str | None, org: str | None, as_of: str | None,
          policy: Path | None, fmt: str, out: Path | None, title: str) -> None:
    from graph.analyses.gaps import UnknownRule, find_gaps

    with open_store_as_of(_date(as_of)) as store:
        require_data(store)
        region, org = _place(store, region, org)
        try:
            gaps = find_gaps(store, rules=rules, region=region, org=org, as_of=_date(as_of),
                             policy=_policy(policy))
        except UnknownRule as e:
            raise typer.BadParameter(str(e), param_hint="--rule") from None
    rows = exports.gap_rows(gaps)
    if fmt == "table":  # what fits a terminal: the rest is in json / csv / xlsx
        rows = [{k: r[k] for k in ("规则", "名称", "说明", "负责组织")} for r in rows]
    _emit(fmt, out, rows, [g.as_dict() for g in gaps], f"{title}（{len(gaps)} 个）",
          exports.gaps_xlsx(gaps) if fmt == "xlsx" else None)


@app.command(help="覆盖缺口：每个缺口的原因与负责补齐的组织")
def gaps(
    rule: Annotated[list[str] | None, typer.Option("--rule", "-r", help="只看这些规则，如 U1、P3")] = None,
    region: Annotated[str | None, typer.Option(help="只看该区划（含下级）：区划代码或名称，如“北镇街道”")] = None,
    org: Annotated[str | None, typer.Option(help="只看该组织负责的（含下级）：组织编码或名称")] = None,
    as_of: AsOf = None, policy: PolicyOpt = None, fmt: Fmt = "table", out: Out = None,
) -> None:
    _gaps(rule, region, org, as_of, policy, fmt, out, "覆盖缺口")


@app.command(help="未结对：机关与基层党组织未结对、结对到期、结对有名无实（P1–P4）")
def unpaired(
    region: Annotated[str | None, typer.Option(help="只看该区划（含下级）：区划代码或名称，如“北镇街道”")] = None,
    org: Annotated[str | None, typer.Option(help="只看该组织负责的（含下级）：组织编码或名称")] = None,
    as_of: AsOf = None, policy: PolicyOpt = None, fmt: Fmt = "table", out: Out = None,
) -> None:
    _gaps(rules_of_group("结对"), region, org, as_of, policy, fmt, out, "未结对与结对问题")


@app.command(help="覆盖率：按区划和党委/党工委逐级汇总")
def coverage(
    region: Annotated[str | None, typer.Option(help="只看该区划（含下级）：区划代码或名称，如“北镇街道”")] = None,
    scope: Annotated[str, typer.Option(help="region（区划）/ org（党组织）/ all")] = "all",
    as_of: AsOf = None, policy: PolicyOpt = None, fmt: Fmt = "table", out: Out = None,
) -> None:
    from graph.analyses.coverage import MEASURES
    from graph.analyses.coverage import coverage as compute

    if scope not in ("region", "org", "all"):
        raise typer.BadParameter("scope 应为 region、org 或 all", param_hint="--scope")
    with open_store_as_of(_date(as_of)) as store:
        require_data(store)
        region, _ = _place(store, region, None)
        rows = compute(store, as_of=_date(as_of), policy=_policy(policy), region=region, scope=scope)
    table = exports.coverage_rows(rows)
    if fmt == "table":
        table = [{"名称": r["名称"], "层级": r["层级/类别"],
                  **{t: f"{r[t]} {r[t + '率']}" for t, _ in MEASURES.values()}} for r in table]
    _emit(fmt, out, table, [r.model_dump() for r in rows], "覆盖率")


@app.command(help="追溯一个实体：上级链、结对、联盟、网格、区划与缺口")
def trace(
    id: Annotated[str, typer.Argument(help="实体编码或名称")],
    as_of: AsOf = None, policy: PolicyOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table / json")] = "table",
) -> None:
    from graph.analyses.trace import trace as compute

    t = _answer(compute, id, as_of=_date(as_of), policy=_policy(policy))
    if fmt == "json":
        typer.echo(exports.to_json(t.model_dump()).decode())
        return
    e = t.entity
    console.print(f"[bold]{e.label_zh}：{e.name}（{e.id}）[/bold]")
    if t.responsible:
        console.print(f"负责组织：{t.responsible.name}（{t.responsible.id}）")
    if t.chain:
        console.print("组织链：" + " → ".join(f"{r.name}" for r in t.chain))
    if t.regions:
        console.print("所在区划：" + " ← ".join(r.name or r.id for r in t.regions))
    for title, links in (("关联党组织", t.organisations), ("结对", t.pairings), ("联盟", t.alliances),
                         ("网格", t.grids)):
        for l in links:
            state = "" if l.current is None else ("（在期）" if l.current else "（已到期）")
            extra = f" {l.props.get('form', '')}" if l.props.get("form") else ""
            console.print(f"{title}：{l.type_zh} {l.other.name}（{l.other.id}）{extra}{state}")
    if t.gaps:
        for g in t.gaps:
            console.print(f"[yellow]缺口 {g.rule} {g.title}[/yellow]：{g.message}"
                          + (f"；负责：{g.responsible.name}" if g.responsible else ""))
    else:
        console.print("[green]没有缺口[/green]")


@app.command(help="两个实体之间的最短联系")
def path(
    a: Annotated[str, typer.Argument(help="起点编码或名称")],
    b: Annotated[str, typer.Argument(help="终点编码或名称")],
    max_hops: Annotated[int, typer.Option(help="最多几步", min=1, max=12)] = 8,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table / json")] = "table",
) -> None:
    from graph.analyses.trace import path_between

    p = _answer(path_between, a, b, max_hops)
    if p is None:
        console.print(f"{a} 与 {b} 之间在 {max_hops} 步内没有联系")
        raise typer.Exit(1)
    if fmt == "json":
        typer.echo(exports.to_json(p.model_dump()).decode())
        return
    console.print(f"[bold]{p.start.name} → {p.end.name}：{p.length} 步[/bold]")
    for i, s in enumerate(p.steps, 1):
        console.print(f"{i}. {s.text}")


@pair_app.command("suggest", help="为未结对的基层党组织推荐有余力的机关党组织（最小费用流）")
def pair_suggest(as_of: AsOf = None, policy: PolicyOpt = None, fmt: Fmt = "table", out: Out = None) -> None:
    from graph.analyses.pairing import suggest_pairings

    with open_store_as_of(_date(as_of)) as store:
        require_data(store)
        ps = suggest_pairings(store, as_of=_date(as_of), policy=_policy(policy))
    _emit(fmt, out, exports.proposal_rows(ps), [p.model_dump() for p in ps], f"结对推荐（{len(ps)} 对）")


@app.command(help="按名称或编码搜索整个图谱（党组织、单位、网格、区划、党员、联盟）")
def search(
    text: Annotated[str, typer.Argument(help="名称的一部分或编码，如“秦街”")],
    limit: Annotated[int, typer.Option(help="最多列出几个", min=1, max=500)] = 20,
    every: Annotated[bool, typer.Option("--all", help="也列出已注销、撤销、转出的")] = False,
    fmt: Fmt = "table", out: Out = None,
) -> None:
    from graph.analyses.resolve import NotFound, candidates, search_names
    from graph.ends import sentence

    with open_store(settings()) as store:
        require_data(store)
        hits, total = search_names(store, text, limit=limit, ended=every)
        if not hits:
            from graph.analyses.resolve import resolve

            resolve(store, text)  # says "未找到" with the closest names (exit 1)
            raise NotFound(f"未找到“{text}”")
        rows = [{"名称": c["name"], "类型": c["kind"], "编码": c["code"], "所在区划": c["region"] or "",
                 **({"状态": sentence(n.props) or "正常"} if every else {})}
                for n, c in zip(hits, candidates(store, hits))]
    shown = f"共 {total} 个，列出前 {len(rows)} 个" if total > len(rows) else f"{len(rows)} 个"
    _emit(fmt, out, rows, rows, f"“{text}”的搜索结果（{shown}）")
