"""The analyses through the API and the CLI, on the hand-built city of test_gap_rules."""
from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app
from tests.test_api import client_for
from tests.test_gap_rules import AS_OF, EXPECTED, Q, build


def test_api_analyses(store):
    build(store)
    for c in client_for(store):
        r = c.get("/gaps", params={"rule": ["U1", "P3"], "as_of": AS_OF.isoformat()})
        assert r.status_code == 200
        body = r.json()
        assert {g["id"] for g in body} == EXPECTED["U1"] | EXPECTED["P3"]
        p3 = next(g for g in body if g["rule"] == "P3")
        assert p3["from"] == "ORGAN2" and p3["to"] == "BR_OK" and p3["title"] == "结对已到期"
        assert c.get("/gaps", params={"rule": "Z9"}).status_code == 422
        # pages of the JSON answer, the whole count in a header
        full = c.get("/gaps", params={"as_of": AS_OF.isoformat(), "limit": 10_000})
        page = c.get("/gaps", params={"as_of": AS_OF.isoformat(), "skip": 2, "limit": 3})
        assert int(page.headers["x-total-count"]) == int(full.headers["x-total-count"]) == len(full.json())
        assert len(full.json()) > 5 and page.json() == full.json()[2:5]
        r = c.get("/unpaired", params={"as_of": AS_OF.isoformat(), "region": Q})
        assert {g["rule"] for g in r.json()} <= {"P1", "P2", "P3", "P4"}
        x = c.get("/gaps", params={"as_of": AS_OF.isoformat(), "format": "xlsx"})
        wb = load_workbook(io.BytesIO(x.content))
        assert "U1 应单独组建" in wb.sheetnames and wb["U1 应单独组建"]["A1"].value == "规则"
        csv_text = c.get("/gaps", params={"as_of": AS_OF.isoformat(), "format": "csv"}).content.decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("规则,缺口,类型,编码,名称,说明")
        cov = c.get("/coverage", params={"as_of": AS_OF.isoformat(), "scope": "region"}).json()
        assert {row["id"] for row in cov} == {"519900000000", "519901000000", "519901001000", Q}
        t = c.get("/trace/COMM", params={"as_of": AS_OF.isoformat()}).json()
        assert [g["rule"] for g in t["gaps"]] == ["O3"]
        assert c.get("/trace/NOPE").status_code == 404
        p = c.get("/path", params={"a": "Ma", "b": "ORGAN"}).json()
        assert p["length"] == 3 and p["steps"][0]["type_zh"] == "组织关系在"
        s = c.get("/pairings/suggestions", params={"as_of": AS_OF.isoformat()}).json()
        assert {x["grassroots_id"] for x in s} == EXPECTED["P2"]


def test_cli_analyses(tmp_path, monkeypatch):
    from graph.memory.store import MemoryStore

    data = tmp_path / "g.pickle"
    s = MemoryStore(data)
    build(s)
    s.close()
    monkeypatch.setenv("TUPU_DATA", str(data))
    run = CliRunner().invoke
    r = run(app, ["gaps", "--rule", "U1", "--as-of", AS_OF.isoformat(), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert [g["id"] for g in json.loads(r.output)] == ["U_ENT1"]
    r = run(app, ["gaps", "--as-of", AS_OF.isoformat(), "-f", "xlsx", "-o", str(tmp_path / "g.xlsx")])
    assert r.exit_code == 0 and "P4 结对有名无实" in load_workbook(tmp_path / "g.xlsx").sheetnames
    r = run(app, ["unpaired", "--as-of", AS_OF.isoformat()])
    assert r.exit_code == 0 and "未结对与结对问题" in r.output
    r = run(app, ["coverage", "--region", Q, "--as-of", AS_OF.isoformat(), "-f", "csv"])
    assert r.exit_code == 0 and "东社区" in r.output
    r = run(app, ["trace", "U_ENT1", "--as-of", AS_OF.isoformat()])
    assert r.exit_code == 0 and "负责组织：TWO组织" in r.output and "U1 应单独组建" in r.output
    r = run(app, ["path", "Ma", "ORGAN"])
    assert r.exit_code == 0 and "3 步" in r.output
    r = run(app, ["pair", "suggest", "--as-of", AS_OF.isoformat(), "-f", "json"])
    assert r.exit_code == 0 and len(json.loads(r.output)) == 4
    assert run(app, ["gaps", "--rule", "Z9"]).exit_code == 2
    assert run(app, ["gaps", "--as-of", "昨天"]).exit_code == 2
    assert run(app, ["trace", "NOPE"]).exit_code == 1


def test_an_export_is_written_row_by_row_and_reads_as_before():
    """Rows made as they are written (a province's gaps are never all cells at once); the
    sheet still reads well at a meeting: bold headers, wrapped cells, the header row frozen,
    columns as wide as their first rows, a would-be formula kept as text."""
    from api.exports import to_xlsx

    made = []

    def rows():
        for i in range(500):
            made.append(i)
            yield {"编码": f"O{i}", "名称": "=HYPERLINK(1)" if i == 3 else f"第{i}支部", "说明": "缺" * (i % 40)}

    wb = load_workbook(io.BytesIO(to_xlsx({"缺口" * 20: rows(), "空": []})))
    assert wb.sheetnames == ["缺口" * 15 + "缺", "空"] and len(made) == 500
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["编码", "名称", "说明"] and all(c.font.b for c in ws[1])
    assert ws.max_row == 501 and ws["A501"].value == "O499" and ws["B5"].value == "=HYPERLINK(1)"
    assert ws["B5"].data_type == "s" and ws["C40"].alignment.wrap_text and ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width == 60 and ws.column_dimensions["A"].width == 8
    assert [c.value for c in wb["空"][1]] == ["无数据"]
