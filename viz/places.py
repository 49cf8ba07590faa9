"""The place and who-must-act filter every list page carries (#39): a street/community picker, a
负责组织 choice, the region column, and the same ``?region=`` / ``?org=`` in the page's address, its
Excel link and its file name — a filtered list is a link to share."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from graph.analyses.gaps import Gap, concerns
from graph.analyses.scope import Scope
from graph.analyses.trees import load_trees
from graph.store import GraphStore

# the levels a street office picks from (a district and the city see them all unfiltered)
PICKABLE = ("区县", "街道乡镇", "社区村")


@dataclass
class PlaceFilter:
    region: str | None = None  # a region code (already resolved among what the scope may see)
    org: str | None = None  # an organisation code
    region_name: str = ""
    org_name: str = ""
    regions: list[tuple[str, str, str]] = field(default_factory=list)  # (code, shown name, level)
    orgs: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, its gaps here)

    def query(self, **extra: str | None) -> str:
        """The filter (and ``extra``) as a query string, ``""`` when empty."""
        pairs = {"region": self.region, "org": self.org, **extra}
        q = urlencode({k: v for k, v in pairs.items() if v})
        return q

    @property
    def label(self) -> str:
        """The place and the organisation as a title and a file name read them (“谭路街道”)."""
        return "_".join(x for x in (self.region_name, self.org_name) if x)


def gaps_filtered(store: GraphStore, scope: Scope, gaps: list[Gap], region: str | None,
                  org: str | None) -> tuple[list[Gap], PlaceFilter]:
    """``gaps`` (the scope's, of one place already if ``region``) cut to those ``org`` must see
    to, with the filter the page draws: the places the scope may pick and the organisations
    responsible for the gaps of this place, with how many each."""
    regions, orgs = load_trees(store)
    visible = scope.allowed("Region", [c for c, lv in regions.level.items() if lv in PICKABLE])
    # in code order: a district, its streets, each street followed by its communities
    options = sorted((c, regions.shown(c), regions.level[c] or "") for c in visible)
    who = Counter(g.responsible.id for g in gaps if g.responsible)
    names = {g.responsible.id: g.responsible.name or g.responsible.id for g in gaps if g.responsible}
    if org:
        mine = concerns(org, orgs)
        gaps = [g for g in gaps if mine(g)]
    f = PlaceFilter(region, org, regions.shown(region) if region else "",
                    (orgs.name.get(org) or org) if org else "", options,
                    [(c, names[c], n) for c, n in who.most_common()])
    return gaps, f


def region_names(store: GraphStore) -> dict[str, str]:
    """Every region's code → its name as a person tells it apart (the region column)."""
    regions, _ = load_trees(store)
    return {c: regions.shown(c) for c in regions.name}


@dataclass
class Duty:
    """The gaps an organisation must close, or those of what lies in a region, per rule, with
    whom to call about them (the responsible organisation's 书记 / 联系人 and masked phone)."""
    by_rule: list[tuple[str, str, list[Gap], str]]  # (rule, title, its gaps, the list's filtered link)
    contacts: dict[str, dict[str, str]]  # organisation code → name, 书记, 联系人, phone (masked)
    total: int


SHOWN_PER_RULE = 20


def duty_of(store: GraphStore, gaps: list[Gap], label: str, key: str) -> Duty | None:
    """For an organisation's page: the gaps it is responsible for; for a region's: the gaps of
    what lies in it. ``None`` for any other entity."""
    from graph.privacy import mask_phone
    from graph.rules import RULES

    if label == "Organization":
        mine, q = [g for g in gaps if g.responsible and g.responsible.id == key], urlencode({"org": key})
    elif label == "Region":
        inside = load_trees(store)[0].subtree(key)
        mine, q = [g for g in gaps if g.region in inside], urlencode({"region": key})
    else:
        return None
    per: dict[str, list[Gap]] = {}
    for g in mine:
        per.setdefault(g.rule, []).append(g)
    who = sorted({g.responsible.id for g in mine if g.responsible})
    contacts = {}
    for org in store.get_many("Organization", who):
        p = org.props
        contacts[org.key] = {"name": org.name or org.key, "secretary": p.get("secretary") or "",
                             "contact": p.get("contact") or "",
                             "phone": mask_phone(str(p["phone"])) if p.get("phone") else ""}
    return Duty([(r, RULES[r].title, gs, f"/views/gaps/{r}?{q}") for r, gs in per.items()], contacts, len(mine))
