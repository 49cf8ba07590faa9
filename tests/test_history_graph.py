"""The graph over time (#15): three monthly loads on both stores; the graph as of each date is
the graph that load left (every node, link and value), its answers are the answers computed
then; a value changed keeps its interval; undoing the last load restores the previous graph;
the API and the CLI answer ``as_of`` from it."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.coverage import coverage
from graph.analyses.gaps import find_gaps
from graph.errors import Conflict
from graph.history import History, gap_key
from graph.history.snapshot import dump
from graph.memory.store import MemoryStore
from graph.model import PROVENANCE_ZH
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer, upload_folder
from tests.ledger_files import write_csv

JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)
ORG_HEAD = ["组织编码", "组织名称", "组织类别", "上级组织编码", "届满日期"]
MONTHS = {
    # January: two branches; M2–M4 in B
    JAN: {"orgs": [["W", "甲党委", "党委", "", "2027-01-01"], ["A", "一支部", "党支部", "W", "2027-01-01"],
                   ["B", "二支部", "党支部", "W", "2025-02-15"]],
          "members": {"M1": "A", "M2": "B", "M3": "B", "M4": "B"}},
    # February: B renamed and its term renewed, M2 and M3 moved to A, C founded
    FEB: {"orgs": [["W", "甲党委", "党委", "", "2027-01-01"], ["A", "一支部", "党支部", "W", "2027-01-01"],
                   ["B", "第二支部", "党支部", "W", "2028-02-15"], ["C", "三支部", "党支部", "W", "2028-01-01"]],
          "members": {"M1": "A", "M2": "A", "M3": "A", "M4": "B"}},
    # March: M4 leaves B for C, M5 joins C
    MAR: {"orgs": [["W", "甲党委", "党委", "", "2027-01-01"], ["A", "一支部", "党支部", "W", "2027-01-01"],
                   ["B", "第二支部", "党支部", "W", "2028-02-15"], ["C", "三支部", "党支部", "W", "2028-01-01"]],
          "members": {"M1": "A", "M2": "A", "M3": "A", "M4": "C", "M5": "C"}},
}


def month(folder, day):
    folder.mkdir(parents=True)
    write_csv(folder / "党组织.csv", [ORG_HEAD, *MONTHS[day]["orgs"]])
    write_csv(folder / "党员.csv", [["党员编码", "姓名", "党员类别", "所在党组织编码"],
                                    *[[m, f"党员{m}", "正式", o] for m, o in MONTHS[day]["members"].items()]])
    return folder


def data(state):
    """A graph's state without its provenance (which file and load wrote each value)."""
    return {part: {k: {p: v for p, v in props.items() if p not in PROVENANCE_ZH} for k, props in entries.items()}
            for part, entries in state.items()}


def answers(store, day):
    """What the tests compare: the whole graph, the gaps and the coverage judged as of ``day``."""
    return (dump(store), sorted(gap_key(g) for g in find_gaps(store, as_of=day)),
            [r.model_dump() for r in coverage(store, as_of=day)])


def test_the_graph_as_of_each_load_on_both_stores(store, tmp_path):
    history = History(tmp_path / "home")
    then = {}
    for day in (JAN, FEB, MAR):
        Loader(store).load([month(tmp_path / day.isoformat(), day)])
        history.record(store, date=day, files=["党组织.csv", "党员.csv"], who="测试")
        then[day] = answers(store, day)
    for day in (JAN, FEB, MAR):
        past = history.store_as_of(day)
        assert answers(past, day) == then[day]
        # a date between two loads is the earlier load's graph
        assert dump(history.store_as_of(day + dt.timedelta(days=10))) == then[day][0]
    # the graph as of January is the January ledgers, computed here on their own
    jan = history.store_as_of(JAN)
    assert jan.get("Organization", "B").props["name"] == "二支部" and jan.get("Organization", "C") is None
    assert {r.start.key: r.end.key for r in jan.iter_relationships("MEMBER_OF")} == MONTHS[JAN]["members"]
    assert {r.start.key: r.end.key for r in store.iter_relationships("MEMBER_OF")} == MONTHS[MAR]["members"]
    # values keep their intervals; a link no longer there is closed, not lost
    name = history.timeline("Organization", "B")["name"]
    assert [(v.value, v.since, v.until) for v in name] == [("二支部", "2025-01-31", "2025-02-28"),
                                                           ("第二支部", "2025-02-28", None)]
    assert [(v.value, v.until) for v in history.timeline("Organization", "B")["term_ends"]] == [
        ("2025-02-15", "2025-02-28"), ("2028-02-15", None)]
    # members moved, and the organisation founded, are counted as changes
    kinds = {(e.kind, e.id) for e in history.changes(JAN, FEB).entities}
    assert {("党员转移", "M2"), ("党员转移", "M3"), ("组织新建", "C")} <= kinds
    assert ("党员转移", "M4") in {(e.kind, e.id) for e in history.changes(FEB, MAR).entities}
    assert not any(e.kind == "党员转移" and e.id == "M1" for e in history.changes(JAN, MAR).entities)


def test_undoing_the_last_load_restores_the_graph_before_it(store, tmp_path):
    history = History(tmp_path / "home")
    recs, then = [], {}
    for day in (JAN, FEB, MAR):
        Loader(store).load([month(tmp_path / day.isoformat(), day)])
        recs.append(history.record(store, date=day, files=["党组织.csv"], who="测试"))
        then[day] = answers(store, day)
    with pytest.raises(Conflict, match="之后还有 1 次载入"):
        history.undo(store, recs[1].id, "测试")
    history.undo(store, recs[2].id, "测试")
    assert answers(store, FEB) == then[FEB]
    assert [r.date for r in history.loads()] == ["2025-01-31", "2025-02-28"]
    assert history.undone()[0]["undo"] == recs[2].id
    history.undo(store, recs[1].id, "测试")
    assert answers(store, JAN) == then[JAN]
    # loading again after an undo goes on from the restored graph
    Loader(store).load([tmp_path / FEB.isoformat()])
    history.record(store, date=FEB, files=["党组织.csv"], who="测试")
    again = answers(history.store_as_of(FEB), FEB)
    assert (data(again[0]), *again[1:]) == (data(then[FEB][0]), *then[FEB][1:])  # only the load time differs
    # a write the record does not know of is not thrown away by an undo
    store.upsert_nodes("Organization", [{"id": "X", "name": "手工添加", "kind": "党支部"}])
    with pytest.raises(Conflict, match="又被改动过"):
        history.undo(store, history.loads()[-1].id, "测试")


def test_the_api_answers_as_of_a_past_load_and_undoes(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    store = MemoryStore()
    app, admin = app_with_admin(lambda: store)
    with TestClient(app) as c:
        for day in (JAN, FEB):
            upload_folder(c, month(tmp_path / day.isoformat(), day), day, admin)
        h = bearer(admin)

        def o1(**p):
            r = c.get("/gaps", params={"rule": "O1", **p}, headers=h)
            assert r.status_code == 200, r.text
            return sorted(g["id"] for g in r.json())

        assert o1(as_of="2025-02-10") == ["A"]  # January: A has one member, B three
        assert o1() == ["B", "C"]
        page = c.get("/entities/Organization/B", params={"as_of": "2025-01-31"}, headers=h).json()
        assert page["props"]["name"] == "二支部"
        assert "第二支部" in c.get("/entities/Organization/B", headers=h).text
        view = c.get("/views/tree/W", params={"as_of": "2025-01-31"}, headers=h)
        assert view.status_code == 200 and "三支部" not in view.text and "三支部" in c.get("/views/tree/W", headers=h).text
        assert c.get("/gaps", params={"as_of": "2024-12-31"}, headers=h).status_code == 404
        # an entity's changes: M2 moved from B to A in February; B was renamed
        moved = c.get("/timeline/M2", headers=h).json()
        assert [(x["id"], x["since"], x["until"]) for x in moved["links"]] == [
            ("B", "2025-01-31", "2025-02-28"), ("A", "2025-02-28", None)]
        assert {(v["value"], v["until"]) for v in c.get("/timeline/第二支部", headers=h).json()["values"]
                if v["field"] == "组织名称"} == {("二支部", "2025-02-28"), ("第二支部", None)}
        page = c.get("/entities/Member/M2", headers={**h, "Accept": "text/html"}).text
        assert "历次变化" in page and "2025-01-31 至 2025-02-28" in page
        viewer_b, _ = app.state.tokens.create("viewer", "org", "B", name="二支部")
        assert [x["id"] for x in c.get("/timeline/M4", headers=bearer(viewer_b)).json()["links"]] == []  # M4: no change
        assert c.get("/timeline/M2", headers=bearer(viewer_b)).status_code == 404  # M2 is A's now
        last = c.get("/loads", headers=h).json()[-1]["id"]
        analyst, _ = app.state.tokens.create("analyst", name="分析员")
        assert c.post(f"/loads/{last}/undo", headers=bearer(analyst)).status_code == 403
        r = c.post(f"/loads/{last}/undo", headers=h)
        assert r.status_code == 200, r.text
        assert o1() == ["A"] and store.get("Organization", "C") is None
        assert c.post(f"/loads/{last}/undo", headers=h).status_code == 404
        assert any(e["action"] == "撤销载入" for e in app.state.audit.events(10))


def test_the_cli_answers_as_of_a_past_load_and_undoes(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    run = CliRunner().invoke
    for day in (JAN, FEB):
        r = run(cli, ["ingest", str(month(tmp_path / day.isoformat(), day)), "--date", day.isoformat()])
        assert r.exit_code == 0, r.output

    def o1(*extra):
        r = run(cli, ["gaps", "--rule", "O1", "--format", "json", *extra])
        assert r.exit_code == 0, r.output
        return sorted(g["id"] for g in json.loads(r.output))

    assert o1("--as-of", "2025-02-01") == ["A"] and o1() == ["B", "C"]
    assert "第二支部" not in run(cli, ["trace", "B", "--as-of", "2025-01-31"]).output
    r = run(cli, ["timeline", "第二支部"])
    assert r.exit_code == 0 and "二支部" in r.output and "2025-02-28" in r.output, r.output
    listing = run(cli, ["loads", "list"]).output
    last = History(tmp_path / "home").loads()[-1]
    assert last.id in listing and "变动" in listing and last.changes and f"{last.changes:,}" in listing
    last = last.id
    r = run(cli, ["loads", "undo", last, "--yes"])
    assert r.exit_code == 0 and "已撤销" in r.output, r.output
    assert o1() == ["A"]
    assert "已撤销" in run(cli, ["loads"]).output
    r = run(cli, ["loads", "undo", "nope", "--yes"])
    assert r.exit_code == 1 and "没有编号为 nope" in r.output
    assert "撤销载入" in run(cli, ["audit"]).output


def test_campaigns_and_excel_through_the_api_and_the_cli(tmp_path, monkeypatch):
    """A campaign on O1 from January: A's gap closed, B's and C's appeared since — through the
    API (admin creates, a scoped analyst's is for its own scope) and the CLI, with the
    changes and the campaign as workbooks."""
    import io

    from openpyxl import load_workbook

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))  # the CLI then sees the API's graph
    store = MemoryStore(tmp_path / "g.pickle")
    app, admin = app_with_admin(lambda: store)
    with TestClient(app) as c:
        for day in (JAN, FEB):
            upload_folder(c, month(tmp_path / day.isoformat(), day), day, admin)
        h = bearer(admin)
        r = c.post("/campaigns", json={"name": "支部达标", "start": "2025-01-31", "rules": ["o1"]}, headers=h)
        assert r.status_code == 201, r.text
        assert c.post("/campaigns", json={"name": "坏", "start": "2025-01-31", "rules": ["Z9"]},
                      headers=h).status_code == 422
        scoped, _ = app.state.tokens.create("analyst", "org", "B", name="二支部")
        # a scoped analyst's campaign is for its own scope; the admin's is not its to replace
        r = c.post("/campaigns", json={"name": "二支部", "start": "2025-01-31", "rules": ["O1"]}, headers=bearer(scoped))
        assert r.status_code == 201 and (r.json()["scope_kind"], r.json()["scope"]) == ("org", "B")
        assert c.post("/campaigns", json={"name": "支部达标", "start": "2025-01-31", "rules": ["O1"]},
                      headers=bearer(scoped)).status_code == 409
        assert c.delete("/campaigns/二支部", headers=bearer(scoped)).status_code == 200
        body = c.get("/campaigns/支部达标", headers=h).json()
        assert body["counts"] == {"at_start": 1, "closed": 1, "still_open": 0, "opened_since": 2}
        assert [g["id"] for g in body["closed"]] == ["A"] and sorted(g["id"] for g in body["opened_since"]) == ["B", "C"]
        assert [x["name"] for x in c.get("/campaigns", headers=h).json()] == ["支部达标"]
        assert c.get("/campaigns/没有", headers=h).status_code == 404
        book = load_workbook(io.BytesIO(c.get("/campaigns/支部达标", params={"format": "xlsx"}, headers=h).content))
        assert book.sheetnames == ["各街道", "仍未补齐", "已补齐", "期间新出现"]
        assert [row[3].value for row in book["期间新出现"].iter_rows(min_row=2)] == ["B", "C"]
        changes = load_workbook(io.BytesIO(c.get("/changes", params={"since": "2025-01-31", "format": "xlsx"},
                                                 headers=h).content))
        by_rule = {row[0].value: (row[2].value, row[3].value) for row in changes["按规则"].iter_rows(min_row=2)}
        assert by_rule["O1"] == (2, 1)
        # one organisation's changes: its own gap closed, its members moved in; not its sibling's
        mine = c.get("/changes", params={"since": "2025-01-31", "org": "一支部"}, headers=h).json()
        assert [g["id"] for g in mine["gaps_closed"]] == ["A"] and mine["gaps_opened"] == []
        assert {(e["kind"], e["id"]) for e in mine["entities"]} == {("党员转移", "M2"), ("党员转移", "M3")}
        page = c.get("/views/campaigns/支部达标", headers=h).text
        assert "支部达标" in page and "/assets/echarts.min.js" in page
        assert "两个覆盖" not in c.get("/", headers=h).text and "支部达标" in c.get("/", headers=h).text
    store.save()
    run = CliRunner().invoke
    r = run(cli, ["campaign", "new", "全域攻坚", "--start", "2025-01-31", "--rules", "O1,O3"])
    assert r.exit_code == 0, r.output
    assert "全域攻坚" in run(cli, ["campaign", "list"]).output
    shown = json.loads(run(cli, ["campaign", "show", "全域攻坚", "--format", "json"]).output)
    assert shown["counts"]["closed"] >= 1 and shown["campaign"]["rules"] == ["O1", "O3"]
    r = run(cli, ["changes", "--since", "2025-01-31", "--org", "甲党委", "--format", "json"])
    assert sorted(g["id"] for g in json.loads(r.output)["gaps_opened"]) == ["B", "C"]
    out = tmp_path / "变化.xlsx"
    assert run(cli, ["changes", "--since", "2025-01-31", "--format", "xlsx", "-o", str(out)]).exit_code == 0
    assert "新出现的缺口" in load_workbook(out).sheetnames
    assert run(cli, ["campaign", "show", "没有"]).exit_code == 1
    assert run(cli, ["campaign", "remove", "全域攻坚"]).exit_code == 0
    assert "全域攻坚" not in run(cli, ["campaign", "list"]).output


def test_the_timeline_shows_list_values_as_a_user_reads_them(tmp_path, monkeypatch):
    """A branch's 需求 list changed between two loads: ``tupu timeline`` and its page show each
    list as 医疗；法律, never as Python's ['法律', '医疗']."""
    from viz.entity import entity_html

    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    run = CliRunner().invoke
    for day, needs in ((JAN, ["法律"]), (FEB, ["法律", "医疗"])):
        folder = month(tmp_path / day.isoformat(), day)
        write_csv(folder / "需求资源清单.csv", [["组织编码", "清单类型", "类别", "内容"],
                                               *[["A", "需求", n, f"{n}服务"] for n in needs]])
        r = run(cli, ["ingest", str(folder), "--date", day.isoformat()])
        assert r.exit_code == 0, r.output
    r = run(cli, ["timeline", "一支部"])
    assert r.exit_code == 0, r.output
    assert "医疗；法律" in r.output and "法律：法律服务；医疗：医疗服务" in r.output.replace("\n", ""), r.output
    assert "['" not in r.output
    store = MemoryStore(tmp_path / "g.pickle")
    from graph.history.timeline import entity_timeline
    page = entity_html(store.get("Organization", "A"), [], [], FEB,
                       timeline=entity_timeline(History(tmp_path / "home"), store, "Organization", "A"))
    assert "<td>法律</td>" in page and "医疗；法律" in page and "[&#39;" not in page
    # the load's time to the second (stored to the microsecond: it also marks the load's links)
    assert re.search(r"<td>载入时间</td><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>", page), page
    # March: A's 届满日期 left blank (换届中): the value is gone, and the timeline says since when
    march = tmp_path / "march"
    march.mkdir()
    write_csv(march / "党组织.csv", [ORG_HEAD, ["A", "一支部", "党支部", "W", ""]])
    assert run(cli, ["ingest", str(march), "--date", MAR.isoformat()]).exit_code == 0
    r = run(cli, ["timeline", "一支部", "--format", "json"])
    ends = [(v["value"], v["since"], v["until"]) for v in json.loads(r.output)["values"] if v["field"] == "届满日期"]
    assert ends == [("2027-01-01", "2025-01-31", "2025-03-31"), (None, "2025-03-31", None)], r.output
    assert "（空）" in run(cli, ["timeline", "一支部"]).output
