"""The network views: built on both stores, drawn as self-contained pages, served by the API."""
from __future__ import annotations

import re

import pytest

from tests.test_api import client_for
from tests.test_gap_rules import AS_OF, C, S, build
from viz import views
from viz.palette import SECTORS
from viz.render import render_html

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?//""", re.I)


def test_every_view_builds_and_renders_offline(store):
    build(store)
    built = {
        "alliance": None,
        "tree": views.tree_view(store, "CITY", as_of=AS_OF),
        "coverage": views.coverage_view(store, S, as_of=AS_OF),
        "pairings": views.pairings_view(store, as_of=AS_OF),
        "neighbourhood": views.neighbourhood_view(store, "COMM", 2, as_of=AS_OF),
        "path": views.path_view(store, "Ma", "ORGAN", as_of=AS_OF),
    }
    built.pop("alliance")
    for name, v in built.items():
        assert v.nodes, name
        html = render_html(v)
        assert not EXTERNAL.search(html), f"{name} loads something from another host"
        assert "vis.Network" in html and v.title in html and "图例" in html
    tree = built["tree"]
    assert len(tree.nodes) == 16 and any(n.gaps for n in tree.nodes)
    comm = next(n for n in tree.nodes if n.id == "Organization:COMM")
    assert [g["rule"] for g in comm.gaps] == ["O3"]
    cov = built["coverage"]
    assert {"Unit:B1", "Unit:X1", "Unit:U_ENT1"} <= {n.id for n in cov.nodes}
    b1 = next(n for n in cov.nodes if n.id == "Unit:B1")
    # colour is the sector (a 楼栋: community green); the gap is its ring and badge, not its fill
    assert b1.gaps[0]["rule"] == "G2" and b1.color == SECTORS["community"].color
    pairs = built["pairings"]
    assert {e.style for e in pairs.edges} >= {"current", "lapsed"}
    assert all(n.x is not None for n in pairs.nodes)  # precomputed layout
    with pytest.raises(views.ViewNotFound):
        views.tree_view(store, "NOPE")


def test_alliance_view(store):
    from graph.store import RelRow

    build(store)
    store.upsert_nodes("Alliance", [{"id": "LM1", "name": "东街道区域化党建联盟"}])
    store.upsert_relationships("IN_ALLIANCE", "Organization", "Alliance", [RelRow("ST", "LM1", {"role": "牵头"})])
    store.upsert_relationships("IN_ALLIANCE", "Organization", "Alliance",
                               [RelRow(o, "LM1", {"role": "成员"}) for o in ("COMM", "ORGAN", "BR_OK")])
    v = views.alliance_view(store, "LM1", as_of=AS_OF)
    ids = {n.id for n in v.nodes}
    assert {"Alliance:LM1", "Organization:ST", "Organization:COMM", "Organization:ORGAN"} <= ids
    lead = next(n for n in v.nodes if n.id == "Organization:ST")
    assert (lead.x, lead.y) == (0.0, 0.0) and lead.facts["联盟角色"] == "牵头"
    # the pairing ORGAN—COMM inside the alliance is drawn, current (until today)
    inner = [e for e in v.edges if {e.source, e.target} == {"Organization:ORGAN", "Organization:COMM"}]
    assert inner and inner[0].style == "current"
    assert "Grid:GG1" in ids  # BR_OK is built on it: the alliance reaches it


def test_views_and_home_are_served(store):
    build(store)
    for c in client_for(store):
        home = c.get("/", params={"as_of": AS_OF.isoformat()})
        assert home.status_code == 200 and "党建图谱" in home.text and "覆盖率" in home.text
        assert "/views/gaps/U1" in home.text and "/gaps?rule=U1&format=xlsx" in home.text
        assert not EXTERNAL.search(home.text)
        r = c.get("/views/gaps/G2", params={"as_of": AS_OF.isoformat()})
        assert r.status_code == 200 and "1号楼" in r.text
        for url in ("/views/tree/CITY", f"/views/coverage/{S}", f"/views/pairings?region={C}",
                    "/views/neighbourhood/COMM?hops=2", "/views/path?a=Ma&b=ORGAN"):
            r = c.get(url)
            assert r.status_code == 200, url
            assert r.headers["content-type"].startswith("text/html") and "vis.Network" in r.text
        assert c.get("/views/tree/NOPE").status_code == 404
        assert c.get("/views/alliance/NOPE").status_code == 404


def test_a_streets_pairing_view_includes_the_other_ends_and_agrees_with_coverage(store):
    """The organ branches a street's organisations pair with sit at district level: the view of
    the street draws them (in their own group) and its figures are the home page's."""
    from graph.analyses.coverage import coverage

    build(store)
    v = views.pairings_view(store, S, as_of=AS_OF)
    ids = {n.id for n in v.nodes}
    assert "Organization:ORGAN5" in ids and "Organization:ENT_BR" in ids  # ENT_BR (street) ↔ ORGAN5 (district)
    assert any(e.source == "Organization:ORGAN5" or e.target == "Organization:ORGAN5" for e in v.edges)
    assert any("区外结对方" in n.name for n in v.nodes if n.id.startswith("Group:"))
    m = next(r for r in coverage(store, as_of=AS_OF, region=S, scope="region") if r.id == S).measures["pairable_paired"]
    assert f"应结对的党组织 {m.total} 个，其中 {m.done} 个有在期结对" in v.notes
    assert m.total > 0
