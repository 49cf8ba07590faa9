"""Issue #36, items 1–5: a scoped token sees and changes only its scope, today and in the past.
Each test attacks with a street-scoped viewer or analyst against the API, on both stores.

The city: one district, two streets (东街 and 西街). In January the branch 甲支部 and the
members 张一…张三 and 李四 are 东街's; in March 甲支部 is renamed 乙支部 and moves to 西街 (under
西街's committee), and two members transfer to a 西街 branch.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.apps import app_with_admin, bearer
from tests.ledger_files import write_csv

DISTRICT, EAST, WEST = "519901000000", "519901001000", "519901002000"
JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)
WEST_MARKS = ("西街", "乙支部", "JDW", "ZBW", WEST[:9])  # anything of the west street's
ORG_HEAD = ["组织编码", "组织名称", "组织类别", "上级组织编码", "区划代码", "所属领域"]
MEMBER_HEAD = ["党员编码", "姓名", "党员类别", "所在党组织编码"]


def _month(folder: Path, orgs: list[list[str]], members: list[list[str]], regions: bool = False) -> Path:
    folder.mkdir(parents=True)
    if regions:
        write_csv(folder / "单位.csv", [["单位编码", "单位名称", "单位类别", "区划代码"],
                                        ["DWE", "东街鑫源科技有限公司", "非公企业", EAST],
                                        ["DWW", "西街华通物流有限公司", "非公企业", WEST]])
        write_csv(folder / "行政区划.csv", [["区划代码", "名称", "层级", "上级区划代码"],
                                            [DISTRICT, "示范区", "区县", ""],
                                            [EAST, "东街街道", "街道乡镇", DISTRICT],
                                            [WEST, "西街街道", "街道乡镇", DISTRICT]])
    write_csv(folder / "党组织.csv", [ORG_HEAD, *orgs])
    write_csv(folder / "党员.csv", [MEMBER_HEAD, *members])
    return folder


def _upload(c: TestClient, folder: Path, day: dt.date, token: str) -> None:
    files = [("files", (f.name, f.read_bytes(), "text/csv")) for f in sorted(folder.iterdir())]
    r = c.post("/ingest", params={"date": day.isoformat()}, files=files, headers=bearer(token))
    assert r.status_code == 200 and not r.json()["rejected"], r.text


@pytest.fixture
def city(store, tmp_path):
    """(client, app, admin, east viewer, east analyst, west viewer) on a city of three loads."""
    from graph.neo4j.store import Neo4jStore

    # the app closes its store as it stops: on Neo4j its own driver, not the session's
    app, admin = app_with_admin((lambda: Neo4jStore(store.uri)) if isinstance(store, Neo4jStore) else (lambda: store))
    east_viewer, _ = app.state.tokens.create("viewer", "region", EAST, name="东街书记")
    east_analyst, _ = app.state.tokens.create("analyst", "region", EAST, name="东街分析员")
    west_viewer, _ = app.state.tokens.create("viewer", "region", WEST, name="西街书记")
    jan = _month(tmp_path / "jan", [
        ["QW", "示范区委", "党委", "", DISTRICT, "机关"],
        ["JDE", "东街街道党工委", "党工委", "QW", EAST, "社区"],
        ["JDW", "西街街道党工委", "党工委", "QW", WEST, "社区"],
        ["ZBX", "甲支部", "党支部", "JDE", EAST, "社区"],
        ["ZBE", "东街第二支部", "党支部", "JDE", EAST, "社区"],
        ["ZBW", "西街第一支部", "党支部", "JDW", WEST, "社区"],
        ["ZBD", "重复支部甲", "党支部", "JDW", EAST, "社区"],  # in 东街, under 西街's committee
        ["ZBD2", "重复支部乙", "党支部", "JDE", EAST, "社区"],
    ], [["DY1", "张一", "正式", "ZBX"], ["DY2", "张二", "正式", "ZBX"], ["DY3", "张三", "正式", "ZBX"],
        ["DY4", "李四", "正式", "ZBE"]], regions=True)
    feb = _month(tmp_path / "feb", [["ZBE", "东街第二党支部", "党支部", "JDE", EAST, "社区"],
                                     ["ZBN", "东街新建支部", "党支部", "JDE", EAST, "社区"]], [])
    mar = _month(tmp_path / "mar", [["ZBX", "乙支部", "党支部", "JDW", WEST, "社区"]],
                 [["DY3", "张三", "正式", "ZBW"], ["DY4", "李四", "正式", "ZBW"]])
    with TestClient(app) as c:
        for folder, day in ((jan, JAN), (feb, FEB), (mar, MAR)):
            _upload(c, folder, day, admin)
        yield c, app, admin, east_viewer, east_analyst, west_viewer


def _leaks(text: str, marks: tuple[str, ...]) -> list[str]:
    return [m for m in marks if m in text]


# --- 1. the past, cut by the scope as the past graph had it ---------------------------------
def test_a_timeline_shows_only_what_the_street_saw_and_nothing_after_the_date(city):
    c, app, admin, east, _, west = city
    whole = c.get("/timeline/ZBX", headers=bearer(admin)).json()
    assert {"甲支部", "乙支部"} <= {v["value"] for v in whole["values"]}  # there is something to leak
    # now 乙支部 is 西街's: to 东街 it is as missing as a code that never was
    assert c.get("/timeline/ZBX", headers=bearer(east)).status_code == 404
    assert c.get("/timeline/NOPE", headers=bearer(east)).status_code == 404
    # as of February it was 东街's: seen, but nothing of March (its new name, parent, street)
    r = c.get("/timeline/ZBX", params={"as_of": FEB.isoformat()}, headers=bearer(east))
    assert r.status_code == 200 and r.json()["name"] == "甲支部"
    assert _leaks(r.text, WEST_MARKS + (MAR.isoformat(),)) == []
    # a member who has since moved to 西街, asked as of February
    r = c.get("/timeline/DY3", params={"as_of": FEB.isoformat()}, headers=bearer(east))
    assert r.status_code == 200 and _leaks(r.text, WEST_MARKS + (MAR.isoformat(),)) == []
    # 西街 sees 乙支部 from March on, and nothing of its time in 东街
    r = c.get("/timeline/ZBX", headers=bearer(west))
    assert r.status_code == 200 and _leaks(r.text, ("甲支部", "JDE", EAST[:9], JAN.isoformat())) == []
    r = c.get("/timeline/DY3", headers=bearer(west))
    assert r.status_code == 200 and _leaks(r.text, ("甲支部", "ZBX", "JDE", JAN.isoformat())) == []
    # the entity's page (a browser) tells the same
    page = c.get("/entities/Organization/ZBX", headers={**bearer(west), "accept": "text/html"})
    assert page.status_code == 200 and "甲支部" not in page.text and "乙支部" in page.text


def test_changes_show_only_what_the_street_saw_on_both_sides(city):
    c, app, admin, east, _, west = city
    whole = c.get("/changes", params={"since": JAN.isoformat()}, headers=bearer(admin)).json()
    assert any(e["kind"] == "党员转移" and e["id"] == "DY3" for e in whole["entities"])
    assert any(g["rule"] == "O1" and g.get("id") == "ZBX" for g in whole["gaps_opened"])  # 乙支部: two left
    for params in ({"since": JAN.isoformat()}, {"since": JAN.isoformat(), "as_of": FEB.isoformat()},
                   {"since": FEB.isoformat(), "as_of": FEB.isoformat()}):
        r = c.get("/changes", params=params, headers=bearer(east))
        assert r.status_code == 200 and _leaks(r.text, WEST_MARKS) == [], params
        r = c.get("/changes", params=params, headers=bearer(west))
        assert r.status_code == 200 and _leaks(r.text, ("甲支部", "JDE", "东街", EAST[:9])) == [], params
    # a member who moved between the streets: each sees its own side only
    def moves(token: str) -> dict[str, tuple[str, str]]:
        body = c.get("/changes", params={"since": JAN.isoformat()}, headers=bearer(token)).json()
        return {e["id"]: (e["kind"], e["name"]) for e in body["entities"] if e["label"] == "Member"}

    assert moves(east) == {"DY3": ("党员转出本范围", "张三：甲支部 → 本范围以外"),
                           "DY4": ("党员转出本范围", "李四：东街第二支部 → 本范围以外")}
    assert moves(west) == {"DY3": ("党员转入本范围", "张三：本范围以外 → 西街第一支部"),
                           "DY4": ("党员转入本范围", "李四：本范围以外 → 西街第一支部")}
    # what changed in 东街 while it was 东街's is still there: the branch founded in February
    founded = [e["id"] for e in c.get("/changes", params={"since": JAN.isoformat()}, headers=bearer(east)).json()
               ["entities"] if e["kind"] == "组织新建"]
    assert founded == ["ZBN"]
    assert "ZBN" not in c.get("/changes", params={"since": JAN.isoformat()}, headers=bearer(west)).text
    # the home page's 自上次载入以来: figures of the street's own
    home = c.get("/", headers=bearer(east))
    assert home.status_code == 200
    since = home.text.split('id="since"')[1].split("</p>")[0]
    assert "党员转移" not in since and "新出现 <b class=\"bad\">0</b>" in since
    assert "党员转移" in c.get("/", headers=bearer(admin)).text.split('id="since"')[1].split("</p>")[0]


# --- 2. campaigns have an owner and a scope --------------------------------------------------
def _campaign(c: TestClient, token: str, name: str, **extra):
    return c.post("/campaigns", json={"name": name, "start": JAN.isoformat(), "rules": ["O1", "P2"], **extra},
                  headers=bearer(token))


def test_campaigns_are_changed_by_their_owner_and_seen_within_their_scope(city):
    c, app, admin, east, east_analyst, west = city
    west_analyst, _ = app.state.tokens.create("analyst", "region", WEST, name="西街分析员")
    other_east, _ = app.state.tokens.create("analyst", "region", EAST, name="东街另一分析员")
    assert _campaign(c, admin, "全域攻坚").status_code == 201
    assert _campaign(c, west_analyst, "西街攻坚").status_code == 201  # no region: its maker's scope
    # a campaign kept before owners were: an admin's, for its region
    book = Path(app.state.settings.home) / "campaigns.json"
    kept = json.loads(book.read_text(encoding="utf-8"))
    kept["东街老攻坚"] = {"name": "东街老攻坚", "start": JAN.isoformat(), "rules": ["O1"], "region": EAST,
                          "region_name": "东街街道", "created_by": "命令行：admin"}
    book.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    before = book.read_text(encoding="utf-8")
    # 东街's analyst cannot replace the city's campaign nor 西街's, and learns nothing of them
    for name in ("全域攻坚", "西街攻坚"):
        r = _campaign(c, east_analyst, name, region=EAST)
        assert r.status_code == 409 and "请换一个名称" in r.json()["detail"], r.text
        for url in (f"/campaigns/{name}", f"/views/campaigns/{name}"):
            assert c.get(url, headers=bearer(east_analyst)).status_code == 404
            assert c.get(url.replace(name, "没有这个"), headers=bearer(east_analyst)).status_code == 404
        assert c.delete(f"/campaigns/{name}", headers=bearer(east_analyst)).status_code == 404
    assert _campaign(c, east_analyst, "东街老攻坚").status_code == 403  # seen, an admin's
    assert book.read_text(encoding="utf-8") == before
    listed = {x["name"] for x in c.get("/campaigns", headers=bearer(east)).json()}
    assert listed == {"东街老攻坚"}
    # its own: made, seen by the street, changed by its maker or an admin only
    r = _campaign(c, east_analyst, "东街攻坚")
    assert r.status_code == 201 and r.json()["owner"] and r.json()["scope"] == EAST == r.json()["region"]
    assert {x["name"] for x in c.get("/campaigns", headers=bearer(east)).json()} == {"东街老攻坚", "东街攻坚"}
    assert "西街攻坚" not in c.get("/", headers=bearer(east)).text
    assert _campaign(c, other_east, "东街攻坚").status_code == 403
    assert c.delete("/campaigns/东街攻坚", headers=bearer(other_east)).status_code == 403
    assert _campaign(c, east_analyst, "东街攻坚", rules=["O1"]).status_code == 201
    assert {x["name"] for x in c.get("/campaigns", headers=bearer(west)).json()} == {"西街攻坚"}
    # the street's campaign counts the street's gaps, whoever looks (西街's 乙支部 has O1)
    progress = c.get("/campaigns/东街攻坚", headers=bearer(admin))
    assert progress.status_code == 200 and _leaks(progress.text, ("ZBX", "乙支部", "ZBW")) == []
    assert "ZBX" in c.get("/campaigns/全域攻坚", headers=bearer(admin)).text
    assert c.delete("/campaigns/东街攻坚", headers=bearer(admin)).status_code == 200
    assert c.delete("/campaigns/西街攻坚", headers=bearer(west_analyst)).status_code == 200


# --- 3. 摸排 decisions are scoped --------------------------------------------------------------
def test_a_street_cannot_decide_again_what_was_decided_outside_it_nor_see_it(city):
    c, app, admin, east, east_analyst, west = city
    west_analyst, _ = app.state.tokens.create("analyst", "region", WEST, name="西街分析员")

    def decide(token: str, name: str, unit: str | None = None):
        return c.post("/screen/decisions", json={"source": "市场监管", "name": name,
                                                 **({"unit": unit} if unit else {"new": True})}, headers=bearer(token))

    assert decide(admin, "华通物流有限公司", "DWW").status_code == 200  # 西街's unit
    assert decide(admin, "城外新公司").status_code == 200  # none in the city: the admin's, city-wide
    kept = Path(app.state.settings.home) / "screening" / "decisions.json"
    before = kept.read_text(encoding="utf-8")
    for name, unit in (("华通物流有限公司", "DWE"), ("华通物流有限公司", None), ("城外新公司", "DWE")):
        r = decide(east_analyst, name, unit)
        assert r.status_code == 404, (name, unit, r.text)
    assert decide(east_analyst, "华通物流有限公司", "DWW").status_code == 404  # 西街's unit: as missing
    assert kept.read_text(encoding="utf-8") == before
    assert decide(east_analyst, "东街小店").status_code == 200  # its own
    assert decide(west_analyst, "东街小店", "DWW").status_code == 404
    assert decide(east_analyst, "东街小店", "DWE").status_code == 200  # and again, as it likes
    # a run of 东街's applies none of the decisions made outside it
    export = "企业名称,登记状态\n华通物流有限公司,存续\n城外新公司,存续\n东街小店,存续\n".encode()

    def run(token: str) -> dict[str, dict]:
        r = c.post("/screen/registry", params={"source": "市场监管"}, headers=bearer(token),
                   files=[("files", ("市场监管.csv", export, "text/csv"))])
        assert r.status_code == 200, r.text
        return {row["name"]: row for row in r.json()["rows"]}

    mine, everyone = run(east_analyst), run(admin)
    assert everyone["华通物流有限公司"]["unit"] == "DWW" and "人工确认" in everyone["城外新公司"]["evidence"][0]
    for name in ("华通物流有限公司", "城外新公司"):
        assert mine[name]["unit"] != "DWW" and not any("人工确认" in e for e in mine[name]["evidence"]), mine[name]
    assert mine["东街小店"]["unit"] == "DWE" and "东街分析员" in mine["东街小店"]["evidence"][0]


# --- 4. a scoped merge obeys the scoped-write rule ---------------------------------------------
def test_a_street_merges_nothing_into_what_it_cannot_see(city, store):
    c, app, admin, east, east_analyst, west = city

    def merge(token: str, keep: str, drop: str):
        return c.post("/screen/merge", json={"kind": "党组织", "keep": keep, "drop": drop}, headers=bearer(token))

    def parents(code: str) -> set[str]:
        return {o.key for r, o in store.neighbours("Organization", code, ["SUBORDINATE_TO"], "out")}

    assert c.get("/entities/Organization/ZBD", headers=bearer(east)).status_code == 200  # 东街 sees it
    assert parents("ZBD") == {"JDW"} and parents("ZBE") == {"JDE"}
    # its links would put 东街's branch under 西街's committee: refused as missing, nothing written
    r = merge(east_analyst, "ZBE", "ZBD")
    assert r.status_code == 404 and "超出权限范围" in r.json()["detail"]
    assert store.get("Organization", "ZBD") is not None and parents("ZBE") == {"JDE"}
    assert merge(east_analyst, "ZBE", "ZBW").status_code == 404 == merge(east_analyst, "ZBE", "NOPE").status_code
    assert merge(east_analyst, "ZBW", "ZBD2").status_code == 404
    assert store.get("Organization", "ZBW") is not None and store.get("Organization", "ZBD2") is not None
    # inside its scope it merges; an admin merges anything
    r = merge(east_analyst, "ZBE", "ZBD2")
    assert r.status_code == 200 and store.get("Organization", "ZBD2") is None, r.text
    assert merge(admin, "ZBE", "ZBD").status_code == 200 and parents("ZBE") == {"JDE", "JDW"}


# --- 5. no city-wide figures for a street ------------------------------------------------------
def test_loads_tell_a_street_its_own_figures_and_nothing_of_who_loaded_what(city, tmp_path):
    c, app, admin, east, east_analyst, west = city
    whole = c.get("/loads", headers=bearer(admin)).json()
    assert whole[0]["files"] and "测试管理员" in whole[0]["who"] and whole[-1]["per_rule"]["O1"]
    extra = write_csv(tmp_path / "东街新建.csv", [ORG_HEAD, ["ZBQ", "东街补建支部", "党支部", "JDE", EAST, "社区"]])
    r = c.post("/ingest", params={"date": "2025-04-30"}, headers=bearer(east_analyst),
               files=[("files", ("东街新建.csv", extra.read_bytes(), "text/csv"))])
    assert r.status_code == 200 and r.json()["landed"] == {"党组织": 1}, r.text
    whole = c.get("/loads", headers=bearer(admin)).json()
    for token in (east, east_analyst):
        seen = c.get("/loads", headers=bearer(token))
        assert seen.status_code == 200 and "测试管理员" not in seen.text and "党组织.csv" not in seen.text
        rows = seen.json()
        assert [x["date"] for x in rows] == [x["date"] for x in whole]  # the dates, to choose one
        # the street's own gaps at each load, not the city's
        o1_now = len([g for g in c.get("/gaps", params={"rule": "O1"}, headers=bearer(token)).json()])
        assert rows[-1]["per_rule"]["O1"] == o1_now < whole[-1]["per_rule"]["O1"]
        assert rows[-1]["gaps"] < whole[-1]["gaps"]
    mine = c.get("/loads", headers=bearer(east_analyst)).json()
    assert mine[-1]["files"] == ["东街新建.csv"] and "东街分析员" in mine[-1]["who"]  # its own load
    assert c.get("/loads", headers=bearer(east)).json()[-1]["files"] == []  # another's


def test_meetings_have_an_owner_and_a_scope_and_a_deck_shows_nothing_of_what_the_viewer_may_not_see(city):
    c, app, admin, east, east_analyst, west = city
    west_analyst, _ = app.state.tokens.create("analyst", "region", WEST, name="西街分析员")
    other_east, _ = app.state.tokens.create("analyst", "region", EAST, name="东街另一分析员")

    def slide(token: str, meeting: str, url: str, title: str):
        return c.post(f"/meetings/{meeting}/slides", json={"url": url, "title": title}, headers=bearer(token))

    assert slide(west_analyst, "西街例会", f"/views/coverage/{WEST}", "西街覆盖").status_code == 200
    assert slide(admin, "全市例会", "/views/pairings", "全市结对").status_code == 200
    assert slide(east_analyst, "东街例会", f"/views/coverage/{EAST}", "东街覆盖").status_code == 200
    # a meeting kept before owners were: an admin's, city-wide
    old = Path(app.state.settings.home) / "meetings" / "老例会.json"
    old.write_text(json.dumps({"name": "老例会", "title": "老例会", "slides": [
        {"title": "西街老图", "kind": "coverage", "root": WEST, "hops": 1, "state": {}}]}, ensure_ascii=False),
        encoding="utf-8")
    # the admin adds to 东街's meeting a view of 西街 and the whole city's pairings
    assert slide(admin, "东街例会", f"/views/coverage/{WEST}", "机密西街页").status_code == 200
    assert slide(admin, "东街例会", "/views/pairings", "全市结对页").status_code == 200
    listed = {m["name"] for m in c.get("/meetings", headers=bearer(east)).json()}
    assert listed == {"东街例会"}
    assert "西街例会" not in c.get("/", headers=bearer(east)).text
    for name in ("西街例会", "全市例会", "老例会"):
        assert c.get(f"/meetings/{name}", headers=bearer(east)).status_code == 404
        r = slide(east_analyst, name, f"/views/coverage/{EAST}", "改")
        assert r.status_code == 409, r.text
        assert c.delete(f"/meetings/{name}", headers=bearer(east_analyst)).status_code == 404
    assert c.get("/meetings/没有", headers=bearer(east)).status_code == 404
    assert slide(other_east, "东街例会", f"/views/coverage/{EAST}", "改").status_code == 403
    assert c.delete("/meetings/东街例会", headers=bearer(other_east)).status_code == 403
    # the deck: 东街's viewer gets its own slide, and nothing of the others (title, notes, nodes)
    everything = c.get("/meetings/东街例会", headers=bearer(admin)).text
    assert "机密西街页" in everything and "对结对（在期" in everything and "西街第一支部" in everything
    deck = c.get("/meetings/东街例会", headers=bearer(east))
    assert deck.status_code == 200 and "东街覆盖" in deck.text and "无权查看" in deck.text
    assert _leaks(deck.text, ("机密西街页", "对结对（在期", "西街第一支部", "乙支部", WEST)) == []
    assert c.delete("/meetings/东街例会", headers=bearer(east_analyst)).status_code == 200
