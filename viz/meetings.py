"""Meetings (汇报): a saved, ordered list of views, each with its title and how it was shown
(filters, groups unfolded, node positions). Kept as JSON files under ``$TUPU_HOME/meetings``; a
meeting is played as one offline HTML file whose slides step with the arrow keys
(``viz.deck``). A meeting has an owner and a scope, as a campaign (``graph.access``): a scoped
token lists and opens only meetings inside its scope, and only the owner or an admin adds to,
changes or deletes one; a meeting kept before owners were is an admin's, city-wide.

>>> import tempfile
>>> book = MeetingBook(Path(tempfile.mkdtemp()))
>>> book.add_slide("季度例会", Slide(title="全域结对", kind="pairings")).slides[0].title
'全域结对'
>>> [m.name for m in book.list()]
['季度例会']
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from graph.access import TokenEntry, check_change, check_delete, owner_of, sees_record
from graph.errors import InvalidInput, NotFoundError, TooLargeInput
from graph.history.damage import DamagedRecord, read_json
from viz.registry import VIEWS

if TYPE_CHECKING:
    from graph.analyses.scope import Scope

MAX_SLIDES = 100
MAX_MEETINGS = 500
MAX_STATE_BYTES = 512 * 1024  # positions of a few thousand nodes
_NAME = re.compile(r"[\w\u4e00-\u9fff（）()·\- ]{1,40}")


class MeetingNotFound(NotFoundError):
    pass


@dataclass
class Slide:
    title: str
    kind: str  # a view of viz.registry
    root: str | None = None  # its root's code
    hops: int = 1  # neighbourhood only
    state: dict[str, Any] = field(default_factory=dict)  # as the page left it (viz/template.html)

    def check(self) -> "Slide":
        if self.kind not in VIEWS:
            raise InvalidInput(f"未知的网络图类型“{self.kind}”：应为 {' / '.join(VIEWS)}")
        if self.root is None and not VIEWS[self.kind].root_optional:
            raise InvalidInput(f"{VIEWS[self.kind].zh}需要编码或名称")
        if not (1 <= self.hops <= 3):
            raise InvalidInput("hops 应为 1–3")
        self.title = (self.title or VIEWS[self.kind].zh).strip()[:80]
        if len(json.dumps(self.state, ensure_ascii=False).encode()) > MAX_STATE_BYTES:
            raise TooLargeInput("这一页的状态过大（节点位置过多）")
        return self


@dataclass
class Meeting:
    name: str
    title: str
    slides: list[Slide] = field(default_factory=list)
    owner: str | None = None  # the id of the token that made it; None: an admin's
    scope_kind: str = "all"  # its maker's scope
    scope: str | None = None


def slide_from_url(url: str, title: str, state: dict[str, Any] | None = None) -> Slide:
    """The slide of a view's page, from its address (``/views/coverage/519901001000``,
    ``/views/pairings?region=…``, ``/views/neighbourhood/X?hops=2``).

    >>> slide_from_url("/views/neighbourhood/SQ1?hops=2&as_of=2025-01-01", "甲").hops
    2
    >>> slide_from_url("/views/pairings", "乙").root is None
    True
    """
    u = urlparse(url)
    q = {k: v[0] for k, v in parse_qs(u.query).items()}
    parts = [p for p in u.path.split("/") if p]
    if len(parts) < 2 or parts[0] != "views" or parts[1] not in VIEWS:
        raise InvalidInput("只有联盟、组织体系、覆盖、结对和关联网络图可以加入汇报")
    kind = parts[1]
    root = parts[2] if len(parts) > 2 else q.get("region")
    hops = int(q["hops"]) if q.get("hops", "").isdigit() else 1
    return Slide(title=title, kind=kind, root=root, hops=hops, state=state or {}).check()


class MeetingBook:
    """The meetings of one Tupu home, one JSON file each."""

    def __init__(self, home: Path) -> None:
        self.dir = home / "meetings"

    def _file(self, name: str) -> Path:
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise InvalidInput("汇报名称应为 1–40 个汉字、字母、数字或 -（）")
        return self.dir / f"{name}.json"

    def get(self, name: str, scope: Scope | None = None) -> Meeting:
        """The meeting ``name``; for a ``scope`` that does not see it, as missing."""
        f = self._file(name)
        if not f.exists():
            raise MeetingNotFound(f"未找到汇报“{name}”（tupu meeting list 列出已有的）")
        raw = read_json(f)
        try:
            m = Meeting(raw["name"], raw["title"], [Slide(**s) for s in raw["slides"]], raw.get("owner"),
                        raw.get("scope_kind", "all"), raw.get("scope"))
        except (KeyError, TypeError, AttributeError) as e:
            raise DamagedRecord(f, "缺少汇报的名称、标题或页面") from e
        if scope is not None and not sees_record(scope, m):
            raise MeetingNotFound(f"未找到汇报“{name}”（tupu meeting list 列出已有的）")
        return m

    def list(self, scope: Scope | None = None, damaged: list[DamagedRecord] | None = None) -> list[Meeting]:
        """Every meeting, or those a token of ``scope`` lists; one whose file is damaged is left
        out, and put in ``damaged`` if given (else :class:`DamagedRecord` is raised)."""
        if not self.dir.exists():
            return []
        meetings = []
        for f in sorted(self.dir.glob("*.json")):
            try:
                meetings.append(self.get(f.stem))
            except DamagedRecord as e:
                if damaged is None:
                    raise
                damaged.append(e)
        return [m for m in meetings if scope is None or sees_record(scope, m)]

    def save(self, meeting: Meeting) -> Meeting:
        f = self._file(meeting.name)
        if not f.exists() and self.dir.exists() and len(list(self.dir.glob("*.json"))) >= MAX_MEETINGS:
            raise TooLargeInput(f"汇报已有 {MAX_MEETINGS} 个：请先删去一些")
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(meeting), out, ensure_ascii=False, indent=1)
        os.replace(tmp, f)
        return meeting

    def new(self, name: str, title: str | None = None) -> Meeting:
        if self._file(name).exists():
            raise InvalidInput(f"汇报“{name}”已存在")
        return self.save(Meeting(name.strip(), (title or name).strip()))

    def add_slide(self, name: str, slide: Slide, token: TokenEntry | None = None,
                  scope: Scope | None = None) -> Meeting:
        """Append a slide, making the meeting first if there is none of that name (``token``'s,
        for its scope; None: the command line's, an admin's). Another's meeting only its owner
        or an admin adds to."""
        try:
            meeting = self.get(name)
        except MeetingNotFound:
            meeting = Meeting(name.strip(), name.strip(), **owner_of(token))
        else:
            if token is not None and scope is not None:
                check_change(token, scope, meeting, "汇报", name)
        if len(meeting.slides) >= MAX_SLIDES:
            raise TooLargeInput(f"一个汇报最多 {MAX_SLIDES} 页")
        meeting.slides.append(slide.check())
        return self.save(meeting)

    def remove(self, name: str, token: TokenEntry | None = None, scope: Scope | None = None) -> None:
        meeting = self.get(name)
        if token is not None and scope is not None:
            check_delete(token, scope, meeting, "汇报", name)
        self._file(name).unlink()
