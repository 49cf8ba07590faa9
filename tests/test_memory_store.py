"""What only the embedded store does: persistence to one file, written atomically."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from graph.memory.store import MemoryStore
from graph.store import RelRow


def test_persists_and_reloads(tmp_path):
    path = tmp_path / "g.pickle"
    s = MemoryStore(path)
    s.upsert_nodes("Organization", [{"id": "O1", "name": "甲党支部", "kind": "党支部"},
                                    {"id": "O2", "name": "乙党支部", "kind": "党支部"}])
    s.upsert_relationships("PAIRED_WITH", "Organization", "Organization",
                           [RelRow("O1", "O2", {"form": "联建"})])
    s.close()
    again = MemoryStore(path)
    assert again.get("Organization", "O1").props["name"] == "甲党支部"
    assert again.rel_counts()["PAIRED_WITH"] == 1
    assert [n.key for n in again.search("党支部")] == ["O1", "O2"]


def test_unsaved_writes_do_not_touch_the_file(tmp_path):
    path = tmp_path / "g.pickle"
    s = MemoryStore(path)
    s.upsert_nodes("Organization", [{"id": "O1", "name": "甲", "kind": "党支部"}])
    s.save()
    s.upsert_nodes("Organization", [{"id": "O2", "name": "乙", "kind": "党支部"}])
    assert MemoryStore(path).counts()["Organization"] == 1  # the file holds the last save
    s.save()
    assert MemoryStore(path).counts()["Organization"] == 2


WRITER = """
import sys
from graph.memory.store import MemoryStore
s = MemoryStore(sys.argv[1])
i = 0
print("ready", flush=True)
while True:
    s.upsert_nodes("Member", [{"id": f"M{i}-{j}", "name": "x" * 50, "category": "正式"} for j in range(20000)])
    s.save()
    i += 1
"""


def test_kill_9_during_save_never_corrupts_the_file(tmp_path):
    path = tmp_path / "g.pickle"
    base = MemoryStore(path)
    base.upsert_nodes("Organization", [{"id": "O1", "name": "甲", "kind": "党支部"}])
    base.save()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for delay in (0.3, 0.7, 1.1):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=root,
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        reloaded = MemoryStore(path)  # must load: the old file or a complete new one
        assert reloaded.get("Organization", "O1") is not None
        assert reloaded.counts()["Member"] % 20000 == 0


def test_sorted_keys_follow_every_write():
    """Listings and search page through keys sorted once per generation: a write shows at once."""
    s = MemoryStore()
    s.upsert_nodes("Unit", [{"id": k, "name": f"单位{k}", "kind": "村"} for k in ("U3", "U1")])
    assert [n.key for n in s.list_nodes("Unit")] == ["U1", "U3"]
    s.upsert_nodes("Unit", [{"id": "U2", "name": "单位U2", "kind": "村"}])
    assert [n.key for n in s.list_nodes("Unit")] == ["U1", "U2", "U3"]
    assert [n.key for n in s.search("单位")] == ["U1", "U2", "U3"]
    s.delete_nodes("Unit", ["U1"])
    assert [n.key for n in s.search("单位")] == ["U2", "U3"] == [n.key for n in s.iter_nodes("Unit")]


def test_equal_short_strings_and_each_node_are_held_once(tmp_path):
    """What keeps a past load's graph at 1M members in memory (the values of a million rows
    parsed anew) from holding a copy of every stamp, enumeration and node per row."""
    import json

    store = MemoryStore(tmp_path / "g.pickle")
    rows = [json.loads(json.dumps({"id": f"DY{i}", "category": "正式党员", "loaded_at": "2026-11-25 10:00:00"}))
            for i in range(3)]  # (as the history's rows come: every string a new object)
    store.upsert_nodes("Member", rows)
    store.upsert_nodes("Organization", [{"id": "O1", "name": "一支部", "kind": "党支部"}])
    store.upsert_relationships("MEMBER_OF", "Member", "Organization",
                               [RelRow("".join(["DY", str(i)]), "".join(["O", "1"]), {"src_file": "党员.csv"})
                                for i in range(3)])
    members = [store.g.nodes[("Member", f"DY{i}")] for i in range(3)]
    assert members[0]["category"] is members[2]["category"] and members[0]["loaded_at"] is members[1]["loaded_at"]
    assert all(next(iter(m)) is next(iter(members[0])) for m in members)  # the property names too
    node = next(n for n in store.g.nodes if n == ("Organization", "O1"))
    ends = [v for _, v in store.g.out_edges([("Member", f"DY{i}") for i in range(3)])]
    assert len(ends) == 3 and all(end is node for end in ends)  # the node's own tuple, not a copy per edge
    store.delete_nodes("Member", ["DY0"])
    assert ("Member", "DY0") not in store._one
    store.save()
    again = MemoryStore(tmp_path / "g.pickle")  # read back: new edges still end at the node's own tuple
    again.upsert_nodes("Member", [{"id": "DY9", "category": "预备党员"}])
    again.upsert_relationships("MEMBER_OF", "Member", "Organization", [RelRow("DY9", "".join(["O", "1"]), {})])
    (end,) = [v for _, v in again.g.out_edges([("Member", "DY9")])]
    assert end is next(n for n in again.g.nodes if n == ("Organization", "O1"))
    assert again.get("Member", "DY1").props["category"] == "正式党员"
