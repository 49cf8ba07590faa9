"""``tupu doctor``: the damaged files under TUPU_HOME, and ``--repair``."""
from __future__ import annotations

from typing import Annotated

import typer

from api.cli_app import app, console, settings


@app.command(help="检查 TUPU_HOME 下的记录文件（载入记录、历史图谱、集中攻坚、汇报、审计日志等）是否损坏；"
                  "--repair 修复：损坏的文件先移到一旁（*.damaged-时间），能重建的重建，中断的载入或撤销补完")
def doctor(repair: Annotated[bool, typer.Option("--repair", help="修复能修复的（原件保留在一旁）")] = False) -> None:
    from graph.doctor import examine
    from graph.factory import open_store
    from graph.policy import load_policy

    s = settings()
    found = examine(s.home, lambda: open_store(s), load_policy(s.policy), repair=repair)
    if not found:
        console.print(f"未发现损坏的文件（{s.home}）")
        return
    console.print(f"检查 {s.home}：{len(found)} 处损坏或未完成")
    for f in found:  # one line each, the file's path whole (a table would cut it)
        where = str(f.path.relative_to(s.home)) if f.path.is_relative_to(s.home) else str(f.path)
        then = f.done or (f"[red]未修复[/red]：{f.fix}" if repair else f"修复将会：{f.fix}")
        console.print(f"[bold]{where}[/bold]：{f.problem} —— {then}", soft_wrap=True)
    if not repair:
        console.print("运行 [bold]tupu doctor --repair[/bold] 修复（损坏的原件会保留在一旁）")
        raise typer.Exit(1)
    if any(f.done is None for f in found):
        raise typer.Exit(1)
