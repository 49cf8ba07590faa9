"""The home page at ``/``: totals, gaps per rule, coverage by district and street, alliances —
each list linking to its view or its Excel export. One self-contained page, in Chinese."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.analyses.coverage import MEASURES, coverage
from graph.analyses.gaps import find_gaps
from graph.analyses.nonempty import has_data
from graph.analyses.scope import Scope
from graph.analyses.trees import load_trees
from graph.ends import ENDABLE, is_live
from graph.history.campaigns import CampaignProgress
from graph.model import LABELS
from graph.policy import Policy
from graph.rules import RULES
from graph.store import GraphStore, Node
from ingest.report import UNCHANGED_NOTE
from viz.places import gaps_filtered, region_names
from viz.progress import campaign_chart, progress_charts

_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent),
                   autoescape=select_autoescape(["html"]))


def home_html(store: GraphStore, policy: Policy, as_of: dt.date | None = None, scope: Scope | None = None,
              can_upload: bool = False, meetings: list | None = None, since=None,
              progress: list[tuple[str, dict]] | None = None, campaigns: list | None = None,
              damaged: list[str] | None = None) -> str:
    """``since``: what changed since the load before the last (``graph.history.Changes``), as
    the scope saw it (``graph.history.seen.changes_seen``);
    ``progress``: each load's figures per region (``graph.history.History.progress``);
    ``campaigns``: where each campaign stands (``graph.history.campaigns.CampaignProgress``);
    ``damaged``: the names of the damaged files left out (a notice says so)."""
    as_of = as_of or dt.date.today()
    scope = scope or Scope(store, policy=policy)
    day = as_of.isoformat()
    gone = {label: {n.key for n in store.ended_nodes(label) if not is_live(n.props, day)} for label in ENDABLE}
    if scope.everything:  # what has not ended (graph.ends)
        counts = {label: n - len(gone.get(label, ())) for label, n in store.counts().items()}
    else:  # what the scope may see
        counts = {label: len(scope.allowed(label, (n.key for n in store.iter_nodes(label)
                                                   if n.key not in gone.get(label, ())))) for label in LABELS}
    per_rule = scope.gap_counts(as_of)
    rows = coverage(store, as_of=as_of, policy=policy, scope="region")
    visible = scope.allowed("Region", [r.id for r in rows])
    rates = [r for r in rows if r.level in ("市", "区县", "街道乡镇") and r.id in visible]
    alliances = store.list_nodes("Alliance", limit=500)
    ok = scope.allowed("Alliance", [a.key for a in alliances])
    alliances = [a for a in alliances if a.key in ok]
    alliance_places = _places_of_twins(store, alliances)
    charts = progress_charts(progress, None if scope.everything else visible) if progress else []
    first_region = next((r.id for r in rates if r.level == "街道乡镇"), None)
    first_org = [o for o in store.list_nodes("Organization", limit=1) if scope.allows("Organization", o.key)]
    if scope.kind == "org" and scope.value:
        root = store.get("Organization", scope.value)
        first_org = [root] if root else []
    return _env.get_template("home.html").render(
        as_of=as_of.isoformat(), backend=store.backend,
        totals=[(LABELS[k].zh, v) for k, v in counts.items() if k not in ("Activity",)],
        rules=[(rid, r.title, r.group, per_rule.get(rid, 0)) for rid, r in RULES.items()],
        total_gaps=sum(per_rule.values()), rates=rates, measures=MEASURES, alliances=alliances,
        alliance_places=alliance_places,
        first_region=first_region, first_org=first_org[0].key if first_org else None,
        can_upload=can_upload, empty=not has_data(store), meetings=meetings or [],
        charts=charts, chart_options={c.id: c.option for c in charts}, loads=len(progress or []),
        campaigns=campaigns or [], unchanged_note=UNCHANGED_NOTE, damaged=damaged or [],
        since=since,
    )


def _places_of_twins(store: GraphStore, alliances: list[Node]) -> dict[str, str]:
    """Where each alliance that shares its name with another is: its lead organisation's region
    (“西岭区孟街街道”), else its code — two rows of one name must not look the same."""
    names = Counter(a.name for a in alliances)
    twins = [a.key for a in alliances if names[a.name] > 1]
    if not twins:
        return {}
    regions, orgs = load_trees(store)
    places = {}
    for key, (_, links) in store.nodes_with_neighbours("Alliance", twins).items():
        members = [(rel.props.get("role") != "牵头", other.key) for rel, other in links
                   if rel.type == "IN_ALLIANCE" and other.label == "Organization"]
        region = orgs.region.get(min(members)[1]) if members else None
        places[key] = regions.shown(region) if region else key
    return places


def campaign_html(progress: CampaignProgress) -> str:
    """One campaign's page: its figures, its streets ranked (a chart and a table), what is still open."""
    chart = campaign_chart(progress.streets)
    return _env.get_template("campaign.html").render(
        p=progress, chart=chart, chart_options={chart.id: chart.option} if progress.streets else {},
        titles={r: RULES[r].title for r in progress.campaign.rules if r in RULES})


def gap_list_html(store: GraphStore, policy: Policy, rule: str, as_of: dt.date | None = None,
                  scope: Scope | None = None, region: str | None = None, org: str | None = None) -> str:
    """One rule's gaps, of a place (``region``, its code) and of who must act (``org``) if
    given, with the picker that chooses them and their region column (viz.places)."""
    keep = [("as_of", as_of.isoformat())] if as_of else []  # a date asked for stays in the filtered link
    as_of = as_of or dt.date.today()
    scope = scope or Scope(store, policy=policy)
    found = scope.gaps(find_gaps(store, rules=[rule], as_of=as_of, policy=policy, region=region, share=True))
    gaps, where = gaps_filtered(store, scope, found, region, org)
    return _env.get_template("gaps.html").render(as_of=as_of.isoformat(), rule=rule, title=RULES[rule].title,
                                                 gaps=gaps, where=where, places=region_names(store), keep=keep,
                                                 export=where.query(rule=rule, format="xlsx",
                                                                    as_of=as_of.isoformat()))


def screening_html(duplicates: list, sources: list[str]) -> str:
    """The 摸排 page: a registry export matched and its possible rows decided, one click each;
    the merge candidates inside the ledgers, merged or set apart."""
    from graph.screening.merge import MERGEABLE

    return _env.get_template("screening.html").render(duplicates=duplicates, sources=sources, kinds=MERGEABLE)
