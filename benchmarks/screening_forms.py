"""A labelled set of names written as registers and ledgers write them (#40), made apart from
the matcher: it imports nothing of ``graph.screening`` and has its own word lists.

- **Regions**: the real division tree of 德阳市 (四川省 510000, 德阳市 510600 and its six
  districts, with their real codes), written as a 行政区划 ledger.
- **Units**: trade names composed of two Faker zh_CN company prefixes (超艺, 鸿睿思博, 济南亿次元 …),
  an industry, a legal form; the ledger writes some plainly, some with 德阳市 or the district
  in front (旌阳区…), as street offices do.
- **Register rows** of the same units, written another way, one per row, each labelled with its
  form and true unit: exactly as the ledger; the city short (德阳…) or full (四川省德阳市…), or
  dropped; the district short (旌阳…); the region in brackets after the trade name
  (腾飞（德阳）家政服务…) or before the legal form, full- or half-width; 有限公司 ↔ 有限责任公司;
  traditional characters (this module's own table); spaces. A **variant** replaces one character
  of the trade name by one that sounds alike (鸿 / 宏): a person decides it ("possible").
- **Not the unit**: a 分公司 of a unit; the same trade name and industry in another district
  (when the ledger names the unit's district); the same trade name in another industry;
  enterprises the ledger does not have.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

# the real 区划代码 of 德阳市 (国家统计局), one province above it
REGIONS = [("510000000000", "四川省", "省", ""), ("510600000000", "德阳市", "市", "510000000000"),
           ("510603000000", "旌阳区", "区县", "510600000000"), ("510604000000", "罗江区", "区县", "510600000000"),
           ("510623000000", "中江县", "区县", "510600000000"), ("510681000000", "广汉市", "区县", "510600000000"),
           ("510682000000", "什邡市", "区县", "510600000000"), ("510683000000", "绵竹市", "区县", "510600000000")]
DISTRICTS = REGIONS[2:]
INDUSTRIES = ["科技", "家政服务", "医药", "物流", "餐饮管理", "建筑工程", "商贸", "信息", "传媒", "机械制造", "农业开发"]
# the test's own traditional forms (not the matcher's converter)
TRADITIONAL = str.maketrans("电贸业务传医药网络车饰询发东华机械气飞云运鸿达泰联兴汇语开农业设计经营",
                            "電貿業務傳醫藥網絡車飾詢發東華機械氣飛雲運鴻達泰聯興匯語開農業設計經營")
# characters that sound alike, as a clerk mishears them
ALIKE = {"鸿": "宏", "宏": "鸿", "运": "韵", "泰": "太", "鑫": "新", "博": "搏", "华": "桦", "创": "闯", "天": "添",
         "明": "铭", "佳": "嘉", "嘉": "佳", "信": "新", "通": "同", "联": "连", "诚": "成", "海": "海", "恒": "衡",
         "云": "芸", "晖": "辉", "盛": "胜", "思": "斯", "凌": "灵", "彩": "采", "合": "和", "和": "合", "兴": "星"}
TRUE_FORMS = ("same", "city_short", "city_full", "city_dropped", "district_short", "bracket_after_trade",
              "bracket_before_form", "half_width_brackets", "legal_form", "traditional", "spaces")


@dataclass
class Unit:
    code: str
    trade: str
    industry: str
    form: str
    district: tuple[str, str, str, str]
    written: str  # as the ledger writes it
    lead: str  # what the ledger put in front ("" / 德阳市 / 旌阳区)


@dataclass
class Row:
    name: str
    address: str
    truth: str | None  # the true unit's code, None when the ledger has none
    form: str  # how it was written (TRUE_FORMS, variant, branch, other_district, other_industry, stranger)


def _trades(fake: Faker, rng: random.Random, n: int) -> list[str]:
    words = sorted({w for w in (fake.company_prefix() for _ in range(3000)) if "公司" not in w})
    seen: set[str] = set()
    while len(seen) < n:
        a, b = rng.sample(words, 2)
        seen.add(a + b if rng.random() < 0.8 else a)
    out = sorted(seen)
    rng.shuffle(out)
    return out


def make(n_units: int = 400, seed: int = 40) -> tuple[list[Unit], list[Row]]:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    trades = _trades(fake, rng, n_units * 2)
    units: list[Unit] = []
    for i, trade in enumerate(trades[:n_units]):
        industry, form, district = rng.choice(INDUSTRIES), rng.choice(["有限公司", "有限责任公司"]), rng.choice(DISTRICTS)
        lead = rng.choices(["", "德阳市", district[1]], [5, 2, 3])[0]
        units.append(Unit(f"DW{i:04d}", trade, industry, form, district, f"{lead}{trade}{industry}{form}", lead))
    rows: list[Row] = []
    for u in units:
        how = rng.choice(TRUE_FORMS)
        rows.append(Row(_written(u, how, rng), _address(u.district, rng), u.code, how))
    for u in rng.sample(units, n_units // 5):  # a clerk's one character
        chars = [c for c in u.trade if c in ALIKE and ALIKE[c] != c]
        if chars:
            c = rng.choice(chars)
            rows.append(Row(f"{u.trade.replace(c, ALIKE[c], 1)}{u.industry}{u.form}", _address(u.district, rng),
                            u.code, "variant"))
    for u in rng.sample(units, n_units // 8):
        branch = rng.choice(DISTRICTS)
        rows.append(Row(f"{u.trade}{u.industry}{u.form}{branch[1][:2]}分公司", _address(branch, rng), None, "branch"))
    for u in rng.sample([u for u in units if u.lead and u.lead != "德阳市"], n_units // 10):
        other = rng.choice([d for d in DISTRICTS if d != u.district])
        rows.append(Row(f"{other[1]}{u.trade}{u.industry}{u.form}", _address(other, rng), None, "other_district"))
    for u in rng.sample(units, n_units // 10):
        other_industry = rng.choice([x for x in INDUSTRIES if x != u.industry])
        rows.append(Row(f"{u.trade}{other_industry}{u.form}", _address(u.district, rng), None, "other_industry"))
    for trade in trades[n_units:n_units + n_units // 4]:
        d = rng.choice(DISTRICTS)
        rows.append(Row(f"{trade}{rng.choice(INDUSTRIES)}有限公司", _address(d, rng), None, "stranger"))
    rng.shuffle(rows)
    return units, rows


def _written(u: Unit, how: str, rng: random.Random) -> str:
    core, city, district = f"{u.trade}{u.industry}", "德阳", u.district[1]
    place = rng.choice([city, district[:2]])
    if how == "same":
        return u.written
    if how == "city_short":
        return f"{city}{core}{u.form}"
    if how == "city_full":
        return f"{rng.choice(['四川省德阳市', '德阳市'])}{core}{u.form}"
    if how == "city_dropped":
        return f"{core}{u.form}"
    if how == "district_short":
        return f"{district[:2]}{core}{u.form}"
    if how == "bracket_after_trade":
        return f"{u.trade}（{place}）{u.industry}{u.form}"
    if how == "bracket_before_form":
        return f"{core}（{place}）{u.form}"
    if how == "half_width_brackets":
        return f"{u.trade}({place}){u.industry}{u.form}"
    if how == "legal_form":
        return f"{u.lead}{core}{'有限公司' if u.form == '有限责任公司' else '有限责任公司'}"
    if how == "traditional":
        return u.written.translate(TRADITIONAL)
    return f"{u.lead} {u.trade} {u.industry}{u.form}".strip()  # spaces


def _address(d: tuple[str, str, str, str], rng: random.Random) -> str:
    return f"四川省德阳市{d[1]}{rng.choice(['长江', '岷江', '泰山', '珠江', '黄河'])}路{rng.randint(1, 300)}号"


def write(units: list[Unit], rows: list[Row], ledgers, register) -> None:  # type: ignore[no-untyped-def]
    """The 行政区划 and 单位 ledgers (CSV) in ``ledgers``, the 市场监管 export (xlsx, a title above
    its header) at ``register``."""
    import csv

    from openpyxl import Workbook

    ledgers.mkdir(parents=True, exist_ok=True)
    with open(ledgers / "行政区划.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["区划代码", "名称", "层级", "上级区划代码"])
        w.writerows(REGIONS)
    with open(ledgers / "单位.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["单位编码", "单位名称", "单位类别", "区划代码"])
        w.writerows([u.code, u.written, "非公企业", u.district[0]] for u in units)
    wb = Workbook()
    ws = wb.active
    ws.append(["德阳市市场主体登记信息（导出）"])
    ws.append(["序号", "企业名称", "统一社会信用代码", "住所", "登记状态", "从业人数"])
    for i, r in enumerate(rows, 1):
        ws.append([i, r.name, None, r.address, "存续", str(3 + i % 40)])
    wb.save(register)


def measure(rows: list[Row], got: dict[int, dict]) -> dict[str, float]:  # type: ignore[type-arg]
    """``got``: the output of ``tupu screen registry --format json`` by spreadsheet row (the
    register's rows start at its third line). Precision and recall of the automatic matches
    (the variants, meant for a person, left out of recall), and how the variants and branches came out."""
    auto = right = should = found = variants = first = branches = said = 0
    for i, r in enumerate(rows):
        m = got[i + 3]
        if m["status"] == "match":
            auto += 1
            right += m["unit"] == r.truth
        if r.truth and r.form != "variant":
            should += 1
            found += m["status"] == "match" and m["unit"] == r.truth
        if r.form == "variant":
            variants += 1
            first += m["status"] == "possible" and m["unit"] == r.truth
        if r.form == "branch":
            branches += 1
            said += m["status"] == "new" and any("总公司" in e for e in m["evidence"])
    return {"precision": right / max(1, auto), "recall": found / max(1, should), "auto": auto, "true_links": should,
            "variants": variants, "variants_possible_first": first / max(1, variants), "branches": branches,
            "branches_head_named": said / max(1, branches)}


def main() -> None:
    """``python -m benchmarks.screening_forms``: the set written to a temporary folder, loaded
    into the embedded store and matched by ``tupu screen registry --format json``."""
    import argparse
    import json
    import os
    import tempfile
    import time
    from pathlib import Path

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=40)
    args = ap.parse_args()
    units, rows = make(args.units, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        os.environ["TUPU_DATA"], os.environ["TUPU_HOME"] = str(d / "g.pickle"), str(d / "home")
        from typer.testing import CliRunner

        from api.cli import app as cli
        from graph.memory.store import MemoryStore
        from ingest.loader import Loader

        write(units, rows, d / "台账", d / "市场监管导出.xlsx")
        store = MemoryStore(d / "g.pickle")
        Loader(store).load([d / "台账"])
        store.save()
        t = time.perf_counter()
        out = CliRunner().invoke(cli, ["screen", "registry", str(d / "市场监管导出.xlsx"), "--source", "市场监管",
                                       "--format", "json"]).output
        took = time.perf_counter() - t
    got = {x["row"]: x for x in json.loads(out[out.index("["):])}
    f = measure(rows, got)
    print(f"独立标注集（德阳市真实区划，Faker zh_CN 字号，种子 {args.seed}）：{len(units)} 个单位、{len(rows)} 行，"
          f"{f['true_links']} 行有对应单位；tupu screen registry 用时 {took:.1f} s")
    print(f"自动匹配 {f['auto']} 行：准确率 precision {f['precision']:.4f}（目标 ≥ 0.99），"
          f"召回率 recall {f['recall']:.4f}（目标 ≥ 0.95）")
    print(f"字号错一字 {f['variants']} 行：{f['variants_possible_first']:.4f} 为“可能”且建议的正是原单位；"
          f"分公司 {f['branches']} 行：{f['branches_head_named']:.4f} 说出了已在台账的总公司")


if __name__ == "__main__":
    main()
