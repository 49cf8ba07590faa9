"""A full disk at each write of a load and of an undo (#36 item 16), on both stores: the write
fails with ENOSPC (its writer monkeypatched), and the message, the record and the audit line
agree with what the graph holds — never a record or an audit line of a load the store took
back, never "已撤销" for a load still in the graph. What was left half done is finished once
there is room again (``tupu doctor --repair``, or the same undo again)."""
from __future__ import annotations

import errno
import os
import pickle
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from graph.access import AuditLog
from graph.history import History, records
from graph.history.head import Head
from graph.history.snapshot import dump
from graph.memory.store import MemoryStore
from tests.test_damaged_records import DAYS, _folder


def full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class _StoreFile:
    """``pickle`` as the embedded store's module sees it, its file's write failing."""

    dump = staticmethod(full)

    def __getattr__(self, name: str):
        return getattr(pickle, name)


def full_db(*_args, **_kwargs):
    raise sqlite3.OperationalError("database or disk is full")


@pytest.fixture
def city(store, tmp_path, monkeypatch):
    """Two months loaded through the CLI; (home, open the graph as the CLI left it)."""
    home = Path(os.environ["TUPU_HOME"])
    if isinstance(store, MemoryStore):
        monkeypatch.setenv("TUPU_DATA", str(tmp_path / "graph.pickle"))
        opened = lambda: MemoryStore(tmp_path / "graph.pickle")  # noqa: E731
    else:
        monkeypatch.setenv("TUPU_BACKEND", "neo4j")
        monkeypatch.setenv("TUPU_NEO4J_URI", store.uri)
        opened = lambda: store  # noqa: E731
    for k in range(2):
        r = CliRunner().invoke(cli, ["ingest", str(_folder(tmp_path, k)), "--date", DAYS[k].isoformat()])
        assert r.exit_code == 0, r.output
    return home, opened


def _has_d(opened) -> bool:
    return opened().get("Organization", "D") is not None


def _audit(home: Path) -> list[dict]:
    return AuditLog.at(home).events()  # newest first


def _recorded_agrees(home: Path, opened) -> None:
    """The record's graph is the graph (each change belongs to a load in force)."""
    head = Head(home / "history")
    assert head.state() == dump(opened())
    assert head.kept() == {r.id for r in History(home).recorded()}


def _ingest(tmp_path: Path):
    return CliRunner().invoke(cli, ["ingest", str(_folder(tmp_path, 2)), "--date", DAYS[2].isoformat()])


@pytest.mark.parametrize("where", ["intent", "graph", "record files", "record commit", "record line", "audit"])
def test_a_full_disk_during_a_load(store, city, tmp_path, monkeypatch, where):
    home, opened = city
    if where == "graph" and not isinstance(store, MemoryStore):
        pytest.skip("the embedded store's file: Neo4j's own disk is its own")
    audited = len(_audit(home))
    with monkeypatch.context() as m:
        if where == "intent":
            m.setattr(records, "FAULT_HOOK", lambda step: full() if step == "load:intent" else None)
        elif where == "graph":
            m.setattr("graph.memory.store.pickle", _StoreFile())
        elif where == "record files":
            m.setattr(records, "_write_json", full)
        elif where == "record commit":  # (a small graph's load is read whole: the head's sync)
            m.setattr(Head, "apply", full_db)
            m.setattr(Head, "sync", full_db)
        elif where == "record line":
            m.setattr(History, "_append", full)
        else:
            m.setattr(AuditLog, "record", full)
        r = _ingest(tmp_path)
    loads, events = History(home).recorded(), _audit(home)
    if where in ("intent", "graph"):  # nothing landed: no record, no line saying it did
        assert r.exit_code == 1 and not _has_d(opened) and len(loads) == 2
        assert "已载入图谱" not in r.output and ("未写入图谱" in r.output or "本次写入已撤销" in r.output)
        assert len(events) == audited if where == "intent" else events[0]["action"] == "载入台账（未写入）", (events[:2], r.output)
        assert not list((home / "history" / "loading").glob("*.json"))
        _recorded_agrees(home, opened)
    elif where in ("record files", "record commit"):  # landed, not recorded: said, and kept to finish
        assert r.exit_code == 1 and _has_d(opened) and len(loads) == 2
        assert "已载入图谱，但载入记录未能写入" in r.output and "tupu doctor --repair" in r.output
        assert events[0]["action"] == "载入台账" and "载入记录未写入" in events[0]["detail"]
        assert list((home / "history" / "loading").glob("*.json"))
        fixed = CliRunner().invoke(cli, ["doctor", "--repair"])  # room again
        assert fixed.exit_code == 0 and "补记中断的载入" in fixed.output, fixed.output
        last = History(home).recorded()[-1]
        assert last.interrupted and last.date == DAYS[2].isoformat() and len(History(home).recorded()) == 3
        assert "中断后补记" in _audit(home)[0]["detail"]
        _recorded_agrees(home, opened)
    elif where == "record line":  # committed: recorded, the file's line finished later
        assert r.exit_code == 0 and _has_d(opened) and len(loads) == 3 and not loads[-1].interrupted
        assert events[0]["action"] == "载入台账" and "未写入" not in events[0]["detail"]
        _recorded_agrees(home, opened)
        assert CliRunner().invoke(cli, ["doctor", "--repair"]).exit_code == 0
        assert loads[-1].id in (home / "history" / "loads.jsonl").read_text(encoding="utf-8")
    else:  # recorded; its audit line could not be written, and it says so
        assert r.exit_code == 1 and _has_d(opened) and len(loads) == 3
        assert "审计日志未能写入" in r.output and len(events) == audited
        _recorded_agrees(home, opened)


@pytest.mark.parametrize("where", ["intent", "graph", "commit", "line", "audit"])
def test_a_full_disk_during_an_undo(store, city, tmp_path, monkeypatch, where):
    home, opened = city
    if where == "graph" and not isinstance(store, MemoryStore):
        pytest.skip("the embedded store's file: Neo4j's own disk is its own")
    assert _ingest(tmp_path).exit_code == 0
    last = History(home).recorded()[-1]
    undo = ["loads", "undo", last.id, "--yes"]
    with monkeypatch.context() as m:
        if where == "intent":
            m.setattr(Head, "begin_undo", full_db)
        elif where == "graph":
            m.setattr("graph.memory.store.pickle", _StoreFile())
        elif where == "commit":
            m.setattr(Head, "apply", full_db)
        elif where == "line":
            m.setattr(History, "_append", full)
        else:
            m.setattr(AuditLog, "record", full)
        r = CliRunner().invoke(cli, undo)
    in_force = [x.id for x in History(home).recorded()]
    undo_lines = [e for e in _audit(home) if e["action"] == "撤销载入"]
    if where in ("intent", "graph", "commit"):  # not undone: the record says so, and so does the message
        assert r.exit_code == 1 and "撤销未完成" in r.output and f"已撤销 {last.id}" not in r.output
        assert last.id in in_force and not undo_lines
        if where != "commit":  # the graph was not written back
            assert _has_d(opened)
            _recorded_agrees(home, opened)
        again = CliRunner().invoke(cli, undo)  # room again: the same undo finishes it
        assert again.exit_code == 0 and f"已撤销 {last.id}" in again.output, again.output
        assert len([e for e in _audit(home) if e["action"] == "撤销载入"]) == 1
    else:  # undone
        assert f"已撤销 {last.id}" in r.output and last.id not in in_force and not _has_d(opened)
        if where == "line":
            assert r.exit_code == 0 and len(undo_lines) == 1
        else:
            assert r.exit_code == 1 and "审计日志未能写入" in r.output and not undo_lines
    assert last.id not in [x.id for x in History(home).recorded()] and not _has_d(opened)
    _recorded_agrees(home, opened)
