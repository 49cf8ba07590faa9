"""Scoped access: every route but /health needs a token; a street's viewer sees that street and
nothing of another, by any route; roles gate writes; writes are audited; tokens stored hashed."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.history import History
from graph.history.campaigns import Campaign, CampaignBook
from graph.memory.store import MemoryStore
from tests.apps import app_with_admin, bearer, demo_store
from tests.ledger_files import write_csv
from viz.meetings import MeetingBook, Slide

TODAY = dt.date(2025, 11, 22)
MINE, OTHER = "519901001000", "519901002000"  # two streets of the same district
OTHER_MARK = "519901002"  # every code of the other street carries it: a leak would show it


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    store = demo_store(tmp_path_factory.mktemp("demo"), TODAY)
    app, admin = app_with_admin(lambda: store)
    viewer, _ = app.state.tokens.create("viewer", "region", MINE, name="昆明街书记")
    with TestClient(app) as c:
        yield c, store, admin, viewer, app


def routes_of(app) -> list[str]:
    return sorted(p for p, ops in app.openapi()["paths"].items() if "get" in ops)


def test_every_route_but_health_needs_a_token(city):
    c, store, admin, viewer, app = city
    samples = {"label": "Organization", "id": "SQ519901001001", "rule": "U1", "region": MINE, "name": "例会"}
    MeetingBook(app.state.settings.home).add_slide("例会", Slide(title="结对", kind="pairings"))
    History(app.state.settings.home).record(store, date=TODAY, files=["demo"], who="测试")
    CampaignBook(app.state.settings.home).add(Campaign("例会", TODAY.isoformat(), ["U1"]))
    checked = 0
    for path in routes_of(app):
        if path in ("/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"):
            continue
        if path.startswith("/ingest/returns/"):  # a download: its own test (test_security.py)
            continue
        ids = dict(samples, id="LM519901001") if path.startswith("/views/alliance") else samples
        url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: ids[m.group(1)], path)
        params = {"q": "社区", "a": "SQ519901001001", "b": "JD519901001", "since": TODAY.isoformat()}
        assert c.get(url, params=params).status_code == 401, url
        assert c.get(url, params=params, headers=bearer("tupu_forged")).status_code == 401, url
        assert c.get(url, params=params, headers=bearer(admin)).status_code == 200, url
        checked += 1
    assert checked >= 15
    assert c.get("/health").status_code == 200
    assert c.post("/ingest", files=[("files", ("a.csv", b"x", "text/csv"))]).status_code == 401


def test_a_street_viewer_cannot_see_another_street_by_any_route(city):
    c, store, admin, viewer, app = city
    h = bearer(viewer)
    other_org, other_alliance = "SQ519901002001", "LM519901002"
    # as an admin, the other street is there
    assert c.get(f"/entities/Organization/{other_org}", headers=bearer(admin)).status_code == 200
    # as the street's viewer, it answers exactly as a missing id
    for url in (f"/entities/Organization/{other_org}", f"/trace/{other_org}", f"/views/tree/{other_org}",
                f"/views/neighbourhood/{other_org}", f"/views/coverage/{OTHER}", f"/views/alliance/{other_alliance}",
                f"/views/pairings?region={OTHER}", f"/timeline/{other_org}"):
        r = c.get(url, headers=h)
        missing = c.get(url.replace(other_org, "NOPE").replace(OTHER, "519999999000")
                        .replace(other_alliance, "LMNOPE"), headers=h)
        assert r.status_code == 404 == missing.status_code, url
    r = c.get("/path", params={"a": "SQ519901001001", "b": other_org}, headers=h)
    assert r.status_code == 404 and r.json() == c.get("/path", params={"a": "SQ519901001001", "b": "NOPE"},
                                                      headers=h).json() | {"detail": r.json()["detail"]}
    # nothing of the other street in any answer the viewer gets
    urls = ["/", "/gaps", "/unpaired", "/coverage", "/pairings/suggestions", "/views/pairings",
            f"/views/coverage/{MINE}", "/views/tree/JD519901001", "/views/alliance/LM519901001",
            "/views/neighbourhood/JD519901001?hops=2", "/trace/JD519901001", "/trace/QW0001",
            "/entities/Organization?limit=500", "/entities/Member?limit=500", "/entities/Unit?limit=500",
            "/entities/Region", "/entities/Alliance", "/entities/Grid?limit=500", "/search?q=社区&limit=200",
            "/search?q=党&limit=200", "/views/gaps/G2", "/entities/Organization/JD519901001", "/me"]
    seen_mine = 0
    for url in urls:
        r = c.get(url, headers=h, params={"as_of": TODAY.isoformat()} if "?" not in url else None)
        assert r.status_code in (200, 404), url
        assert OTHER_MARK not in r.text, f"{url} shows the other street"
        seen_mine += "519901001" in r.text
    assert seen_mine >= 15  # and the viewer does see their own street
    xlsx = c.get("/gaps", params={"format": "xlsx"}, headers=h).content
    assert xlsx and OTHER_MARK.encode() not in xlsx
    gaps = c.get("/gaps", headers=h, params={"as_of": TODAY.isoformat()}).json()
    assert gaps and all(g["region"] and g["region"].startswith("519901001") for g in gaps if g["entity"] != "Pairing")
    # a pairing is seen when either side is the street's (the other may be a district's organ branch)
    for g in (g for g in gaps if g["entity"] == "Pairing"):
        assert any(c.get(f"/entities/Organization/{side}", headers=h).status_code == 200 for side in (g["from"], g["to"]))


def test_an_organisation_scope_sees_its_subtree(city):
    c, store, admin, viewer, app = city
    token, _ = app.state.tokens.create("viewer", "org", "JD519901001")
    h = bearer(token)
    assert c.get("/entities/Organization/SQ519901001001", headers=h).status_code == 200
    assert c.get("/entities/Organization/SQ519901002001", headers=h).status_code == 404
    assert c.get("/entities/Organization/QW0001", headers=h).status_code == 404  # the district above
    orgs = c.get("/entities/Organization", params={"limit": 500}, headers=h).json()
    assert orgs["total"] == len(orgs["items"]) > 10
    assert all(OTHER_MARK not in o["id"] for o in orgs["items"])


def test_roles_gate_writes_and_writes_are_audited(city, tmp_path):
    c, store, admin, viewer, app = city
    f = write_csv(tmp_path / "o.csv", [["组织编码", "组织名称", "组织类别"], ["NEW1", "新建党支部", "党支部"]])
    def upload(tok):
        return c.post("/ingest", files=[("files", ("o.csv", f.read_bytes(), "text/csv"))], headers=bearer(tok))

    assert upload(viewer).status_code == 403
    analyst, _ = app.state.tokens.create("analyst", name="分析员甲")
    assert upload(analyst).status_code == 200
    assert c.get("/audit", headers=bearer(viewer)).status_code == 403
    events = c.get("/audit", headers=bearer(admin)).json()
    assert events[0]["action"] == "载入台账" and "分析员甲" in events[0]["who"]
    assert events[0]["counts"] == {"党组织": 1}


def test_token_in_a_link_sets_a_cookie(city):
    c, store, admin, viewer, app = city
    fresh = TestClient(app)
    r = fresh.get("/", params={"token": viewer, "as_of": TODAY.isoformat()})
    assert r.status_code == 200 and "tupu_token" in r.headers.get("set-cookie", "")
    assert fresh.get("/views/tree/JD519901001").status_code == 200  # the cookie carries on


def test_cli_token_create_prints_once_and_stores_a_hash(tmp_path, monkeypatch):
    from api.cli import app as cli

    monkeypatch.setenv("TUPU_HOME", str(tmp_path))
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "g.pickle"))
    s = MemoryStore(tmp_path / "g.pickle")
    s.upsert_nodes("Region", [{"code": MINE, "name": "昆明街街道", "level": "街道乡镇"}])
    s.close()
    r = CliRunner().invoke(cli, ["token", "create", "--role", "viewer", "--scope", "519901001", "--name", "书记"])
    assert r.exit_code == 0, r.output
    secret = r.output.strip().splitlines()[-1]
    assert secret.startswith("tupu_")
    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    assert secret not in stored and json.loads(stored)[0]["scope"] == MINE
    assert "创建令牌" in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["token", "create", "--scope", "NOWHERE"])
    assert bad.exit_code == 1 and "未找到“NOWHERE”" in bad.output  # unknown: said, with the closest names


def test_a_browser_without_a_token_gets_a_page_in_chinese(city):
    c, *_ = city
    r = TestClient(c.app).get("/", headers={"accept": "text/html"})
    assert r.status_code == 401 and "需要访问令牌" in r.text and "tupu token create" in r.text
    assert TestClient(c.app).get("/gaps").json()["detail"].startswith("需要有效的访问令牌")


@pytest.mark.parametrize("kind,value", [("region", MINE), ("org", "JD519901001")])
def test_scoped_listings_are_what_the_scope_allows_page_by_page(city, kind, value):
    """Organisations, regions, members, units and grids of a scope are listed from the scope's
    own sets (no walk of the whole label); the answer is the same as asking about every node."""
    from graph.analyses.scope import Scope

    c, store, admin, viewer, app = city
    token, _ = app.state.tokens.create("viewer", kind, value)
    scope = Scope(store, kind, value)
    for label in ("Organization", "Region", "Member", "Unit", "Grid"):
        expected = sorted(scope.allowed(label, [n.key for n in store.iter_nodes(label)]))
        assert expected, label
        first = c.get(f"/entities/{label}", params={"limit": 7}, headers=bearer(token)).json()
        rest = c.get(f"/entities/{label}", params={"skip": 7, "limit": 500}, headers=bearer(token)).json()
        assert first["total"] == rest["total"] == len(expected), label
        assert [n["id"] for n in first["items"] + rest["items"]] == expected[:507], label


def test_tokens_made_or_revoked_by_another_process_are_seen(tmp_path, monkeypatch):
    """The API looks at the token file at most every RECHECK_SECONDS: a new token works at
    once (a miss looks again), a revoked one stops working within that time."""
    from graph.access import TokenStore

    monkeypatch.setattr(TokenStore, "RECHECK_SECONDS", 0.2)
    api_side, cli_side = TokenStore(tmp_path / "tokens.json"), TokenStore(tmp_path / "tokens.json")
    first, _ = cli_side.create("admin")
    assert api_side.lookup(first) is not None
    second, entry = cli_side.create("viewer")
    assert api_side.lookup(second).id == entry.id  # created elsewhere a moment ago
    assert cli_side.revoke(entry.id)
    time.sleep(0.25)
    assert api_side.lookup(second) is None
    assert api_side.lookup(first) is not None


def test_one_scope_filter_for_every_answer_and_unknown_labels_are_never_seen(city):
    c, store, admin, viewer, app = city
    from graph.analyses.scope import Scope

    scope = Scope(store, "region", MINE)
    items = [("Organization", "SQ519901001001"), ("Organization", "SQ519901002001"), ("Nothing", "X")]
    assert scope.keep(items, lambda r: [r]) == [items[0]]
    pairs = [[("Organization", "SQ519901001001"), ("Organization", "SQ519901002001")]]
    assert scope.keep(pairs, lambda p: p, need="any") == pairs and scope.keep(pairs, lambda p: p) == []


def test_an_entity_page_kept_for_one_scope_is_not_shown_to_another(city):
    """Entity pages are kept per process (api/page_cache.py): per scope, never one for all."""
    c, store, admin, viewer, app = city
    district = "JD519901001"  # the street committee of MINE: its links reach both streets' side
    seen_by_admin = c.get(f"/entities/Organization/{district}", headers=bearer(admin)).json()
    seen_by_viewer = c.get(f"/entities/Organization/{district}", headers=bearer(viewer)).json()
    assert seen_by_viewer == c.get(f"/entities/Organization/{district}", headers=bearer(viewer)).json()
    ids = {link["other"]["id"] for link in seen_by_viewer["links"]}
    assert ids and not any(OTHER_MARK in i for i in ids)
    root = next(link["other"]["id"] for link in seen_by_admin["links"] if link["type"] == "SUBORDINATE_TO"
                and link["direction"] == "out")
    assert root not in ids  # the admin's page (kept first) shows what the viewer's does not
    assert c.get(f"/entities/Organization/{root}", headers=bearer(viewer)).status_code == 404
