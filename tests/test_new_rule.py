"""Adding a gap rule as docs/architecture.md says (an entry with its Cypher, its walk, its message
and a new threshold; the threshold in a policy file; a test) makes it appear everywhere: the
gaps, the API, the coverage view and the Excel export, on both stores. Nothing else changes."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from api.exports import gaps_xlsx
from graph.analyses.gaps import find_gaps
from graph.policy import PolicyError, load_policy
from graph.rules import RULES, Rule, register, unregister
from graph.store import RelRow
from tests.test_api import client_for
from tests.test_gap_rules import AS_OF, S, build
from viz import views
from viz.render import vis_data


def _u9(g, p):
    for n, a in g.nodes("Unit"):
        if (a.get("employees") or 0) >= p["u9_min_employees"] and not g.has_in(n, "COVERS", "Organization"):
            yield {"id": n[1], "name": a.get("name"), "employees": a["employees"]}


U9 = Rule(
    "U9", "大型单位未被覆盖", "Unit", "单位",
    message=lambda f, p: f"从业人员 {f['employees']} 人（≥{p['u9_min_employees']}），未被党组织覆盖",
    cypher="""
MATCH (u:Unit) WHERE coalesce(u.employees, 0) >= $u9_min_employees
  AND NOT EXISTS { (:Organization)-[:COVERS]->(u) }
RETURN u.id AS id, u.name AS name, u.employees AS employees""",
    walk=_u9,
    thresholds={"u9_min_employees": 100},
)


@pytest.fixture
def u9():
    register(U9)
    yield U9
    unregister("U9")


def test_a_new_rule_shows_everywhere(store, u9, tmp_path):
    build(store)
    store.upsert_nodes("Unit", [{"id": "BIG", "name": "大厂", "kind": "商圈", "employees": 500}])
    store.upsert_relationships("IN_REGION", "Unit", "Region", [RelRow("BIG", S)])
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("u9_min_employees: 400\n", encoding="utf-8")
    policy = load_policy(policy_file)
    gaps = [g for g in find_gaps(store, as_of=AS_OF, policy=policy) if g.rule == "U9"]
    assert [(g.id, g.message) for g in gaps] == [("BIG", "从业人员 500 人（≥400），未被党组织覆盖")]
    assert gaps[0].responsible is not None  # who must act, as for every unit gap
    # the default threshold from the entry, when the policy does not set it
    assert [g.id for g in find_gaps(store, rules=["U9"], as_of=AS_OF)] == ["BIG"]
    # the Excel export has a sheet for it
    wb = load_workbook(io.BytesIO(gaps_xlsx(gaps)))
    assert "U9 大型单位未被覆盖" in wb.sheetnames
    # the coverage view rings the unit and offers the rule in its filter bar
    view = views.coverage_view(store, S, as_of=AS_OF)
    big = next(n for n in view.nodes if n.id == "Unit:BIG")
    assert [g["rule"] for g in big.gaps] == ["U9"]
    assert {"id": "U9", "title": "大型单位未被覆盖"} in vis_data(view)["rules"]
    # the API answers it
    for client in client_for(store):
        r = client.get("/gaps", params={"rule": "U9", "as_of": AS_OF.isoformat()})
        assert r.status_code == 200 and [g["id"] for g in r.json()] == ["BIG"]


def test_an_unknown_policy_key_is_refused(tmp_path, u9):
    bad = tmp_path / "policy.yaml"
    bad.write_text("u8_min_employees: 3\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="未知的策略项"):
        load_policy(bad)
    bad.write_text("u9_min_employees: -3\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="非负整数"):
        load_policy(bad)
    assert "U9" in RULES
