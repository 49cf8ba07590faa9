"""An entity's own page (LittleSis-style), for a browser at ``/entities/{label}/{id}``: its
name, kind and key facts, every relationship grouped by type with the other end linked, its
gaps with messages and who must act, its pairings with dates, its alliances, where it came from
(file, row, load time) and links to its network views. Personal data is masked."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.analyses.gaps import Gap
from graph.ends import ABSENT_REASON, END_PROPS, ENDABLE, REASONS, sentence
from graph.model import LABELS, RELATIONSHIPS, time_zh, value_zh
from graph.privacy import mask_props
from graph.rules import pairing_current
from graph.store import Node, Rel
from viz.places import SHOWN_PER_RULE, Duty
from viz.registry import VIEWS

_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent),
                   autoescape=select_autoescape(["html"]))
_env.filters["zh"] = value_zh
PROVENANCE = ("src_file", "src_row", "loaded_at")
# how a relationship pointing at this entity reads: "报到本组织的党员", "隶属本组织的党组织"
_HERE = {"Organization": "本组织", "Unit": "本单位", "Grid": "本网格", "Region": "本区划",
         "Alliance": "本联盟", "Member": "本人", "Activity": "本活动"}


def entity_html(node: Node, links: list[tuple[Rel, Node]], gaps: list[Gap], as_of: dt.date,
                timeline: dict[str, Any] | None = None, can_end: bool = False, duty: Duty | None = None) -> str:
    """``duty``: for an organisation, the gaps it must close; for a region, those of what lies in
    it (viz.places.duty_of);
    ``timeline``: what changed about it over the loads (``graph.history.timeline``);
    ``can_end``: the asker may end or restore it (an administrator or analyst: graph.ends)."""
    spec = LABELS[node.label]
    props = mask_props(node.props)
    facts = [(spec.field_zh(k), value_zh(v)) for k, v in props.items()
             if k not in PROVENANCE and k not in ("name", "data_problems", *END_PROPS) and v not in (None, "", [])]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pairings, alliances = [], []
    for rel, other in links:
        outgoing = rel.start.label == node.label and rel.start.key == node.key
        rp = mask_props(rel.props)
        entry = {"name": other.name, "kind": LABELS[other.label].zh, "key": other.key,
                 "href": f"/entities/{other.label}/{other.key}",
                 "props": [(k, value_zh(v)) for k, v in rp.items() if k not in PROVENANCE and v not in (None, "")]}
        title = (RELATIONSHIPS[rel.type].zh if outgoing
                 else f"{RELATIONSHIPS[rel.type].zh}{_HERE.get(node.label, '本实体')}的{LABELS[other.label].zh}")
        if rel.type == "PAIRED_WITH":
            pairings.append({**entry, "form": rp.get("form"), "since": rp.get("since"), "until": rp.get("until"),
                             "current": pairing_current(rel.props, as_of.isoformat())})
        elif rel.type == "IN_ALLIANCE":
            alliances.append({**entry, "role": rp.get("role")})
        else:
            groups[title].append(entry)
    # the views rooted at an entity of its kind, and the neighbourhood every entity has
    views = [(v.zh, v.url.format(key=node.key)) for v in VIEWS.values() if v.root in (node.label, None)]
    return _env.get_template("entity.html").render(
        name=node.name, kind=spec.zh, key=node.key, facts=facts, groups=sorted(groups.items()),
        pairings=pairings, alliances=alliances, gaps=gaps, views=views, as_of=as_of.isoformat(),
        problems=node.props.get("data_problems") or [], timeline=timeline, ended=sentence(node.props),
        can_end=can_end and node.label in ENDABLE, end_word=ABSENT_REASON.get(node.label, "终止"), label=node.label,
        reasons=REASONS, today=dt.date.today().isoformat(), duty=duty, shown_per_rule=SHOWN_PER_RULE,
        provenance=[(spec.field_zh(k), _provenance_zh(k, node.props[k])) for k in PROVENANCE if k in node.props])


def _provenance_zh(key: str, value: Any) -> str:
    """A provenance value as a user reads it (the load's time to the second).

    >>> _provenance_zh("loaded_at", "2025-11-22 09:30:05.123456"), _provenance_zh("src_row", 7)
    ('2025-11-22 09:30:05', '7')
    """
    return time_zh(value) if key == "loaded_at" and isinstance(value, str) else value_zh(value)
