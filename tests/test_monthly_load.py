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
    assert written == {"党员": 3}
    assert all(again.ledgers[name].unchanged > 0 for name in ("结对共建", "职务"))  # ledgers of links too
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


def test_a_ledger_of_links_writes_only_the_links_that_changed(tmp_path, store):
    """结对共建 again: a pairing as the graph has it is not written (it keeps October's
    provenance); one whose end date changed is; a new one is."""
    orgs = write_csv(tmp_path / "党组织.csv", [ORGS, *[[o, f"{o}支部", "党支部"] for o in "ABCD"]])
    head = ["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"]
    rows = [["A", "B", "结对共建", "2025-01-01", "2026-12-31"], ["A", "C", "结对共建", "2025-01-01", "2026-12-31"]]
    Loader(store, now=OCTOBER).load([orgs, write_csv(tmp_path / "结对共建.csv", [head, *rows])])
    november = [rows[0], ["A", "C", "结对共建", "2025-01-01", "2027-12-31"], ["B", "D", "双报到", "2025-11-01", ""]]
    report = Loader(store, now=NOVEMBER).load([write_csv(tmp_path / "结对共建.csv", [head, *november])])
    counts = report.ledgers["结对共建"]
    assert (counts.landed, counts.unchanged) == (3, 1)
    pairs = {(r.start.key, r.end.key): r.props for r in store.iter_relationships("PAIRED_WITH")}
    assert pairs[("A", "B")]["loaded_at"][:10] == "2025-10-22"  # not written again
    assert pairs[("A", "C")]["until"] == "2027-12-31" and pairs[("A", "C")]["loaded_at"][:10] == "2025-11-22"
    assert pairs[("B", "D")]["form"] == "双报到" and len(pairs) == 3


def test_a_value_cleared_in_the_ledger_is_cleared_in_the_graph(tmp_path, store):
    """A row loaded again is the truth: 届满日期 left blank, 结束日期 now 长期 and a 联系电话 typed
    wrong remove the values an older load wrote (else a pairing that runs on would show as ended,
    and a gap would be false); a column the sheet does not have leaves its value alone."""
    head = [*ORGS, "届满日期"]
    orgs = [["A", "甲支部", "党支部", "2026-01-01"], ["B", "乙支部", "党支部", "2026-01-01"]]
    pairs = ["甲方组织编码", "乙方组织编码", "结对形式", "开始日期", "结束日期"]
    members = [*MEMBERS, "联系电话", "流出日期", "流入党组织编码"]
    for month in ("10", "11", "12"):
        (tmp_path / month).mkdir()
    october = [write_csv(tmp_path / "10" / "党组织.csv", [head, *orgs]),
               write_csv(tmp_path / "10" / "结对共建.csv", [pairs, ["A", "B", "结对共建", "2025-01-01", "2025-06-30"]]),
               write_csv(tmp_path / "10" / "党员.csv", [members, ["M1", "张三", "正式", "A", "13800138000", "2025-03-01", "B"]])]
    Loader(store, now=OCTOBER).load(october)
    assert store.get("Member", "M1").props["phone"] == "13800138000"
    november = [write_csv(tmp_path / "11" / "党组织.csv", [head, ["A", "甲支部", "党支部", ""], orgs[1]]),
                write_csv(tmp_path / "11" / "结对共建.csv", [pairs, ["A", "B", "结对共建", "2025-01-01", "长期"]]),
                write_csv(tmp_path / "11" / "党员.csv", [members, ["M1", "张三", "正式", "A", "12-34", "", "B"]])]
    report = Loader(store, now=NOVEMBER).load(november)
    assert [(w.row, w.column) for w in report.warnings] == [(2, "联系电话")]
    assert "term_ends" not in store.get("Organization", "A").props
    assert store.get("Organization", "B").props["term_ends"] == "2026-01-01"
    assert "phone" not in store.get("Member", "M1").props
    [pairing] = store.iter_relationships("PAIRED_WITH")
    assert "until" not in pairing.props and pairing.props["since"] == "2025-01-01"
    [flow] = [r for r in store.relationships_of("Member", ["M1"]) if r.type != "MEMBER_OF"]
    assert "since" not in flow.props
    # a sheet without the column says nothing about it
    Loader(store, now=NOVEMBER).load([write_csv(tmp_path / "12" / "党组织.csv", [ORGS, ["B", "乙支部", "党支部"]])])
    assert store.get("Organization", "B").props["term_ends"] == "2026-01-01"
    assert content(store) == content(_fresh(november))


def _fresh(paths):
    fresh = MemoryStore()
    Loader(fresh, now=NOVEMBER).load(paths)
    return fresh
