"""`tupu demo` builds the same city on every run and machine (#36 item 17): the ledgers of two
months and the 市场监管 export, generated in two processes with different hash seeds and time
zones, are the same bytes. (Street names came from iterating a set: one street had three names
in three runs.) Dates are counted from the day given as today, ID numbers' birthdays too."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from stdnum.cn import ric

from ingest.demo import DemoCity
from ingest.demo_months import _Kept

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import datetime as dt, hashlib, json, sys
from pathlib import Path
from graph.memory.store import MemoryStore
from ingest.demo_months import generate_months
from ingest.demo_registry import register_rows
from ingest.loader import Loader

out, today = Path(sys.argv[1]), dt.date(2025, 11, 22)
months = generate_months(out, 2, fmt="csv", today=today)
store = MemoryStore()
Loader(store).load([months[0][1]])
rows = register_rows(store, today=today)
files = {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.csv"))}
streets = sorted(n.name for n in store.iter_nodes("Region") if n.props.get("level") == "街道乡镇")
print(json.dumps({"files": files, "streets": streets, "register": hashlib.sha256(
    json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()}))
"""


def _run(tmp_path: Path, hash_seed: str, tz: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TZ": tz}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / hash_seed)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_with_different_hash_seeds_write_the_same_city(tmp_path):
    a, b = _run(tmp_path, "1", "UTC"), _run(tmp_path, "4242", "Asia/Shanghai")
    assert len(a["files"]) >= 2 * 8 and len(a["streets"]) == 12
    assert a["files"] == b["files"]  # every ledger of both months, byte for byte
    assert a["streets"] == b["streets"]
    assert a["register"] == b["register"]


def test_id_numbers_are_born_before_the_demo_s_today_not_the_machine_s():
    today = dt.date(2001, 3, 1)
    numbers = DemoCity(_Kept(), today=today).pool.ssn
    # (the check digit, which calc_check_digit reads off the whole number; Faker's area codes are older than python-stdnum's list of places)
    assert all(len(n) == 18 and ric.calc_check_digit(n) == n[-1] for n in numbers)
    births = [ric.get_birth_date(n) for n in numbers]
    assert max(births) <= today.replace(year=today.year - 18) and min(births) >= dt.date(1911, 1, 1)
