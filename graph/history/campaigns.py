"""Campaigns (集中攻坚): a name, a start date, a scope (a region, or everywhere) and the rules it
targets. A campaign has an owner (the token that made it) and a scope (its maker's, narrowed to
a region when one is given): a scoped token lists and opens only campaigns inside its scope,
and only the owner or an admin changes, replaces or deletes one (``graph.access``). A campaign
kept before owners were is an admin's, city-wide (narrowed to its region).

Its progress is read from the load records: the gaps of those rules at its start (the load in
force that day), how many are closed since, how many still open and how many appeared
since — in all and ranked by street. Kept in ``$TUPU_HOME/campaigns.json``.

>>> import tempfile
>>> book = CampaignBook(Path(tempfile.mkdtemp()))
>>> book.add(Campaign("两个覆盖攻坚", "2025-01-31", ["U1", "U2"])).rules
['U1', 'U2']
>>> [c.name for c in book.list()]
['两个覆盖攻坚']
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.access import sees_record
from graph.analyses.gaps import Gap
from graph.analyses.scope import Scope
from graph.analyses.trees import RegionTree, load_trees
from graph.errors import InvalidInput, NotFoundError
from graph.history.changes import LoadRecord, gap_key
from graph.history.damage import read_json
from graph.history.records import History, NoLoadRecord
from graph.rules import RULES
from graph.store import GraphStore

_NAME = re.compile(r"[\w\u4e00-\u9fff（）()·\- ]{1,40}")
NO_STREET = "（未落到街道）"


class CampaignNotFound(NotFoundError):
    pass


@dataclass
class Campaign:
    name: str
    start: str  # ISO date
    rules: list[str]
    region: str | None = None  # a region code (its subtree), None for everywhere
    region_name: str | None = None
    created_by: str = ""
    owner: str | None = None  # the id of the token that made it; None: an admin's
    scope_kind: str = "all"  # its maker's scope (the region above narrows it)
    scope: str | None = None
    scope_name: str | None = None  # the name of its maker's organisation, for an organisation's scope

    @property
    def where(self) -> str:
        """Its scope as a reader says it: the region, the organisation (含下级), or 全域."""
        if self.region_name:
            return self.region_name
        if self.scope_kind == "org":
            return f"{self.scope_name or self.scope}（含下级）"
        return "全域" if self.scope_kind == "all" else self.scope or "全域"

    def check(self) -> "Campaign":
        if not _NAME.fullmatch(self.name or ""):
            raise InvalidInput("攻坚名称应为 1–40 个汉字、字母、数字或（）·- ")
        try:
            dt.date.fromisoformat(self.start)
        except ValueError:
            raise InvalidInput(f"开始日期应为 YYYY-MM-DD：{self.start}") from None
        self.rules = [r.strip().upper() for r in self.rules if r.strip()]
        unknown = [r for r in self.rules if r not in RULES]
        if not self.rules or unknown:
            raise InvalidInput(f"未知的规则：{'、'.join(unknown) or '（未指定）'}；可选 {' '.join(RULES)}")
        return self


class CampaignBook:
    def __init__(self, home: Path) -> None:
        self.path = home / "campaigns.json"

    def _read(self) -> dict[str, dict[str, Any]]:
        return read_json(self.path) if self.path.exists() else {}  # type: ignore[no-any-return]

    def _write(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def seen(self, scope: Scope) -> list[Campaign]:
        """The campaigns a token of ``scope`` lists."""
        return [c for c in self.list() if sees_record(scope, c, c.region)]

    def list(self) -> list[Campaign]:
        return sorted((Campaign(**c) for c in self._read().values()), key=lambda c: (c.start, c.name))

    def find(self, name: str) -> Campaign | None:
        c = self._read().get(name)
        return None if c is None else Campaign(**c)

    def get(self, name: str, scope: Scope | None = None) -> Campaign:
        """The campaign ``name``; for a ``scope`` that does not see it, as missing."""
        c = self.find(name)
        if c is None or (scope is not None and not sees_record(scope, c, c.region)):
            raise CampaignNotFound(f"没有名为“{name}”的集中攻坚（tupu campaign list 列出全部）")
        return c

    def add(self, campaign: Campaign) -> Campaign:
        campaign.check()  # first: it normalises the rules that are kept
        data = self._read()
        data[campaign.name] = asdict(campaign)
        self._write(data)
        return campaign

    def remove(self, name: str) -> None:
        data = self._read()
        if data.pop(name, None) is None:
            raise CampaignNotFound(f"没有名为“{name}”的集中攻坚")
        self._write(data)


@dataclass
class StreetProgress:
    code: str | None
    name: str
    at_start: int = 0
    closed: int = 0
    still_open: int = 0
    opened_since: int = 0

    @property
    def closed_rate(self) -> float | None:
        return round(self.closed / self.at_start, 4) if self.at_start else None


@dataclass
class CampaignProgress:
    campaign: Campaign
    start_load: LoadRecord
    latest_load: LoadRecord
    at_start: list[Gap]
    closed: list[Gap]
    still_open: list[Gap]
    opened_since: list[Gap]
    streets: list[StreetProgress] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def brief(g: Gap) -> dict[str, Any]:
            return {"rule": g.rule, "id": g.id, "name": g.name, "region": g.region,
                    "responsible": g.responsible.name if g.responsible else None}

        return {"campaign": asdict(self.campaign), "start_load": asdict(self.start_load),
                "latest_load": asdict(self.latest_load),
                "counts": {"at_start": len(self.at_start), "closed": len(self.closed),
                           "still_open": len(self.still_open), "opened_since": len(self.opened_since)},
                "streets": [{**asdict(s), "closed_rate": s.closed_rate} for s in self.streets],
                "closed": [brief(g) for g in self.closed], "still_open": [brief(g) for g in self.still_open],
                "opened_since": [brief(g) for g in self.opened_since]}


def _street(regions: RegionTree, code: str | None) -> tuple[str | None, str]:
    """The street a gap lies in, or — above the streets (a district's organ branch) — its own
    region "（本级）"."""
    street = next((c for c in regions.ancestors(code) if regions.level.get(c) == "街道乡镇"), None)
    if street:
        return street, regions.name.get(street, street)
    if code and code in regions.name:
        return code, f"{regions.name[code]}（本级）"
    return None, NO_STREET


def campaign_progress(history: History, campaign: Campaign, regions: RegionTree,
                      keep: Any = None) -> CampaignProgress:
    """Where a campaign stands at the latest load; ``keep`` cuts the gaps to what a viewer may
    see (``Scope.gaps``)."""
    loads = history.loads()
    if not loads:
        raise NoLoadRecord("还没有任何载入记录：集中攻坚的进展从载入记录中读出")
    # a campaign started before the first load counts from the first load
    start = next((r for r in reversed(loads) if r.date <= campaign.start), loads[0])
    latest = loads[-1]
    inside = regions.subtree(campaign.region) if campaign.region else None

    def targeted(gaps: list[Gap]) -> dict[tuple[str, str], Gap]:
        gaps = [g for g in gaps if g.rule in campaign.rules and (inside is None or g.region in inside)]
        return {gap_key(g): g for g in (keep(gaps) if keep else gaps)}

    before, now = targeted(history.gaps_of(start)), targeted(history.gaps_of(latest))
    closed = [g for k, g in before.items() if k not in now]
    still = [g for k, g in before.items() if k in now]
    new = [g for k, g in now.items() if k not in before]
    streets: dict[str | None, StreetProgress] = {}
    for part, gaps in (("at_start", before.values()), ("closed", closed), ("still_open", still),
                       ("opened_since", new)):
        for g in gaps:
            code, name = _street(regions, g.region)
            s = streets.setdefault(code, StreetProgress(code, name))
            setattr(s, part, getattr(s, part) + 1)
    ranked = sorted(streets.values(), key=lambda s: (-(s.still_open + s.opened_since), -s.at_start, s.name))
    return CampaignProgress(campaign, start, latest, list(before.values()), closed, still, new, ranked)


def progress_of(history: History, campaign: Campaign, store: GraphStore, scope: Scope) -> CampaignProgress:
    """A campaign's progress within its own scope, as one viewer may see it."""
    own = Scope(store, campaign.scope_kind, campaign.scope, scope.policy)
    cuts = [s.gaps for s in (own, scope) if not s.everything]

    def keep(gaps: list[Gap]) -> list[Gap]:
        for cut in cuts:
            gaps = cut(gaps)
        return gaps

    return campaign_progress(history, campaign, load_trees(store)[0], keep if cuts else None)


def campaigns_in_force(history: History, book: CampaignBook, store: GraphStore, scope: Scope) -> list[CampaignProgress]:
    """The progress of every campaign the viewer lists (none before any load is recorded)."""
    if not history.loads():
        return []
    return [progress_of(history, c, store, scope) for c in book.seen(scope)]


__all__ = ["Campaign", "CampaignBook", "CampaignNotFound", "CampaignProgress", "StreetProgress",
           "campaign_progress", "campaigns_in_force", "progress_of"]
