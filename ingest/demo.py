"""The demo city: ledgers shaped like the field reports, generated with a fixed seed.

A city (示范市) with districts, streets and communities; 总网格 / 一般网格 / 微网格; 小区 and
楼栋; organ branches paired with communities and enterprises (some pairings lapsed, some
organisations unpaired); non-public enterprises and social organisations with 0–10 members,
some with their own branch, some in joint branches, some with an instructor, some with nothing;
mobile members with and without an inflow organisation; joint activities of paired organisations
(some pairings with none in the last year); an alliance per street; needs and resources lists; a
handful of members whose organisation code is wrong (the ledgers users really hand over have them).

``scale`` multiplies the number of districts: scale 1 is about 5,000 members, scale 200 about a
million. Rows are written as they are generated, so memory stays flat.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> counts = generate(d, scale=1, fmt="csv")
>>> counts["members"] > 3000 and counts["pairings"] > 50
True
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker
from faker.providers.ssn.zh_CN import Provider as _SsnProvider

from graph.model import LIST_CATEGORIES
from ingest.checks import _USCC_CHARS, _USCC_WEIGHTS
from ingest.writers import LedgerWriter

CITY_CODE = "519900000000"
CITY_NAME = "示范市"
DISTRICT_NAMES = ["东湖区", "西岭区", "南江区", "北山区", "高新区", "临港区", "青溪县", "云台县"]
STREETS_PER_DISTRICT = 4
COMMUNITIES_PER_STREET = 5
NEED_CATEGORIES = list(LIST_CATEGORIES)
_SSN_AREAS = _SsnProvider.area_codes
ORGAN_NAMES = ["财政局", "教育局", "卫生健康局", "民政局", "人社局", "住建局", "市场监管局",
               "司法局", "生态环境局", "文旅局", "税务局", "交通运输局"]


def _uscc(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice(_USCC_CHARS) for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


@dataclass
class _Pools:
    """Names drawn once from Faker and reused: Faker is slow at a million rows."""

    people: list[str]
    companies: list[str]
    ssn: list[str]
    phones: list[str]
    roads: list[str]


def _ssn(fake: Faker, today: dt.date) -> str:
    """Faker's zh_CN ``ssn()`` with the same draws, but born ``today`` minus the age drawn:
    Faker counts from the machine's date, so the city's ID numbers changed every day."""
    age = dt.timedelta(days=fake.random_int(18 * 365, 90 * 365))
    body = fake.numerify(fake.random_element(_SSN_AREAS) + (today - age).strftime("%Y%m%d") + "##")
    body += fake.random.choice("0123456789")
    return body + str((1 - 2 * int(body, 13)) % 11).replace("10", "X")


class DemoCity:
    def __init__(self, out: LedgerWriter, scale: int = 1, seed: int = 20251122,
                 today: dt.date | None = None) -> None:
        self.w = out
        self.scale = max(1, int(scale))
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.twice: tuple[dict[str, Any], str] | None = None  # the enterprise a second office enters again
        self.companies: set[str] = set()  # names taken: no two enterprises of the city share one
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.pool = _Pools(
            people=[fake.name() for _ in range(3000)],
            companies=[fake.company() for _ in range(2000)],
            ssn=[_ssn(fake, self.today) for _ in range(5000)],
            phones=[fake.phone_number() for _ in range(5000)],
            # in the order drawn (a set's order changes with the hash seed: one street, three names)
            roads=list(dict.fromkeys(fake.street_name() for _ in range(400))),
        )
        self._member_seq = 0
        self.last_community = ""  # the unit of the community made last

    # --- helpers ---------------------------------------------------------------------------
    def day(self, days_ago_min: int, days_ago_max: int) -> str:
        return (self.today - dt.timedelta(days=self.rng.randint(days_ago_min, days_ago_max))).isoformat()

    def future(self, days_min: int, days_max: int) -> str:
        return (self.today + dt.timedelta(days=self.rng.randint(days_min, days_max))).isoformat()

    def org(self, oid: str, name: str, kind: str, parent: str | None, sector: str, region: str,
            *, unit: str | None = None, covers: list[str] | None = None, grid: str | None = None,
            years: int = 3) -> str:
        founded = self.day(365, 365 * 12)
        # most terms run into the future; a few are overdue (O3)
        ends = self.future(30, 365 * years) if self.rng.random() > 0.06 else self.day(10, 300)
        self.w.write("organizations", {
            "组织编码": oid, "组织名称": name, "组织类别": kind, "上级组织编码": parent,
            "所属领域": sector, "所在单位编码": unit, "覆盖单位编码": ";".join(covers or []) or None,
            "所在网格编码": grid, "区划代码": region, "成立日期": founded, "届满日期": ends})
        return oid

    def members(self, org: str, n: int, *, work: str | None = None, lives: list[str] | None = None,
                mobile_share: float = 0.0, inflow: list[str] | None = None,
                report_to: list[str] | None = None, probationary: float = 0.08) -> list[str]:
        ids = []
        for _ in range(n):
            self._member_seq += 1
            mid = f"DY{self._member_seq:08d}"
            mobile = self.rng.random() < mobile_share
            row = {
                "党员编码": mid, "姓名": self.rng.choice(self.pool.people),
                "党员类别": "预备" if self.rng.random() < probationary else "正式",
                "所在党组织编码": org, "性别": self.rng.choice("男女"),
                "身份证号": self.rng.choice(self.pool.ssn), "联系电话": self.rng.choice(self.pool.phones),
                "工作单位编码": work,
                # (one place: no draw, so the rest of the city stays as the seed makes it)
                "居住单位编码": (lives[0] if len(lives) == 1 else self.rng.choice(lives)) if lives else None,
                "是否流动": "是" if mobile else "否",
                "是否离退休": "是" if (work is None and self.rng.random() < 0.5) else "否",
            }
            if mobile:
                row["流出日期"] = self.day(200, 1500)
                row["最近联系日期"] = self.day(5, 400)  # some beyond 180 days: M4
                if inflow and self.rng.random() < 0.7:  # the rest have no inflow org: M1
                    row["流入党组织编码"] = self.rng.choice(inflow)
            if report_to and work and self.rng.random() < 0.75:  # the rest have not reported: M3
                row["报到党组织编码"] = self.rng.choice(report_to)
            self.w.write("members", row)
            ids.append(mid)
        return ids

    # --- the city --------------------------------------------------------------------------
    def generate(self) -> dict[str, int]:
        w, rng = self.w, self.rng
        w.write("regions", {"区划代码": CITY_CODE, "名称": CITY_NAME, "层级": "市"})
        city_org = self.org("SW0001", f"中共{CITY_NAME}委员会", "党委", None, "机关", CITY_CODE, years=5)
        self.members(city_org, 9, probationary=0)
        activity_seq = 0
        for d in range(3 * self.scale):
            dname = DISTRICT_NAMES[d % len(DISTRICT_NAMES)] + (f"{d // len(DISTRICT_NAMES) + 1}" if d >= len(DISTRICT_NAMES) else "")
            dcode = f"5199{d + 1:02d}000000" if d < 99 else f"51{d + 1:04d}000000"
            w.write("regions", {"区划代码": dcode, "名称": dname, "层级": "区县", "上级区划代码": CITY_CODE})
            dorg = self.org(f"QW{d + 1:04d}", f"中共{dname}委员会", "党委", city_org, "机关", dcode, years=5)
            self.members(dorg, 7, probationary=0)
            organ_committee = self.org(f"JGGW{d + 1:04d}", f"{dname}直属机关工作委员会", "党工委", dorg,
                                       "机关", dcode, years=5)
            two_new = self.org(f"LXGW{d + 1:04d}", f"{dname}非公有制经济组织和社会组织工作委员会", "党工委",
                               dorg, "行业", dcode, years=5)
            # organ units and their branches: the side with resources to pair
            organs = []
            for i, organ in enumerate(ORGAN_NAMES[: 8 + self.rng.randint(0, 4)]):
                uid = f"DW{dcode[:6]}JG{i + 1:02d}"
                kind = "机关" if i % 5 else "事业单位"
                w.write("units", {"单位编码": uid, "单位名称": f"{dname}{organ}", "单位类别": kind,
                                  "区划代码": dcode, "从业人员数": rng.randint(30, 200)})
                oid = self.org(f"JG{dcode[:6]}{i + 1:02d}", f"{dname}{organ}机关党支部", "党支部",
                               organ_committee, "机关" if kind == "机关" else "事业单位", dcode, unit=uid)
                organs.append((oid, uid))
                for cat in rng.sample(NEED_CATEGORIES, 2):
                    w.write("needs", {"组织编码": oid, "清单类型": "资源", "类别": cat,
                                      "内容": f"{organ}可提供{cat}服务"})
            community_orgs_of_district: list[str] = []
            for s in range(STREETS_PER_DISTRICT):
                scode = f"{dcode[:6]}{s + 1:03d}000"
                sname = f"{rng.choice(self.pool.roads)}街道"
                w.write("regions", {"区划代码": scode, "名称": sname, "层级": "街道乡镇", "上级区划代码": dcode})
                sorg = self.org(f"JD{scode[:9]}", f"{dname}{sname}党工委", "党工委", dorg, "社区", scode, years=5)
                self.members(sorg, 5, probationary=0)
                street_units, street_orgs = [], []
                community_orgs = []
                taken: set[str] = set()  # names in the street: one street has no two 石家庄路社区
                for c in range(COMMUNITIES_PER_STREET):
                    community_orgs.append(self._community(scode, sname, sorg, c, organs, taken))
                street_orgs.extend(community_orgs)
                community_orgs_of_district.extend(community_orgs)
                # enterprises and social organisations of the street
                joint = f"LH{scode[:9]}"  # written below, once its covered units are known
                joint_covers: list[str] = []
                for e in range(8):
                    uid = f"DW{scode[:9]}QY{e + 1:02d}"
                    social = e >= 6
                    name = (_untaken(self.pool.companies, rng.randrange(len(self.pool.companies)), self.companies)
                            if not social
                            else _untaken([f"{sname}{k}" for k in ('志愿者协会', '社工服务中心', '商会', '物业行业协会')],
                                          rng.randrange(4), taken))
                    n_members = rng.choice([0, 0, 1, 2, 2, 3, 4, 5, 7, 10])
                    reported = n_members if rng.random() < 0.8 else None
                    unit = {"单位编码": uid, "单位名称": name, "单位类别": "社会组织" if social else "非公企业",
                            "统一社会信用代码": _uscc(rng), "区划代码": scode,
                            "从业人员数": rng.randint(5, 300), "党员数": reported}
                    w.write("units", unit)
                    if self.twice is None and not social and name.endswith("有限公司"):
                        self.twice = (unit, dname)
                    street_units.append(uid)
                    if n_members >= 3 and rng.random() < 0.75:
                        oid = self.org(f"QY{scode[:9]}{e + 1:02d}", f"{name}党支部", "党支部", two_new,
                                       "社会组织" if social else "非公企业", scode, unit=uid)
                        self.members(oid, n_members, work=uid, mobile_share=0.05)
                        street_orgs.append(oid)
                    elif 1 <= n_members <= 2 and rng.random() < 0.7 and len(joint_covers) < 5:
                        joint_covers.append(uid)
                        self.members(joint, n_members, work=uid)
                    elif n_members == 0 and rng.random() < 0.5:
                        instructor = self.members(sorg, 1, probationary=0)[0]
                        w.write("roles", {"党员编码": instructor, "职务": "党建指导员", "对象编码": uid})
                    else:
                        # nobody organised them yet: U1 / U2 / U3 gaps; members still listed
                        self.members(joint if n_members else sorg, n_members, work=uid)
                community_orgs_of_district.extend(street_orgs[len(community_orgs):])  # enterprises
                # the joint branch lists what it covers
                self.org(joint, f"{sname}非公企业联合党支部", "联合党支部", two_new, "非公企业", scode,
                         covers=joint_covers)
                # the alliance of the street
                partners = rng.sample([o for o, _ in organs], k=min(3, len(organs)))
                w.write("alliances", {"联盟编码": f"LM{scode[:9]}", "联盟名称": f"{sname}区域化党建联盟",
                                      "牵头组织编码": sorg, "成员组织编码": ";".join(street_orgs[:10] + partners),
                                      "联盟类型": "区域化党建联盟", "成立日期": self.day(200, 1500)})
            # pairings: organ branches with communities and enterprise branches of the district
            grassroots = community_orgs_of_district
            rng.shuffle(grassroots)
            for i, cid in enumerate(grassroots):
                if rng.random() < 0.15:
                    continue  # unpaired: P2
                oid, _ = organs[i % len(organs)]
                if i % len(organs) == len(organs) - 1:
                    continue  # the last organ branch of the district stays unpaired: P1
                lapsed = rng.random() < 0.12
                since = self.day(400, 1500)
                until = self.day(5, 200) if lapsed else self.future(60, 900)
                form = rng.choice(["结对共建", "结对共建", "双报到", "政社联建"])
                w.write("pairings", {"甲方组织编码": oid, "乙方组织编码": cid, "结对形式": form,
                                     "开始日期": since, "结束日期": until})
                n_acts = 0 if rng.random() < 0.2 else rng.randint(1, 5)  # fewer than 2: P4
                for _ in range(n_acts):
                    activity_seq += 1
                    w.write("activities", {
                        "活动编码": f"HD{activity_seq:07d}", "活动日期": self.day(3, 360),
                        "参与组织编码": f"{oid};{cid}",
                        "活动类型": rng.choice(["志愿服务", "结对共建活动", "联席会议", "主题党日"]),
                        "参与人数": rng.randint(8, 60), "内容": rng.choice(["义诊进社区", "政策宣讲", "环境整治",
                                                                           "关爱独居老人", "法律咨询"])})
        # ledgers are messy: a few members point at organisations that do not exist (M2), and a
        # second office entered an enterprise again under its own code (tupu screen duplicates)
        # (living in the last community: its street's 党工委 is to act on them)
        for bad in range(3):
            self.members(f"DZZ-UNKNOWN-{bad}", 1, lives=[self.last_community])
        if self.twice is not None:
            again, where = self.twice
            w.write("units", {**again, "单位编码": again["单位编码"][:-2] + "99", "党员数": None,
                              "单位名称": where + again["单位名称"].replace("有限公司", "有限责任公司")})
        return dict(self.w.counts)

    def _community(self, scode: str, sname: str, sorg: str, c: int,
                   organs: list[tuple[str, str]], taken: set[str]) -> str:
        w, rng = self.w, self.rng
        ccode = f"{scode[:9]}{c + 1:03d}"
        cname = _untaken([f"{r}社区" for r in self.pool.roads], rng.randrange(len(self.pool.roads)), taken)
        w.write("regions", {"区划代码": ccode, "名称": cname, "层级": "社区村", "上级区划代码": scode})
        cunit = self.last_community = f"DW{ccode}SQ"
        w.write("units", {"单位编码": cunit, "单位名称": f"{sname}{cname}居民委员会", "单位类别": "社区",
                          "区划代码": ccode})
        corg = self.org(f"SQ{ccode}", f"{cname}党委", "党委", sorg, "社区", ccode, unit=cunit, years=5)
        for cat in rng.sample(NEED_CATEGORIES, 3):
            w.write("needs", {"组织编码": corg, "清单类型": "需求", "类别": cat, "内容": f"{cname}{cat}需求"})
        master = f"WG{ccode}"
        w.write("grids", {"网格编码": master, "网格名称": f"{cname}总网格", "网格层级": "总网格", "区划代码": ccode})
        # compounds and buildings
        buildings_all = []
        for x in range(2):
            xunit = f"{cunit}XQ{x + 1}"
            w.write("units", {"单位编码": xunit, "单位名称": f"{cname}{rng.choice(['阳光', '锦绣', '和谐', '幸福', '翠苑'])}"
                                                          f"{'小区' if x == 0 else '花园'}",
                              "单位类别": "小区", "上级单位编码": cunit, "区划代码": ccode})
            covered_compound = rng.random() < 0.7
            compound_org = None
            if covered_compound:
                compound_org = self.org(f"XQ{ccode}{x + 1}", f"{cname}第{x + 1}小区党支部", "党支部", corg,
                                        "小区", ccode, unit=xunit)
            for b in range(3):
                bunit = f"{xunit}LD{b + 1}"
                w.write("units", {"单位编码": bunit, "单位名称": f"{b + 1}号楼", "单位类别": "楼栋",
                                  "上级单位编码": xunit, "区划代码": ccode})
                buildings_all.append(bunit)
                if compound_org and rng.random() < 0.6:
                    self.org(f"{compound_org}-{b + 1}", f"{cname}第{x + 1}小区{b + 1}号楼党小组", "党小组",
                             compound_org, "楼栋", ccode, unit=bunit)
            if compound_org:
                self.members(compound_org, rng.randint(2, 12), lives=buildings_all[-3:], probationary=0.1)
        # general grids, micro grids, grid branches
        grid_orgs = []
        for g in range(3):
            gid = f"{master}-{g + 1}"
            w.write("grids", {"网格编码": gid, "网格名称": f"{cname}第{g + 1}网格", "网格层级": "一般网格",
                              "上级网格编码": master, "区划代码": ccode})
            for mgrid in range(2):
                w.write("grids", {"网格编码": f"{gid}-{mgrid + 1}", "网格名称": f"{cname}第{g + 1}-{mgrid + 1}微网格",
                                  "网格层级": "微网格", "上级网格编码": gid, "区划代码": ccode})
            if rng.random() < 0.85:  # the rest: G1
                oid = self.org(f"WGZB{ccode}{g + 1}", f"{cname}第{g + 1}网格党支部", "党支部", corg, "网格",
                               ccode, grid=gid)
                grid_orgs.append(oid)
                n = rng.choice([2, 4, 6, 9, 15, 25, 55]) if rng.random() < 0.2 else rng.randint(5, 20)
                self.members(oid, n, lives=buildings_all, mobile_share=0.1,
                             inflow=[corg])
                leader = self.members(oid, 1, lives=buildings_all, probationary=0)[0]
                w.write("roles", {"党员编码": leader, "职务": "网格长", "对象编码": gid})
        # in-service members of organs living here, reporting (or not) to the community
        for oid, uid in rng.sample(organs, k=min(2, len(organs))):
            self.members(oid, rng.randint(2, 5), work=uid, lives=buildings_all, report_to=[corg])
        secretary = self.members(corg, rng.randint(5, 12), lives=buildings_all, mobile_share=0.15,
                                 inflow=[corg])[0]
        w.write("roles", {"党员编码": secretary, "职务": "书记", "对象编码": corg})
        return corg


def _untaken(names: list[str], first: int, taken: set[str]) -> str:
    """The name at ``first``, else the next one not taken yet (no random draw more, so the rest
    of the city stays as the seed makes it); it is taken from now on. Past a few tries (a big
    city has more enterprises than the pool has names) a name is used again."""
    for k in range(min(len(names), 50)):
        name = names[(first + k) % len(names)]
        if name not in taken:
            taken.add(name)
            return name
    return names[first]


def generate(folder: Path, scale: int = 1, fmt: str = "xlsx", seed: int = 20251122,
             today: dt.date | None = None) -> dict[str, int]:
    """Write the demo city's ledgers into ``folder``; return the rows written per ledger."""
    writer = LedgerWriter(folder, fmt)
    try:
        counts = DemoCity(writer, scale, seed, today).generate()
    finally:
        writer.close()
    return counts


def iter_files(folder: Path) -> Iterator[Path]:
    return iter(sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv")))
