"""Pages made by one API process are read by the others (#18, api/shared_pages.py): the same
bytes, not made again, until the data changes; nothing shared without the data's own version."""
from __future__ import annotations

import gzip
import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.page_cache import PageCache
from api.shared_pages import SharedPages
from graph.memory.store import MemoryStore
from graph.neo4j.store import Neo4jStore
from tests.apps import bearer

KEY = ("entity", "Organization", "O1", "all", None)


def _made(calls: list[str], name: str):
    def make() -> tuple[bytes, dict[str, str]]:
        calls.append(name)
        return json.dumps({"made by": name}).encode(), {"X-Total-Count": "1"}
    return make


@pytest.mark.neo4j
def test_a_page_made_by_one_process_is_read_by_another_until_the_data_changes(tmp_path, neo4j_store, neo4j_uri,
                                                                            monkeypatch):
    monkeypatch.setattr("graph.neo4j.store.VERSION_CHECK_SECONDS", 0.0)  # another's write seen at once
    neo4j_store.clear()
    neo4j_store.upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部", "kind": "党支部"}])
    path = tmp_path / "answers" / "pages.sqlite"
    stores = Neo4jStore(neo4j_uri), Neo4jStore(neo4j_uri)  # two processes' views of one database
    first, second = (PageCache(shared=SharedPages(path)) for _ in stores)
    calls: list[str] = []
    try:
        page = first.get(stores[0], KEY, _made(calls, "first"))
        first.shared.flush()
        assert second.peek(stores[1], KEY) == page  # read, not made
        assert second.get(stores[1], KEY, _made(calls, "second")) == page
        assert calls == ["first"] and gzip.decompress(page[0]) == b'{"made by": "first"}'
        assert page[1] == {"X-Total-Count": "1"}
        assert path.stat().st_mode & 0o077 == 0  # it holds names: its owner's only

        stores[0].upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部（更名）", "kind": "党支部"}])
        assert second.peek(stores[1], KEY) is None  # another version of the data
        again = second.get(stores[1], KEY, _made(calls, "second"))
        assert calls == ["first", "second"] and gzip.decompress(again[0]) == b'{"made by": "second"}'
    finally:
        for pages in (first, second):
            pages.close()
        for store in stores:
            store.close()


def test_a_store_without_a_shared_version_shares_nothing(tmp_path):
    """The embedded store's version is its process's own: a page of another process's data
    under the same number would be wrong."""
    path = tmp_path / "pages.sqlite"
    first, second = PageCache(shared=SharedPages(path)), PageCache(shared=SharedPages(path))
    calls: list[str] = []
    first.get(MemoryStore(), KEY, _made(calls, "first"))
    second.get(MemoryStore(), KEY, _made(calls, "second"))
    assert calls == ["first", "second"] and not path.exists()


def test_old_pages_are_not_read_and_the_file_keeps_to_its_size(tmp_path, monkeypatch):
    pages = SharedPages(tmp_path / "pages.sqlite", ttl=0.0)
    pages.put("v1", KEY, (b"x", {}))
    pages.flush()
    assert pages.get("v1", KEY) is None  # older than the backstop against writes that bypass Tupu

    monkeypatch.setattr("api.shared_pages.CHECK_EVERY", 10)
    small = SharedPages(tmp_path / "small.sqlite", max_bytes=10_000)
    for i in range(30):
        small.put("v1", ("page", i), (bytes(1_000), {}))
        small.flush()
    kept = [i for i in range(30) if small.get("v1", ("page", i)) is not None]
    assert len(kept) <= 20 and kept[-1] == 29 and 0 not in kept  # the oldest went first
    for p in (pages, small):
        p.close()


def test_an_unusable_file_is_a_miss_not_an_error(tmp_path, caplog):
    (tmp_path / "pages.sqlite").mkdir()  # a folder where the file should be
    pages = SharedPages(tmp_path / "pages.sqlite")
    with caplog.at_level(logging.WARNING, logger="tupu.api"):
        assert pages.get("v1", KEY) is None
        pages.put("v1", KEY, (b"x", {}))
        pages.flush()
        assert pages.get("v1", KEY) is None
    assert sum("shared pages" in r.getMessage() for r in caplog.records) == 1  # said once
    pages.close()


def test_a_kept_page_is_sent_gzipped_to_a_client_that_accepts_it(tmp_path):
    """Kept gzipped (an organisation's page in a fifth of its bytes), sent as kept where the
    client accepts gzip, unpacked where it does not; the same JSON either way."""
    from graph.access import TokenStore
    from ingest.demo import generate
    from ingest.loader import Loader

    store = MemoryStore()
    generate(tmp_path / "demo", scale=1, fmt="csv")
    Loader(store).load([tmp_path / "demo"])
    tokens = TokenStore(tmp_path / "tokens.json")
    token, _ = tokens.create("admin", name="test")
    org = store.list_nodes("Organization", limit=1)[0].key
    with TestClient(create_app(lambda: store, tokens=tokens)) as c:
        headers = bearer(token)
        made = c.get(f"/entities/Organization/{org}", headers={**headers, "Accept-Encoding": "gzip"})
        kept = c.get(f"/entities/Organization/{org}", headers={**headers, "Accept-Encoding": "gzip"})
        plain = c.get(f"/entities/Organization/{org}", headers={**headers, "Accept-Encoding": "identity"})
    assert (made.headers["x-tupu-kept"], kept.headers["x-tupu-kept"]) == ("no", "yes")
    assert kept.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert made.json() == kept.json() == plain.json() and plain.json()["id"] == org
