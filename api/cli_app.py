"""The ``tupu`` application object, its console and the options its commands share: a leaf
that every CLI module imports (``api.cli``, ``api.cli_analyses``, ``api.cli_views``), so that
none of them imports another and ``python -m api.cli`` works."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from graph.config import Settings
from graph.errors import TupuError
from graph.policy import Policy, PolicyError, load_policy
from graph.private import private_home

console = Console()
_settings: Settings | None = None


def settings() -> Settings:
    """The configuration of this run of the CLI (the environment, read once per command)."""
    return _settings or Settings.from_env()


class TupuTyper(typer.Typer):
    """A Typer whose commands end on a :class:`~graph.errors.TupuError` with its message in red
    and its kind's exit code (the CLI's one handler), instead of a traceback."""

    def command(  # type: ignore[override]
            self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        register = super().command(*args, **kwargs)

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def handled(*a: Any, **kw: Any) -> Any:
                global _settings
                _settings = Settings.from_env()  # read once for the command, handed to all it does
                private_home(_settings.home)  # what it writes there holds personal data: its owner's only
                try:
                    return fn(*a, **kw)
                except TupuError as e:
                    console.print(f"[red]{e.public_message()}[/red]")
                    raise typer.Exit(e.exit_code) from None

            register(handled)
            return fn

        return decorator


app = TupuTyper(help="党建图谱 Tupu：基层党组织图谱知识库", no_args_is_help=True,
                pretty_exceptions_show_locals=False)

AsOf = Annotated[str | None, typer.Option("--as-of", help="按哪一天判定（YYYY-MM-DD），默认今天")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="阈值策略文件（YAML）")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table / json / csv / xlsx")]
Out = Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（json、csv、xlsx）")]


def parse_date_option(text: str | None, option: str = "--as-of") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD：{text}", param_hint=option) from None


@contextlib.contextmanager
def open_store_as_of(day: dt.date | None) -> Iterator[Any]:
    """The configured store, or — ``--as-of`` a date before the last load — the graph as the
    ledgers loaded by then left it."""
    from graph.factory import open_store
    from graph.history import store_as_of

    with open_store(settings()) as store:
        yield store_as_of(store, settings().home, day, settings())


def check_report_format(fmt: str, out: Path | None) -> None:
    """``--format`` of a command that prints a table, JSON, or writes a workbook (``-o``)."""
    if fmt not in ("table", "json", "xlsx"):
        raise typer.BadParameter("应为 table、json 或 xlsx", param_hint="--format")
    if fmt == "xlsx" and out is None:
        raise typer.BadParameter("xlsx 需要用 -o 指定输出文件", param_hint="-o")


def emitted(fmt: str, out: Path | None, data: Callable[[], Any], xlsx: Callable[[], bytes], said: str) -> bool:
    """JSON printed or the workbook written (True), or nothing done: the caller prints its tables."""
    import json

    if fmt == "json":
        print(json.dumps(data(), ensure_ascii=False, indent=1))
        return True
    if fmt == "xlsx" and out is not None:
        out.write_bytes(xlsx())
        console.print(f"已写入 {out}（{said}）")
        return True
    return False


def cli_user() -> str:
    """Who runs this command, as the audit log and the load records name them."""
    import getpass

    return f"命令行：{getpass.getuser()}"


def audited(action: str, detail: str, counts: dict[str, int] | None = None) -> None:
    """Record what this command did in the audit log, under :func:`cli_user`."""
    from graph.access import AuditLog

    AuditLog.at(settings().home).record(cli_user(), action, detail, counts)


def policy_option(path: Path | None) -> Policy:
    """``--policy FILE``, else ``TUPU_POLICY``, else the default thresholds."""
    try:
        return load_policy(path or settings().policy)
    except PolicyError as e:
        raise typer.BadParameter(str(e), param_hint="--policy") from None
