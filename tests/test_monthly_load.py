"""The monthly load writes only what changed (``ingest.unchanged``, #18), and the graph it leaves
is the one a load of the same ledgers into an empty store gives."""
from __future__ import annotations

import datetime as dt

from graph.history.snapshot import dump
from graph.memory.store import MemoryStore
from graph.model import PROVENANCE_ZH, ROW_DIGEST
from graph.privacy import mask_props
from graph.store import StoreUnavailable
from ingest.demo_months import generate_months
from ingest.loader import Loader
from tests.ledger_files import write_csv

TODAY = dt.date(2025, 11, 22)
OCTOBER, NOVEMBER = dt.datetime(2025, 10, 22, 9), dt.datetime(2025, 11, 22, 9)


def content(store):
    """The graph without provenance (where and when each value was read)."""
    state = dump(store)
    strip = lambda props: {p: v for p, v in props.items() if p not in PROVENANCE_ZH}  # noqa: E731
    return ({k: strip(v) for k, v in state["nodes"].items()}, {k: strip(v) for k, v in state["rels"].items()})


def test_a_monthly_load_writes_only_what_changed(tmp_path, store):
    (_, october), (_, november) = generate_months(tmp_path, 2, fmt="csv", today=TODAY)
    first = Loader(store, now=OCTOBER).load([october])
    assert first.error is None and sum(c.unchanged for c in first.ledgers.values()) == 0
    report = Loader(store, now=NOVEMBER).load([november])
    assert report.error is None and report.rejected == []
    members = report.ledgers["党员"]
    # most members are as they were; those that changed (moved to a new branch) were written
    assert 0 < members.read - members.unchanged < members.read / 10
    assert members.landed == members.read
    # the graph is the one November's ledgers give in an empty store
    fresh = MemoryStore()
    fresh_report = Loader(fresh, now=NOVEMBER).load([november])
    assert content(store) == content(fresh)
    assert [(c.read, c.landed, c.rejected, c.warnings) for c in report.ledgers.values()] == \
        [(c.read, c.landed, c.rejected, c.warnings) for c in fresh_report.ledgers.values()]
    # an unchanged node keeps the provenance of the load that wrote its values; a changed one has
    # November's; the digest is bookkeeping, never shown
    stamps = {n.props["loaded_at"][:10] for n in store.iter_nodes("Member")}
    assert stamps == {"2025-10-22", "2025-11-22"}
    member = next(store.iter_nodes("Member"))
    assert member.props[ROW_DIGEST] and ROW_DIGEST not in mask_props(member.props)
    # loaded once more, nothing is written but the rows whose links cannot be made (the three
    # members of unknown organisations: written, and warned about, every time)
    again = Loader(store, now=dt.datetime(2025, 11, 23)).load([november])
    written = {name: c.landed - c.unchanged for name, c in again.ledgers.items() if c.landed != c.unchanged}
    links = {"结对共建", "职务"}  # ledgers of links: no node of their own
    assert written == {"党员": 3, **{name: again.ledgers[name].landed for name in links}}
    assert again.ledgers["需求资源清单"].unchanged == again.ledgers["需求资源清单"].landed > 0  # lists as they were
    assert len(again.warnings) == 3 and content(store) == content(fresh)


MEMBERS = ["党员编码", "姓名", "党员类别", "所在党组织编码"]
ORGS = ["组织编码", "组织名称", "组织类别"]


def test_an_unchanged_row_makes_the_link_its_other_end_now_allows(tmp_path, store):
    members = write_csv(tmp_path / "m.csv", [MEMBERS, ["M1", "张三", "正式", "O9"]])
    report = Loader(store, now=OCTOBER).load([members])
    assert [w.value for w in report.warnings] == ["O9"]
    orgs = write_csv(tmp_path / "o.csv", [ORGS, ["O9", "新成立党支部", "党支部"]])
    Loader(store, now=NOVEMBER).load([orgs])
    # the member's row has not changed, but its organisation exists now
    report = Loader(store, now=dt.datetime(2025, 12, 22)).load([members])
    assert report.warnings == [] and report.ledgers["党员"].unchanged == 0
    assert [o.key for _, o in store.neighbours("Member", "M1", ["MEMBER_OF"], "out")] == ["O9"]
    assert Loader(store).load([members]).ledgers["党员"].unchanged == 1


def test_an_unchanged_row_loses_a_data_problem_fixed_elsewhere(tmp_path, store):
    members = write_csv(tmp_path / "m.csv", [MEMBERS, ["M1", "张三", "正式", "O1"]])
    bad = write_csv(tmp_path / "o.csv", [ORGS, ["O1", "甲党支部", ""]])  # 组织类别 missing: rejected
    Loader(store, now=OCTOBER).load([bad, members])
    assert store.get("Member", "M1").props["data_problems"]
    good = write_csv(tmp_path / "o.csv", [ORGS, ["O1", "甲党支部", "党支部"]])
    Loader(store, now=NOVEMBER).load([good, members])
    assert not store.get("Member", "M1").props.get("data_problems")
    assert [o.key for _, o in store.neighbours("Member", "M1", ["MEMBER_OF"], "out")] == ["O1"]


def test_a_load_that_stopped_is_completed_by_running_it_again(tmp_path, store, monkeypatch):
    orgs = write_csv(tmp_path / "o.csv", [ORGS, ["O1", "甲党支部", "党支部"]])
    members = write_csv(tmp_path / "m.csv", [MEMBERS, ["M1", "张三", "正式", "O1"], ["M2", "李四", "正式", "O1"]])
    real = type(store).upsert_relationships

    def gone(*args, **kwargs):
        raise StoreUnavailable("图数据库连接中断")

    monkeypatch.setattr(store, "upsert_relationships", gone)
    report = Loader(store, now=OCTOBER).load([orgs, members])
    assert report.error is not None and store.counts()["Member"] == 2  # nodes in, links not
    assert store.unfinished_loads() == {Loader(store, now=OCTOBER).loaded_at}
    monkeypatch.setattr(store, "upsert_relationships", real.__get__(store))
    report = Loader(store, now=NOVEMBER).load([orgs, members])
    # the rows are the same, but the load that wrote their nodes did not finish: written again
    assert report.error is None and report.ledgers["党员"].unchanged == 0
    assert store.rel_counts()["MEMBER_OF"] == 2
    assert Loader(store).load([orgs, members]).ledgers["党员"].unchanged == 2


def test_a_load_that_changes_nothing_leaves_the_embedded_file_alone(tmp_path):
    path = tmp_path / "graph.pickle"
    orgs = write_csv(tmp_path / "o.csv", [ORGS, ["O1", "甲党支部", "党支部"]])
    members = write_csv(tmp_path / "m.csv", [MEMBERS, ["M1", "张三", "正式", "O1"]])
    store = MemoryStore(path)
    Loader(store, now=OCTOBER).load([orgs, members])
    saved = path.stat().st_mtime_ns
    report = Loader(store, now=NOVEMBER).load([members])
    assert report.ledgers["党员"].unchanged == 1 and path.stat().st_mtime_ns == saved
    assert store.unfinished_loads() == set() and MemoryStore(path).unfinished_loads() == set()


def test_lists_are_written_again_only_where_they_changed(tmp_path, store):
    orgs = write_csv(tmp_path / "党组织.csv", [ORGS, ["A", "甲支部", "党支部"], ["B", "乙支部", "党支部"]])
    head = ["组织编码", "清单类型", "类别", "内容"]
    lists = [["A", "需求", "助老", "助老志愿者"], ["B", "资源", "法律", "法律咨询"]]
    Loader(store, now=OCTOBER).load([orgs, write_csv(tmp_path / "需求资源清单.csv", [head, *lists])])
    report = Loader(store, now=NOVEMBER).load([write_csv(tmp_path / "需求资源清单.csv",
                                                         [head, lists[0], ["B", "资源", "法律", "法律援助"]])])
    counts = report.ledgers["需求资源清单"]
    assert (counts.landed, counts.unchanged) == (2, 1)  # A's list as it was; B's changed
    assert store.get("Organization", "B").props["resources_detail"] == ["法律：法律援助"]
    assert store.get("Organization", "A").props["needs_detail"] == ["助老：助老志愿者"]
