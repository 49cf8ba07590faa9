"""Change over time (#15): every load that writes is recorded with the date its ledgers stand
for; the graph as of any load can be rebuilt (values kept with the interval they held), the last
load undone, and two loads compared — gaps opened and closed per rule, organisations, units,
pairings and members changed — with progress per district and street and campaigns (集中攻坚).

>>> import tempfile, datetime as dt
>>> from pathlib import Path
>>> from graph.memory.store import MemoryStore
>>> from graph.store import RelRow
>>> h, s = History(Path(tempfile.mkdtemp())), MemoryStore()
>>> _ = s.upsert_nodes("Organization", [{"id": "A", "name": "甲支部", "kind": "党支部"}])
>>> first = h.record(s, date=dt.date(2025, 1, 31), files=["a.csv"], who="测试")
>>> _ = s.upsert_nodes("Member", [{"id": f"M{i}", "name": "张三", "category": "正式"} for i in range(3)])
>>> _ = s.upsert_relationships("MEMBER_OF", "Member", "Organization", [RelRow(f"M{i}", "A") for i in range(3)])
>>> second = h.record(s, date=dt.date(2025, 2, 28), files=["m.csv"], who="测试")
>>> [g.rule for g in h.changes(dt.date(2025, 1, 31)).closed]
['O1']
"""
from graph.history.changes import Changes, EntityChange, LoadRecord, gap_key
from graph.history.records import History, NoLoadRecord, store_as_of

__all__ = ["Changes", "EntityChange", "History", "LoadRecord", "NoLoadRecord", "gap_key", "store_as_of"]
