"""A load's record reads only the nodes written since the last record (#18): the store's journal
marks every node a write touches, and the difference built from those nodes alone is the one the
whole graph gives — after monthly loads, a merge, hand edits, a deleted node, a pruned link, an
undo — on both stores."""
from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from graph.errors import Conflict
from graph.history import History, snapshot
from graph.history.head import Head
from graph.memory.store import MemoryStore
from graph.screening.merge import merge
from graph.store import RelRow
from ingest.demo_months import generate_months
from ingest.loader import Loader


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    return generate_months(tmp_path_factory.mktemp("months"), 3, scale=1, fmt="csv", today=dt.date(2025, 11, 22))


def both_ways(store, history) -> tuple[snapshot.Delta, snapshot.Delta]:
    """The difference since the head from the whole graph, and from the journal's nodes only."""
    head, journal = Head(history.dir), store.journal()
    assert journal is not None and journal.id == head.journal_id()
    touched, linked = list(journal.marks), journal.linked
    return (snapshot.diff(head.state(), snapshot.dump(store)),
            snapshot.diff(head.part(touched, linked), snapshot.dump_part(store, touched, linked)))


def test_the_journal_finds_every_change_a_whole_read_finds(store, tmp_path, months):
    history = History(tmp_path / "home")
    (d1, f1), (d2, f2), (d3, f3) = months
    Loader(store, now=dt.datetime(2025, 9, 22, 9)).load([f1])
    assert store.journal() is None  # none before the first record: it reads the whole graph
    history.record(store, date=d1, files=[], who="测试")
    assert store.journal().marks == {}
    assert Head(history.dir).state() == snapshot.dump(store)

    Loader(store, now=dt.datetime(2025, 10, 22, 9)).load([f2])
    marks = store.journal().marks
    whole, part = both_ways(store, history)
    assert whole.size() > 0 and part.as_json() == whole.as_json()
    assert 0 < len(marks) < sum(store.counts().values()) / 4  # a month's changes, not the city
    history.record(store, date=d2, files=[], who="测试")
    assert store.journal().marks == {}  # read and forgotten

    # writes outside a load: a merge, a rename by hand, a deleted member, a link deleted and pruned
    units = [n.key for n in store.list_nodes("Unit", limit=3)]
    merge(store, "Unit", units[0], units[1])
    org = store.list_nodes("Organization", limit=1)[0]
    store.upsert_nodes("Organization", [{"id": org.key, "name": org.name + "（改）"}])
    member = store.list_nodes("Member", limit=1)[0].key
    store.delete_nodes("Member", [member])
    link = next(store.iter_relationships("SUBORDINATE_TO"))
    store.delete_relationships("SUBORDINATE_TO", link.start.label, link.end.label,
                               [RelRow(link.start.key, link.end.key, link.props)])
    pruned = next(r for r in store.iter_relationships("MEMBER_OF"))
    store.prune_relationships("MEMBER_OF", "Organization", [pruned.end.key], keep_stamp="none", incoming=True)
    whole, part = both_ways(store, history)
    assert part.as_json() == whole.as_json()
    assert ["Member", member] in [e[:2] for e in whole.nodes_removed]
    assert any(e[0][2] == pruned.start.key for e in whole.rels_removed)

    Loader(store, now=dt.datetime(2025, 11, 22, 9)).load([f3])
    whole, part = both_ways(store, history)
    assert part.as_json() == whole.as_json()
    third = history.record(store, date=d3, files=[], who="测试")
    assert Head(history.dir).state() == snapshot.dump(store)
    # the graph as of each load is the graph then, and an undo of the last load follows the head
    assert snapshot.dump(history.store_as_of(d3)) == snapshot.dump(store)
    for rec in history.loads():  # the head with later loads taken back = every load replayed from the first
        assert snapshot.dump(history.store_as_of(dt.date.fromisoformat(rec.date))) == \
            snapshot.dump(snapshot.to_store(history.state_at(rec)))
    before = snapshot.dump(history.store_as_of(d2))
    history.undo(store, third.id, "测试")
    assert Head(history.dir).state() == snapshot.dump(store)
    assert third.id not in Head(history.dir).kept()  # its difference goes with it
    # the writes outside the load were recorded with it: the undo takes them back too
    assert snapshot.dump(store) == before
    whole, part = both_ways(store, history)
    assert whole.size() == 0 and part.size() == 0  # and it left nothing unrecorded


def test_a_store_cleared_or_replaced_is_read_whole_again(tmp_path):
    history = History(tmp_path / "home")
    store = MemoryStore()
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}])
    history.record(store, date=dt.date(2025, 1, 31), files=[], who="测试")
    store.clear()  # the journal ends with the graph
    assert store.journal() is None
    store.upsert_nodes("Organization", [{"id": "B", "name": "乙支部"}])
    history.record(store, date=dt.date(2025, 2, 28), files=[], who="测试")
    delta = history.delta(history.loads()[-1]).as_json()
    assert [e[:2] for e in delta["nodes_removed"]] == [["Organization", "A"]]
    assert [e[:2] for e in delta["nodes_added"]] == [["Organization", "B"]]
    # another store (another database) behind the same history: its journal is not the head's
    other = MemoryStore()
    other.upsert_nodes("Organization", [{"id": "C", "name": "丙支部"}])
    other.journal_start()
    history.record(other, date=dt.date(2025, 3, 31), files=[], who="测试")
    assert Head(history.dir).state() == snapshot.dump(other)


def test_a_head_kept_as_one_document_is_moved_into_the_database(tmp_path):
    history = History(tmp_path / "home")
    store = MemoryStore()
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}])
    history.dir.mkdir(parents=True)
    state = snapshot.dump(store)  # the head as sessions before #18 kept it
    (history.dir / "head.json.gz").write_bytes(gzip.compress(json.dumps(
        snapshot.diff(snapshot.empty(), state).as_json(), ensure_ascii=False).encode()))
    assert history.head() == state
    assert not (history.dir / "head.json.gz").exists() and (history.dir / "history.sqlite").exists()
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲村支部"}])
    history.record(store, date=dt.date(2025, 1, 31), files=[], who="测试")
    delta = history.delta(history.loads()[-1]).as_json()
    assert delta["nodes_changed"] == [["Organization", "A", {"name": ["甲支部", "甲村支部"]}]]


def test_differences_kept_in_files_before_move_into_the_database(tmp_path):
    """A history kept before the differences moved into the database (a head-only
    ``head.sqlite``, a ``{id}.delta.json.gz`` per load) answers the same, and its next record
    moves the files in."""
    import sqlite3

    history = History(tmp_path / "home")
    store = MemoryStore()
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}, {"id": "B", "name": "乙支部"}])
    first = history.record(store, date=dt.date(2025, 1, 31), files=[], who="测试")
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲村支部"}])
    second = history.record(store, date=dt.date(2025, 2, 28), files=[], who="测试")
    timeline = history.timeline("Organization", "A")
    assert [v.value for v in timeline["name"]] == ["甲支部", "甲村支部"]
    # as sessions before kept it: each difference in a file, the database the head alone
    for rec in (first, second):
        (history.dir / f"{rec.id}.delta.json.gz").write_bytes(gzip.compress(json.dumps(
            history.delta(rec).as_json(), ensure_ascii=False).encode()))
    with sqlite3.connect(history.dir / "history.sqlite") as db:
        db.executescript("DROP TABLE node_changes; DROP TABLE rel_changes; DROP TABLE kept;")
    (history.dir / "history.sqlite").rename(history.dir / "head.sqlite")

    assert history.timeline("Organization", "A") == timeline
    assert snapshot.dump(history.store_as_of(dt.date(2025, 2, 1))) == {
        "nodes": {("Organization", "A"): {"id": "A", "name": "甲支部"},
                  ("Organization", "B"): {"id": "B", "name": "乙支部"}}, "rels": {}}
    store.upsert_nodes("Organization", [{"id": "B", "name": "乙村支部"}])
    history.record(store, date=dt.date(2025, 3, 31), files=[], who="测试")
    assert not list(history.dir.glob("*.delta.json.gz")) and not (history.dir / "head.sqlite").exists()
    assert Head(history.dir).kept() == {r.id for r in history.loads()}
    assert history.timeline("Organization", "A") == timeline
    assert [v.value for v in history.timeline("Organization", "B")["name"]] == ["乙支部", "乙村支部"]


def renamed_in_two_loads(tmp_path) -> History:
    """A history of two loads: 甲支部 (2025-01-31), renamed 甲村支部 (2025-02-28)."""
    history = History(tmp_path / "home")
    store = MemoryStore()
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲支部"}])
    history.record(store, date=dt.date(2025, 1, 31), files=[], who="测试")
    store.upsert_nodes("Organization", [{"id": "A", "name": "甲村支部"}])
    history.record(store, date=dt.date(2025, 2, 28), files=[], who="测试")
    return history


def test_pages_read_an_entitys_changes_while_a_record_writes(tmp_path):
    """A record holds one transaction on the history's database (at a province's first record,
    for minutes): an entity's 历次变化 is read meanwhile from what was committed before it."""
    import sqlite3

    history = renamed_in_two_loads(tmp_path)
    writer = sqlite3.connect(history.dir / "history.sqlite", timeout=0.1)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("INSERT INTO node_changes VALUES ('L', 'changed', 'Organization', 'A', '{}')")
        assert [v.value for v in history.timeline("Organization", "A")["name"]] == ["甲支部", "甲村支部"]
    finally:
        writer.rollback()
        writer.close()


def test_the_first_record_streams_the_graph_and_agrees_with_a_whole_diff(store, tmp_path, months):
    """The first record reads the graph a page at a time into the database; the difference it
    keeps is the one the whole graph gives, and so is an undo's check (#18)."""
    history = History(tmp_path / "home")
    (d1, f1), (d2, f2), _ = months
    Loader(store, now=dt.datetime(2025, 9, 22, 9)).load([f1])
    first = history.record(store, date=d1, files=[], who="测试")
    whole = snapshot.diff(snapshot.empty(), snapshot.dump(store))
    kept = history.delta(first)
    for part in ("nodes_added", "rels_added"):
        assert sorted(map(str, getattr(kept, part))) == sorted(map(str, getattr(whole, part)))
    assert first.changes == whole.size() > 0
    # a store whose journal is not the head's is read whole: a month's difference is found so
    Loader(store, now=dt.datetime(2025, 10, 22, 9)).load([f2])
    expected = snapshot.diff(Head(history.dir).state(), snapshot.dump(store))
    store.journal_start()
    second = history.record(store, date=d2, files=[], who="测试")
    assert second.changes == expected.size() > 0
    assert {k: sorted(map(str, v)) for k, v in history.delta(second).as_json().items()} == \
        {k: sorted(map(str, v)) for k, v in expected.as_json().items()}
    assert Head(history.dir).state() == snapshot.dump(store)
    # an undo that must read the whole graph and finds a write not recorded leaves the head alone
    org = store.list_nodes("Organization", limit=1)[0]
    store.upsert_nodes("Organization", [{"id": org.key, "name": org.name + "（手改）"}])
    store.journal_start()
    with pytest.raises(Conflict):
        history.undo(store, second.id, "测试")
    assert Head(history.dir).part([("Organization", org.key)])["nodes"][("Organization", org.key)]["name"] == org.name


def test_the_meeting_state_is_what_the_graph_says(store, months):
    """The meeting state, read in a few columns per entity (#18), says what every node and link
    of the graph says: each covered unit's name and region, each member's organisation."""
    from graph.analyses.engine import engine_for
    from graph.history.changes import meeting_state

    (d1, f1), _, _ = months
    Loader(store, now=dt.datetime(2025, 9, 22, 9)).load([f1])
    member = store.list_nodes("Member", limit=1)[0].key
    orgs = [n.key for n in store.list_nodes("Organization", limit=2)]
    store.upsert_relationships("MEMBER_OF", "Member", "Organization",
                               [RelRow(member, o, {}) for o in orgs])  # in two: the greater counts
    state = meeting_state(store, d1)
    covered = sorted({r.end.key for t in ("ESTABLISHED_IN", "COVERS") for r in store.iter_relationships(t)})
    regions = {r["id"]: r["region"] for r in engine_for(store).regions_of("Unit", covered)}
    assert state["covered"] == {n.key: [n.name, regions[n.key]] for n in store.get_many("Unit", covered)}
    homes: dict[str, str] = {}
    for r in store.iter_relationships("MEMBER_OF"):
        homes[r.start.key] = max(homes.get(r.start.key, ""), r.end.key)
    names = {n.key: n.name for n in store.iter_nodes("Member")}
    assert state["members"] == {m: [names[m], o] for m, o in homes.items()}
    assert state["members"][member][1] == max([*orgs, *(r.end.key for r in store.iter_relationships("MEMBER_OF")
                                                       if r.start.key == member)])
    assert len(state["covered"]) > 100 and len(state["members"]) > 1000


def test_a_past_date_already_built_is_answered_while_another_is_being_built(tmp_path):
    """Building a past graph takes minutes at a province's size: a date already built does not
    wait for it."""
    import threading

    from graph.history import records

    history = renamed_in_two_loads(tmp_path)
    built = history.store_as_of(dt.date(2025, 2, 1))
    got = []
    with records._build_lock:  # another date being built
        asker = threading.Thread(target=lambda: got.append(history.store_as_of(dt.date(2025, 2, 1))))
        asker.start()
        asker.join(timeout=5)
    assert got == [built] and built.get("Organization", "A").name == "甲支部"
