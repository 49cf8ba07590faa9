"""Every gap rule on a small hand-built graph with known answers, on both stores; edge cases
included (a unit with 3 members covered only by a joint branch is U1; a pairing that ends today
is current; a member of an unknown organisation is M2; boundaries of every date window)."""
from __future__ import annotations

import datetime as dt

import pytest

from graph.analyses.coverage import coverage
from graph.analyses.gaps import UnknownRule, find_gaps
from graph.analyses.pairing import suggest_pairings
from graph.analyses.trace import NotFound, path_between, trace
from graph.policy import load_policy
from graph.store import RelRow

AS_OF = dt.date(2025, 6, 30)
C, D, S, Q = "519900000000", "519901000000", "519901001000", "519901001001"


def day(delta: int) -> str:
    return (AS_OF + dt.timedelta(days=delta)).isoformat()


def rels(store, rel, a, b, pairs, props=None):
    store.upsert_relationships(rel, a, b, [RelRow(x, y, dict(props or {})) for x, y in pairs])


def org(i, kind, sector, parent=None, region=None, **extra):
    return {"id": i, "name": f"{i}组织", "kind": kind, "sector": sector, **extra}, parent, region


def build(store) -> None:
    store.upsert_nodes("Region", [
        {"code": C, "name": "示范市", "level": "市"}, {"code": D, "name": "东区", "level": "区县"},
        {"code": S, "name": "东街道", "level": "街道乡镇"}, {"code": Q, "name": "东社区", "level": "社区村"}])
    rels(store, "PART_OF", "Region", "Region", [(D, C), (S, D), (Q, S)])
    orgs = [
        org("CITY", "党委", "机关", None, C),
        org("DIST", "党委", "机关", "CITY", D),
        org("TWO", "党工委", "行业", "DIST", D),
        org("ST", "党工委", "社区", "DIST", S),
        org("COMM", "党委", "社区", "ST", Q, term_ends=day(-1)),       # O3: ended yesterday
        org("BR_OK", "党支部", "社区", "COMM", Q, term_ends=day(0)),    # ends today: not O3
        org("BR_FEW", "党支部", "社区", "COMM", Q),                     # O1 (2 formal), P2
        org("JOINT", "联合党支部", "非公企业", "TWO", S),                # O4 (6 units), P2
        org("BIG", "党支部", "机关", "DIST", D),                         # O2 (51), P1
        org("ORGAN", "党支部", "机关", "DIST", D),                       # paired with COMM until today
        org("ORGAN2", "党支部", "机关", "DIST", D),                      # P3 (lapsed), P1 (lapsed 1)
        org("ORGAN4", "党支部", "机关", "DIST", D),                      # pairing starts tomorrow: P1
        org("VILL", "党支部", "村", "ST", S),                            # P2 (pairing not started)
        org("ORGAN5", "党支部", "机关", "DIST", D),                      # P4 with ENT_BR (1 activity)
        org("ENT_BR", "党支部", "非公企业", "TWO", S),
        org("GRP", "党小组", "楼栋", "BR_OK", Q),
    ]
    store.upsert_nodes("Organization", [o for o, _, _ in orgs])
    rels(store, "SUBORDINATE_TO", "Organization", "Organization", [(o["id"], p) for o, p, _ in orgs if p])
    rels(store, "IN_REGION", "Organization", "Region", [(o["id"], r) for o, _, r in orgs if r])

    units = [
        {"id": "U_ENT1", "name": "甲公司", "kind": "非公企业", "members_reported": 3},   # U1, covered
        {"id": "U_ENT2", "name": "乙公司", "kind": "非公企业"},                          # U2 (2 workers)
        {"id": "U_ENT3", "name": "丙公司", "kind": "非公企业"},                          # instructor
        {"id": "U_ENT4", "name": "丁协会", "kind": "社会组织"},                          # U3
        {"id": "U_ENT5", "name": "戊公司", "kind": "非公企业", "members_reported": 5},   # established
        {"id": "U_ENT6", "name": "己公司", "kind": "非公企业", "members_reported": 1},   # covered
        {"id": "U_ORG", "name": "区财政局", "kind": "机关", "members_reported": 0},
        {"id": "X1", "name": "阳光小区", "kind": "小区"},
        {"id": "B1", "name": "1号楼", "kind": "楼栋"}, {"id": "B2", "name": "2号楼", "kind": "楼栋"},
    ] + [{"id": f"U_C{i}", "name": f"业委会{i}", "kind": "业委会"} for i in range(1, 5)]
    store.upsert_nodes("Unit", units)
    rels(store, "IN_REGION", "Unit", "Region",
         [(u, S) for u in ("U_ENT1", "U_ENT2", "U_ENT3", "U_ENT4", "U_ENT5", "U_ENT6")]
         + [("U_ORG", D), ("X1", Q)])
    rels(store, "PART_OF", "Unit", "Unit", [("B1", "X1"), ("B2", "X1")])
    rels(store, "COVERS", "Organization", "Unit",
         [("JOINT", u) for u in ("U_ENT1", "U_ENT6", "U_C1", "U_C2", "U_C3", "U_C4")])
    rels(store, "ESTABLISHED_IN", "Organization", "Unit",
         [("ENT_BR", "U_ENT5"), ("GRP", "B2"), ("ORGAN", "U_ORG")])

    store.upsert_nodes("Grid", [{"id": "GG1", "name": "一网格", "level": "一般网格"},
                                {"id": "GG2", "name": "二网格", "level": "一般网格"},
                                {"id": "GM", "name": "微网格", "level": "微网格"}])
    rels(store, "IN_REGION", "Grid", "Region", [("GG1", Q), ("GG2", Q), ("GM", Q)])
    rels(store, "PART_OF", "Grid", "Grid", [("GM", "GG2")])
    rels(store, "ON_GRID", "Organization", "Grid", [("BR_OK", "GG1")])

    def member(i, org_code, category="正式", **extra):
        return {"id": i, "name": f"党员{i}", "category": category, "org_code": org_code, **extra}

    members = [
        member("Ma", "BR_OK"), member("Mb", "BR_OK"), member("Mc", "BR_OK"),
        member("Md", "BR_FEW"), member("Me", "BR_FEW"), member("Mf", "BR_FEW", "预备"),
        member("Mob1", "COMM", mobile=True, last_contact=day(-180)),   # managed; day 180: no M4
        member("Mob2", "COMM", mobile=True),                            # M1 and M4 (no contact)
        member("Mob3", "COMM", mobile=True, last_contact=day(-181)),   # M4
        member("Mx", "NOPE"),                                           # M2
        member("W1", "ORGAN", retired=False),                           # M3
        member("W2", "ORGAN", retired=True),
        member("W3", "ORGAN"),                                          # reported
        member("E1", "JOINT"), member("E2", "JOINT"),
        member("I1", "ST"),
    ] + [member(f"Big{i:02d}", "BIG") for i in range(51)]
    store.upsert_nodes("Member", members)
    rels(store, "MEMBER_OF", "Member", "Organization",
         [(m["id"], m["org_code"]) for m in members if m["org_code"] != "NOPE"])
    rels(store, "LIVES_IN", "Member", "Unit", [("Ma", "B1"), ("Mb", "B1"), ("Mc", "B1"),
                                               ("Md", "B2"), ("Me", "B2"), ("Mf", "B2")])
    rels(store, "MOBILE_TO", "Member", "Organization", [("Mob1", "COMM"), ("Mob3", "COMM")])
    rels(store, "WORKS_AT", "Member", "Unit", [("W1", "U_ORG"), ("W2", "U_ORG"), ("W3", "U_ORG"),
                                               ("E1", "U_ENT2"), ("E2", "U_ENT2")])
    rels(store, "REPORTS_TO", "Member", "Organization", [("W3", "COMM")])
    rels(store, "HOLDS_ROLE", "Member", "Unit", [("I1", "U_ENT3")], {"role": "党建指导员"})

    rels(store, "PAIRED_WITH", "Organization", "Organization", [("ORGAN", "COMM")],
         {"form": "结对共建", "since": "2024-01-01", "until": day(0)})        # ends today: current
    rels(store, "PAIRED_WITH", "Organization", "Organization", [("ORGAN2", "BR_OK")],
         {"form": "结对共建", "since": "2023-01-01", "until": day(-1)})       # P3
    rels(store, "PAIRED_WITH", "Organization", "Organization", [("ORGAN4", "VILL")],
         {"form": "政村结对", "since": day(1)})                               # not yet current
    rels(store, "PAIRED_WITH", "Organization", "Organization", [("ORGAN5", "ENT_BR")],
         {"form": "政企结盟"})                                                 # no dates: current
    store.upsert_nodes("Activity", [
        {"id": "A1", "date": day(0)}, {"id": "A2", "date": day(-364)}, {"id": "A3", "date": day(-365)},
        {"id": "A4", "date": day(-10)}, {"id": "A5", "date": day(1)}])
    rels(store, "TOOK_PART_IN", "Organization", "Activity",
         [("ORGAN", "A1"), ("COMM", "A1"), ("ORGAN", "A2"), ("COMM", "A2"),
          ("ORGAN5", "A3"), ("ENT_BR", "A3"), ("ORGAN5", "A4"), ("ENT_BR", "A4"),
          ("ORGAN5", "A5"), ("ENT_BR", "A5")])


@pytest.fixture
def city(store):
    build(store)
    return store


def by_rule(store, rule, **kw):
    return {g.id: g for g in find_gaps(store, rules=[rule], as_of=AS_OF, **kw)}


EXPECTED = {
    "U1": {"U_ENT1"}, "U2": {"U_ENT2"}, "U3": {"U_ENT4"}, "G1": {"GG2"}, "G2": {"B1"}, "G3": {"X1"},
    "M1": {"Mob2"}, "M2": {"Mx"}, "M3": {"W1"}, "M4": {"Mob2", "Mob3"},
    "O1": {"BR_FEW", "JOINT", "ORGAN2", "ORGAN4", "VILL", "ORGAN5", "ENT_BR"},
    "O2": {"BIG"}, "O3": {"COMM"}, "O4": {"JOINT"},
    "P1": {"CITY", "DIST", "BIG", "ORGAN2", "ORGAN4"},  # a 党委 in 机关 is pairable too
    "P2": {"BR_OK", "BR_FEW", "JOINT", "VILL"},
    "P3": {"ORGAN2→BR_OK/结对共建"}, "P4": {"ORGAN5→ENT_BR/政企结盟"},
}


@pytest.mark.parametrize("rule", list(EXPECTED))
def test_each_rule_finds_exactly_its_gaps(city, rule):
    assert set(by_rule(city, rule)) == EXPECTED[rule]


def test_unit_rules_figures_and_who_must_act(city):
    u1 = by_rule(city, "U1")["U_ENT1"]
    assert u1.figures == {"members": 3, "covered": True}
    assert u1.message == "党员 3 名（≥3），未单独建立党组织，目前仅被联合党组织覆盖"
    # a non-public enterprise: the two-new working committee over its region acts
    assert u1.responsible.id == "TWO" and u1.path == ["U_ENT1", "TWO", "DIST", "CITY"]
    assert by_rule(city, "U2")["U_ENT2"].figures == {"members": 2}
    # grids and compounds: the street working committee
    g1 = by_rule(city, "G1")["GG2"]
    assert g1.responsible.id == "ST" and g1.path == ["GG2", "ST", "DIST", "CITY"] and g1.region == Q
    assert by_rule(city, "G2")["B1"].figures == {"residents": 3}
    g3 = by_rule(city, "G3")["X1"]
    assert g3.figures == {"residents": 6} and g3.responsible.id == "ST"


def test_member_rules(city):
    m4 = by_rule(city, "M4")
    assert m4["Mob2"].message == "流动党员，无联系记录"
    assert m4["Mob3"].message == "流动党员，最近联系 2024-12-31，已 181 天未联系（>180）"
    assert m4["Mob3"].responsible.id == "COMM"
    assert m4["Mob3"].path == ["Mob3", "COMM", "ST", "DIST", "CITY"]
    m2 = by_rule(city, "M2")["Mx"]
    assert m2.responsible is None and m2.figures == {"org_code": "NOPE"}  # nothing says where they are
    assert by_rule(city, "M3")["W1"].message == "在机关「区财政局」工作，未到居住地社区报到"


def test_a_member_of_no_known_organisation_is_for_the_committee_where_they_work_or_live(city):
    """M2 has no organisation of the member's to act: the street 党工委 over the unit the member
    works at (else lives in) does, and the gap lies in that unit's region (so the street sees it)."""
    city.upsert_nodes("Unit", [{"id": "U_SHOP", "name": "街角商店", "kind": "个体工商户"}])
    rels(city, "IN_REGION", "Unit", "Region", [("U_SHOP", S)])
    rels(city, "WORKS_AT", "Member", "Unit", [("Mx", "U_SHOP")])
    city.upsert_nodes("Member", [{"id": "My", "name": "党员My", "category": "正式", "org_code": "GONE"}])
    rels(city, "LIVES_IN", "Member", "Unit", [("My", "B1")])  # 1号楼 of 阳光小区, in 东社区
    m2 = by_rule(city, "M2")
    assert (m2["Mx"].responsible.id, m2["Mx"].region, m2["Mx"].path) == ("ST", S, ["Mx", "ST", "DIST", "CITY"])
    assert (m2["My"].responsible.id, m2["My"].region) == ("ST", Q)
    assert "Mx" in {g.id for g in find_gaps(city, as_of=AS_OF, region=S)}
    # a token scoped to the street (or its 党工委) sees them too, by the same unit; the community
    # (and its 党委) only the one living there
    from graph.analyses.scope import Scope

    for kind, value in (("region", S), ("org", "ST")):
        scope = Scope(city, kind, value)
        assert {"Mx", "My"} <= scope.visible_keys("Member"), (kind, value)
        assert scope.allowed("Member", ["Mx", "My"]) == {"Mx", "My"}, (kind, value)
    assert Scope(city, "region", Q).allowed("Member", ["Mx", "My"]) == {"My"}  # 1号楼 is in 东社区
    community = Scope(city, "org", "COMM")
    assert "Mx" not in community.visible_keys("Member") and "My" in community.visible_keys("Member")
    assert community.allowed("Member", ["Mx", "My"]) == {"My"}


def test_organisation_and_pairing_rules(city):
    assert by_rule(city, "O1")["BR_FEW"].figures == {"formal": 2, "stopped": 0}
    assert by_rule(city, "O2")["BIG"].figures == {"members": 51, "stopped": 0}
    assert by_rule(city, "O3")["COMM"].message == "届满日期 2025-06-29，换届已逾期 1 天"
    assert by_rule(city, "O3")["COMM"].responsible.id == "ST"
    assert by_rule(city, "O4")["JOINT"].figures == {"covered": 6}
    assert by_rule(city, "P1")["ORGAN2"].figures["lapsed"] == 1
    p3 = by_rule(city, "P3")["ORGAN2→BR_OK/结对共建"]
    assert (p3.from_, p3.to, p3.responsible.id) == ("ORGAN2", "BR_OK", "DIST")
    assert p3.as_dict()["from"] == "ORGAN2"
    p4 = by_rule(city, "P4")["ORGAN5→ENT_BR/政企结盟"]
    assert p4.figures["activities"] == 1  # A3 is a day too old, A5 is tomorrow


def test_filters_by_region_and_org(city):
    in_q = {g.id for g in find_gaps(city, as_of=AS_OF, region=Q)}
    assert {"GG2", "X1", "B1", "COMM", "Mob2", "BR_FEW"} <= in_q
    assert not in_q & {"U_ENT1", "BIG", "ORGAN2"}
    two = {g.id for g in find_gaps(city, as_of=AS_OF, org="TWO")}
    assert {"U_ENT1", "U_ENT2", "U_ENT4", "JOINT", "ENT_BR", "ORGAN5→ENT_BR/政企结盟"} <= two
    assert not two & {"GG2", "COMM", "BIG"}


def test_policy_file_changes_thresholds(city, tmp_path):
    f = tmp_path / "policy.yaml"
    f.write_text("u1_min_members: 2\nm4_lost_contact_days: 179\n", encoding="utf-8")
    policy = load_policy(f)
    assert set(by_rule(city, "U1", policy=policy)) == {"U_ENT1", "U_ENT2"}
    assert set(by_rule(city, "M4", policy=policy)) == {"Mob1", "Mob2", "Mob3"}
    with pytest.raises(UnknownRule):
        find_gaps(city, rules=["Z9"])


def test_both_stores_give_identical_gaps_and_coverage(city, tmp_path):
    """The same graph, built in a fresh embedded store, gives the same answers."""
    from graph.memory.store import MemoryStore

    ref = MemoryStore()
    build(ref)
    assert [g.as_dict() for g in find_gaps(city, as_of=AS_OF)] == \
           [g.as_dict() for g in find_gaps(ref, as_of=AS_OF)]
    assert coverage(city, as_of=AS_OF) == coverage(ref, as_of=AS_OF)
    assert suggest_pairings(city, as_of=AS_OF) == suggest_pairings(ref, as_of=AS_OF)


def test_coverage_rates(city):
    rows = {(r.scope, r.id): r.measures for r in coverage(city, as_of=AS_OF)}
    street = rows[("区划", S)]
    # coverable units in the street: U_ENT1..6 (U_ORG is in the district)
    assert (street["units_established"].done, street["units_established"].total) == (1, 6)
    assert (street["units_covered"].done, street["units_covered"].total) == (3, 6)
    assert street["units_covered"].rate == 0.5
    assert (street["grids_with_org"].done, street["grids_with_org"].total) == (1, 2)
    assert (street["mobile_managed"].done, street["mobile_managed"].total) == (2, 3)
    city_ = rows[("区划", C)]
    assert city_["units_established"].total == 7 and city_["units_established"].done == 2
    two = rows[("党组织", "TWO")]
    # the enterprises and the social organisation of the street
    assert (two["units_covered"].done, two["units_covered"].total) == (3, 6)
    assert rows[("党组织", "ST")]["grids_with_org"].total == 2
    assert rows[("区划", Q)]["pairable_paired"].denominator.startswith("应结对党组织数")


def test_pair_suggest_proposes_spare_organs_for_unpaired_grassroots(city):
    ps = suggest_pairings(city, as_of=AS_OF)
    grassroots = {p.grassroots_id for p in ps}
    assert grassroots == EXPECTED["P2"]  # capacity suffices for all four
    organs = [p.organ_id for p in ps]
    assert all(o in {"CITY", "DIST", "BIG", "ORGAN", "ORGAN2", "ORGAN4", "ORGAN5"} for o in organs)
    assert max(organs.count(o) for o in set(organs)) <= 3
    assert all(p.reason.startswith(("同一区县", "同一城市")) for p in ps)


def test_trace_and_path(city):
    t = trace(city, "COMM", as_of=AS_OF)
    assert [r.id for r in t.chain] == ["ST", "DIST", "CITY"]
    assert [(l.other.id, l.current) for l in t.pairings] == [("ORGAN", True)]
    assert {g.rule for g in t.gaps} == {"O3"}
    assert [r.id for r in t.regions] == [Q, S, D, C]
    t = trace(city, "U_ENT1", as_of=AS_OF)
    assert t.responsible.id == "TWO" and {g.rule for g in t.gaps} == {"U1"}
    assert [l.other.id for l in t.organisations] == ["JOINT"]
    p = path_between(city, "Ma", "ORGAN")
    assert p.length == 3  # Ma → BR_OK → COMM → ORGAN (or another three-step way)
    with pytest.raises(NotFound):
        trace(city, "NOPE")


def test_extreme_as_of_dates_do_not_overflow(city):
    for day in (dt.date.min, dt.date.max):
        assert find_gaps(city, as_of=day)  # every organisation term has ended by 9999, ...
        assert coverage(city, as_of=day)


def test_members_at_home_in_agrees_with_home_orgs(store):
    """The members a scope lists (graph.analyses.scope.visible_keys) on both backends."""
    from graph.analyses.engine import engine_for

    build(store)
    engine = engine_for(store)
    members = [n.key for n in store.iter_nodes("Member")]
    homes = engine.home_orgs(members)
    orgs = sorted({h for h in homes.values() if h})
    assert len(orgs) >= 2
    for chosen in (orgs[:1], orgs[1:], orgs):
        expected = sorted(m for m, h in homes.items() if h in chosen)
        assert sorted(engine.members_at_home_in(chosen)) == expected
    assert engine.members_at_home_in([]) == []


def test_regions_of_every_unit_and_grid_is_the_same_as_asking_about_each(store):
    """``regions_of(label, None)`` (what a scope lists units and grids from) on both backends."""
    from graph.analyses.engine import engine_for

    build(store)
    engine = engine_for(store)
    for label in ("Unit", "Grid"):
        keys = sorted(n.key for n in store.iter_nodes(label))
        assert keys, label
        every = sorted(engine.regions_of(label, None), key=lambda r: r["id"])
        assert every == sorted(engine.regions_of(label, keys), key=lambda r: r["id"])
        assert [r["id"] for r in every] == keys


def test_a_scopes_lists_are_kept_until_the_data_changes(store):
    """A street's units are worked out once (paging asks for every page) and again after a write."""
    from graph.analyses.scope import Scope

    build(store)
    asked = []
    scope = Scope(store, "region", S)
    real = scope.engine.regions_of
    scope.engine.regions_of = lambda label, ids: asked.append(label) or real(label, ids)
    street = {"U_ENT1", "U_ENT2", "U_ENT3", "U_ENT4", "U_ENT5", "U_ENT6", "X1", "B1", "B2"}
    assert scope.visible_keys("Unit") == street
    assert scope.visible_keys("Unit") == street and asked == ["Unit"]
    store.upsert_nodes("Unit", [{"id": "U_NEW", "name": "新公司", "kind": "非公企业"}])
    rels(store, "IN_REGION", "Unit", "Region", [("U_NEW", Q)])
    assert scope.visible_keys("Unit") == street | {"U_NEW"} and asked == ["Unit", "Unit"]


def test_a_scopes_alliances_and_activities_are_those_its_organisations_lead_or_joined(store):
    """The sets a scope lists alliances and activities from (one question each) agree with their
    definition asked node by node: an alliance through its lead organisation (牵头), an activity
    through any organisation in it; on both backends, for region and organisation scopes."""
    from graph.analyses.scope import Scope

    build(store)
    store.upsert_nodes("Alliance", [{"id": "L_ST", "name": "街道联盟"}, {"id": "L_DIST", "name": "区联盟"},
                                    {"id": "L_NONE", "name": "无牵头联盟"}])
    rels(store, "IN_ALLIANCE", "Organization", "Alliance", [("ST", "L_ST"), ("DIST", "L_DIST")], {"role": "牵头"})
    rels(store, "IN_ALLIANCE", "Organization", "Alliance",
         [("COMM", "L_DIST"), ("ORGAN", "L_ST"), ("VILL", "L_NONE")], {"role": "成员"})
    through = {"Alliance": ("IN_ALLIANCE", "牵头"), "Activity": ("TOOK_PART_IN", None)}
    seen = {}
    for kind, value in (("region", S), ("region", Q), ("region", D), ("org", "ST"), ("org", "DIST"),
                        ("org", "ORGAN5")):
        scope = Scope(store, kind, value)
        orgs = scope.visible_keys("Organization")
        for label, (rel, role) in through.items():
            expected = {n.key for n in store.iter_nodes(label)
                        if any(o.key in orgs and (role is None or r.props.get("role") == role)
                               for r, o in store.neighbours(label, n.key, [rel], "in"))}
            assert scope.visible_keys(label) == expected, (kind, value, label)
            assert scope.allowed(label, [n.key for n in store.iter_nodes(label)]) == expected
            seen[kind, value, label] = expected
    assert seen["region", S, "Alliance"] == {"L_ST"} and seen["region", D, "Alliance"] == {"L_ST", "L_DIST"}
    assert seen["org", "ORGAN5", "Activity"] == {"A3", "A4", "A5"} and seen["region", Q, "Alliance"] == set()


def test_once_a_scopes_set_is_at_hand_its_checks_use_it(store):
    """``allowed`` asks the store about just the keys given until the scope's set of that label
    has been worked out (a list was shown); then it answers from the set, with the same answer."""
    from graph.analyses.scope import Scope

    build(store)
    asked = []
    scope = Scope(store, "region", S)
    real = scope.engine.regions_of
    scope.engine.regions_of = lambda label, ids: asked.append(ids) or real(label, ids)
    every = [n.key for n in store.iter_nodes("Unit")]
    before = scope.allowed("Unit", every)
    assert asked == [sorted(every)]  # just these keys
    assert scope.visible_keys("Unit") == before and asked[-1] is None  # the whole label, once
    assert scope.allowed("Unit", every) == before and scope.allowed("Unit", ["X1", "NOPE"]) == {"X1"}
    assert len(asked) == 2
