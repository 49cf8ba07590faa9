"""kill -9 at every step of a load, its record and an undo (#36 item 14), on both stores: a
process runs ``tupu ingest`` (``run_ingest``) or an undo and dies (``os._exit(137)``) at step N,
for every N; the history is then opened again (``History.repair``, as any load, undo, ``tupu
doctor --repair`` or the server's start does) and must be consistent:

- the graph and the record agree: the load is recorded and its changes are its own (the head is
  the graph), or it is not and the graph is as before it — a load that wrote its graph before
  it died is recorded as found (``interrupted``), never left as changes of no load;
- an undo noted before it died is finished;
- every past date answers with the graph of its load, and the last load can be undone."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.history import History
from graph.history.head import Head
from graph.history.records import LOAD_STEPS, RECORD_STEPS, UNDO_STEPS
from graph.history.snapshot import dump
from graph.model import PROVENANCE_ZH
from graph.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
HEADER = "组织编码,组织名称,组织类别,上级组织编码,所属领域\n"
MONTHS = [
    ["W,示范街道党工委,党工委,,社区", "A,甲社区党委,党委,W,社区", "B,二支部,党支部,A,社区"],
    ["W,示范街道党工委,党工委,,社区", "A,甲社区党委,党委,W,社区", "B,第二支部,党支部,A,社区",
     "C,丙支部,党支部,A,社区"],
    ["W,示范街道党工委,党工委,,社区", "A,甲社区党委,党委,W,社区", "B,第二支部,党支部,W,社区",
     "C,丙村支部,党支部,A,社区", "D,丁支部,党支部,C,社区"],
]
DAYS = [dt.date(2025, 9, 30), dt.date(2025, 10, 31), dt.date(2025, 11, 30)]
SCRIPT = """
import datetime as dt, os, sys
from graph.history import records
op, step, arg = sys.argv[1], sys.argv[2], sys.argv[3]
records.FAULT_HOOK = lambda at: os._exit(137) if at == step else None
if op == "ingest":
    from pathlib import Path
    from api.cli import run_ingest
    run_ingest([Path(arg)], date=dt.date.fromisoformat(sys.argv[4]))
else:
    from graph.config import Settings
    from graph.factory import open_store
    from graph.history import History
    settings = Settings.from_env()
    with open_store(settings) as store:
        History(settings.home).undo(store, arg, "测试")
print("NOT KILLED")
"""


def data(store) -> dict:
    return {part: {k: {p: v for p, v in props.items() if p not in PROVENANCE_ZH} for k, props in entries.items()}
            for part, entries in dump(store).items()}


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request, tmp_path):
    """The environment of a subprocess on each store, and how to open the store here."""
    home = tmp_path / "home"
    env = {**os.environ, "TUPU_HOME": str(home)}
    if request.param == "memory":
        from graph.memory.store import MemoryStore

        env["TUPU_DATA"] = str(home / "graph.pickle")
        return env, lambda: MemoryStore(home / "graph.pickle")
    neo = request.getfixturevalue("neo4j_store")
    neo.clear()
    env.update(TUPU_BACKEND="neo4j", TUPU_NEO4J_URI=request.getfixturevalue("neo4j_uri"))
    return env, lambda: neo


def _close(store) -> None:
    if store.backend == "memory":  # (the Neo4j store is the session's)
        store.close()


def _ledgers(tmp_path: Path) -> list[Path]:
    out = []
    for k, rows in enumerate(MONTHS):
        f = tmp_path / f"m{k}" / "党组织.csv"
        f.parent.mkdir()
        f.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8-sig")
        out.append(f.parent)
    return out


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _consistent(home: Path, store, graphs: dict[str, dict]) -> list:
    """The history after a reopen agrees with the graph; every past date answers. Returns the loads."""
    history = History(home)
    history.repair(store, load_policy(None))
    loads = history.recorded()
    head = Head(home / "history")
    assert head.undoing() is None and not list((home / "history" / "loading").glob("*.json"))
    assert head.kept() == {r.id for r in loads}  # every change belongs to a load in force, and back
    assert head.state() == dump(store)  # the record's graph is the graph
    lines = [json.loads(x) for x in (home / "history" / "loads.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x.get("id") or x["undo"] for x in lines] == [x.get("id") or x["undo"] for _, x in head.lines()]
    for r in loads[:-1]:
        assert data(history.store_as_of(dt.date.fromisoformat(r.date))) == graphs[r.date]
    return loads


def _load(env: dict, folder: Path, day: dt.date, step: str = "-") -> subprocess.CompletedProcess:
    return _run(env, "ingest", step, str(folder), day.isoformat())


@pytest.mark.parametrize("step", LOAD_STEPS + RECORD_STEPS)
def test_a_load_killed_at_each_step_is_recorded_as_found_or_not_at_all(backend, tmp_path, step):
    env, opened = backend
    home = Path(env["TUPU_HOME"])
    folders, graphs = _ledgers(tmp_path), {}
    for folder, day in zip(folders[:2], DAYS[:2], strict=True):
        assert "NOT KILLED" in _load(env, folder, day).stdout
        store = opened()
        graphs[day.isoformat()] = data(store)
        _close(store)
    done = _load(env, folders[2], DAYS[2], step)
    assert done.returncode == 137, done.stdout + done.stderr
    store = opened()
    try:
        loads = _consistent(home, store, graphs)
        if step == "load:intent":  # died before it wrote: as it was
            assert [r.date for r in loads] == [d.isoformat() for d in DAYS[:2]]
            assert data(store) == graphs[DAYS[1].isoformat()]
        else:  # it wrote: recorded, as found if it died before its record committed
            assert [r.date for r in loads] == [d.isoformat() for d in DAYS]
            before_commit = step in LOAD_STEPS or RECORD_STEPS.index(step) < RECORD_STEPS.index("record:head")
            assert loads[-1].interrupted is before_commit and loads[-1].changes
            assert data(store)["nodes"][("Organization", "D")]["name"] == "丁支部"
            assert data(History(home).store_as_of(DAYS[1])) == graphs[DAYS[1].isoformat()]
            History(home).undo(store, loads[-1].id, "测试")  # undo works, back to the month before
            assert data(store) == graphs[DAYS[1].isoformat()]
            _consistent(home, store, graphs)
    finally:
        _close(store)


@pytest.mark.parametrize("step", UNDO_STEPS)
def test_an_undo_killed_at_each_step_is_finished_on_reopening(backend, tmp_path, step):
    env, opened = backend
    home = Path(env["TUPU_HOME"])
    folders, graphs = _ledgers(tmp_path), {}
    for folder, day in zip(folders, DAYS, strict=True):
        assert "NOT KILLED" in _load(env, folder, day).stdout
        store = opened()
        graphs[day.isoformat()] = data(store)
        _close(store)
    last = History(home).recorded()[-1]
    done = _run(env, "undo", step, last.id)
    assert done.returncode == 137, done.stdout + done.stderr
    store = opened()
    try:
        loads = _consistent(home, store, graphs)
        assert [r.date for r in loads] == [d.isoformat() for d in DAYS[:2]]  # the undo was finished
        assert data(store) == graphs[DAYS[1].isoformat()]
        assert [u["undo"] for u in History(home).undone()] == [last.id]
        History(home).undo(store, loads[-1].id, "测试")  # and the next undo works
        assert data(store) == graphs[DAYS[0].isoformat()]
        _consistent(home, store, graphs)
    finally:
        _close(store)
