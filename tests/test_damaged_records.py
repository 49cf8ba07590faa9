"""One damaged file under TUPU_HOME (#36 item 15): a half line in loads.jsonl, a truncated gzip
of a load, campaigns.json or a meeting cut short, history.sqlite overwritten. The home page still
answers, for an admin and for a street viewer, with what it can and a notice naming the file;
``tupu doctor`` lists it and ``--repair`` puts it aside and rebuilds what can be rebuilt (a
load's gaps come back the same); ``tupu ingest`` refuses to write when the record could not be
kept, pointing to ``tupu doctor``, and leaves the graph as it was."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from graph.history import History
from graph.history.campaigns import Campaign, CampaignBook
from graph.history.snapshot import dump
from graph.memory.store import MemoryStore
from graph.neo4j.store import Neo4jStore
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer
from viz.meetings import MeetingBook

HEADER = "组织编码,组织名称,组织类别,上级组织编码,所属领域,区划代码\n"
REGIONS = "区划代码,名称,层级,上级区划代码\n519900000000,示范市,市,\n519901001000,幸福街道,街道乡镇,519900000000\n"
MONTHS = [
    ["W,幸福街道党工委,党工委,,社区,519901001000", "A,甲社区党委,党委,W,社区,519901001000",
     "B,二支部,党支部,A,社区,519901001000"],
    ["W,幸福街道党工委,党工委,,社区,519901001000", "A,甲社区党委,党委,W,社区,519901001000",
     "B,第二支部,党支部,A,社区,519901001000", "C,丙支部,党支部,A,社区,519901001000"],
    ["W,幸福街道党工委,党工委,,社区,519901001000", "A,甲社区党委,党委,W,社区,519901001000",
     "B,第二支部,党支部,W,社区,519901001000", "C,丙村支部,党支部,A,社区,519901001000",
     "D,丁支部,党支部,C,社区,519901001000"],
]
DAYS = [dt.date(2025, 9, 30), dt.date(2025, 10, 31), dt.date(2025, 11, 30)]


def _folder(tmp_path: Path, k: int) -> Path:
    folder = tmp_path / f"m{k}"
    folder.mkdir(exist_ok=True)
    (folder / "行政区划.csv").write_text(REGIONS, encoding="utf-8-sig")
    (folder / "党组织.csv").write_text(HEADER + "\n".join(MONTHS[k]) + "\n", encoding="utf-8-sig")
    return folder


@pytest.fixture
def home() -> Path:
    return Path(os.environ["TUPU_HOME"])


def _city(store, home: Path, tmp_path: Path) -> History:
    history = History(home)
    for k, day in enumerate(DAYS):
        Loader(store).load([_folder(tmp_path, k)])
        history.record(store, date=day, files=[f"m{k}"], who="测试")
    CampaignBook(home).add(Campaign("两个覆盖攻坚", DAYS[0].isoformat(), ["O1"], created_by="测试"))
    MeetingBook(home).new("月度例会")
    return history


def _damage(home: Path, history: History, what: str) -> str:
    """Damage one file as a crash or a full disk leaves it; the name of the file."""
    last = history.recorded()[-1]
    hist = home / "history"
    if what == "loads.jsonl":
        f = hist / "loads.jsonl"
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        f.write_text(lines[0] + lines[1][: len(lines[1]) // 2] + "\n" + "".join(lines[2:]), encoding="utf-8")
    elif what in ("gaps", "progress"):
        f = hist / (f"{last.id}.json.gz" if what == "gaps" else f"{last.id}.progress.json")
        f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])
    elif what == "campaigns.json":
        f = home / "campaigns.json"
        f.write_bytes(f.read_bytes()[:20])
    elif what == "meeting":
        f = home / "meetings" / "月度例会.json"
        f.write_bytes(f.read_bytes()[:15])
    else:  # the history's database overwritten
        f = hist / "history.sqlite"
        for extra in ("-wal", "-shm"):
            f.with_name(f.name + extra).unlink(missing_ok=True)
        f.write_bytes(b"\x00garbage" * 512)
    return f.name


KINDS = ["loads.jsonl", "gaps", "progress", "campaigns.json", "meeting", "history.sqlite"]


@pytest.mark.parametrize("what", KINDS)
def test_a_damaged_record_never_takes_the_home_page_down(store, home, tmp_path, what):
    history = _city(store, home, tmp_path)
    name = _damage(home, history, what)
    # (the app closes its store at the end: on Neo4j, its own driver, not the session's)
    app, admin = app_with_admin((lambda: store) if isinstance(store, MemoryStore) else (lambda: Neo4jStore(store.uri)))
    street, _ = app.state.tokens.create("viewer", name="街道", scope_kind="region", scope="519901001000")
    with TestClient(app) as c:
        for token in (admin, street):
            page = c.get("/", headers=bearer(token))
            assert page.status_code == 200, page.text[:300]
            assert "有记录文件已损坏" in page.text and name in page.text and "tupu doctor" in page.text
            assert "总量" in page.text  # the rest of the page is there
        # an entity's page without its 历次变化 (the history's database damaged), and why
        page = c.get("/entities/Organization/B", headers={**bearer(admin), "Accept": "text/html"})
        assert page.status_code == 200 and (what != "history.sqlite" or name in page.text)
        # the pages about the damaged record say which file, not a bare 500
        answer = c.get("/changes", params={"since": DAYS[0].isoformat()}, headers=bearer(admin))
        assert answer.status_code in (200, 503) and (answer.status_code == 200 or name in answer.text)


def _cli_on(store, monkeypatch) -> None:
    """Point the CLI at the test's store (the embedded one saved to its file first)."""
    if isinstance(store, MemoryStore):
        store.save()
        monkeypatch.setenv("TUPU_DATA", str(store.path))
    else:
        monkeypatch.setenv("TUPU_BACKEND", "neo4j")
        monkeypatch.setenv("TUPU_NEO4J_URI", store.uri)


@pytest.mark.parametrize("what", KINDS)
def test_doctor_lists_a_damaged_file_and_repairs_what_it_can(store, home, tmp_path, monkeypatch, what):
    history = _city(store, home, tmp_path)
    last = history.recorded()[-1]
    gaps_before = [g.as_dict() for g in history.gaps_of(last)]
    _cli_on(store, monkeypatch)
    name = _damage(home, history, what)
    run = CliRunner().invoke
    found = run(cli, ["doctor"])
    assert found.exit_code == 1 and name in found.output, found.output
    fixed = run(cli, ["doctor", "--repair"])
    assert fixed.exit_code == 0, fixed.output
    assert list(home.rglob(f"{name}.damaged-*")), "the damaged file is kept aside"
    again = run(cli, ["doctor"])
    assert again.exit_code == 0 and "未发现损坏的文件" in again.output, again.output
    history = History(home)
    assert [r.id for r in history.recorded()][-1] == last.id
    if what in ("loads.jsonl", "gaps", "progress"):  # rebuilt: the record is whole again
        assert [r.date for r in history.recorded()] == [d.isoformat() for d in DAYS]
        assert [g.as_dict() for g in history.gaps_of(last)] == gaps_before
        assert history.progress()[-1][0].id == last.id
        assert history.store_as_of(DAYS[0]).get("Organization", "B").name == "二支部"


def test_ingest_refuses_to_write_when_its_record_could_not_be_kept(store, home, tmp_path, monkeypatch):
    history = _city(store, home, tmp_path)
    _cli_on(store, monkeypatch)
    _damage(home, history, "loads.jsonl")
    before = dump(store)
    folder = _folder(tmp_path, 2)
    (folder / "党组织.csv").write_text(HEADER + "E,戊支部,党支部,A,社区,519901001000\n", encoding="utf-8-sig")
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--date", "2025-12-31"])
    assert r.exit_code == 1 and "loads.jsonl" in r.output and "tupu doctor" in r.output and "本次未载入" in r.output
    reopened = MemoryStore(store.path) if isinstance(store, MemoryStore) else store
    assert dump(reopened) == before and reopened.get("Organization", "E") is None
    assert CliRunner().invoke(cli, ["doctor", "--repair"]).exit_code == 0
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--date", "2025-12-31"])
    assert r.exit_code == 0, r.output
    assert History(home).recorded()[-1].date == "2025-12-31"

