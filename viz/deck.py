"""A meeting played as one offline page: each slide's view built now (from today's data, or as
of a day), cut to what the viewer may see, and drawn as it was left; the arrow keys step. A
slide whose view the viewer may not see is shown as such, with nothing of it: no title, no
notes."""
from __future__ import annotations

import datetime as dt
from typing import Any

from graph.policy import Policy
from graph.store import GraphStore
from viz.meetings import Meeting
from viz.registry import VIEWS
from viz.render import render_deck, render_html
from viz.views import ViewNotFound, filter_view

HIDDEN = "（无权查看的一页）"


def render_meeting(store: GraphStore, meeting: Meeting, *, as_of: dt.date | None = None,
                   policy: Policy | None = None, scope: Any = None) -> str:
    slides = []
    for s in meeting.slides:
        spec = VIEWS[s.kind]
        if scope is not None and s.root is not None and not _sees(store, scope, spec.root, s.root):
            # a view the viewer may not see: no title, no notes, nothing of it (#36)
            slides.append((HIDDEN, _missing(HIDDEN, "不在你的授权范围内")))
            continue
        args = (s.root, s.hops) if s.kind == "neighbourhood" else (s.root,)
        try:
            view = spec.build(store, *args, as_of=as_of, policy=policy)
        except ViewNotFound as e:  # gone since the slide was made: say so on its page
            slides.append((s.title, _missing(s.title, str(e))))
            continue
        if scope is not None:
            view = filter_view(view, scope)
        view.title = s.title or view.title
        slides.append((s.title, render_html(view, state=s.state, embedded=True)))
    return render_deck(meeting.title, slides)


def _sees(store: GraphStore, scope: Any, label: str | None, root: str) -> bool:
    from graph.analyses.trace import find_entity
    from graph.errors import TupuError

    try:
        find_entity(store, root, label, visible=scope.nodes)
    except TupuError:
        return False
    return True


def _missing(title: str, why: str) -> str:
    from html import escape

    return (f'<!DOCTYPE html><meta charset="utf-8"><body style="font-family:sans-serif;padding:3em">'
            f"<h1>{escape(title)}</h1><p>这一页的网络图已无法生成：{escape(why)}</p></body>")
