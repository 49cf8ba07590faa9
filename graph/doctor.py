"""``tupu doctor``: every damaged file under TUPU_HOME, and what ``--repair`` does about it.

A damaged file is one Tupu cannot read as it wrote it: a half line in ``loads.jsonl`` or the
audit log, a gzip cut short, a JSON file cut off, a database that is not one any more. Repair:

- a damaged file is first moved aside whole, to ``NAME.damaged-<time>`` (nothing is deleted);
- ``loads.jsonl`` is written again from its lines that read and the records the history's
  database holds (every record since the database kept them);
- a load's gaps, meeting state or progress figures are made again from the graph as of that load
  (rebuilt from the history, the same as when it was recorded);
- a record or undo a crash left half done is finished (``History.repair``);
- the audit log keeps its lines that read;
- what cannot be rebuilt (campaigns, meetings, screening decisions, tokens, the history's
  database) stays aside, and the finding says what is lost.
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.analyses.gaps import find_gaps
from graph.history import progress as progress_of
from graph.history.changes import LoadRecord, meeting_state
from graph.history.damage import DamagedRecord, json_lines, read_json
from graph.history.head import Head
from graph.history.records import _KEPT, History, _locked, _write_json
from graph.policy import Policy
from graph.store import GraphStore

# files kept whole as JSON, and what is lost when one is put aside
KEPT_FILES = {"campaigns.json": "集中攻坚的设置（需重新 tupu campaign new）",
              "tokens.json": "访问令牌（需重新 tupu token create）",
              "screening/decisions.json": "摸排的认定（需重新认定）",
              "screening/distinct.json": "“不是同一单位”的认定（需重新认定）"}
LOAD_FILES = (".json.gz", ".state.json.gz", ".progress.json")


@dataclass
class Finding:
    path: Path
    problem: str
    fix: str  # what --repair does
    done: str | None = None  # what --repair did


def _aside(path: Path) -> Path:
    """Move a damaged file aside whole (copied, when it is to be written again in place)."""
    target = path.with_name(f"{path.name}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}")
    shutil.copy2(path, target)
    return target


def examine(home: Path, store: Callable[[], GraphStore] | None = None, policy: Policy | None = None,
            repair: bool = False) -> list[Finding]:
    """The damaged files under ``home`` (repaired, with ``repair``). ``store`` opens the graph,
    for what needs it: a half-done record or undo."""
    found: list[Finding] = []
    history = History(home)
    found += _history(history, store, policy, repair)
    for name, lost in KEPT_FILES.items():
        f = home / name
        if f.exists():
            try:
                read_json(f)
            except DamagedRecord:
                found.append(_put_aside(f, "内容不完整或不是有效的 JSON", f"移到一旁；{lost}", repair))
    for f in sorted((home / "meetings").glob("*.json")) if (home / "meetings").exists() else []:
        try:
            from viz.meetings import MeetingBook

            MeetingBook(home).get(f.stem)
        except DamagedRecord:
            found.append(_put_aside(f, "汇报文件内容不完整", "移到一旁；这个汇报需重新组织", repair))
        except Exception:  # noqa: BLE001 - a file name that is not a meeting's: not ours to judge
            continue
    audit = home / "audit.jsonl"
    bad = json_lines(audit)[1]
    if bad:
        finding = Finding(audit, f"第 {_numbers(bad)} 行不完整", "移到一旁保留原件，审计日志只留可读的行")
        if repair:
            finding.done = f"原件在 {_aside(audit).name}，已去掉 {len(bad)} 行"
            lines = [x for x in audit.read_bytes().split(b"\n") if x.strip()]
            keep = [x for n, x in enumerate(lines, 1) if n not in set(bad)]
            audit.write_bytes(b"".join(x + b"\n" for x in keep))
        found.append(finding)
    return found


def _numbers(bad: list[int]) -> str:
    return "、".join(map(str, bad[:5])) + ("…" if len(bad) > 5 else "")


def _put_aside(f: Path, problem: str, fix: str, repair: bool) -> Finding:
    finding = Finding(f, problem, fix)
    if repair:
        target = f.with_name(f"{f.name}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}")
        f.rename(target)
        finding.done = f"已移到 {target.name}"
    return finding


def _history(history: History, store: Callable[[], GraphStore] | None, policy: Policy | None,
             repair: bool) -> list[Finding]:
    found: list[Finding] = []
    folder = history.dir
    if not folder.exists():
        return found
    head = Head(folder)
    with _locked(folder):
        why = head.check(thorough=True) if head.exists() else None
        if why:
            finding = Finding(head.path, f"数据库已损坏（{why}）",
                              "移到一旁；已载入的记录保留，过去日期的图谱与历次变化从下一次载入起重新积累")
            if repair:
                stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
                for extra in ("-wal", "-shm"):  # its write-ahead pages go aside with it
                    page = head.path.with_name(head.path.name + extra)
                    if page.exists():
                        page.rename(head.path.with_name(f"{head.path.name}.damaged-{stamp}{extra}"))
                target = head.path.with_name(f"{head.path.name}.damaged-{stamp}")
                head.path.rename(target)
                finding.done = f"已移到 {target.name}"
            found.append(finding)
        loads = folder / "loads.jsonl"
        bad = json_lines(loads)[1]
        missing = [] if why else history._missing_lines()
        if bad or missing:
            problem = "；".join(p for p in (f"第 {_numbers(bad)} 行不完整" if bad else "",
                                            f"少了 {len(missing)} 条已提交的记录（写入前中断）" if missing else "")
                               if p)
            finding = Finding(loads, problem, "保留可读的行，并从 history.sqlite 补回记录")
            if repair:
                kept = history._lines()  # the lines that read, with the database's
                aside = _aside(loads).name if bad else None
                loads.write_text("".join(_line(x) for x in kept), encoding="utf-8")
                finding.done = (f"原件在 {aside}；" if aside else "") + f"现有 {len(kept)} 行"
            found.append(finding)
        for rec in history.recorded():
            found += _load_files(history, rec, policy, repair)
    undoing = _safe(head.undoing)
    left = history._left_intents()
    if undoing or left:
        what = "、".join(([f"撤销 {undoing['load']} 未完成"] if undoing else [])
                        + ([f"{len(left)} 次载入写入图谱后未记录"] if left else []))
        finding = Finding(folder, what, "完成撤销；按图谱现状补记中断的载入（标为“中断”）")
        if repair and store is not None:
            with store() as opened:
                finding.done = "；".join(history.repair(opened, policy)) or "已完成"
        found.append(finding)
    return found


def _safe(read: Callable[[], dict | None]) -> dict | None:
    try:
        return read()
    except DamagedRecord:
        return None


def _line(x: dict) -> str:
    import json

    return json.dumps(x, ensure_ascii=False) + "\n"


def _load_files(history: History, rec: LoadRecord, policy: Policy | None, repair: bool) -> list[Finding]:
    """A load's gaps, meeting state and progress figures: each readable, else made again from
    the graph as of that load."""
    broken = []
    for suffix in LOAD_FILES:
        f = history.dir / f"{rec.id}{suffix}"
        if not f.exists():
            broken.append((f, "缺失"))
            continue
        try:
            read_json(f)
        except DamagedRecord:
            broken.append((f, "内容不完整"))
    if not broken:
        return []
    out = [Finding(f, f"{rec.date} 的载入 {rec.id} 的记录文件{problem}", "按当时的图谱重新生成")
           for f, problem in broken]
    if repair:
        try:
            past = history._rebuilt(rec)
        except Exception as e:  # noqa: BLE001 - (no difference kept for it): said, left aside
            for finding in out:
                if finding.path.exists():
                    finding.done = f"无法重建（{e}）；已移到 {_aside(finding.path).name}"
                    finding.path.unlink()
                else:
                    finding.done = f"无法重建（{e}）"
            return out
        day = dt.date.fromisoformat(rec.date)
        gaps = find_gaps(past, as_of=day, policy=policy)
        made = {".json.gz": lambda: [{k: v for k, v in g.as_dict().items() if k in _KEPT} for g in gaps],
                ".state.json.gz": lambda: meeting_state(past, day),
                ".progress.json": lambda: progress_of.figures(past, gaps, day, policy)}
        for finding in out:
            suffix = finding.path.name.removeprefix(rec.id)
            aside = _aside(finding.path).name if finding.path.exists() else None
            _write_json(finding.path, made[suffix]())
            finding.done = "已重新生成" + (f"（原件在 {aside}）" if aside else "")
    return out
