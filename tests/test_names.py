"""Staff ask with names: every CLI command and API route that takes a code also takes an exact
or a unique partial name; an ambiguous one lists the candidates (exit 2 / 409), an unknown one
names the closest (exit 1 / 404); an empty store is said, never shown as zeros. Both stores."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from graph.analyses.resolve import NotFound, resolve
from graph.errors import Ambiguous
from graph.memory.store import MemoryStore
from tests.test_api import client_for
from tests.test_gap_rules import AS_OF, C, S, build, rels


@pytest.fixture
def city(store):
    build(store)
    return store


def test_resolve_by_code_exact_and_partial_name(city):
    assert resolve(city, "ST").key == "ST"  # a code
    assert resolve(city, "东街道", ["Region"]).key == S  # an exact name
    assert resolve(city, "街道", ["Region"]).key == S  # a unique part of a name
    assert resolve(city, "COMM组织").key == "COMM"
    with pytest.raises(Ambiguous) as e:
        resolve(city, "东", ["Region"])
    assert {c["name"] for c in e.value.candidates} == {"东区", "东街道", "东社区"}
    assert all(c["kind"] == "行政区划" and c["code"] for c in e.value.candidates)
    with pytest.raises(NotFound) as nf:
        resolve(city, "西街道", ["Region"])
    assert "未找到“西街道”" in str(nf.value) and "东街道" in str(nf.value)


def test_a_region_not_found_names_the_organisations_that_hold_its_name(store):
    """No 行政区划 ledger loaded: “骆路街道” is no region, but its 党工委 is an organisation to
    filter by, and the answer says so (only what the asker may see)."""
    store.upsert_nodes("Organization", [{"id": "LL01", "name": "骆路街道党工委", "kind": "党工委"}])
    with pytest.raises(NotFound) as nf:
        resolve(store, "骆路街道", ["Region"])
    assert str(nf.value) == "未找到“骆路街道”；名称含有它的有：党组织“骆路街道党工委”（可按党组织筛选）"
    with pytest.raises(NotFound) as hidden:
        resolve(store, "骆路街道", ["Region"], visible=lambda nodes: [])
    assert str(hidden.value) == "未找到“骆路街道”"


W, WS = "519902000000", "519902001000"  # 西区 and its own 东街道


def _twin_streets(store) -> None:
    """A second 东街道, in 西区, with a unit of its own."""
    store.upsert_nodes("Region", [{"code": W, "name": "西区", "level": "区县"},
                                  {"code": WS, "name": "东街道", "level": "街道乡镇"}])
    rels(store, "PART_OF", "Region", "Region", [(W, C), (WS, W)])
    store.upsert_nodes("Unit", [{"id": "WU", "name": "西区乙公司", "kind": "非公企业"}])
    rels(store, "IN_REGION", "Unit", "Region", [("WU", WS)])
    store.upsert_nodes("Organization", [{"id": "WST", "name": "西区东街道党工委", "kind": "党工委"}])
    rels(store, "IN_REGION", "Organization", "Region", [("WST", WS)])
    store.upsert_nodes("Alliance", [{"id": "A1", "name": "东街道联盟"}, {"id": "A2", "name": "东街道联盟"}])
    rels(store, "IN_ALLIANCE", "Organization", "Alliance", [("ST", "A1"), ("WST", "A2")], {"role": "牵头"})


def test_two_of_one_name_are_told_apart_by_the_region_above(city):
    """Streets, communities and branches of one name exist in different districts: the name
    after its region's, or with the region in brackets, names one; the bare name lists both with
    their regions and says how to write it."""
    _twin_streets(city)
    with pytest.raises(Ambiguous) as e:
        resolve(city, "东街道", ["Region"])
    assert "请在名称前写出所在区划（如“东区东街道”）" in str(e.value) or "如“西区东街道”" in str(e.value)
    assert {(c["name"], c["region"], c["code"]) for c in e.value.candidates} == {
        ("东街道", "东区", S), ("东街道", "西区", WS)}
    for text, code in (("西区东街道", WS), ("东区东街道", S), ("东街道（西区）", WS), ("东街道(东区)", S),
                       ("西区 东街道", WS), ("西区/东街道", WS), ("示范市西区东街道", WS)):
        assert resolve(city, text, ["Region"]).key == code, text
    with pytest.raises(Ambiguous):
        resolve(city, "示范市东街道", ["Region"])  # the city holds both
    assert resolve(city, "西区乙公司").key == "WU"  # a unique name needs no region
    assert resolve(city, "乙公司（西区）").key == "WU"
    # the street, not the unit whose name holds the text
    assert resolve(city, "西区东街道").key == WS and resolve(city, "西区东街道乙公司").key == "WU"
    with pytest.raises(NotFound):
        resolve(city, "北区东街道", ["Region"])  # no such region: not found, not a guess
    for c in client_for(city):
        q = {"as_of": AS_OF.isoformat()}
        assert c.get("/gaps", params={**q, "region": "东区东街道"}).json() == \
            c.get("/gaps", params={**q, "region": S}).json()
        assert c.get("/gaps", params={**q, "region": "东街道"}).status_code == 409
        hits = c.get("/search", params={"q": "东街道"}).json()
        assert {(h["id"], h["region"]) for h in hits if h["label"] == "Region"} == {(S, "东区"), (WS, "西区")}
        # what lies in a street of a shared name says which one
        assert {(h["name"], h["region"]) for h in c.get("/search", params={"q": "乙公司"}).json()} == {
            ("乙公司", "东区东街道"), ("西区乙公司", "西区东街道")}
        assert [h["id"] for h in c.get("/search", params={"q": "西区东街道"}).json()] == [WS, "WST"]
        # the home page's two alliances of one name say where each is
        home = c.get("/").text
        assert home.count(">东街道联盟</a>") == 2
        assert '<span class="where">东区东街道</span>' in home and '<span class="where">西区东街道</span>' in home


@pytest.fixture
def cli_env(city, monkeypatch, tmp_path):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    if city.backend == "neo4j":
        monkeypatch.setenv("TUPU_BACKEND", "neo4j")
        monkeypatch.setenv("TUPU_NEO4J_URI", city.uri)
    else:
        city.path = tmp_path / "g.pickle"
        city._dirty = True
        city.save()
        monkeypatch.setenv("TUPU_DATA", str(city.path))
    return CliRunner()


def test_the_cli_takes_names(cli_env):
    run = lambda *a: cli_env.invoke(cli, [*a, "--as-of", AS_OF.isoformat()] if a[0] != "path" else list(a))  # noqa: E731
    by_code = run("gaps", "--region", S, "--format", "json")
    by_name = run("gaps", "--region", "东街道", "--format", "json")
    assert by_name.exit_code == 0, by_name.output
    assert json.loads(by_name.output) == json.loads(by_code.output) != []
    partial = run("gaps", "--org", "ST组织", "--format", "json")
    assert partial.exit_code == 0 and json.loads(partial.output)
    ambiguous = run("gaps", "--region", "东")
    assert ambiguous.exit_code == 2 and "对应多个实体" in ambiguous.output and "东社区" in ambiguous.output
    unknown = run("gaps", "--region", "西街道")
    assert unknown.exit_code == 1 and "未找到“西街道”" in unknown.output
    assert run("coverage", "--region", "999").exit_code == 1  # never an empty answer
    t = run("trace", "COMM组织")
    assert t.exit_code == 0 and "COMM组织" in t.output
    p = run("path", "BR_FEW组织", "东街道")
    assert p.exit_code == 0, p.output
    s = cli_env.invoke(cli, ["search", "公司"])
    assert s.exit_code == 0 and "甲公司" in s.output and "东街道" in s.output  # with its region


def test_the_api_takes_names(city):
    for c in client_for(city):
        q = {"as_of": AS_OF.isoformat()}
        assert c.get("/gaps", params={**q, "region": "东街道"}).json() == c.get("/gaps", params={**q, "region": S}).json()
        r = c.get("/gaps", params={**q, "region": "东"})
        assert r.status_code == 409 and len(r.json()["candidates"]) == 3
        r = c.get("/gaps", params={**q, "region": "北镇"})
        assert r.status_code == 404 and "未找到“北镇”" in r.json()["detail"]
        assert c.get("/coverage", params={"region": "999"}).status_code == 404
        assert c.get("/trace/COMM组织").json()["entity"]["id"] == "COMM"
        assert c.get("/path", params={"a": "BR_FEW组织", "b": "东街道"}).status_code == 200
        assert c.get("/views/coverage/东街道").status_code == 200
        assert c.get("/views/tree/ST组织").status_code == 200
        page = c.get("/views/coverage/东", headers={"Accept": "text/html"})
        assert page.status_code == 409 and "名称对应多个实体" in page.text and "东社区" in page.text


def test_an_empty_store_is_said(tmp_path, monkeypatch):
    monkeypatch.setenv("TUPU_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TUPU_DATA", str(tmp_path / "empty.pickle"))
    runner = CliRunner()
    for args in (["gaps"], ["coverage"], ["unpaired"], ["stats"], ["search", "社区"], ["trace", "X"],
                 ["view", "pairings"]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 1 and "图谱为空" in r.output, (args, r.output)
    store = MemoryStore()
    for c in client_for(store):
        for url in ("/gaps", "/coverage", "/unpaired", "/search?q=社区", "/views/pairings", "/entities/Unit"):
            r = c.get(url)
            assert r.status_code == 404 and "图谱为空" in r.json()["detail"], url
        home = c.get("/")
        assert home.status_code == 200 and "图谱为空" in home.text


def test_a_token_scope_is_given_by_name(cli_env):
    r = cli_env.invoke(cli, ["token", "create", "--role", "viewer", "--scope", "东街道", "--name", "街道书记"])
    assert r.exit_code == 0, r.output
    listed = cli_env.invoke(cli, ["token", "list"])
    assert f"region:{S}" in listed.output
    assert cli_env.invoke(cli, ["token", "create", "--scope", "东"]).exit_code == 2  # ambiguous
