"""A large answer worked out once is read from disk by another process (#18): the same gaps,
without computing them again, until the data changes."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.analyses import gaps as gaps_module
from graph.analyses import kept
from graph.analyses.cache import _caches
from graph.analyses.gaps import find_gaps
from graph.neo4j.store import Neo4jStore
from ingest.demo import generate
from ingest.loader import Loader

TODAY = dt.date(2025, 11, 22)


@pytest.fixture
def two_processes(tmp_path, neo4j_store, neo4j_uri):
    """The demo city in Neo4j and two stores on it, two processes' views of one database, each
    keeping its answers in one folder as the served app does."""
    generate(tmp_path / "demo", scale=1, fmt="csv", today=TODAY)
    neo4j_store.clear()
    Loader(neo4j_store).load([tmp_path / "demo"])
    stores = Neo4jStore(neo4j_uri), Neo4jStore(neo4j_uri)
    for store in stores:
        kept.keep_on_disk(store, tmp_path / "answers")
    yield stores
    for store in stores:
        store.close()


@pytest.mark.neo4j
def test_another_process_reads_the_gaps_from_disk_until_the_data_changes(tmp_path, two_processes, monkeypatch):
    monkeypatch.setattr("graph.neo4j.store.VERSION_CHECK_SECONDS", 0.0)  # another's write seen at once
    computed = []
    real = gaps_module.Responsibility  # built once per answer worked out
    monkeypatch.setattr(gaps_module, "Responsibility", lambda *a: computed.append(1) or real(*a))

    first, second = two_processes
    a = find_gaps(first, as_of=TODAY, share=True)
    assert len(computed) == 1 and a
    files = list((tmp_path / "answers").glob("*.pickle"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0  # its owner's only
    b = find_gaps(second, as_of=TODAY, share=True)
    assert len(computed) == 1  # read, not worked out again
    assert [g.as_dict() for g in b] == [g.as_dict() for g in a]

    first.upsert_nodes("Unit", [{"id": "KEPT1", "name": "新开业的公司", "kind": "非公企业"}])
    _caches.pop(second, None)
    c = find_gaps(second, as_of=TODAY, share=True)  # another version of the data
    assert len(computed) == 2 and len(c) == len(a) + 1


def test_without_a_folder_or_a_shared_version_nothing_is_kept(tmp_path):
    from graph.memory.store import MemoryStore

    assert kept.on_disk(MemoryStore(), "k", lambda: 1) == 1
    store = MemoryStore()
    kept.keep_on_disk(store, tmp_path)
    assert kept.on_disk(store, "k", lambda: 2) == 2  # its version is this process's own
    assert list(tmp_path.iterdir()) == []


@pytest.mark.neo4j
def test_a_new_process_reads_the_home_pages_counts_without_every_gap(two_processes, monkeypatch):
    from collections import Counter

    from graph.analyses.scope import Scope

    first, second = two_processes
    read = []
    real_load = kept._load
    monkeypatch.setattr(kept, "_load", lambda f: read.append(real_load(f)) or read[-1])
    every = find_gaps(first, as_of=TODAY)
    street = next(g.region for g in every if g.region)
    for kind, value in (("all", None), ("region", street)):
        scope = Scope(first, kind, value)
        expected = dict(Counter(g.rule for g in scope.gaps(every)))
        assert scope.gap_counts(TODAY) == expected and sum(expected.values()) > 0
        read.clear()
        assert Scope(second, kind, value).gap_counts(TODAY) == expected
        assert read == [expected]  # the few numbers read from disk, not every gap
    assert sum(Scope(first, "region", street).gap_counts(TODAY).values()) < len(every)
