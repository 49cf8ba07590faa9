"""What changed between loads (#15, first part): each load is recorded with its ledger date and
the gaps after it; ``tupu changes`` / ``GET /changes`` say which gaps were opened and closed
between two loads, per rule and by whom — checked on both stores against the gaps computed
before and after each load."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.gaps import find_gaps
from graph.history import History, NoLoadRecord, gap_key
from graph.memory.store import MemoryStore
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer, upload_folder
from tests.ledger_files import write_csv

JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)
ORGS = [["组织编码", "组织名称", "组织类别", "上级组织编码"], ["W", "甲党委", "党委", ""],
        ["A", "一支部", "党支部", "W"], ["B", "二支部", "党支部", "W"]]


def month(folder, members: dict[str, str]):
    """A month's ledgers: the organisations, and each member's branch."""
    folder.mkdir()
    write_csv(folder / "党组织.csv", ORGS)
    write_csv(folder / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                    *[[m, "张三", "正式", o] for m, o in members.items()]])
    return folder


MONTHS = {  # O1 (a branch under three formal members): A in January, B in February, none in March
    JAN: {"M1": "A", "M2": "B", "M3": "B", "M4": "B"},
    FEB: {"M1": "A", "M2": "A", "M3": "A", "M4": "B"},
    MAR: {"M1": "A", "M2": "A", "M3": "A", "M4": "B", "M5": "B", "M6": "B"},
}


def test_changes_between_monthly_loads_on_both_stores(store, tmp_path):
    history = History(tmp_path / "home")
    seen: dict[dt.date, set] = {}
    for day in (JAN, FEB, MAR):
        Loader(store).load([month(tmp_path / day.isoformat(), MONTHS[day])])
        seen[day] = {gap_key(g) for g in find_gaps(store, as_of=day) if g.rule.startswith("O")}
        history.record(store, date=day, files=["党组织.csv", "党员.csv"], who="测试")
    assert [r.date for r in history.loads()] == [d.isoformat() for d in (JAN, FEB, MAR)]
    for a, b in ((JAN, FEB), (FEB, MAR), (JAN, MAR)):
        ch = history.changes(a, b)
        assert {gap_key(g) for g in ch.opened if g.rule.startswith("O")} == seen[b] - seen[a]
        assert {gap_key(g) for g in ch.closed if g.rule.startswith("O")} == seen[a] - seen[b]
    ch = history.changes(JAN, FEB)
    assert ("O1", "A") in {gap_key(g) for g in ch.closed} and ("O1", "B") in {gap_key(g) for g in ch.opened}
    closed_a = next(g for g in ch.closed if gap_key(g) == ("O1", "A"))
    assert closed_a.responsible is not None and closed_a.responsible.id == "W"  # who closed it
    assert ch.per_rule()["O1"] == {"opened": 1, "closed": 1}
    # a date between two loads means the last load by then; before the first, a clear error
    assert history.as_of(dt.date(2025, 2, 15)).date == JAN.isoformat()
    with pytest.raises(NoLoadRecord, match="最早的是 2025-01-31"):
        history.changes(dt.date(2024, 12, 31))


def test_the_cli_records_loads_and_says_what_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    run = CliRunner().invoke
    for day in (JAN, FEB):
        r = run(cli, ["ingest", str(month(tmp_path / day.isoformat(), MONTHS[day])), "--date", day.isoformat()])
        assert r.exit_code == 0, r.output
    assert "2025-01-31" in run(cli, ["loads"]).output
    r = run(cli, ["changes", "--since", "2025-01-31", "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert {"rule": "O1", "title": "党支部不足三名正式党员", "name": "一支部", "responsible": "甲党委", "id": "A"} \
        in body["gaps_closed"]
    assert [g["id"] for g in body["gaps_opened"] if g["rule"] == "O1"] == ["B"]
    assert body["since"]["date"] == "2025-01-31" and body["until"]["date"] == "2025-02-28"
    table = run(cli, ["changes", "--since", "2025-01-31"]).output
    assert "补齐1个" in "".join(table.split()) and "一支部" in table
    r = run(cli, ["changes", "--since", "2024-01-01"])
    assert r.exit_code == 1 and "没有载入记录" in r.output
    assert run(cli, ["ingest", "--date", "2025-13-01", str(tmp_path / JAN.isoformat())]).exit_code == 2
    # a batch dated before the loads already made is said to sort before them
    r = run(cli, ["ingest", "--date", "2024-12-31", str(tmp_path / JAN.isoformat())])
    assert r.exit_code == 0 and "早于已有载入的台账日期2025-02-28" in "".join(r.output.split())


def test_the_api_records_uploads_and_answers_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    app, admin = app_with_admin(lambda: store)
    with TestClient(app) as c:
        for day in (JAN, FEB):
            upload_folder(c, month(tmp_path / day.isoformat(), MONTHS[day]), day, admin)
        loads = c.get("/loads", headers=bearer(admin)).json()
        assert [x["date"] for x in loads] == ["2025-01-31", "2025-02-28"] and loads[0]["who"]
        body = c.get("/changes", params={"since": "2025-01-31"}, headers=bearer(admin)).json()
        assert [g["id"] for g in body["gaps_closed"] if g["rule"] == "O1"] == ["A"]
        assert c.get("/changes", params={"since": "2024-01-01"}, headers=bearer(admin)).status_code == 404
        branch_b, _ = app.state.tokens.create("viewer", "org", "B", name="二支部书记")  # sees B only
        mine = c.get("/changes", params={"since": "2025-01-31"}, headers=bearer(branch_b)).json()
        assert [g["id"] for g in mine["gaps_opened"]] == ["B"] and mine["gaps_closed"] == []
        assert c.get("/changes", params={"since": "2025-01-31"}).status_code == 401
        home = c.get("/", headers=bearer(admin)).text  # the home page says it too
        assert "自上次载入（2025-01-31 的台账）以来" in home and "/changes?since=2025-01-31" in home


def test_organisations_pairings_and_coverage_that_changed(store, tmp_path):
    """Between two loads: an organisation established, a pairing made and one lapsed, a unit
    newly covered — read from the records, as the loads left the graph."""
    history = History(tmp_path / "home")
    first = tmp_path / "1"
    first.mkdir()
    write_csv(first / "党组织.csv", ORGS)
    write_csv(first / "单位.csv", [["单位编码", "单位名称", "单位类别"], ["U1", "甲公司", "非公企业"]])
    write_csv(first / "结对共建.csv", [["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"],
                                       ["A", "B", "结对共建", "2024-01-01", "2025-02-15"]])
    Loader(store).load([first])
    history.record(store, date=JAN, files=[], who="测试")
    second = tmp_path / "2"
    second.mkdir()
    write_csv(second / "党组织.csv", [ORGS[0] + ["所在单位编码"], *[r + [""] for r in ORGS[1:]],
                                       ["C", "甲公司党支部", "党支部", "W", "U1"]])
    write_csv(second / "结对共建.csv", [["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"],
                                        ["A", "B", "结对共建", "2024-01-01", "2025-02-15"],
                                        ["C", "A", "联建", "2025-02-01", ""]])
    Loader(store).load([second])
    history.record(store, date=FEB, files=[], who="测试")
    got = {(e.kind, e.id) for e in history.changes(JAN, FEB).entities}
    assert got == {("组织新建", "C"), ("单位新覆盖", "U1"), ("结对新建", "C→A"), ("结对到期或解除", "A→B")}
    assert history.changes(JAN, FEB).entity_counts()["组织新建"] == 1
    # the lapsed pairing taken up again (its 结束日期 now 长期): renewed, not made
    third = tmp_path / "3"
    third.mkdir()
    write_csv(third / "结对共建.csv", [["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"],
                                       ["A", "B", "结对共建", "2024-01-01", "长期"],
                                       ["C", "A", "联建", "2025-02-01", ""]])
    Loader(store).load([third])
    history.record(store, date=MAR, files=[], who="测试")
    assert {(e.kind, e.id) for e in history.changes(FEB, MAR).entities} == {("结对续签", "A→B")}
