"""Bad input and faults: fuzzed ledgers never crash the loader; injection strings are stored
and searched literally; the API answers 503 while Neo4j is down and recovers by itself."""
from __future__ import annotations

import datetime as dt
import string

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.memory.store import MemoryStore
from ingest.ledgers import LEDGERS
from ingest.loader import Loader
from tests.apps import app_with_admin, bearer
from tests.ledger_files import write_xlsx

HEADERS = [[c.zh for c in lg.columns] for lg in LEDGERS.values()]
cell = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
                 st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                 st.dates(min_value=dt.date(1900, 1, 1)), st.sampled_from(["是", "否", "党支部", "正式", "；;", "１２３"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=3000), encoding=st.sampled_from(["utf-8", "gbk", "latin-1"]),
       header=st.sampled_from(HEADERS), text=st.text(alphabet=string.printable + "，；“”党组织编码\x00", max_size=500))
def test_fuzzed_csv_never_crashes(tmp_path, raw, encoding, header, text):
    f = tmp_path / "fuzz.csv"
    body = (",".join(header) + "\n" + text).encode(encoding, errors="replace") + raw
    f.write_bytes(body)
    report = Loader(MemoryStore()).load([f])
    assert report.error is None
    for issue in report.rejected + report.warnings:
        assert issue.file.endswith("fuzz.csv") and issue.reason


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(HEADERS), rows=st.lists(st.lists(cell, max_size=12), max_size=15),
       title=st.booleans())
def test_fuzzed_xlsx_never_crashes(tmp_path, header, rows, title):
    safe = [[v if not isinstance(v, str) else "".join(ch for ch in v if ch.isprintable()) for v in r] for r in rows]
    f = write_xlsx(tmp_path / "fuzz.xlsx", {"表": ([["某某台账（2025年）"]] if title else []) + [header] + safe})
    report = Loader(MemoryStore()).load([f])
    assert report.error is None
    # nothing lost: every row read either landed or was rejected (relationship ledgers may also
    # leave a row unlinked with a warning)
    for name, c in report.ledgers.items():
        node_ledger = next(lg for lg in LEDGERS.values() if lg.zh == name).label is not None
        assert (c.read == c.landed + c.rejected) if node_ledger else (c.landed + c.rejected <= c.read)


def test_damaged_workbook_is_reported(tmp_path):
    f = tmp_path / "坏.xlsx"
    f.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    report = Loader(MemoryStore()).load([f])
    assert report.rejected and report.rejected[0].reason.startswith("无法读取文件")


INJECTIONS = [
    "'}) MATCH (n) DETACH DELETE n //",
    '"}) RETURN 1 UNION MATCH (n) DETACH DELETE n //',
    "甲党支部` DETACH DELETE n //",
    "$text; CALL db.clearQueryCaches()",
    "\\\"); DROP INDEX tupu_name_fulltext //",
    "党支部 OR 1=1",
]


def test_injection_strings_are_stored_and_searched_literally(store):
    rows = [{"id": f"X{i}", "name": s, "kind": "党支部"} for i, s in enumerate(INJECTIONS)]
    rows.append({"id": "OK", "name": "正常党支部", "kind": "党支部"})
    store.upsert_nodes("Organization", rows)
    for i, s in enumerate(INJECTIONS):
        assert store.get("Organization", f"X{i}").props["name"] == s
        assert [n.key for n in store.search(s)] == [f"X{i}"]
        assert store.get("Organization", s) is None
    assert store.counts()["Organization"] == len(INJECTIONS) + 1
    assert [n.key for n in store.search("党支部")] == ["OK", "X2", "X5"]


@pytest.mark.neo4j
def test_api_recovers_by_itself_when_neo4j_returns(local_neo4j):
    if local_neo4j is None:
        pytest.skip("an outside Neo4j is in use (TUPU_TEST_NEO4J_URI)")
    from graph.neo4j.store import Neo4jStore
    from neo4j_local.launcher import LocalNeo4j, free_port

    inst = LocalNeo4j(local_neo4j.home, instance=local_neo4j.instance + "-recover")
    port = free_port()
    try:
        uri = inst.start(port=port, heap="512m")
        Neo4jStore(uri).upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部", "kind": "党支部"}])
        app, token = app_with_admin(lambda: Neo4jStore(uri))
        with TestClient(app, headers=bearer(token)) as c:
            assert c.get("/health").status_code == 200
            inst.stop()
            assert c.get("/health").status_code == 503
            r = c.get("/entities/Organization/O1")
            assert r.status_code == 503 and "无法连接" in r.json()["detail"]
            inst.start(port=port, heap="512m")
            assert c.get("/health").status_code == 200
            assert c.get("/entities/Organization/O1").json()["name"] == "甲党支部"
    finally:
        inst.remove()


@pytest.mark.neo4j
def test_the_drivers_debug_log_never_carries_personal_data(neo4j_store, caplog):
    """The Neo4j driver formats each query's parameters for its debug log: batches show as a
    count of rows, so turning that log on writes no 身份证号 or phone number."""
    neo4j_store.clear()
    with caplog.at_level("DEBUG", logger="neo4j"):
        neo4j_store.upsert_nodes("Member", [{"id": "M1", "name": "张三", "category": "正式",
                                             "id_card": "51010519900101123X", "phone": "13812345678"}])
        assert neo4j_store.existing_keys("Member", ["M1", "M2"]) == {"M1"}
    text = caplog.text
    assert "C: RUN" in text and "<1 rows>" in text  # the log was on, the batch shown by its size
    assert "51010519900101123X" not in text and "13812345678" not in text
    assert neo4j_store.get("Member", "M1").props["id_card"] == "51010519900101123X"  # stored in full
