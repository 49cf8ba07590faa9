"""A first load through Neo4j's offline importer (``tupu ingest --initial``, #18) gives the same
graph, the same report and the same provenance as the MERGE path, and only into an empty
database."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.history.snapshot import dump
from graph.neo4j.store import Neo4jStore
from ingest import parse_worker
from ingest.demo import generate
from ingest.import_files import ImportFiles
from ingest.initial import NotEmpty, NotLocal, check_initial_target, initial_load
from ingest.loader import Loader
from neo4j_local.launcher import LocalNeo4j, free_port
from tests.ledger_files import write_csv

TODAY = dt.date(2025, 11, 22)
NOW = dt.datetime(2025, 11, 22, 9, 30)


@pytest.fixture(scope="module")
def own_neo4j(local_neo4j):
    """A Neo4j of this module's own: the initial load stops and restarts it."""
    if local_neo4j is None:
        pytest.skip("an outside Neo4j is in use (TUPU_TEST_NEO4J_URI)")
    inst = LocalNeo4j(local_neo4j.home, instance=local_neo4j.instance + "-import")
    inst.start(port=free_port(), heap="512m")
    yield inst
    inst.remove()


def messy_ledgers(folder):
    """The demo city and a file of what goes wrong in a real one: values with quotes, commas
    and line breaks (a name's is its layout, dropped; a content's stays), a rejected
    organisation whose members are marked, a code written twice in one cell, a duplicate row,
    an unknown reference."""
    generate(folder / "demo", scale=1, fmt="csv", today=TODAY)
    write_csv(folder / "extra-orgs.csv", [
        ["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期"],
        ["X1", '“新时代”,第一党支部\n（试点）', "党支部", "X1B", "2020-01-01"],
        ["X2", "坏类别党支部", "党小队", "", ""],
        ["X1", "重复的行", "党支部", "", ""],
        ["X3", '引号"党支部', "党支部", "", ""],
    ])
    write_csv(folder / "extra-members.csv", [
        ["党员编码", "姓名", "党员类别", "所在党组织编码", "是否流动", "联系电话"],
        ["XM1", "甲", "正式", "X2", "否", "13800138000"],
        ["XM2", "乙", "预备", "X1", "是", ""],
    ])
    write_csv(folder / "extra-activity.csv", [
        ["活动编码", "活动日期", "参与组织编码", "参与人数", "内容"],
        ["XHD1", "2025-05-01", "X1;X3;X1", "12", '清扫楼道,"义诊"\n第二站：小区广场'],
    ])
    return [folder / "demo", folder / "extra-orgs.csv", folder / "extra-members.csv",
            folder / "extra-activity.csv"]


def _report(r):
    return (r.ledgers, r.rejected, r.warnings, r.skipped, r.ignored_columns, r.error)


@pytest.mark.neo4j
def test_a_failed_import_leaves_the_database_empty_and_ready(tmp_path, own_neo4j, monkeypatch):
    generate(tmp_path / "demo", scale=1, fmt="csv", today=TODAY)
    real = LocalNeo4j.import_csv

    def one_file_missing(self, nodes, relationships, *args, **kwargs):  # the real importer fails
        return real(self, [*nodes, ("Unit", tmp_path / "gone.csv")], relationships, *args, **kwargs)

    monkeypatch.setattr(LocalNeo4j, "import_csv", one_file_missing)
    store = Neo4jStore(own_neo4j.status())
    try:
        store.clear()
        report = initial_load([tmp_path / "demo"], store, own_neo4j)
        assert "导入失败，数据库保持为空" in report.error and "gone.csv" in report.error
        assert sum(report.landed.values()) == 0
        assert sum(store.counts().values()) == 0  # up again, empty, and a rerun may import
        check_initial_target(store, own_neo4j)
    finally:
        store.close()


@pytest.mark.neo4j
def test_initial_load_gives_the_merge_paths_graph_and_report(tmp_path, own_neo4j, neo4j_store, monkeypatch):
    monkeypatch.setattr(parse_worker, "MIN_BYTES", 0)  # every table parsed in the worker process
    monkeypatch.setattr(parse_worker, "MIN_ROWS", 0)
    paths = messy_ledgers(tmp_path)
    neo4j_store.clear()
    merged = Loader(neo4j_store, now=NOW).load(paths)
    expected = dump(neo4j_store)

    store = Neo4jStore(own_neo4j.status())
    try:
        store.clear()
        before = store.version()
        phases: list[str] = []
        report = initial_load(paths, store, own_neo4j, now=NOW, batch_size=700, on_phase=phases.append)
        assert report.error is None, report.error
        assert _report(report) == _report(merged)
        assert report.rejected and report.warnings  # the messy rows were reported, not lost
        got = dump(store)
        assert got == expected
        assert got["nodes"][("Organization", "X1")]["name"] == '“新时代”,第一党支部（试点）'
        assert got["nodes"][("Activity", "XHD1")]["content"] == '清扫楼道,"义诊"\n第二站：小区广场'
        assert got["nodes"][("Member", "XM1")]["data_problems"]  # marked after the import
        assert ("Organization", "X2") not in got["nodes"]
        assert any("neo4j-admin" in p for p in phases)
        # schema online, search works, and every process sees a new data version
        assert {"organization_key", "tupu_name_fulltext"} <= {
            r["name"] for r in store.driver.execute_query("SHOW INDEXES YIELD name").records}
        assert [n.key for n in store.search("新时代")] == ["X1"]
        assert store.version() != before

        # a second --initial is refused before anything is read, and the graph stands
        with pytest.raises(NotEmpty, match="不是空的"):
            initial_load(paths, store, own_neo4j, now=NOW)
        assert dump(store) == expected

        # the way to docker-compose's Neo4j: neo4j-admin dump, and load gives the same graph
        own_neo4j.stop()
        file = own_neo4j.dump(tmp_path / "dump")
        own_neo4j.wipe_database()
        own_neo4j.load_dump(file.parent)
        own_neo4j.restart()
        store.reconnect()
        assert dump(store) == expected
    finally:
        store.close()


@pytest.mark.neo4j
def test_initial_load_refuses_what_it_cannot_import_into(tmp_path, neo4j_store, own_neo4j):
    from graph.memory.store import MemoryStore

    with pytest.raises(NotLocal, match="只用于 Neo4j"):
        check_initial_target(MemoryStore(tmp_path / "g.pickle"), own_neo4j)
    with pytest.raises(NotLocal, match="tupu neo4j start"):  # a Neo4j this process did not start
        check_initial_target(neo4j_store, own_neo4j)


def test_import_files_carry_what_csv_cannot_through_cypher(tmp_path):
    sink = ImportFiles(tmp_path)
    sink.upsert_nodes("Organization", [
        {"id": "O1", "name": "甲", "needs": [], "flag": True, "n": 3},
        {"id": "O2", "name": "乙", "needs": ["a\x1fb"], "flag": None, "n": None},
    ])
    text = sink.nodes[0][1].read_text(encoding="utf-8").splitlines()
    assert text == ["id:ID(Organization),name:string,flag:boolean,n:long", '"O1","甲",true,3', '"O2","乙",,']
    assert sink.updates == [("Organization", [{"id": "O1", "needs": []}, {"id": "O2", "needs": ["a\x1fb"]}])]
    with pytest.raises(TypeError, match="n: long and string"):
        sink.upsert_nodes("Organization", [{"id": "O3", "n": 1}, {"id": "O4", "n": "x"}])


def test_the_cli_says_initial_is_for_neo4j(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app

    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    f = write_csv(tmp_path / "org.csv", [["组织编码", "组织名称", "组织类别"], ["O1", "甲", "党委"]])
    r = CliRunner().invoke(app, ["ingest", "--initial", str(f)])
    assert r.exit_code == 2 and "只用于 Neo4j" in r.output
