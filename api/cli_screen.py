"""``tupu screen``: 摸排 — registry exports matched to the units of the graph, and the people's
decisions on the possible matches (by command, or an Excel round trip)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli_app import TupuTyper, app, audited, check_report_format, cli_user, console, emitted, settings

screen_app = TupuTyper(help="摸排：registry 比对市场监管、民政、税务、统计的登记信息；decide 确认可能的匹配",
                       no_args_is_help=True)
app.add_typer(screen_app, name="screen")
YES, NO = ("是", "对", "√", "Y", "y"), ("新", "否", "无")
DECISION_HELP = "决定：填“是”确认建议的单位，或填另一个单位编码，或填“新”（图谱中没有）"


def _screened(files: list[Path], source: str, then: Callable[..., Any] | None = None
              ) -> tuple[list[Any], Any, Any]:
    """Read a register's exports, match them to the units of the configured store (the
    decisions applied) and say what could not be read; ``then(store, results, index)`` runs
    while the store is open. The matches, what was read, and what ``then`` gave."""
    from graph.analyses.nonempty import require_data
    from graph.factory import open_store
    from graph.screening.screen import screen, unit_index
    from ingest.registries import read_registry

    read = read_registry(files, source, settings().limits)
    with open_store(settings()) as store:
        require_data(store)
        index = unit_index(store)
        results = screen(store, read.rows, settings().home, index)
        extra = then(store, results, index) if then else None
    for p in read.problems:
        console.print(f"[red]{p}[/red]")
    for issue in (read.rejected + read.warnings)[:20]:
        console.print(f"[yellow]{issue.where()} —— {issue.reason}[/yellow]")
    return results, read, extra


@screen_app.command("registry", help="读入登记信息导出表，与图谱中的单位逐行比对：匹配 / 可能 / 新，附依据")
def registry(
    files: Annotated[list[Path], typer.Argument(help="导出表（xlsx / xls / csv，可多个或文件夹）")],
    source: Annotated[str, typer.Option("--source", help="来源：市场监管 / 民政 / 税务 / 统计")],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="table / json / xlsx（xlsx 供复核：填“决定”列后用 decide --from 读回）")] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="xlsx 写到哪个文件")] = None,
) -> None:
    from api.screen_sheets import STATUS_ZH, review_xlsx

    check_report_format(fmt, out)
    results, read, _ = _screened(files, source)
    if emitted(fmt, out, lambda: [m.as_dict() for m in results], lambda: review_xlsx(results),
               f"{len(results)} 行；{DECISION_HELP}"):
        return
    counts = {k: sum(m.status == k for m in results) for k in STATUS_ZH}
    console.print(f"{source}：{len(results)} 行 —— 匹配 {counts['match']}，可能 {counts['possible']}，"
                  f"新 {counts['new']}（拒绝 {len(read.rejected)} 行）")
    table = Table("行号", "名称", "状态", "图谱中的单位", "相似度", "依据", title="需要复核的（可能）")
    for m in [m for m in results if m.status == "possible"][:50]:
        table.add_row(str(m.row.row), m.row.name, STATUS_ZH[m.status], f"{m.unit_name}（{m.unit}）",
                      f"{m.score:.2f}", "；".join(m.evidence))
    console.print(table)


@screen_app.command("decide", help="确认可能的匹配：一行（--row 与 --unit 或 --new），"
                                   "或读回填好“决定”列的复核表（--from）")
def decide(
    files: Annotated[list[Path] | None, typer.Argument(help="那份导出表（按 --row 确认时）")] = None,
    source: Annotated[str | None, typer.Option("--source", help="来源（按 --row 确认时）")] = None,
    row: Annotated[int | None, typer.Option("--row", help="导出表中的行号")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="它就是这个单位（编码）")] = None,
    new: Annotated[bool, typer.Option("--new", help="图谱中没有它")] = False,
    sheet: Annotated[Path | None, typer.Option("--from", help="填好“决定”列的复核表")] = None,
) -> None:
    from graph.screening.decisions import Decisions
    from ingest.registries import RegistryRow, read_registry

    book, who = Decisions(settings().home), cli_user()
    if sheet is not None:
        decided = _review_sheet(sheet)
        n = 0
        for r, said in decided:
            target = (r.get("单位编码") if said in YES else None if said in NO else said)
            book.decide(RegistryRow(str(r["来源"]), str(r["文件"]), int(r["行号"] or 0), str(r["名称"]),
                                    str(r["统一社会信用代码"] or "") or None), target or None, who)
            n += 1
        console.print(f"已记下 {n} 条决定（以后每次比对都按它们）")
        return
    if not files or source is None or row is None or (unit is None) == (not new):
        raise typer.BadParameter("按行确认需要导出表、--source、--row，以及 --unit 或 --new 之一", param_hint="--row")
    found = [r for r in read_registry(files, source, settings().limits).rows if r.row == row]
    if not found:
        raise typer.BadParameter(f"导出表中没有第 {row} 行（或该行被拒绝）", param_hint="--row")
    book.decide(found[0], unit, who)
    console.print(f"已记下：第 {row} 行“{found[0].name}”{'是 ' + unit if unit else '在图谱中没有'}")


REVIEW_COLUMNS = ("来源", "文件", "行号", "名称", "统一社会信用代码", "单位编码", "决定")


def _review_sheet(sheet: Path) -> list[tuple[dict[str, Any], str]]:
    """The rows of a filled review sheet (``registry --format xlsx``) with a decision, and the
    decision; a file that is not one is a clear error (exit 2), not a traceback."""
    from openpyxl import load_workbook

    from graph.errors import InvalidInput

    try:
        wb = load_workbook(sheet, read_only=True)
        rows = wb["比对结果"].iter_rows(values_only=True)
        head = [str(h) for h in next(rows)]
        if not set(REVIEW_COLUMNS) <= set(head):
            raise ValueError("columns")
        out = []
        for values in rows:
            r = dict(zip(head, values, strict=False))
            said = str(r.get("决定") or "").strip()
            if said:
                int(r["行号"] or 0)  # (a row number that is not one: the sheet is not ours)
                out.append((r, said))
        wb.close()
    except Exception:  # noqa: BLE001 - damaged, not an xlsx, or not a review sheet
        raise InvalidInput(f"{sheet.name}：不是 tupu screen registry --format xlsx 导出的复核表"
                           f"（应有“比对结果”工作表和 {'、'.join(REVIEW_COLUMNS)} 列），或文件已损坏") from None
    return out


@screen_app.command("targets", help="目标对象清单：登记在营而台账没有的、应走访的、已注销仍计入的，附区划与负责党组织")
def targets_command(
    files: Annotated[list[Path], typer.Argument(help="导出表（xlsx / xls / csv，可多个或文件夹）")],
    source: Annotated[str, typer.Option("--source", help="来源：市场监管 / 民政 / 税务 / 统计")],
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="table / json / xlsx（xlsx 给走访小组，每类一页）")] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="xlsx 写到哪个文件")] = None,
    end: Annotated[bool, typer.Option(
        "--end", help="把“已注销仍计入”的单位按登记状态注销或吊销（列出并确认；记入载入记录，可撤销）")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False,
) -> None:
    from api.screen_sheets import target_rows, targets_xlsx
    from graph.screening.targets import KINDS, targets

    check_report_format(fmt, out)
    _, _, found = _screened(files, source, lambda store, results, index: targets(store, results, index))
    if end:
        _end_closed([t for t in found if t.kind == "已注销仍计入"], source, yes)
        return
    if emitted(fmt, out, lambda: [t.as_dict() for t in found],
               lambda: targets_xlsx(found),
               f"{len(found)} 个目标对象"):
        return
    console.print("目标对象：" + "，".join(f"{k} {sum(t.kind == k for t in found)}" for k in KINDS))
    table = Table("类型", "名称", "区划", "负责党组织", "从业人数", "说明", title="目标对象清单")
    for r in target_rows(found)[:100]:
        table.add_row(r["类型"], r["名称"], r["区划"], r["负责党组织"], str(r["从业人数"] or ""), r["说明"])
    console.print(table)


def _end_closed(closed: list, source: str, yes: bool) -> None:
    """End the units a register says are closed (已注销仍计入), each with its register row as the
    reason (graph.ends), as one recorded load."""
    import datetime as dt

    from graph.factory import open_store
    from graph.history.by_hand import end_many
    from graph.policy import load_policy
    from ingest.synonyms import END_STATUS

    if not closed:
        console.print("没有“已注销仍计入”的单位")
        return
    for t in closed[:50]:
        console.print(f"  {t.name}（{t.unit}）：{t.reason}")
    if not yes:
        typer.confirm(f"以上 {len(closed)} 个单位按登记状态注销或吊销，不再计入当前缺口与统计？", abort=True)
    with open_store(settings()) as store:
        nodes = {n.key: n for n in store.get_many("Unit", [t.unit for t in closed])}
        ending = [(nodes[t.unit], END_STATUS.get(t.status or "", "注销") if t.status else "注销",
                   f"{t.source}登记状态“{t.status}”（第 {t.row} 行）") for t in closed if t.unit in nodes]
        rec = end_many(store, settings().home, ending, date=dt.date.today(), who=cli_user(),
                       what=f"摸排：按{source}登记注销 {len(ending)} 个单位", policy=load_policy(settings().policy))
    audited("摸排注销", f"{source} {len(ending)} 个单位")
    console.print(f"已注销 {len(ending)} 个单位" + (f"（载入记录 {rec.id}，可用 tupu loads undo 撤回）" if rec else ""))


@screen_app.command("roster", help="花名册比对：名册上的党员（身份证号，或姓名与出生日期），"
                                   "组织关系在别处的（口袋党员、隐形党员线索）")
def roster(
    files: Annotated[list[Path], typer.Argument(help="花名册（xlsx / xls / csv：姓名、身份证号、岗位 …）")],
    unit: Annotated[str, typer.Option("--unit", help="哪个单位的花名册：单位编码或名称")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table 或 json")] = "table",
    apply: Annotated[bool, typer.Option("--apply", help="确认：把名册上的党员数记为该单位的党员数（U1/U2 据此判定）")]
    = False,
) -> None:
    import json

    from graph.analyses.trace import find_entity
    from graph.factory import open_store
    from graph.screening.rosters import apply_count, match_roster
    from ingest.registries import read_roster

    rows, read = read_roster(files, settings().limits)
    for p in read.problems:
        console.print(f"[red]{p}[/red]")
    with open_store(settings()) as store:
        key = find_entity(store, unit, "Unit").key
        result = match_roster(store, key, rows)
        if apply:
            n = apply_count(store, result)
            audited("花名册确认党员数", f"{key} {n}")
    if fmt == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return
    console.print(f"[bold]{result.unit_name}[/bold]：名册 {result.people} 人，其中党员 {len(result.found)} 名"
                  f"（图谱现记 {result.members_now} 名）；组织关系在别处 {len(result.elsewhere)} 名，"
                  f"未登记工作单位 {len(result.without_works_at)} 名")
    table = Table("行号", "姓名", "身份证号", "比对依据", "组织关系所在", "登记了工作单位", title="名册上的党员")
    for m in result.found:
        d = m.as_dict()
        where = (d["org_name"] or "（无）") + ("" if d["own_org"] else " ⚠ 在别处")
        table.add_row(str(d["row"]), d["name"], d["id_card"] or "", d["how"], where, "是" if d["works_here"] else "否")
    console.print(table)
    if apply:
        console.print(f"已确认：{result.unit_name} 的党员数记为 {result.proposed}")
    elif result.proposed > result.members_now:
        console.print(f"建议把党员数记为 {result.proposed}（加 --apply 确认）")


@screen_app.command("duplicates", help="台账内的重复：同一单位或党组织有两个编码"
                                       "（统一社会信用代码相同，或同一区县内名称几乎相同），列为合并候选")
def duplicates(
    kind: Annotated[str | None, typer.Option("--kind", help="单位 或 党组织（默认两者）")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table / json / xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="xlsx 写到哪个文件")] = None,
) -> None:
    from api.screen_sheets import duplicate_rows, duplicates_xlsx
    from graph.factory import open_store
    from graph.screening.duplicates import merge_candidates

    check_report_format(fmt, out)
    with open_store(settings()) as store:
        found = merge_candidates(store, kind, settings().home)
    if emitted(fmt, out, lambda: [d.as_dict() for d in found], lambda: duplicates_xlsx(found),
               f"{len(found)} 对合并候选"):
        return
    if not found:
        console.print("没有发现重复：没有两个编码的统一社会信用代码相同，也没有同一区县内名称几乎相同的")
        return
    console.print(f"合并候选 {len(found)} 对（确认：tupu screen merge 编码 --into 保留的编码；"
                  "不是同一个：加 --apart）")
    table = Table("类型", "保留", "并入", "相似度", "依据", "区划", title="合并候选")
    for r in duplicate_rows(found)[:100]:
        table.add_row(r["类型"], f"{r['保留名称']}（{r['保留']}）", f"{r['并入名称']}（{r['并入']}）",
                      f"{r['相似度']:.2f}", r["依据"], r["区划"])
    console.print(table)


@screen_app.command("merge", help="确认合并：把一个单位或党组织并入另一个（关联随之转移，原编码作为曾用编码保留，"
                                  "以后台账中的原编码都载入到保留的那个）；--apart：确认两者不是同一个")
def merge_command(
    drop: Annotated[str, typer.Argument(help="并入的（编码或名称）：合并后不再单独存在")],
    into: Annotated[str, typer.Option("--into", help="保留的（编码或名称）")],
    apart: Annotated[bool, typer.Option("--apart", help="两者不是同一个：以后不再列为候选")] = False,
) -> None:
    from graph.analyses.trace import find_entity
    from graph.errors import InvalidInput
    from graph.factory import open_store
    from graph.screening.duplicates import Distinct
    from graph.screening.merge import MERGEABLE, merge

    with open_store(settings()) as store:
        kept = find_entity(store, into)
        if kept.label not in MERGEABLE:
            raise InvalidInput(f"“{kept.name}”是{kept.label}：只能合并单位或党组织")
        gone = find_entity(store, drop, kept.label)
        if apart:
            Distinct(settings().home).decide(kept.label, kept.key, gone.key, cli_user())
            audited("确认不是重复", f"{kept.label} {gone.key} ≠ {kept.key}")
            console.print(f"已记下：“{gone.name}”与“{kept.name}”不是同一个，不再列出")
            return
        done = merge(store, kept.label, kept.key, gone.key)
    audited("合并重复", f"{kept.label} {gone.key} → {kept.key}", {"links": done.links_moved})
    console.print(done.summary())
