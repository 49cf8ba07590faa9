"""The exports of other registries (#16, 摸排): 市场监管 (enterprises), 民政 (social organisations),
税务 (tax payers), 统计 (the statistical register). They are read as tolerantly as the ledgers —
the header row wherever it is, headers as people write them, totals and notes passed over, bad
cells reported with file, row and column — but kept as their own source: never loaded into the
graph.

One table kind covers them all: each system names its columns its own way (企业名称 /
社会组织名称 / 纳税人名称 …), and the synonyms below map them to one set.

>>> from pathlib import Path
>>> import tempfile
>>> f = Path(tempfile.mkdtemp()) / "市场监管.csv"
>>> _ = f.write_text("企业名称,统一社会信用代码,登记状态,参保人数\\n某某科技有限公司,,存续,35\\n", encoding="utf-8")
>>> read = read_registry([f], "市场监管")
>>> [(r.row, r.name, r.status, r.staff) for r in read.rows]
[(2, '某某科技有限公司', '存续', 35)]
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.config import Limits
from graph.errors import InvalidInput, TooLargeInput
from graph.privacy import mask_text
from ingest import checks
from ingest.ledgers import Column, Ledger
from ingest.readers import Catalogue, expand_paths, read_tables
from ingest.report import Issue
from ingest.rows import parse_row

log = logging.getLogger("tupu.ingest")
SOURCES = ("市场监管", "民政", "税务", "统计")
ACTIVE = ("存续", "在业", "开业", "正常", "登记", "成立", "在营", "正常经营")
CLOSED = ("注销", "吊销", "撤销", "已注销", "已吊销", "迁出", "停业", "歇业", "清算")


def _text(value: Any) -> str:
    return " ".join(str(value).split())


REGISTRY = Ledger("registry", "登记信息", None, (
    Column("名称", "name", True, checks.clean_name, prop="name"),
    Column("统一社会信用代码", "uscc", parse=checks.uscc, prop="uscc"),
    Column("住所", "address", parse=_text, prop="address"),
    Column("成立日期", "founded", parse=checks.parse_date, prop="founded"),
    Column("登记状态", "status", parse=_text, prop="status"),
    Column("从业人数", "staff", parse=checks.parse_int, prop="staff"),
    Column("行业", "industry", parse=_text, prop="industry"),
    Column("法定代表人", "legal_rep", parse=_text, prop="legal_rep", personal=True),
    Column("区划代码", "region", parse=checks.region_code, prop="region"),
), key=())

ALIASES = {
    "企业名称": "名称", "单位名称": "名称", "社会组织名称": "名称", "纳税人名称": "名称", "市场主体名称": "名称",
    "机构名称": "名称", "组织名称": "名称", "企业(机构)名称": "名称", "单位详细名称": "名称",
    "信用代码": "统一社会信用代码", "社会信用代码": "统一社会信用代码", "纳税人识别号": "统一社会信用代码",
    "统一代码": "统一社会信用代码",
    "地址": "住所", "注册地址": "住所", "经营场所": "住所", "住所地": "住所", "登记地址": "住所",
    "单位地址": "住所",
    "成立时间": "成立日期", "登记日期": "成立日期", "注册日期": "成立日期", "设立日期": "成立日期",
    "经营状态": "登记状态", "企业状态": "登记状态", "状态": "登记状态", "存续状态": "登记状态",
    "从业人员数": "从业人数", "参保人数": "从业人数", "职工人数": "从业人数", "从业人员": "从业人数",
    "社保缴纳人数": "从业人数", "参保人员数": "从业人数",
    "所属行业": "行业", "行业门类": "行业", "国民经济行业": "行业", "行业类别": "行业",
    "法人": "法定代表人", "负责人": "法定代表人", "法定代表人姓名": "法定代表人",
    "行政区划代码": "区划代码", "所在区划代码": "区划代码",
}
CATALOGUE = Catalogue({"registry": REGISTRY}, ALIASES)

# 花名册: a unit's roster of its staff
ROSTER = Ledger("roster", "花名册", None, (
    Column("姓名", "name", True, checks.clean_name, prop="name"),
    Column("身份证号", "id_card", parse=checks.id_card, prop="id_card", personal=True),
    Column("出生日期", "born", parse=checks.parse_date, prop="born"),
    Column("岗位", "post", parse=_text, prop="post"),
    Column("联系电话", "phone", parse=checks.phone, prop="phone", personal=True),
), key=())
ROSTER_CATALOGUE = Catalogue({"roster": ROSTER}, {
    "员工姓名": "姓名", "职工姓名": "姓名", "人员姓名": "姓名", "身份证号码": "身份证号", "公民身份号码": "身份证号",
    "证件号码": "身份证号", "出生年月": "出生日期", "职务": "岗位", "职位": "岗位", "工作岗位": "岗位",
    "手机号": "联系电话", "手机号码": "联系电话", "电话": "联系电话"})


@dataclass
class RosterRow:
    file: str
    row: int
    name: str
    id_card: str | None = None
    born: str | None = None
    post: str | None = None

    @property
    def birth(self) -> str | None:
        """The birth date, from its column or from the 身份证号."""
        if self.born:
            return self.born
        c = self.id_card
        return f"{c[6:10]}-{c[10:12]}-{c[12:14]}" if c and len(c) == 18 else None


@dataclass
class RegistryRow:
    source: str
    file: str
    row: int  # the row number the spreadsheet shows
    name: str
    uscc: str | None = None
    address: str | None = None
    founded: str | None = None
    status: str | None = None
    staff: int | None = None
    industry: str | None = None
    legal_rep: str | None = None
    region: str | None = None

    @property
    def closed(self) -> bool:
        """Registered as closed (注销 / 吊销 …)."""
        return bool(self.status) and any(w in (self.status or "") for w in CLOSED)

    @property
    def active(self) -> bool:
        return not self.closed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RegistryRead:
    rows: list[RegistryRow] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files or sheets that could not be read
    unreadable: list[str] = field(default_factory=list)  # names of files that could not be opened at all


UNREADABLE = "无法读取文件：文件损坏，或不是有效的 xlsx / xls / csv 文件"  # as a ledger's upload says


def _rows(paths: list[Path], catalogue: Catalogue, out: RegistryRead, limits: Limits) -> Iterator[Any]:
    """The parsed rows of every table of ``catalogue``'s kind in ``paths``, problems noted in ``out``.
    A file that cannot be read (damaged, not what its name says, a field past the CSV reader's
    limit) is reported as a ledger's upload reports it, and the other files are read."""
    for path in expand_paths(paths):
        tables = []
        try:
            tables = list(read_tables(path, limits, catalogue))
            for table in tables:
                if table.ledger is None:
                    if table.problem:
                        out.problems.append(f"{Path(table.file).name}{f'「{table.sheet}」' if table.sheet else ''}："
                                            f"{table.problem}")
                    continue
                for row_no, cells in table.rows:
                    parsed, rejects, warns = parse_row(table, row_no, cells)
                    out.warnings += warns
                    if rejects:
                        out.rejected += rejects
                        continue
                    yield Path(table.file).name, row_no, parsed.props
        except TooLargeInput:
            raise
        except Exception as e:  # noqa: BLE001 - a hostile or damaged file: said, never a traceback
            out.rejected.append(Issue(str(path), None, None, None, None, UNREADABLE))
            out.problems.append(f"{path.name}：{UNREADABLE}")
            out.unreadable.append(path.name)
            log.warning("unreadable registry file %s: %s", path.name, mask_text(repr(e)))
        finally:
            for table in tables:
                table.close()


def _scrub(text: str | None) -> str | None:
    """A text cell as a screening shows it: an ID or mobile number typed inside it masked (a name
    with its owner's number in it); the codes (统一社会信用代码, 区划代码) are left as they are."""
    return mask_text(text) if text else text


def _readable(out: RegistryRead) -> RegistryRead:
    """``out``, unless no row could be read because files could not: then a clear error (422, and
    the CLI's exit code 2) naming them, not an empty answer."""
    if out.unreadable and not out.rows:
        raise InvalidInput(f"{'、'.join(out.unreadable)}：{UNREADABLE}")
    return out


def read_roster(paths: list[Path], limits: Limits = Limits()) -> tuple[list[RosterRow], RegistryRead]:
    """A unit's 花名册: each person with their 身份证号 (or birth date) and post."""
    out = RegistryRead()
    rows = [RosterRow(file, n, mask_text(v["name"]), v.get("id_card"), v.get("born"), _scrub(v.get("post")))
            for file, n, v in _rows(paths, ROSTER_CATALOGUE, out, limits)]
    if out.unreadable and not rows:
        raise InvalidInput(f"{'、'.join(out.unreadable)}：{UNREADABLE}")
    return rows, out


def read_registry(paths: list[Path], source: str, limits: Limits = Limits()) -> RegistryRead:
    """Every row of the registry exports in ``paths`` (files or folders)."""
    if source not in SOURCES:
        raise InvalidInput(f"未知的来源“{source}”：应为 {' / '.join(SOURCES)}")
    out = RegistryRead()
    for file, row_no, v in _rows(paths, CATALOGUE, out, limits):
        out.rows.append(RegistryRow(source, file, row_no, mask_text(v["name"]), v.get("uscc"), _scrub(v.get("address")),
                                    v.get("founded"), _scrub(v.get("status")), v.get("staff"),
                                    _scrub(v.get("industry")), _scrub(v.get("legal_rep")), v.get("region")))
    return _readable(out)
