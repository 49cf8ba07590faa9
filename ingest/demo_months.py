"""The demo city over several months (``tupu demo --months N``): the same city as
:mod:`ingest.demo`, handed over again every month with what a 两个覆盖 campaign and a year of
pairing work change — enterprises that found their own branch ("发现一个、组建一个", their
members moving to it), pairings that lapse, unpaired grassroots organisations paired with an
organ branch, and the routine work of a month (换届 held, mobile members reached, joint
activities). Each month is a full set of ledgers, as the street offices send them.

>>> import tempfile, pathlib
>>> months = generate_months(pathlib.Path(tempfile.mkdtemp()), 3, fmt="csv", today=dt.date(2025, 11, 22))
>>> [d.isoformat() for d, _ in months]
['2025-09-22', '2025-10-22', '2025-11-22']
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from ingest.demo import DemoCity
from ingest.writers import LedgerWriter

Rows = dict[str, list[dict[str, Any]]]
FOUNDED_PER_MONTH = 3
LAPSED_PER_MONTH = 2
PAIRED_PER_MONTH = 3


class _Kept:
    """A writer that keeps the rows (the city of one scale fits in memory)."""

    def __init__(self) -> None:
        self.rows: Rows = defaultdict(list)
        self.counts: dict[str, int] = {}

    def write(self, ledger: str, row: dict[str, Any]) -> None:
        self.rows[ledger].append(dict(row))
        self.counts[ledger] = self.counts.get(ledger, 0) + 1


def months_back(today: dt.date, n: int) -> list[dt.date]:
    """``n`` dates a month apart ending ``today`` (the day clamped to short months)."""
    out = []
    for k in range(n - 1, -1, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - k, 12)
        out.append(dt.date(y, m + 1, min(today.day, calendar.monthrange(y, m + 1)[1])))
    return out


def _found_branches(rows: Rows, day: dt.date, rng: random.Random) -> None:
    """Enterprises with three or more members and no branch of their own found one; their
    members' organisation moves to it."""
    orgs = rows["organizations"]
    own = {o["所在单位编码"] for o in orgs if o.get("所在单位编码")}
    covered = {u for o in orgs for u in (o.get("覆盖单位编码") or "").split(";") if u}
    staff: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in rows["members"]:
        if m.get("工作单位编码"):
            staff[m["工作单位编码"]].append(m)
    candidates = [u for u in rows["units"] if u["单位类别"] in ("非公企业", "社会组织")
                  and u["单位编码"] not in own | covered and len(staff[u["单位编码"]]) >= 3]
    committee = {o["区划代码"][:6]: o["组织编码"] for o in orgs
                 if o["组织类别"] == "党工委" and "非公有制" in o["组织名称"]}
    for u in rng.sample(candidates, k=min(FOUNDED_PER_MONTH, len(candidates))):
        oid = "XJ" + u["单位编码"][2:]
        orgs.append({"组织编码": oid, "组织名称": f"{u['单位名称']}党支部", "组织类别": "党支部",
                     "上级组织编码": committee.get(u["区划代码"][:6]), "所属领域": u["单位类别"],
                     "所在单位编码": u["单位编码"], "区划代码": u["区划代码"],
                     "成立日期": (day - dt.timedelta(days=rng.randint(1, 25))).isoformat(),
                     "届满日期": day.replace(year=day.year + 3).isoformat()})
        for m in staff[u["单位编码"]]:
            m["所在党组织编码"] = oid


def _lapse_pairings(rows: Rows, day: dt.date, rng: random.Random) -> None:
    running = [p for p in rows["pairings"] if (p.get("结束日期") or "9999") > day.isoformat()]
    for p in rng.sample(running, k=min(LAPSED_PER_MONTH, len(running))):
        p["结束日期"] = (day - dt.timedelta(days=rng.randint(1, 20))).isoformat()


def _pair_unpaired(rows: Rows, day: dt.date, rng: random.Random) -> None:
    """Unpaired community organisations are paired with an organ branch of their district."""
    paired = {p[k] for p in rows["pairings"] for k in ("甲方组织编码", "乙方组织编码")}
    organs: dict[str, list[str]] = defaultdict(list)
    for o in rows["organizations"]:
        if o["组织编码"].startswith("JG"):
            organs[o["区划代码"][:6]].append(o["组织编码"])
    unpaired = [o for o in rows["organizations"] if o.get("所属领域") == "社区" and o["组织类别"] != "党工委"
                and o["组织编码"] not in paired and organs.get(o["区划代码"][:6])]
    for o in rng.sample(unpaired, k=min(PAIRED_PER_MONTH, len(unpaired))):
        rows["pairings"].append({"甲方组织编码": rng.choice(organs[o["区划代码"][:6]]), "乙方组织编码": o["组织编码"],
                                 "结对形式": "结对共建", "开始日期": (day - dt.timedelta(days=10)).isoformat(),
                                 "结束日期": day.replace(year=day.year + 2).isoformat()})


def _routine_work(rows: Rows, day: dt.date, rng: random.Random) -> None:
    """What offices do every month: some overdue committees hold their 换届, mobile members not
    heard of for long are reached, pairings hold a joint activity."""
    iso = day.isoformat()
    for o in rows["organizations"]:
        if (o.get("届满日期") or "9999") < iso and rng.random() < 0.5:
            o["届满日期"] = day.replace(year=day.year + 3).isoformat()
    stale = (day - dt.timedelta(days=150)).isoformat()
    for m in rows["members"]:
        if m.get("是否流动") == "是" and (m.get("最近联系日期") or "") < stale and rng.random() < 0.6:
            m["最近联系日期"] = (day - dt.timedelta(days=rng.randint(0, 25))).isoformat()
    running = [p for p in rows["pairings"] if (p.get("结束日期") or "9999") > iso]
    for n, p in enumerate(rng.sample(running, k=len(running) * 2 // 5)):
        rows["activities"].append({"活动编码": f"HD{day:%Y%m}{n + 1:04d}", "活动日期": iso,
                                   "参与组织编码": f"{p['甲方组织编码']};{p['乙方组织编码']}",
                                   "活动类型": "结对共建活动", "参与人数": rng.randint(8, 40), "内容": "月度共建"})


def generate_months(folder: Path, months: int, scale: int = 1, fmt: str = "xlsx", seed: int = 20251122,
                    today: dt.date | None = None) -> list[tuple[dt.date, Path]]:
    """Write ``months`` monthly sets of ledgers into ``folder/<date>``; return each date and its folder
    (oldest first). The first month is the city as :func:`ingest.demo.generate` makes it."""
    days = months_back(today or dt.date.today(), max(1, months))
    kept = _Kept()
    DemoCity(kept, scale, seed, days[0]).generate()  # type: ignore[arg-type]
    out = []
    for k, day in enumerate(days):
        if k:
            rng = random.Random(seed + k)
            for change in (_found_branches, _lapse_pairings, _pair_unpaired, _routine_work):
                change(kept.rows, day, rng)
        target = folder / day.isoformat()
        writer = LedgerWriter(target, fmt)
        try:
            for ledger, rows in kept.rows.items():
                for row in rows:
                    writer.write(ledger, row)
        finally:
            writer.close()
        out.append((day, target))
    return out
