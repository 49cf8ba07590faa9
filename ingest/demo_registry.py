"""A 市场监管 export for the demo city (``tupu demo`` writes it beside the ledgers), so that 摸排
can be tried end to end: the city's enterprises and social organisations as the register writes
them — some with their credit code, some only by a name written another way (the province and
city in front, another legal form, a region in brackets, traditional characters), a few closed
(注销 / 吊销) — and enterprises the ledgers do not know yet, among them a branch of a known one.

>>> from graph.memory.store import MemoryStore
>>> s = MemoryStore()
>>> _ = s.upsert_nodes("Unit", [{"id": "DW1", "name": "晖来传媒有限公司", "kind": "非公企业", "employees": 40}])
>>> rows = register_rows(s, seed=1)
>>> len(rows), sorted(r["企业名称"] for r in rows if r["企业名称"].startswith("晖来"))
(27, ['晖来传媒有限公司', '晖来传媒有限公司城南分公司'])
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from faker import Faker
from opencc import OpenCC

from graph.store import GraphStore
from ingest.demo import CITY_NAME, _uscc

HEADER = ("序号", "企业名称", "统一社会信用代码", "住所", "成立日期", "登记状态", "参保人数", "法定代表人")
NEW_ENTERPRISES = 25  # registered, active, and in no ledger: the 未入台账 targets


def _written_otherwise(name: str, district: str, rng: random.Random, t2t: OpenCC) -> str:
    """The name as another register writes it."""
    way = rng.randrange(4)
    if way == 0:
        return f"四川省{CITY_NAME}{name}"
    if way == 1:
        if name.endswith("有限公司"):
            return name.replace("有限公司", "有限责任公司")
        return name if name.startswith(district) else f"{district}{name}"
    if way == 2 and name.endswith("有限公司"):
        return name.replace("有限公司", f"（{district[:2]}）有限公司")
    return str(t2t.convert(name))


def register_rows(store: GraphStore, seed: int = 20251122, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The register's rows: the same on every run given the graph and ``today`` (units in code
    order, whatever order the store gives them; founding dates up to ``today``, not the clock)."""
    rng = random.Random(seed)
    until = dt.datetime.combine(today or dt.date.today(), dt.time())
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 7)  # not the city's own names
    t2t = OpenCC("s2t")
    district_of: dict[str, str] = {}
    for r in store.iter_nodes("Region"):
        if r.props.get("level") == "区县":
            district_of[r.key[:6]] = r.name
    regions = {r.start.key: r.end.key for r in store.iter_relationships("IN_REGION") if r.start.label == "Unit"}
    rows: list[dict[str, Any]] = []
    for u in sorted(store.iter_nodes("Unit"), key=lambda n: n.key):
        if u.props.get("kind") not in ("非公企业", "社会组织"):
            continue
        district = district_of.get((regions.get(u.key) or "")[:6], "东湖区")
        status = "注销" if rng.random() < 0.03 else "吊销" if rng.random() < 0.02 else "存续"
        with_code = rng.random() < 0.6 and u.props.get("uscc")
        name = u.name if with_code or rng.random() < 0.3 else _written_otherwise(u.name, district, rng, t2t)
        rows.append({"企业名称": name, "统一社会信用代码": u.props.get("uscc") if with_code else None,
                     "住所": f"{CITY_NAME}{district}{fake.street_address()}", "成立日期": fake.date(end_datetime=until),
                     "登记状态": status, "参保人数": u.props.get("employees"), "法定代表人": fake.name()})
    known = [r for r in rows if str(r["企业名称"]).endswith("有限公司")]
    if known:  # a branch of a known enterprise is its own unit
        head = known[0]
        rows.append({**head, "企业名称": f"{head['企业名称']}城南分公司", "统一社会信用代码": _uscc(rng),
                     "参保人数": 12})
    districts = sorted(district_of.values()) or ["东湖区"]
    taken = {n.name for n in store.iter_nodes("Unit")}
    for _ in range(NEW_ENTERPRISES):
        name = fake.company()
        while name in taken:
            name = fake.company()
        taken.add(name)
        rows.append({"企业名称": name, "统一社会信用代码": _uscc(rng),
                     "住所": f"{CITY_NAME}{rng.choice(districts)}{fake.street_address()}",
                     "成立日期": fake.date(end_datetime=until),
                     "登记状态": rng.choice(["存续", "在业"]), "参保人数": rng.randint(3, 120),
                     "法定代表人": fake.name()})
    rng.shuffle(rows)
    return rows


def write_register(store: GraphStore, path: Path, seed: int = 20251122, today: dt.date | None = None) -> int:
    """The export as the register gives it: a title row above the header; the rows written."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "市场主体"
    ws.append([f"{CITY_NAME}市场主体登记信息（导出）"])
    ws.append(list(HEADER))
    rows = register_rows(store, seed, today)
    for i, r in enumerate(rows, 1):
        ws.append([i, *(r[h] for h in HEADER[1:])])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(rows)
