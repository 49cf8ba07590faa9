"""Every list filters by place and by who must act (#39): the gap list page and its Excel take
``?region=`` and ``?org=`` (code or name), draw a region column and a picker, and name the file
by place and day; an organisation's page lists the gaps it must close and whom to call, a
region's page the gaps of what lies in it."""
from __future__ import annotations

import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook

from graph.analyses.gaps import find_gaps
from tests.test_api import client_for
from tests.test_gap_rules import AS_OF, S, build

HTML = {"Accept": "text/html"}


def _rows(page: str) -> set[str]:
    """The codes of a gap list page's rows."""
    return set(re.findall(r'<td data-k="编码">([^<]+)</td>', page))


def test_a_gap_list_by_street_and_by_who_must_act(store):
    build(store)
    every = find_gaps(store, as_of=AS_OF)
    rule = next(r for r in ("U2", "U3", "G2", "P2") if any(g.rule == r and g.region for g in every))
    in_street = find_gaps(store, rules=[rule], as_of=AS_OF, region=S)
    assert in_street
    who = next(g.responsible for g in in_street if g.responsible)
    for c in client_for(store):
        whole = c.get(f"/views/gaps/{rule}", params={"as_of": AS_OF.isoformat()})
        assert whole.status_code == 200 and 'name="viewport"' in whole.text
        assert _rows(whole.text) == {g.id for g in every if g.rule == rule}
        # the street by its name, as a shared link would carry it; its column says where
        page = c.get(f"/views/gaps/{rule}", params={"as_of": AS_OF.isoformat(), "region": "东街道"})
        assert page.status_code == 200
        assert _rows(page.text) == {g.id for g in in_street}
        assert "<title>" + f"{rule} " in page.text and "东街道</title>" in page.text
        assert '<td data-k="所在区划">东街道</td>' in page.text or '<td data-k="所在区划">东社区</td>' in page.text
        assert f'<option value="{S}" selected>' in page.text  # the picker shows the street chosen
        assert f'<option value="{who.id}">' in page.text  # and who must act there
        # who must act, by code: only what is theirs
        mine = c.get(f"/views/gaps/{rule}", params={"as_of": AS_OF.isoformat(), "region": S, "org": who.id})
        assert _rows(mine.text) == {g.id for g in find_gaps(store, rules=[rule], as_of=AS_OF, region=S, org=who.id)}
        assert f"region={S}" in mine.text and f"org={who.id}" in mine.text  # the Excel link keeps the filter
        # the Excel: the same rows, a region column, a file named by the place, the list and the day
        x = c.get("/gaps", params={"rule": rule, "region": S, "format": "xlsx", "as_of": AS_OF.isoformat()})
        assert x.status_code == 200
        name = unquote(x.headers["content-disposition"].split("''")[1])
        assert name.startswith("东街道_") and name.endswith(f"_{AS_OF.isoformat()}.xlsx") and rule in name
        ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        head = next(i for i, r in enumerate(rows) if "编码" in r)
        col, where = rows[head].index("编码"), rows[head].index("所在区划")
        assert {r[col] for r in rows[head + 1:] if r[col]} == {g.id for g in in_street}
        assert {r[where] for r in rows[head + 1:] if r[col]} <= {"东街道", "东社区"}
        u = c.get("/unpaired", params={"region": S, "format": "xlsx", "as_of": AS_OF.isoformat()})
        assert unquote(u.headers["content-disposition"].split("''")[1]) == f"东街道_未结对_{AS_OF.isoformat()}.xlsx"
        assert c.get(f"/views/gaps/{rule}", params={"region": "没有这个街道"}).status_code == 404


def test_who_must_act_sees_its_gaps_and_whom_to_call(store):
    build(store)
    every = find_gaps(store, as_of=AS_OF)
    org = max({g.responsible.id for g in every if g.responsible},
              key=lambda o: sum(1 for g in every if g.responsible and g.responsible.id == o))
    store.upsert_nodes("Organization", [{"id": org, "contact": "张秀英", "secretary": "李建国",
                                         "phone": "13812345678"}])
    theirs = [g for g in find_gaps(store, as_of=AS_OF) if g.responsible and g.responsible.id == org]
    assert theirs
    for c in client_for(store):
        page = c.get(f"/entities/Organization/{org}", params={"as_of": AS_OF.isoformat()}, headers=HTML)
        assert page.status_code == 200
        assert f"负责补齐的缺口（{len(theirs)} 个）" in page.text
        for g in theirs[:5]:
            assert g.message in page.text
        assert f"/views/gaps/{theirs[0].rule}?org={org}" in page.text  # the whole list, filtered
        assert "联系人 张秀英" in page.text and "书记 李建国" in page.text
        assert "138****5678" in page.text and "13812345678" not in page.text  # masked (graph.privacy)
        street = c.get(f"/entities/Region/{S}", params={"as_of": AS_OF.isoformat()}, headers=HTML)
        inside = [g for g in find_gaps(store, as_of=AS_OF, region=S)]
        assert f"辖区内的缺口（{len(inside)} 个）" in street.text and inside
        assert f"/views/gaps/{inside[0].rule}?region={S}" in street.text
