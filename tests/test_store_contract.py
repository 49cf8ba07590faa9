"""The store contract: every test runs against the embedded store and a real Neo4j."""
from __future__ import annotations

import pytest

from graph.model import LABELS, RELATIONSHIPS, UnknownLabel
from graph.store import Journal, NodeRef, RelRow

ORGS = [
    {"id": "O1", "name": "幸福街道党工委", "kind": "党工委", "sector": "社区"},
    {"id": "O2", "name": "阳光社区党委", "kind": "党委", "sector": "社区"},
    {"id": "O3", "name": "区财政局机关党支部", "kind": "党支部", "sector": "机关"},
    {"id": "O4", "name": "阳光小区第一党支部", "kind": "党支部", "sector": "小区"},
]
UNITS = [{"id": "U1", "name": "阳光科技有限公司", "kind": "非公企业", "members_reported": 4}]


def seed(store) -> None:
    store.upsert_nodes("Organization", ORGS)
    store.upsert_nodes("Unit", UNITS)
    store.upsert_nodes("Region", [{"code": "110101001000", "name": "幸福街道", "level": "街道乡镇"}])
    store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization",
                               [RelRow("O2", "O1"), RelRow("O4", "O2")])
    store.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
                               [RelRow("O3", "O2", {"form": "结对共建", "since": "2024-01-01"})])
    store.upsert_relationships("COVERS", "Organization", "Unit", [RelRow("O4", "U1")])
    store.upsert_relationships("IN_REGION", "Organization", "Region", [RelRow("O1", "110101001000")])


def test_empty_store_counts_every_label_and_type(store):
    assert store.counts() == dict.fromkeys(LABELS, 0)
    assert store.rel_counts() == dict.fromkeys(RELATIONSHIPS, 0)
    assert store.ping() is True


def test_upsert_and_get(store):
    seed(store)
    node = store.get("Organization", "O2")
    assert node is not None
    assert node.props == ORGS[1]
    assert node.name == "阳光社区党委"
    assert store.get("Organization", "missing") is None
    assert store.get("Unit", "O2") is None  # keys are per label
    region = store.get("Region", "110101001000")
    assert region is not None and region.props["level"] == "街道乡镇"
    # several at once: those that exist, in the order asked
    many = store.get_many("Organization", ["O3", "missing", "O1", "O2"])
    assert [n.key for n in many] == ["O3", "O1", "O2"]
    assert many[2].props == node.props and store.get_many("Region", ["110101001000"])[0] == region
    assert store.get_many("Organization", []) == []


def test_upsert_is_idempotent_and_updates(store):
    seed(store)
    seed(store)
    assert store.counts()["Organization"] == 4
    assert store.rel_counts()["SUBORDINATE_TO"] == 2
    assert store.rel_counts()["PAIRED_WITH"] == 1
    store.upsert_nodes("Organization", [{"id": "O2", "name": "阳光社区党委（新）", "sector": None}])
    node = store.get("Organization", "O2")
    assert node.props["name"] == "阳光社区党委（新）"
    assert "sector" not in node.props  # None removes the property
    assert node.props["kind"] == "党委"  # properties not given are kept
    store.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
                               [RelRow("O3", "O2", {"form": "结对共建", "until": "2025-12-31"})])
    (rel, _), = store.neighbours("Organization", "O3", ["PAIRED_WITH"])
    assert rel.props == {"form": "结对共建", "since": "2024-01-01", "until": "2025-12-31"}


def test_relationship_identity_properties_make_distinct_relationships(store):
    seed(store)
    n = store.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
                                   [RelRow("O3", "O2", {"form": "双报到"})])
    assert n == 1
    assert store.rel_counts()["PAIRED_WITH"] == 2
    with pytest.raises(ValueError):
        store.upsert_relationships("PAIRED_WITH", "Organization", "Organization", [RelRow("O3", "O2")])


def test_relationships_to_missing_nodes_are_skipped(store):
    seed(store)
    n = store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization",
                                   [RelRow("O3", "O1"), RelRow("O3", "NOPE"), RelRow("NOPE", "O1")])
    assert n == 1
    assert store.rel_counts()["SUBORDINATE_TO"] == 3


def test_wrong_labels_are_refused(store):
    with pytest.raises(UnknownLabel):
        store.upsert_nodes("Person", [{"id": "x"}])
    with pytest.raises(UnknownLabel):
        store.get("Organization) DETACH DELETE (n", "x")
    with pytest.raises(ValueError):
        store.upsert_relationships("MEMBER_OF", "Organization", "Unit", [RelRow("a", "b")])
    with pytest.raises(ValueError):
        store.upsert_nodes("Organization", [{"name": "没有编码"}])


def test_neighbours_directions_and_types(store):
    seed(store)
    both = store.neighbours("Organization", "O2")
    assert [(r.type, r.start.key, r.end.key, o.key) for r, o in both] == [
        ("PAIRED_WITH", "O3", "O2", "O3"),
        ("SUBORDINATE_TO", "O2", "O1", "O1"),
        ("SUBORDINATE_TO", "O4", "O2", "O4"),
    ]
    out = store.neighbours("Organization", "O2", direction="out")
    assert [o.key for _, o in out] == ["O1"]
    inc = store.neighbours("Organization", "O2", ["SUBORDINATE_TO"], direction="in")
    assert [o.key for _, o in inc] == ["O4"]
    assert store.neighbours("Organization", "missing") == []


def test_node_with_neighbours_is_get_and_neighbours_at_once(store):
    seed(store)
    for label, key in (("Organization", "O2"), ("Organization", "O4"), ("Unit", "U1")):
        node, links = store.node_with_neighbours(label, key)
        assert node == store.get(label, key) and node is not None
        assert links == store.neighbours(label, key) and links
    lonely = store.upsert_nodes("Grid", [{"id": "G9", "name": "空网格", "level": "微网格"}])
    assert lonely == 1 and store.node_with_neighbours("Grid", "G9") == (store.get("Grid", "G9"), [])
    assert store.node_with_neighbours("Organization", "missing") == (None, [])


def test_nodes_with_neighbours_is_node_with_neighbours_for_each_key(store):
    seed(store)
    keys = ["O4", "missing", "O2", "O1", "O2"]
    many = store.nodes_with_neighbours("Organization", keys)
    assert sorted(many) == ["O1", "O2", "O4"]
    for key, (node, links) in many.items():
        assert (node, links) == store.node_with_neighbours("Organization", key) and links
    assert store.nodes_with_neighbours("Unit", []) == {}


def test_subgraph_within_hops(store):
    seed(store)
    one = store.subgraph([NodeRef("Organization", "O4")], hops=1)
    assert [n.key for n in one.nodes] == ["O2", "O4", "U1"]
    assert [(r.type, r.start.key, r.end.key) for r in one.rels] == [
        ("COVERS", "O4", "U1"), ("SUBORDINATE_TO", "O4", "O2")]
    two = store.subgraph([NodeRef("Organization", "O4")], hops=2)
    assert [n.key for n in two.nodes] == ["O1", "O2", "O3", "O4", "U1"]
    assert len(two.rels) == 4
    capped = store.subgraph([NodeRef("Organization", "O4")], hops=2, max_nodes=3)
    assert len(capped.nodes) == 3
    assert store.subgraph([NodeRef("Organization", "missing")], hops=2).nodes == []
    zero = store.subgraph([NodeRef("Organization", "O1"), NodeRef("Organization", "O2")], hops=0)
    assert [n.key for n in zero.nodes] == ["O1", "O2"]
    assert [(r.start.key, r.end.key) for r in zero.rels] == [("O2", "O1")]


def test_both_backends_return_the_same_subgraph_shape(store):
    seed(store)
    sub = store.subgraph([NodeRef("Region", "110101001000")], hops=3)
    assert [(n.label, n.key) for n in sub.nodes] == [
        ("Organization", "O1"), ("Organization", "O2"), ("Organization", "O3"),
        ("Organization", "O4"), ("Region", "110101001000")]


@pytest.mark.parametrize("text,expected", [
    ("阳光", ["O2", "O4", "U1"]),
    ("阳光社区", ["O2"]),
    ("党支部", ["O3", "O4"]),
    ("党", ["O1", "O2", "O3", "O4"]),
    ("科技有限", ["U1"]),
    ("不存在的名字", []),
    ("  ", []),
    ('"); MATCH (n) DETACH DELETE n //', []),
    ("阳光*", []),
])
def test_search_by_chinese_name(store, text, expected):
    seed(store)
    assert [n.key for n in store.search(text)] == expected
    assert store.counts()["Organization"] == 4


def test_search_filters_labels_and_limits(store):
    seed(store)
    assert [n.key for n in store.search("阳光", labels=["Unit"])] == ["U1"]
    assert [n.key for n in store.search("党", limit=2)] == ["O1", "O2"]
    store.upsert_nodes("Unit", [{"id": "U2", "name": "ABC Logistics", "kind": "非公企业"}])
    assert [n.key for n in store.search("Logis")] == ["U2"]


def test_existing_keys(store):
    seed(store)
    assert store.existing_keys("Organization", ["O1", "O3", "NOPE", "U1"]) == {"O1", "O3"}
    assert store.existing_keys("Unit", iter(["U1", "O1"])) == {"U1"}
    assert store.existing_keys("Region", []) == set()


def test_keys_by_name(store):
    seed(store)
    store.upsert_nodes("Organization", [{"id": "O9", "name": "阳光小区第一党支部", "kind": "党支部"}])
    assert store.keys_by_name("Organization", ["阳光小区第一党支部", "幸福街道党工委", "阳光社区", "阳光科技有限公司"]) == {
        "阳光小区第一党支部": {"O4", "O9"}, "幸福街道党工委": {"O1"}}
    assert store.keys_by_name("Unit", iter(["阳光科技有限公司"])) == {"阳光科技有限公司": {"U1"}}
    assert store.keys_by_name("Grid", []) == {}


def test_list_nodes_is_ordered_and_paginated(store):
    seed(store)
    assert [n.key for n in store.list_nodes("Organization")] == ["O1", "O2", "O3", "O4"]
    assert [n.key for n in store.list_nodes("Organization", skip=1, limit=2)] == ["O2", "O3"]
    assert store.list_nodes("Member") == []


def test_ended_nodes_are_kept_and_left_out_of_lists_and_search_unless_asked(store):
    """graph.ends: an ended node stays (get, its links, ended_nodes); lists and search leave it
    out unless ``ended``; a node ended after today is still listed; restoring removes the end."""
    seed(store)
    store.update_nodes("Organization", [{"id": "O2", "ended": "2026-01-15", "end_reason": "撤销",
                                         "end_source": "党组织.xlsx 第 4 行"},
                                        {"id": "O3", "ended": "2999-01-01", "end_reason": "撤销"}])
    assert [n.key for n in store.ended_nodes("Organization")] == ["O2", "O3"]
    assert store.get("Organization", "O2").props["end_reason"] == "撤销" and store.neighbours("Organization", "O2")
    assert [n.key for n in store.list_nodes("Organization")] == ["O1", "O3", "O4"]
    assert [n.key for n in store.list_nodes("Organization", ended=True)] == ["O1", "O2", "O3", "O4"]
    name = store.get("Organization", "O2").props["name"]
    assert store.search(name, labels=["Organization"]) == []
    assert [n.key for n in store.search(name, labels=["Organization"], ended=True)] == ["O2"]
    store.update_nodes("Organization", [{"id": "O2", "ended": None, "end_reason": None, "end_source": None}])
    assert [n.key for n in store.ended_nodes("Organization")] == ["O3"]
    assert "ended" not in store.get("Organization", "O2").props


def test_delete_nodes_removes_their_relationships(store):
    seed(store)
    assert store.delete_nodes("Organization", ["O2", "missing"]) == 1
    assert store.get("Organization", "O2") is None
    assert store.rel_counts()["SUBORDINATE_TO"] == 0
    assert store.rel_counts()["PAIRED_WITH"] == 0
    assert store.counts()["Organization"] == 3


def test_clear(store):
    seed(store)
    store.clear()
    assert store.counts() == dict.fromkeys(LABELS, 0)
    assert store.rel_counts() == dict.fromkeys(RELATIONSHIPS, 0)


def test_values_round_trip_with_their_types(store):
    row = {"id": "M1", "name": "张三", "category": "正式", "mobile": True, "retired": False,
           "last_contact": "2025-03-01", "tags": ["a", "b"], "score": 1.5, "n": 7}
    store.upsert_nodes("Member", [row])
    assert store.get("Member", "M1").props == row


def test_batches_larger_than_one_round_trip(store):
    rows = [{"id": f"M{i:05d}", "name": f"党员{i}", "category": "正式"} for i in range(25_000)]
    assert store.upsert_nodes("Member", iter(rows)) == 25_000
    store.upsert_nodes("Organization", ORGS[:1])
    rels = (RelRow(f"M{i:05d}", "O1") for i in range(25_000))
    assert store.upsert_relationships("MEMBER_OF", "Member", "Organization", rels) == 25_000
    assert store.counts()["Member"] == 25_000
    assert store.rel_counts()["MEMBER_OF"] == 25_000


def test_shortest_path(store):
    seed(store)
    p = store.shortest_path(NodeRef("Organization", "O4"), NodeRef("Organization", "O3"))
    assert [n.key for n in p.nodes] == ["O4", "O2", "O3"]
    assert [(r.type, r.start.key, r.end.key) for r in p.rels] == [
        ("SUBORDINATE_TO", "O4", "O2"), ("PAIRED_WITH", "O3", "O2")]
    assert store.shortest_path(NodeRef("Unit", "U1"), NodeRef("Region", "110101001000"),
                               max_hops=2) is None  # four hops away
    far = store.shortest_path(NodeRef("Unit", "U1"), NodeRef("Region", "110101001000"))
    assert len(far.rels) == 4
    same = store.shortest_path(NodeRef("Unit", "U1"), NodeRef("Unit", "U1"))
    assert [n.key for n in same.nodes] == ["U1"] and same.rels == []
    assert store.shortest_path(NodeRef("Unit", "U1"), NodeRef("Unit", "nope")) is None
    store.upsert_nodes("Unit", [{"id": "U9", "name": "孤岛", "kind": "村"}])
    assert store.shortest_path(NodeRef("Unit", "U1"), NodeRef("Unit", "U9")) is None


def test_iter_nodes_and_relationships(store):
    seed(store)
    assert [n.key for n in store.iter_nodes("Organization")] == ["O1", "O2", "O3", "O4"]
    assert list(store.iter_nodes("Member")) == []
    rels = list(store.iter_relationships("SUBORDINATE_TO"))
    assert [(r.start.key, r.end.key) for r in rels] == [("O2", "O1"), ("O4", "O2")]
    (p,) = store.iter_relationships("PAIRED_WITH")
    assert p.props == {"form": "结对共建", "since": "2024-01-01"} and p.start == NodeRef("Organization", "O3")


def test_whole_labels_are_read_across_pages(store, monkeypatch):
    """Neo4j reads a label a page of nodes at a time (``queries.PAGE_ROWS``): pages of two here."""
    from graph.neo4j import queries

    monkeypatch.setattr(queries, "PAGE_ROWS", 2)
    seed(store)
    store.upsert_nodes("Organization", [{"id": "O5", "name": "第五党支部", "kind": "党支部"}])
    store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization",
                               [RelRow("O3", "O1"), RelRow("O5", "O1"), RelRow("O5", "O2")])
    assert [n.key for n in store.iter_nodes("Organization")] == ["O1", "O2", "O3", "O4", "O5"]
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("SUBORDINATE_TO")] == \
        [("O2", "O1"), ("O3", "O1"), ("O4", "O2"), ("O5", "O1"), ("O5", "O2")]
    assert [r.end.label for r in store.iter_relationships("COVERS")] == ["Unit"]
    # in pages, in no set order: the same relationships (a record's whole read takes them so)
    for t in RELATIONSHIPS:
        paged = [r for page in store.relationship_pages(t) for r in page]
        assert sorted(paged, key=lambda r: r.sort_key()) == list(store.iter_relationships(t))
    assert len([r for page in store.relationship_pages("SUBORDINATE_TO") for r in page]) == 5


def test_node_values_and_the_loads_not_finished(store):
    seed(store)
    assert store.node_values("Organization", ["O2", "O9"], ("name", "term_ends")) == {"O2": ("阳光社区党委", None)}
    assert store.unfinished_loads() == set()
    store.load_started("T1")
    store.load_started("T2")
    store.load_finished("T1")
    assert store.unfinished_loads() == {"T2"}


def test_prune_relationships_keeps_this_loads_links(store):
    seed(store)
    store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization",
                               [RelRow("O3", "O1", {"loaded_at": "T2"}), RelRow("O4", "O2", {"loaded_at": "T1"})])
    assert store.prune_relationships("SUBORDINATE_TO", "Organization", ["O2", "O3", "O4", "NOPE"], "T2") == 2
    assert [(r.start.key, r.end.key) for r in store.iter_relationships("SUBORDINATE_TO")] == [("O3", "O1")]
    store.upsert_nodes("Alliance", [{"id": "A", "name": "联盟"}])
    store.upsert_relationships("IN_ALLIANCE", "Organization", "Alliance",
                               [RelRow("O1", "A", {"role": "牵头"}), RelRow("O2", "A", {"role": "成员"})])
    assert store.prune_relationships("IN_ALLIANCE", "Alliance", ["A"], "T2", incoming=True, role="成员") == 1
    assert [r.props["role"] for r in store.iter_relationships("IN_ALLIANCE")] == ["牵头"]


def test_every_write_changes_the_version(store):
    versions = [store.version()]
    store.upsert_nodes("Organization", [{"id": "V1", "name": "甲", "kind": "党支部"},
                                        {"id": "V2", "name": "乙", "kind": "党支部"}])
    versions.append(store.version())
    store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization", [RelRow("V2", "V1", {})])
    versions.append(store.version())
    store.delete_nodes("Organization", ["V2"])
    versions.append(store.version())
    assert len(set(versions)) == 4
    assert store.version() == versions[-1]  # reading does not change it


@pytest.mark.neo4j
def test_a_routing_uri_works_reads_going_as_reads(neo4j_uri, neo4j_store):
    """``neo4j://`` (what a cluster needs, docs/scale.md): the driver routes; the reads, run as
    reads, see this process's writes at once."""
    from graph.neo4j.store import Neo4jStore

    neo4j_store.clear()
    routed = Neo4jStore("neo4j://" + neo4j_uri.split("://", 1)[1])
    try:
        routed.upsert_nodes("Organization", [{"id": "R1", "name": "路由党支部", "kind": "党支部"}])
        assert routed.get("Organization", "R1").props["name"] == "路由党支部"
        assert [n.key for n in routed.search("路由党支部")] == ["R1"]
        assert routed.counts()["Organization"] == 1
    finally:
        routed.close()


def test_the_journal_marks_every_node_a_write_touches(store):
    seed(store)
    assert store.journal() is None  # none until the history begins one: no write marks
    first = store.journal_start()
    assert store.journal() == Journal(first, {})
    store.upsert_nodes("Organization", [{"id": "O2", "name": "阳光社区党委（改）"}])
    store.upsert_relationships("COVERS", "Organization", "Unit", [RelRow("O3", "U1")])
    store.delete_relationships("PAIRED_WITH", "Organization", "Organization",
                               [RelRow("O3", "O2", {"form": "结对共建"})])
    store.prune_relationships("SUBORDINATE_TO", "Organization", ["O4"], "T2")
    store.delete_nodes("Region", ["110101001000"])
    journal = store.journal()
    assert set(journal.marks) == {("Organization", "O2"), ("Organization", "O3"), ("Organization", "O4"),
                                  ("Region", "110101001000")}
    # a node whose values alone were written is not linked: its relationships are not read
    assert journal.linked == set(journal.marks) - {("Organization", "O2")}
    # a node written again while the history reads keeps its newer mark
    store.upsert_nodes("Organization", [{"id": "O2", "name": "阳光社区党委"}])
    store.upsert_relationships("SUBORDINATE_TO", "Organization", "Organization", [RelRow("O2", "O1")])
    store.journal_forget(journal.marks)
    assert set(store.journal().marks) == {("Organization", "O2")} and store.journal().linked == {("Organization", "O2")}
    # a new journal drops the old one's marks; clear ends it
    assert store.journal_start() != first and store.journal().marks == {}
    store.clear()
    assert store.journal() is None


def test_relationships_of_nodes_either_way(store):
    seed(store)
    rels = {(r.type, r.start.key, r.end.key) for r in store.relationships_of("Organization", ["O2", "NOPE"])}
    assert rels == {("SUBORDINATE_TO", "O2", "O1"), ("SUBORDINATE_TO", "O4", "O2"), ("PAIRED_WITH", "O3", "O2")}
    paired = next(store.relationships_of("Organization", ["O3"]))
    assert paired.props == {"form": "结对共建", "since": "2024-01-01"}


def test_relationship_props_between_pairs(store):
    seed(store)
    store.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
                               [RelRow("O3", "O2", {"form": "双报到"})])  # a second form: its own link
    found = store.relationship_props("PAIRED_WITH", "Organization", "Organization",
                                     [("O3", "O2"), ("O2", "O3"), ("O2", "O1"), ("NOPE", "O2")])
    assert list(found) == [("O3", "O2")]
    assert sorted(found[("O3", "O2")], key=lambda p: p["form"]) == [
        {"form": "双报到"}, {"form": "结对共建", "since": "2024-01-01"}]
    assert store.relationship_props("SUBORDINATE_TO", "Organization", "Organization", [("O2", "O1")]) == {
        ("O2", "O1"): [{}]}
