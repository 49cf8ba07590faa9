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
