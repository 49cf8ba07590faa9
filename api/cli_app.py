"""The ``tupu`` application object, its console and the options its commands share: a leaf
that every CLI module imports (``api.cli``, ``api.cli_analyses``, ``api.cli_views``), so that
none of them imports another and ``python -m api.cli`` works."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph.policy import PolicyError, load_policy

app = typer.Typer(help="党建图谱 Tupu：基层党组织图谱知识库", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
console = Console()

AsOf = Annotated[str | None, typer.Option("--as-of", help="按哪一天判定（YYYY-MM-DD），默认今天")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="阈值策略文件（YAML）")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table / json / csv / xlsx")]
Out = Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（json、csv、xlsx）")]


def parse_date_option(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD：{text}", param_hint="--as-of") from None


def policy_option(path: Path | None):
    try:
        return load_policy(path)
    except PolicyError as e:
        raise typer.BadParameter(str(e), param_hint="--policy") from None
