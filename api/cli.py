"""The ``tupu`` command line. Each command is a thin shell over graph/, ingest/ and viz/."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_app import TupuTyper, app, cli_user, console, parse_date_option, settings
from graph.errors import EmptyGraph
from graph.model import LABELS, RELATIONSHIPS

token_app = TupuTyper(help="访问令牌：create / list / revoke", no_args_is_help=True)
neo4j_app = TupuTyper(help="本地 Neo4j 5.26（无需 Docker）：start / stop / status", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(token_app, name="token")


def _access():
    from graph.access import AuditLog, TokenStore

    home = settings().home
    return TokenStore(home / "tokens.json"), AuditLog.at(home)



def _resolve_scope(scope: str | None) -> tuple[str, str | None]:
    """An organisation or a region, by its code or its name → ("org", id) / ("region", code);
    none → all (unknown: exit 1 with the closest names; ambiguous: exit 2 with the candidates)."""
    if not scope or scope == "all":
        return "all", None
    from graph.analyses.resolve import resolve
    from graph.factory import open_store

    with open_store(settings()) as store:
        node = resolve(store, scope, ["Organization", "Region"])
    return ("org" if node.label == "Organization" else "region"), node.key


def create_token(role: str, scope: str | None, name: str) -> str:
    tokens, audit = _access()
    kind, value = _resolve_scope(scope)
    try:
        secret, entry = tokens.create(role, kind, value, name=name)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    audit.record(cli_user(), "创建令牌", f"{entry.id} {name} {role} {kind}:{value or '全部'}")
    return secret


@token_app.command("create", help="创建令牌（只显示这一次，请妥善保存）")
def token_create(
    role: Annotated[str, typer.Option(help="admin（管理员）/ analyst（分析员）/ viewer（查看者）")] = "viewer",
    scope: Annotated[str | None, typer.Option(
        help="范围：党组织或区划（含下级），编码或名称，如“叶路街道”；不填为全部")] = None,
    name: Annotated[str, typer.Option(help="持有人或用途，如“幸福街道书记”")] = "",
) -> None:
    secret = create_token(role, scope, name)
    console.print("令牌已创建（只显示这一次）：")
    print(secret)


@token_app.command("list", help="列出令牌（不显示令牌本身）")
def token_list() -> None:
    tokens, _ = _access()
    table = Table("编号", "名称", "角色", "范围", "创建时间", title="访问令牌")
    for e in tokens.list():
        table.add_row(e.id, e.name, e.role, f"{e.scope_kind}:{e.scope or '全部'}", e.created)
    console.print(table)


@token_app.command("revoke", help="吊销令牌")
def token_revoke(token_id: Annotated[str, typer.Argument(help="令牌编号（见 token list）")]) -> None:
    tokens, audit = _access()
    if not tokens.revoke(token_id):
        console.print(f"[red]没有编号为 {token_id} 的令牌[/red]")
        raise typer.Exit(1)
    audit.record(cli_user(), "吊销令牌", token_id)
    console.print(f"已吊销 {token_id}")


@app.command(help="审计日志：每次写入的人、时间、内容、数量")
def audit(limit: Annotated[int, typer.Option(help="最近多少条")] = 50) -> None:
    _, log = _access()
    table = Table("时间", "操作者", "操作", "内容", "数量", title="审计日志")
    for e in log.events(limit):
        table.add_row(e["time"], e["who"], e["action"], e["detail"],
                      "，".join(f"{k} {v}" for k, v in e["counts"].items()))
    console.print(table)


def _local_neo4j():
    from neo4j_local.launcher import LocalNeo4j

    return LocalNeo4j(settings().home)


@neo4j_app.command("start", help="启动本地 Neo4j，Bolt 可用后返回并打印 bolt:// 地址；"
                  "设了 TUPU_NEO4J_PASSWORD 则开启认证（用户 neo4j）")
def neo4j_start(port: Annotated[int, typer.Option(help="Bolt 端口")] = 7687,
                heap: Annotated[str, typer.Option(help="JVM 堆大小")] = "768m",
                pagecache: Annotated[int, typer.Option(
                    help="页缓存（MB）：省级数据（百万党员）宜 2048 以上", min=64)] = 256) -> None:
    with console.status("正在启动 Neo4j 5.26 …"):
        uri = _local_neo4j().start(port=port, heap=heap, pagecache_mb=pagecache,
                                   password=settings().neo4j_password)
    console.print(f"Neo4j 已就绪：{uri}" + ("（已开启认证）" if settings().neo4j_password else ""))
    console.print(f"使用方法：export TUPU_BACKEND=neo4j TUPU_NEO4J_URI={uri}")
    print(uri)


@neo4j_app.command("fetch", help="下载 Neo4j 5.26 的 Maven 依赖并编译启动器（只需一次）")
def neo4j_fetch() -> None:
    with console.status("正在获取 Neo4j 5.26 依赖 (Maven) …"):
        _local_neo4j().prepare()
    console.print("Neo4j 依赖已就绪")


@neo4j_app.command("stop", help="停止本地 Neo4j")
def neo4j_stop() -> None:
    stopped = _local_neo4j().stop()
    console.print("Neo4j 已停止" if stopped else "Neo4j 未在运行")


@neo4j_app.command("dump", help="把本地 Neo4j 的数据库导出为 neo4j.dump（运行中则先停下、导出后再启动），"
                  "可用 neo4j-admin database load 装入 docker-compose 的 Neo4j")
def neo4j_dump(to: Annotated[Path, typer.Option("--to", help="输出文件夹")] = Path(".")) -> None:
    local = _local_neo4j()
    running = local.pid() is not None
    with console.status("正在导出（导出期间 Neo4j 暂停服务）…"):
        local.stop()
        try:
            path = local.dump(to)
        finally:
            if running:
                local.restart(settings().neo4j_password)
    console.print(f"已导出：{path}")
    console.print("装入 docker-compose 的 Neo4j（先 docker compose stop neo4j）：\n"
                  f"  docker compose run --rm -v {path.parent.resolve()}:/backups neo4j "
                  "neo4j-admin database load neo4j --from-path=/backups --overwrite-destination=true")


@neo4j_app.command("status", help="本地 Neo4j 是否在运行")
def neo4j_status() -> None:
    uri = _local_neo4j().status()
    if uri:
        console.print(f"运行中：{uri}")
    else:
        console.print("未运行")
        raise typer.Exit(1)


@app.command(help="启动 API 与网络视图服务")
def serve(host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="端口")] = 8000,
          workers: Annotated[int, typer.Option(help="进程数（Neo4j 后端可设为 CPU 核数）", min=1)] = 1) -> None:
    import uvicorn

    s = settings()
    if workers > 1 and s.backend != "neo4j":
        console.print("[yellow]内置存储只支持单进程：已改为 1 个进程[/yellow]")
        workers = 1
    console.print(f"后端：{s.backend}  地址：http://{host}:{port}/  接口文档：http://{host}:{port}/docs")
    if workers == 1:  # one process: no connections to spread over processes (api/turnover.py)
        os.environ.setdefault("TUPU_REQUESTS_PER_CONNECTION", "0")
    uvicorn.run("api.app:serve_app", factory=True, host=host, port=port, workers=workers)


class _RichProgress:
    """A progress bar per ledger (ingest.loader.Progress)."""

    def __init__(self, progress) -> None:
        self.p, self.task = progress, None

    def begin(self, description: str, total: int | None) -> None:
        self.task = self.p.add_task(description, total=total)

    def advance(self, n: int = 1) -> None:
        self.p.advance(self.task, n)

    def end(self) -> None:
        t = self.p.tasks[self.task]
        self.p.update(self.task, total=t.completed, completed=t.completed)


def run_ingest(paths: list[Path], dry_run: bool = False, report_file: Path | None = None,
               store=None, return_dir: Path | None = None, date: dt.date | None = None,
               initial: bool = False, complete: bool = False, force: bool = False, yes: bool = False) -> int:
    """Load ledgers with progress bars and a summary; return the exit code (0, 1 or 3). The
    return lists go to ``return_dir`` (by default beside the report, else under TUPU_HOME).
    A load that wrote something is recorded with its gaps (``graph.history``), as of ``date``
    (the day its ledgers stand for; today by default). ``initial``: a first load into the empty
    local Neo4j through its offline importer (``ingest.initial``). ``complete``: the ledgers are
    complete (ingest.complete): what would end is shown first (a dry run), refused past the
    policy's share unless ``force``, and asked to confirm unless ``yes``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from graph.factory import open_store
    from graph.history import History
    from graph.history.damage import DamagedRecord
    from graph.history.records import reached
    from graph.policy import load_policy
    from ingest.loader import Loader

    own = store is None
    store = store or open_store(settings())
    if complete and not dry_run and not initial:
        try:
            code = _confirm_complete(store, paths, date, force, yes)
        except BaseException:
            if own:
                store.close()
            raise
        if code is not None:
            if own:
                store.close()
            return code
    history, day = History(settings().home), date or dt.date.today()
    unrecorded: Exception | None = None  # the load landed, its record could not be written
    try:
        if not dry_run:  # what a crash left half done is finished, a damaged history refused, first
            try:
                for note in history.prepare(store, load_policy(settings().policy)):
                    console.print(f"[yellow]{note}[/yellow]")
            except DamagedRecord as e:
                console.print(f"[red]{e}[/red]")
                console.print("[red]本次未载入：载入记录无法可靠写入。请先修复历史记录，再重新载入[/red]")
                return 1
        started = False  # the graph may have been written from here on
        try:
            with (contextlib.nullcontext(None) if dry_run else
                  history.loading([Path(p).name for p in paths], day, cli_user())) as intent:
                started = True
                with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), console=console, transient=False) as p:
                    if initial and not dry_run:
                        from ingest.initial import initial_load

                        report = initial_load(paths, store, _local_neo4j(), password=settings().neo4j_password,
                                              on_phase=console.print, progress=_RichProgress(p),
                                              limits=settings().limits)
                    else:
                        report = Loader(store, dry_run=dry_run, progress=_RichProgress(p),
                                        limits=settings().limits, date=date, complete=complete and not initial,
                                        force=force, max_end_percent=_max_end_percent()).load(paths)
                reached("load:written")
                if not dry_run and any(report.landed.values()) and not report.reverted:
                    before = [r.date for r in history.loads() if r.date > day.isoformat()]
                    if before:  # changes are read in ledger-date order: this one sorts before them
                        console.print(f"[yellow]注意：本批台账日期 {day} 早于已有载入的台账日期 {before[-1]}；"
                                      "tupu changes 按台账日期比较[/yellow]")
                    with console.status("正在记录本次载入后的缺口（用于“自上次以来”的变化）…"):
                        try:
                            history.record(store, date=day, files=[Path(f).name for f in report.files],
                                           who=cli_user(), policy=load_policy(settings().policy), intent=intent)
                        except (OSError, sqlite3.Error, DamagedRecord) as e:  # a full disk: the intent stays
                            unrecorded = e
        except OSError as e:  # a full disk before the load, or while it wrote
            why = e.strerror or e
            then = ("图谱若已写入一部分，下次载入、撤销或 tupu doctor --repair 时按图谱现状补记为一次中断的载入"
                    if started else "未写入图谱，也没有载入记录；腾出磁盘空间后重新载入")
            console.print(f"[red]载入未完成（{why}）：{then}[/red]")
            return 1
    finally:
        if own:
            store.close()
    if report.column_maps:  # first: how each column of each sheet was read
        console.print("[bold]各列的读取方式[/bold]")
        for cmap in report.column_maps:
            for line in cmap.lines():
                console.print(line, markup=False, highlight=False)
    table = Table("台账", "读取", "载入", "其中未变", "拒绝", "警告",
                  title="载入结果（试运行，未写入）" if dry_run else "载入结果")
    for name, c in report.ledgers.items():
        table.add_row(name, str(c.read), str(c.landed), str(c.unchanged), str(c.rejected), str(c.warnings))
    console.print(table)
    if any(c.unchanged for c in report.ledgers.values()):
        from ingest.report import UNCHANGED_NOTE

        console.print(UNCHANGED_NOTE)
    for issue in report.rejected[:20]:
        val = f" 值：{issue.value}" if issue.value else ""
        console.print(f"[red]拒绝[/red] {issue.where()}{val} —— {issue.reason}")
    if len(report.rejected) > 20:
        console.print(f"…… 另有 {len(report.rejected) - 20} 条，见退回清单")
    if report.warnings:
        on_rejected = sum(w.row_rejected for w in report.warnings)
        console.print(f"[yellow]警告 {len(report.warnings)} 条[/yellow]（"
                      + (f"其中 {on_rejected} 条在未载入的行上，请与拒绝原因一并改正；其余" if on_rejected else "这些")
                      + "行已载入：相应项留空、按原文保存或关联未建立）：")
        for column, kind, n in report.grouped(report.warnings)[:15]:
            console.print(f"  {column + '：' if column else ''}{kind}  {n} 条")
    _print_ends(report)
    if report.aliased:
        console.print(f"按合并记录：{report.aliased} 个编码载入到它们并入的单位或党组织（tupu screen duplicates）")
    if report.skipped:
        sheets = [i for i in report.skipped if i.row is None]
        for i in sheets[:10]:
            console.print(f"已跳过：{Path(i.file).name} —— {i.reason}")
        if len(report.skipped) > len(sheets):
            console.print(f"已跳过：{len(report.skipped) - len(sheets)} 行合计或示例行")
    if report.merged_cells:
        cols = "、".join(dict.fromkeys(i.column or "" for i in report.merged_cells))
        console.print(f"合并单元格：{len(report.merged_cells)} 处按每行显示的值读取（{cols}）")
    if report.by_name:
        console.print(f"按名称关联：{report.by_name} 处编码列填的是名称，已按同名的唯一对象关联（最好改填编码）")
    if report.dittos:
        console.print(f"「同上」：{report.dittos} 格按上一行同一列的值读取")
    for note in report.notes:
        console.print(note, markup=False, highlight=False)
    if report.ignored_columns:
        names = "、".join(sorted({i.column or "" for i in report.ignored_columns}))
        console.print(f"已忽略未识别的列：{names}")
    audit_failed = False
    if not dry_run and report.ledgers:  # the audit line says what happened to the graph
        names = "、".join(Path(f).name for f in report.files)
        try:
            if report.reverted:
                _access()[1].record(cli_user(), "载入台账（未写入）", names)
            else:
                _access()[1].record(cli_user(), "载入台账", names + ("（载入记录未写入）" if unrecorded else ""),
                                    report.landed)
        except OSError as e:
            audit_failed = True
            console.print(f"[red]审计日志未能写入（{e.strerror or e}）[/red]")
    if report.rejected or report.warnings or report.ended:
        from ingest.returns import write_returns

        folder = return_dir or (report_file.parent if report_file else
                                settings().home / "退回清单" / dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
        for path in write_returns(report, folder):
            console.print(f"退回清单：{path}（标出了要修改的单元格，修改后可重新载入）")
    if report_file:
        report.write_json(report_file)
        console.print(f"报告已写入 {report_file}")
    if report.error:
        console.print(f"[red]{report.error}[/red]")
        return 1
    if unrecorded is not None:
        cause = getattr(unrecorded, "strerror", None) or unrecorded
        console.print(f"[red]已载入图谱，但载入记录未能写入（{cause}）：腾出磁盘空间后运行 tupu doctor --repair "
                      "补记这次载入（补记之前，它不能撤销，过去日期的图谱不含它）[/red]")
        return 1
    if audit_failed:
        return 1
    return 0 if report.ok else 3


def _max_end_percent() -> int:
    from graph.policy import load_policy

    return load_policy(settings().policy).complete_max_end_percent


def _print_ends(report) -> None:
    """What the load ended and restored (graph.ends), and what a complete ledger covered."""
    for c in report.complete:
        where = f"范围：{c['scope']}" if c["scope"] else "范围不明"
        console.print(f"完整台账 {c['label_zh']}（{'、'.join(c['files'])}）{where}，范围内 {c['in_scope']} 个，"
                      f"列出 {c['listed']} 个，未列出 {len(c['ending'])} 个（{c['share']}%）")
        if c["refused"]:
            console.print(f"[red]{c['refused']}[/red]")
    if report.ended:
        trial = "（试运行：将终止）" if report.dry_run else ""
        console.print(f"[bold]已终止 {len(report.ended)} 个[/bold]{trial}：")
        for e in report.ended[:50]:
            console.print(f"  {e['label_zh']} {e['name'] or e['id']}（{e['id']}）{e['date']} {e['reason']}"
                          f" —— {e['source']}")
        if len(report.ended) > 50:
            console.print(f"  …… 另有 {len(report.ended) - 50} 个，见报告")
    for e in report.restored[:50]:
        console.print(f"已恢复：{e['label_zh']} {e['name'] or e['id']}（{e['id']}），此前{e['date']} {e['reason']}")


def _confirm_complete(store, paths: list[Path], date: dt.date | None, force: bool, yes: bool) -> int | None:
    """A complete ledger's dry run: what would end, shown; refused past the share (exit 2) or not
    confirmed (exit 1); ``None`` to go on."""
    from ingest.loader import Loader

    with console.status("完整台账：先核对将视为已终止的对象（试运行）…"):
        trial = Loader(store, dry_run=True, limits=settings().limits, date=date, complete=True, force=force,
                       max_end_percent=_max_end_percent()).load(paths)
    _print_ends(trial)
    if any(c["refused"] and c["ending"] for c in trial.complete):
        console.print("[red]未载入：完整台账将终止的对象过多。核对台账是否完整，或加 --force 强制执行[/red]")
        return 2
    ask = f"以上 {len(trial.ended)} 个将视为已终止（注销、撤销或转出），继续载入？"
    if trial.ended and not yes and not typer.confirm(ask):
        console.print("未载入")
        return 1
    return None


@app.command(help="载入台账（Excel 或 CSV，文件或文件夹）")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="台账文件或文件夹", exists=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不写入")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="把报告写成 JSON 文件")] = None,
    return_dir: Annotated[Path | None, typer.Option(
        "--return", help="退回清单（标出问题单元格的工作簿）写到哪个文件夹；默认与报告同一文件夹")] = None,
    date: Annotated[str | None, typer.Option(
        "--date", help="这批台账反映哪一天的情况（YYYY-MM-DD），默认今天：tupu changes 按它比较")] = None,
    initial: Annotated[bool, typer.Option(
        "--initial", help="首次载入空的本地 Neo4j：用 neo4j-admin 离线导入（百万级台账快数倍；"
                          "检查与报告相同；导入期间 Neo4j 暂停服务）")] = False,
    complete: Annotated[bool, typer.Option(
        "--complete", help="这是完整台账：范围内没有列出的单位、党组织、网格、党员视为已注销、撤销或转出"
                           "（先列出并确认）")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="完整台账将终止的超过策略比例（默认 20%）时仍然执行")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="完整台账不再询问确认")] = False,
) -> None:
    raise typer.Exit(run_ingest(paths, dry_run, report, return_dir=return_dir,
                                date=parse_date_option(date, "--date"), initial=initial,
                                complete=complete, force=force, yes=yes))


@app.command(help="生成空白台账模板（Excel，含表头、示例行与下拉选项）")
def template(out: Annotated[Path, typer.Option("-o", "--out", help="输出文件夹")] = Path("台账模板")) -> None:
    from ingest.templates import write_templates

    paths = write_templates(out)
    console.print(f"已生成 {len(paths)} 个模板：{out}")


@app.command(help="生成示范市台账并载入（--serve 随后启动服务）")
def demo(
    scale: Annotated[int, typer.Option(help="规模倍数：1 约五千名党员，200 约一百万")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="台账格式 xlsx 或 csv")] = "xlsx",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="台账写到哪个文件夹")] = None,
    serve_after: Annotated[bool, typer.Option("--serve", help="载入后启动 API 与视图服务")] = False,
    port: Annotated[int, typer.Option(help="服务端口")] = 8000,
    months: Annotated[int, typer.Option(help="生成并逐月载入几个月的台账（有变化与进展可看），1 为只载入当月",
                                        min=1, max=36)] = 1,
) -> None:
    from ingest.demo import generate
    from ingest.demo_months import generate_months

    folder = out or settings().home / "demo-ledgers"
    if months > 1:
        with console.status(f"正在生成示范市 {months} 个月的台账（规模 {scale}）…"):
            batches = generate_months(folder, months, scale=scale, fmt=fmt)
        for day, month_folder in batches:
            console.print(f"[bold]{day} 的台账[/bold]（{month_folder}）")
            code = run_ingest([month_folder], date=day)
            if code not in (0, 3):
                raise typer.Exit(code)
    else:
        with console.status(f"正在生成示范市台账（规模 {scale}）…"):
            counts = generate(folder, scale=scale, fmt=fmt)
        console.print(f"台账已写入 {folder}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))
        code = run_ingest([folder])
        if code not in (0, 3):
            raise typer.Exit(code)
    _demo_register()
    token = create_token("admin", None, "示范管理员")
    console.print("\n管理员令牌（只显示这一次）：")
    print(token)
    print(f"浏览器打开：http://127.0.0.1:{port}/?token={token}")  # plain: a terminal must not wrap it
    if serve_after:
        serve(port=port)


def _demo_register() -> None:
    """A 市场监管 export of the demo city beside its ledgers, to try 摸排 with."""
    from graph.factory import open_store
    from ingest.demo_registry import write_register

    path = settings().home / "demo-registers" / "市场监管导出.xlsx"
    with open_store(settings()) as store:
        n = write_register(store, path)
    console.print(f"摸排示例：市场监管导出 {n} 行 → {path}")
    print(f"  试试：tupu screen registry {path} --source 市场监管")  # plain: a terminal must not wrap it


@app.command(help="备份：把整个图谱写回台账（载入空库可得到同一图谱）")
def export(
    out: Annotated[Path, typer.Argument(help="输出文件夹")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx 或 csv")] = "xlsx",
    mask: Annotated[bool, typer.Option("--mask", help="身份证号、联系电话脱敏（供分享；备份请勿使用）")] = False,
) -> None:
    from graph.factory import open_store
    from ingest.backup import export_ledgers

    if fmt not in ("xlsx", "csv"):
        raise typer.BadParameter("格式应为 xlsx 或 csv", param_hint="--format")
    with open_store(settings()) as store, console.status("正在导出台账 …"):
        counts = export_ledgers(store, out, fmt=fmt, mask=mask)
    console.print(f"已导出到 {out}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))
    _access()[1].record(cli_user(), "导出备份" if not mask else "导出（脱敏）", str(out), counts)
    if not mask:
        console.print("[yellow]注意：备份含完整身份证号和联系电话，请妥善保管[/yellow]")
        from ingest.member_keys import SECRET_FILE

        if (out / SECRET_FILE).exists():
            console.print(f"备份含党员编码密钥 {SECRET_FILE}（按身份证号生成的党员编码靠它保持不变）："
                          "恢复时把整个文件夹载入（tupu ingest 文件夹），勿单独外传")


@app.command(help="各类实体与关系的数量")
def stats() -> None:
    from graph.factory import open_store

    s = settings()
    from graph.ends import ENDABLE

    with open_store(s) as store:
        counts, rels = store.counts(), store.rel_counts()
        ended = {label: store.ended_count(label) for label in ENDABLE if counts.get(label)}
    where = f"Neo4j {s.neo4j_uri}" if s.backend == "neo4j" else f"内置存储 {s.data}"
    console.print(f"数据：{where}（TUPU_HOME={s.home}）")
    if not any(counts.values()):
        raise EmptyGraph()
    table = Table("类型", "数量", "其中已注销、撤销或转出（保留）", title=f"图谱统计（{store.backend}）")
    for label, n in counts.items():
        table.add_row(LABELS[label].zh, str(n), str(ended[label]) if ended.get(label) else "")
    for t, n in rels.items():
        table.add_row(f"关系：{RELATIONSHIPS[t].zh}", str(n), "")
    console.print(table)


from api import cli_analyses as _analyses  # noqa: E402,F401  (registers the analysis commands)
from api import cli_brief as _brief  # noqa: E402,F401  (registers `tupu brief`)
from api import cli_doctor as _doctor  # noqa: E402,F401  (registers `tupu doctor`)
from api import cli_history as _history  # noqa: E402,F401  (registers `tupu loads`, `tupu changes`)
from api import cli_meetings as _meetings  # noqa: E402,F401  (registers `tupu meeting`)
from api import cli_regions as _regions  # noqa: E402,F401  (registers `tupu regions`)
from api import cli_screen as _screen  # noqa: E402,F401  (registers `tupu screen`)
from api import cli_views as _views  # noqa: E402,F401  (registers `tupu view`)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
