"""Backup: the whole graph written back as ledgers loads into an empty store as the same graph."""
from __future__ import annotations

import datetime as dt

from graph.memory.store import MemoryStore
from graph.model import LABELS, RELATIONSHIPS
from ingest.backup import export_ledgers
from ingest.demo import generate
from ingest.loader import Loader

PROVENANCE = {"src_file", "src_row", "loaded_at"}


def snapshot(store):
    nodes = {(label, n.key): {k: v for k, v in n.props.items() if k not in PROVENANCE}
             for label in LABELS for n in store.iter_nodes(label)}
    rels = sorted((r.type, r.start, r.end, sorted((k, str(v)) for k, v in r.props.items() if k not in PROVENANCE))
                  for t in RELATIONSHIPS for r in store.iter_relationships(t))
    return nodes, rels


def test_round_trip_of_the_demo_city(tmp_path, store):
    generate(tmp_path / "demo", scale=1, fmt="csv", today=dt.date(2025, 11, 22))
    Loader(store).load([tmp_path / "demo"])
    counts = export_ledgers(store, tmp_path / "backup", fmt="xlsx")
    assert counts["members"] == store.counts()["Member"]
    again = MemoryStore()
    report = Loader(again).load([tmp_path / "backup"])
    assert report.rejected == []
    assert snapshot(again) == snapshot(store)


def test_masked_export_hides_personal_data(tmp_path):
    s = MemoryStore()
    s.upsert_nodes("Member", [{"id": "M1", "name": "张三", "category": "正式", "org_code": "O1",
                               "id_card": "11010519491231002X", "phone": "13812345678"}])
    export_ledgers(s, tmp_path / "shared", fmt="csv", mask=True)
    text = (tmp_path / "shared" / "党员.csv").read_text(encoding="utf-8-sig")
    assert "1101**********002X" in text and "138****5678" in text
    assert "11010519491231002X" not in text
