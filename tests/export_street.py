"""One street's data as the systems staff keep it export it: the 全国党员管理信息系统's organisation
page (names, no codes; parents by name; the unit inside each row), a city 智慧党建 platform's
organisation export, and member sheets whose 所在党支部 holds a branch's full name or its 简称.

Synthetic throughout (Faker zh_CN names and phones, ID numbers and 统一社会信用代码 with the
check characters python-stdnum computes), written with openpyxl as the exports look: a title
row above the header, every cell text.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker
from openpyxl import Workbook
from stdnum.cn import ric, uscc

STREET = "骆路街道"
DISTRICT_COMMITTEE = "中共锦华区委员会"  # the street's parent: not in the street's export
REGION = "510104012"  # 9 digits, as a code (region names are another column's business)
COMMUNITIES = ("观音桥社区", "新桥社区", "水井坊社区", "望江社区")
NATIONAL_ORG_HEAD = ["党组织名称", "党组织简称", "党组织类别", "批准成立的上级党组织", "党组织所在行政区划",
                     "建立党组织日期", "单位名称", "法人单位统一社会信用代码", "单位性质类别", "在岗职工人数",
                     "党组织所在单位情况", "党组织书记", "党组织联系人", "联系电话"]
CITY_ORG_HEAD = ["序号", "组织名称", "组织简称", "组织类别", "上级党组织名称", "所在行政区划", "成立时间",
                 "单位名称（全称）", "社会统一信用代码", "单位性质", "从业人数", "党组织所在单位情况", "书记",
                 "联系人", "联系方式"]
MEMBER_HEAD = ["序号", "党员编码", "姓名", "性别", "公民身份号码", "党员类别", "所在党支部", "手机号码"]


def uscc_of(fake: Faker, kind: str) -> str:
    """A 统一社会信用代码 with a true check character: 91 an enterprise, 12 a 事业单位, 11 an organ,
    52 a 民办非企业单位; 510104 the district; a random organisation code."""
    prefix = {"企业": "91", "事业单位": "12", "机关": "11", "社会组织": "52"}[kind]
    body = prefix + "510104" + "".join(fake.random_choices("0123456789ABCDEFGHJKLMNPQRTUWXY", length=9))
    return body + uscc.calc_check_digit(body)


def id_number(rng: random.Random) -> str:
    body = f"510104{rng.randint(1950, 2002)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body)


@dataclass
class Org:
    name: str  # as the national system writes it: 中共…委员会
    short: str
    kind: str  # 党组织类别 as written
    parent: str  # 批准成立的上级党组织 as written (a full name or a 简称)
    unit: str = ""
    uscc: str = ""
    unit_kind: str = ""
    employees: str = ""
    situation: str = ""  # 党组织所在单位情况
    secretary: str = ""
    contact: str = ""
    phone: str = ""


@dataclass
class Street:
    orgs: list[Org] = field(default_factory=list)
    # (member code, name, gender, ID number, category, branch's full name, branch's 简称, phone)
    members: list[tuple[str, str, str, str, str, str, str, str]] = field(default_factory=list)

    def branches(self) -> list[Org]:
        return [o for o in self.orgs if "支部" in o.kind]


def street(seed: int = 35, members: int = 120) -> Street:
    """A street 党工委, its communities' 党委 with two branches each, and enterprise, 事业单位 and
    social-organisation branches (one joint branch over two small firms); ``members`` members
    spread over the branches."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    s = Street()

    def people() -> dict[str, str]:
        return {"secretary": fake.name(), "contact": fake.name(), "phone": fake.phone_number()}

    s.orgs.append(Org(f"中共{STREET}工作委员会", f"{STREET}党工委", "党工委", DISTRICT_COMMITTEE,
                      f"成都市锦华区{STREET}办事处", uscc_of(fake, "机关"), "党政机关", "46", "法人单位", **people()))
    for i, c in enumerate(COMMUNITIES):
        # the parent by its 简称 in half the rows, by its full name in the others
        parent = f"{STREET}党工委" if i % 2 else f"中共{STREET}工作委员会"
        s.orgs.append(Org(f"中共{STREET}{c}委员会", f"{c}党委", "党的基层委员会", parent,
                          f"{c}居民委员会", "", "社区", "12", "法人单位", **people()))
        for n, numeral in ((1, "第一"), (2, "第二")):
            # the branch's parent by the community's 简称 (a 党委, written as the system shortens it)
            s.orgs.append(Org(f"中共{STREET}{c}{numeral}支部委员会", f"{c}第{n}党支部", "党支部委员会",
                              f"{c}党委", "", "", "", "", "与上级党组织相同", **people()))
    firms = [("华兴科技有限公司", "民营企业", "企业", "85", "法人单位"),
             ("蜀锦文化传媒有限公司", "私营企业", "企业", "23", "法人单位"),
             ("锦华区骆路社区卫生服务中心", "事业单位", "事业单位", "31", "法人单位"),
             ("骆路街道老年协会", "社会团体", "社会组织", "6", "法人单位")]
    for name, written, kind, employees, situation in firms:
        short = name.removesuffix("有限公司").removesuffix("服务中心")
        s.orgs.append(Org(f"中共{name}支部委员会", f"{short}党支部", "党支部委员会", f"{COMMUNITIES[0]}党委",
                          name, uscc_of(fake, kind), written, employees, situation, **people()))
    # a joint branch over two small firms: the unit its row names is one of those it covers
    s.orgs.append(Org(f"中共{STREET}新桥社区小微企业联合支部委员会", "新桥小微企业联合党支部", "联合党支部",
                      f"中共{STREET}新桥社区委员会", "锦华区新桥便民超市", "", "个体工商户", "4", "联合党支部", **people()))
    branches = s.branches()
    for k in range(members):
        b = branches[k % len(branches)]
        gender = rng.choice(("男", "女"))
        name = fake.name_male() if gender == "男" else fake.name_female()
        category = "预备党员" if k % 10 == 9 else "正式党员"
        s.members.append((f"DY{k + 1:05d}", name, gender, id_number(rng), category, b.name, b.short,
                          fake.phone_number()))
    return s


def _write(path: Path, title: str, head: list[str], rows: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([f"{STREET}{title}（导出日期：2026-11-30）"])  # a title row above the header
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.append(head)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.number_format = "@"  # text cells, as the systems export them
    wb.save(path)
    return path


def national_orgs(path: Path, s: Street) -> Path:
    """The 全国党员管理信息系统's organisation page, as exported: one row per organisation."""
    return _write(path, "党组织信息", NATIONAL_ORG_HEAD, [
        [o.name, o.short, o.kind, o.parent, REGION, "2016-07-01", o.unit, o.uscc, o.unit_kind, o.employees,
         o.situation, o.secretary, o.contact, o.phone] for o in s.orgs])


def plain(name: str) -> str:
    """A name as a city platform writes it: 中共骆路街道观音桥社区第一支部委员会 is
    骆路街道观音桥社区第1党支部."""
    name = name.removeprefix("中共").replace("第一", "第1").replace("第二", "第2")
    for long, short in (("工作委员会", "党工委"), ("联合支部委员会", "联合党支部"), ("支部委员会", "党支部"),
                        ("委员会", "党委")):
        if name.endswith(long):
            return name.removesuffix(long) + short
    return name


def city_orgs(path: Path, s: Street) -> Path:
    """A city 智慧党建 platform's export of the same organisations: its own headers, parents by
    简称 where the national page wrote full names, a 序号 column."""
    shorts = {o.name: o.short for o in s.orgs}
    return _write(path, "组织架构", CITY_ORG_HEAD, [
        [str(i + 1), plain(o.name), o.short, o.kind, shorts.get(o.parent, o.parent), REGION, "2016/7/1", o.unit, o.uscc,
         o.unit_kind, o.employees, o.situation, o.secretary, o.contact, o.phone] for i, o in enumerate(s.orgs)])


def members(path: Path, s: Street, by: str = "name") -> Path:
    """A member sheet whose 所在党支部 holds each branch's full name (``by="name"``) or its 简称."""
    return _write(path, "党员信息", MEMBER_HEAD, [
        [str(i + 1), code, name, gender, idn, category, full if by == "name" else short, phone]
        for i, (code, name, gender, idn, category, full, short, phone) in enumerate(s.members)])
