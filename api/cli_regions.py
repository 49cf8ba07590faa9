"""``tupu regions``: the statistical division tree shipped with Tupu, loaded for the area a
deployment covers (ingest/divisions.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from api.cli_app import TupuTyper, app, console, settings

regions_app = TupuTyper(help="行政区划：use 载入本地区的国家统计局统计用区划（2023）；不带子命令显示当前选择")
app.add_typer(regions_app, name="regions")


@regions_app.callback(invoke_without_command=True)
def regions(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        regions_show()


@regions_app.command("show", help="本部署覆盖的地区，及图谱中的区划数")
def regions_show() -> None:
    from graph.factory import open_store
    from ingest.divisions import ENV, SOURCE, chosen

    area = chosen(settings().home)
    with open_store(settings()) as store:
        n = store.counts().get("Region", 0)
    if area is None:
        console.print(f"尚未选择地区（图谱中有 {n} 个区划）。载入本地区的区划：tupu regions use 成都市（或设置 {ENV}）")
        return
    console.print(f"本部署覆盖：{area[0]}（{area[1] or '全国'}）；来源：{SOURCE}；图谱中有 {n} 个区划")


@regions_app.command("use", help="载入一个地区的国家统计局区划（它、全部下级与上级），此后区划列与 --region 可填名称")
def regions_use(
    area: Annotated[str | None, typer.Argument(
        help="地区名称、带上级的名称或区划代码，如“成都市”“四川省成都市锦江区”“510104”；“全国”为全部 66 万个；"
             "不填则用环境变量 TUPU_REGIONS")] = None,
) -> None:
    import os

    from api.cli import run_ingest
    from ingest.divisions import ENV, national, save_choice, write_area
    from ingest.divisions import find_area as find

    text = (area or os.environ.get(ENV) or "").strip()
    if not text:
        raise typer.BadParameter(f"请写出地区（如“成都市”），或设置环境变量 {ENV}")
    with console.status("正在读取国家统计局区划（2023）…"):
        code = find(text)
        path = write_area(code, settings().home / "regions")
    name = national().name[code] if code else "全国"
    console.print(f"载入 {name}（{code or '全国'}）的区划：{path.name}")
    result = run_ingest([path])
    if result not in (0, 3):
        raise typer.Exit(result)
    save_choice(settings().home, text, code)
    console.print(f"已选择 {name}：党组织、单位、网格的区划列与 --region 可填名称（如“锦江区东湖街道”）")
