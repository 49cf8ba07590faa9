"""What people write in their ledgers, and what it means: the one table of synonyms for headers,
enumerations, yes/no answers and open-ended dates (docs/ledgers.md, "Headers as people write
them" and "Values as people write them"). Data only: the parsers in :mod:`ingest.checks` and the
header matching in :mod:`ingest.readers` look things up here, so accepting a new spelling is one
line in this file.

>>> HEADERS["党组织名称"]
'组织名称'
>>> ENUM_SYNONYMS["OrgKind"]["支部"]
'党支部'
"""
from __future__ import annotations

# Header as written (after normalising: no spaces, no */※, no bracketed suffix) -> the ledger's
# own header. A synonym applies in every ledger that has the target column.
HEADERS: dict[str, str] = {
    "党组织名称": "组织名称", "支部名称": "组织名称", "党组织全称": "组织名称",
    "党组织编码": "组织编码", "党组织代码": "组织编码", "组织代码": "组织编码",
    "党组织类别": "组织类别", "组织类型": "组织类别", "党组织类型": "组织类别",
    "上级党组织编码": "上级组织编码", "上级党组织代码": "上级组织编码",
    "单位全称": "单位名称", "所在单位名称": "单位名称", "单位类型": "单位类别", "单位代码": "单位编码",
    **dict.fromkeys(("单位性质类别", "单位性质", "单位性质类型"), "单位类别"),
    **dict.fromkeys(("党组织书记姓名", "书记", "书记姓名"), "党组织书记"),
    **dict.fromkeys(("联系人", "联系人姓名", "党组织联系人姓名"), "党组织联系人"),
    **dict.fromkeys(("所在单位情况", "单位建立党组织情况", "党组织所在单位类型"), "党组织所在单位情况"),
    "公民身份号码": "身份证号", "身份证号码": "身份证号", "身份证": "身份证号", "公民身份证号": "身份证号",
    **dict.fromkeys(("信用代码", "社会信用代码", "法人单位统一社会信用代码", "社会统一信用代码",
                     "单位统一社会信用代码", "单位信用代码"), "统一社会信用代码"),
    "行政区划代码": "区划代码", "区划编码": "区划代码", "行政区划编码": "区划代码",
    # a region by its code or its name (exports write "四川省成都市锦江区东湖街道观音桥社区居委会")
    **dict.fromkeys(("党组织所在行政区划", "所在行政区划", "行政区划", "所在区划", "单位所在行政区划",
                     "网格所在行政区划", "所属行政区划", "所属区划", "统计用区划代码"), "区划代码"),
    **dict.fromkeys(("上级行政区划", "上级行政区划代码", "上级区划编码"), "上级区划代码"),
    "党员姓名": "姓名",
    "所在支部编码": "所在党组织编码", "所在党组织": "所在党组织编码", "所在支部": "所在党组织编码",
    **dict.fromkeys(("所属党组织编码", "所属党组织", "所属支部编码", "所属支部", "所在党支部", "所属党支部",
                     "所在党支部编码", "所属党支部编码"), "所在党组织编码"),
    "联系方式": "联系电话", "手机号码": "联系电话", "手机": "联系电话", "手机号": "联系电话",
    "电话": "联系电话",
    **dict.fromkeys(("职工人数", "从业人数", "员工人数", "在岗职工人数", "在岗职工数", "职工总数"), "从业人员数"),
    "党员人数": "党员数",
    "网格类别": "网格层级", "网格级别": "网格层级",
    "区划名称": "名称", "行政区划名称": "名称",
    "结对方式": "结对形式", "结对类型": "结对形式",
    "是否流动党员": "是否流动", "是否离退休党员": "是否离退休",
    "成立时间": "成立日期", "建立时间": "成立日期", "组建时间": "成立日期", "建立日期": "成立日期",
    "届满时间": "届满日期", "任期届满日期": "届满日期", "任期届满时间": "届满日期",
    **dict.fromkeys(("开始时间", "起始日期", "起始时间"), "开始日期"),
    **dict.fromkeys(("结束时间", "截止日期", "截止时间", "终止日期", "终止时间", "到期日期", "到期时间"), "结束日期"),
    "流出时间": "流出日期", "活动时间": "活动日期",
    **dict.fromkeys(("最近联系时间", "最后联系日期", "最后联系时间"), "最近联系日期"),
    "清单类别": "清单类型", "清单种类": "清单类型", "具体内容": "内容", "内容描述": "内容",
    # a reference column headed by what it names: its cells may hold names (matched to the one
    # entity of that name, docs/ledgers.md) as well as codes
    **dict.fromkeys(("上级党组织", "上级组织", "上级党组织名称", "批准成立的上级党组织",
                     "批准成立上级党组织"), "上级组织编码"),
    **dict.fromkeys(("简称", "组织简称", "党组织简名"), "党组织简称"),
    **dict.fromkeys(("流入党组织", "流入地党组织"), "流入党组织编码"),
    **dict.fromkeys(("报到党组织", "报到社区", "报到社区党组织"), "报到党组织编码"),
    **dict.fromkeys(("甲方组织", "甲方党组织"), "甲方组织编码"),
    **dict.fromkeys(("乙方组织", "乙方党组织"), "乙方组织编码"),
    **dict.fromkeys(("牵头组织", "牵头党组织"), "牵头组织编码"),
    **dict.fromkeys(("成员组织", "成员党组织"), "成员组织编码"),
    **dict.fromkeys(("参与组织", "参与党组织"), "参与组织编码"),
    # the 全国党员管理信息系统 and city platforms' member exports (docs/ledgers.md, "Exports of
    # the systems people already use"): no 党员编码, a member is keyed by the ID number
    **dict.fromkeys(("工作证号", "编号", "人员编号", "党员证号"), "党员编码"),
    **dict.fromkeys(("人员类别", "党员类型"), "党员类别"),
    **dict.fromkeys(("加入党组织日期", "入党时间", "加入党组织时间"), "入党日期"),
    "转正时间": "转正日期",
    **dict.fromkeys(("是否失联党员", "是否失去联系"), "是否失联"),
    **dict.fromkeys(("失联时间", "失去联系日期"), "失联日期"),
    **dict.fromkeys(("流向", "外出去向", "流出去向", "外出流向地"), "外出流向"),
    **dict.fromkeys(("建立党组织日期", "建立党组织时间", "党组织成立日期", "党组织建立日期"), "成立日期"),
    # an organisation sheet's name column (名称 is also a 行政区划 ledger's: a sheet is told by
    # its required columns together, ingest.readers)
    **dict.fromkeys(("名称", "党支部名称"), "组织名称"),
    "所在单位": "所在单位编码", "覆盖单位": "覆盖单位编码", "上级单位": "上级单位编码",
    **dict.fromkeys(("工作单位", "工作单位名称"), "工作单位编码"),
    **dict.fromkeys(("对象", "任职对象", "任职组织", "任职单位"), "对象编码"),
    "所在网格": "所在网格编码", "上级网格": "上级网格编码", "上级区划": "上级区划代码",
    # whether the thing still exists, and since when it does not (docs/ledgers.md, 注销与撤销)
    **dict.fromkeys(("登记状态", "组织状态", "党籍状态", "人员状态", "党员状态", "经营状态", "单位状态",
                     "网格状态", "联盟状态", "当前状态"), "状态"),
    **dict.fromkeys(("注销日期", "吊销日期", "撤销日期", "撤消日期", "转出日期", "去世日期", "死亡日期",
                     "停止党籍日期", "出党日期", "合并日期", "解散日期", "注销时间", "撤销时间", "转出时间",
                     "去世时间", "吊销时间", "停止党籍时间", "组织关系转出日期"), "状态日期"),
}

# Columns that carry no ledger value (序号 ...): ignored without a word in the report.
IGNORED_HEADERS = {"序号", "编号序号", "NO", "NO.", "序", "行号"}

# A row whose first filled cell is one of these is a total, not a ledger row: passed over.
TOTAL_ROWS = {"合计", "小计", "总计", "共计", "总数"}

# The 序号 of a template's example row: passed over, said in the report.
EXAMPLE_MARKS = {"示例", "例", "样例", "填写示例", "例："}

# A cell that says "the same as the row above" (同上, the ditto mark 〃): read as that row's value
# in the same column. Only whole cells: "同上级" is a value like any other.
DITTO_MARKS = {"同上", "同上行", "同前", "〃", "″", '"', "“", "”", "''"}

# Sheets that by name hold no ledger (a template's instructions, a list of drop-down values).
NON_LEDGER_SHEETS = ("说明", "填表说明", "填报说明", "目录", "封面", "下拉", "字典", "选项", "代码表")

# Enumerations: enum name (graph.model) -> {as written: canonical}. The canonical values are
# accepted as they are; these are the other ways people write them.
ENUM_SYNONYMS: dict[str, dict[str, str]] = {
    "RegionLevel": {
        # the NBS's own level names (统计用区划代码: 省级, 地级, 县级, 乡级, 村级) too
        **dict.fromkeys(("自治区", "直辖市", "省级", "省份"), "省"),
        **dict.fromkeys(("地级市", "自治州", "地区", "盟", "地级", "市级"), "市"),
        **dict.fromkeys(("区", "县", "县级市", "旗", "自治县", "自治旗", "林区", "县区", "县级", "区县级"), "区县"),
        **dict.fromkeys(("街道", "街道办事处", "乡", "镇", "乡镇", "苏木", "街道办", "乡级", "乡镇级", "街道级"),
                        "街道乡镇"),
        **dict.fromkeys(("社区", "社区居委会", "居委会", "村", "村委会", "行政村", "嘎查",
                         "村社区", "村级", "社区级", "村居"), "社区村"),
    },
    "OrgKind": {
        **dict.fromkeys(("党的基层委员会", "基层党委", "党委员会"), "党委"),
        **dict.fromkeys(("总支", "党总支部", "党总支部委员会"), "党总支"),
        **dict.fromkeys(("支部", "党支部委员会"), "党支部"),
        "联合支部": "联合党支部",
        "流动党支部": "流动党员党支部",
        "临时支部": "临时党支部",
        "功能型支部": "功能型党支部", "功能党支部": "功能型党支部",
        **dict.fromkeys(("党工作委员会", "党的工作委员会"), "党工委"),
    },
    # 1 / 2: the 全国党员管理信息系统's own codes for 人员类别
    "MemberCategory": {"正式党员": "正式", "预备党员": "预备", "1": "正式", "2": "预备"},
    "UnitKind": {
        **dict.fromkeys(("民营企业", "私营企业", "非公有制企业", "个体工商户", "外资企业",
                         "非公有制经济组织", "民企"), "非公企业"),
        **dict.fromkeys(("社会团体", "民办非企业单位", "社会服务机构", "基金会", "社团"), "社会组织"),
        "事业": "事业单位",
        **dict.fromkeys(("国企", "国有控股企业"), "国有企业"),
        **dict.fromkeys(("党政机关", "机关单位", "国家机关", "党的机关", "政府机关"), "机关"),
        **dict.fromkeys(("港澳台资企业", "港澳台商投资企业", "外商投资企业", "个人独资企业", "合伙企业",
                         "非公有制经济控制企业"), "非公企业"),
        **dict.fromkeys(("城市社区", "社区居委会", "居民委员会", "居委会"), "社区"),
        **dict.fromkeys(("行政村", "村民委员会", "村委会"), "村"),
        "民办非企业": "社会组织",
    },
    "UnitSituation": {
        **dict.fromkeys(("法人", "法人单位党组织", "单独建立", "单独组建", "非法人单位"), "法人单位"),
        **dict.fromkeys(("与上级党组织所在单位相同", "同上级党组织", "与上级相同", "同上级"), "与上级党组织相同"),
        **dict.fromkeys(("联合建立", "联合组建", "联合支部", "联合"), "联合党支部"),
    },
    "Sector": {
        **dict.fromkeys(("民营企业", "私营企业", "非公有制企业", "非公有制经济组织"), "非公企业"),
        **dict.fromkeys(("社会团体", "民办非企业单位", "社会服务机构"), "社会组织"),
        "事业": "事业单位",
        **dict.fromkeys(("国企", "国有控股企业"), "国有企业"),
        **dict.fromkeys(("党政机关", "机关单位"), "机关"),
    },
    "GridLevel": {**dict.fromkeys(("基础网格", "网格"), "一般网格"), "专属网格": "微网格"},
    "Gender": {"男性": "男", "女性": "女"},
    "PairingForm": {"结对": "结对共建", "共建": "结对共建", "双报道": "双报到"},
    "ActivityKind": {"主题党日活动": "主题党日", "联席会": "联席会议", "志愿活动": "志愿服务"},
    "ListKind": {"需求清单": "需求", "资源清单": "资源"},
    "Role": {"党组织书记": "书记", "支部书记": "书记", "党建工作指导员": "党建指导员",
             "指导员": "党建指导员", "网格员": "网格长"},
}

# Words written before a value where it sits, by enumeration: 组织类别 “社区党委”, “非公企业党支部”,
# “机关党支部委员会” is the kind after the word (党委, 党支部 ...).
ENUM_PREFIXES: dict[str, tuple[str, ...]] = {
    "OrgKind": ("非公企业", "非公有制企业", "国有企业", "事业单位", "社会组织", "在建项目", "机关", "社区", "村",
                "小区", "网格", "楼栋", "行业", "学校", "医院", "商圈", "园区", "企业", "基层", "两新"),
}

# A 需求资源清单 entry's 类别 as written -> the common category it is (graph.model.LIST_CATEGORIES).
LIST_CATEGORY_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("法律服务", "法律援助", "法律咨询", "法治", "普法"), "法律"),
    **dict.fromkeys(("医疗服务", "医疗卫生", "卫生", "健康", "义诊", "医疗健康"), "医疗"),
    **dict.fromkeys(("就业服务", "就业创业", "创业就业", "招聘"), "就业"),
    **dict.fromkeys(("养老", "养老服务", "为老服务", "助老服务", "敬老"), "助老"),
    **dict.fromkeys(("托育", "托管", "幼托", "儿童托管", "托幼服务"), "托幼"),
    **dict.fromkeys(("教育培训", "培训", "教育服务"), "教育"),
    **dict.fromkeys(("金融服务", "金融知识"), "金融"),
    **dict.fromkeys(("环境保护", "环保", "环境卫生", "环境整治"), "环境"),
    **dict.fromkeys(("文化服务", "文体", "文化体育", "文艺"), "文化"),
    **dict.fromkeys(("安全生产", "平安建设", "消防", "消防安全"), "安全"),
}

# Yes / no, as typed (after NFKC and upper-casing).
TRUE_WORDS = {"是", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "有", "T", "对"}
FALSE_WORDS = {"否", "×", "✗", "✘", "X", "N", "NO", "0", "FALSE", "无", "F", "不是"}

# An end date that means "no end" (the pairing or term runs on).
OPEN_END_WORDS = {"长期", "至今", "无", "永久", "无固定期限", "-", "—", "/"}

# An optional date not there yet: 转正日期 "-" for a 预备党员.
NO_DATE_WORDS = {"-", "—", "--", "－", "/", "无", "暂无", "未转正"}
# A status (状态, 登记状态, 组织状态, 党籍状态, 人员状态) as written -> why the thing ended
# (graph.ends). A status in ACTIVE_STATUS says it exists (and restores one that had ended).
END_STATUS: dict[str, str] = {
    **dict.fromkeys(("注销", "已注销", "注销登记", "已注销登记", "注销企业"), "注销"),
    **dict.fromkeys(("吊销", "已吊销", "吊销营业执照", "吊销未注销", "吊销，未注销", "被吊销"), "吊销"),
    **dict.fromkeys(("撤销", "已撤销", "撤消", "已撤消", "解散", "已解散", "撤销建制", "取消"), "撤销"),
    **dict.fromkeys(("合并", "已合并", "撤并", "被合并", "并入"), "合并"),
    **dict.fromkeys(("转出", "已转出", "组织关系转出", "关系转出", "迁出", "已迁出"), "转出"),
    **dict.fromkeys(("死亡", "去世", "已去世", "已故", "病故", "逝世", "已死亡"), "死亡"),
    **dict.fromkeys(("出党", "开除党籍", "除名", "退党", "劝退", "党籍除名"), "出党"),
    **dict.fromkeys(("停止党籍", "已停止党籍", "停止党员党籍", "党籍停止", "停止"), "停止党籍"),
}
ACTIVE_STATUS = {"正常", "在册", "存续", "在业", "开业", "在营", "有效", "运行", "在用", "正常党籍",
                 "正常在册", "存续（在营、开业、在册）", "在营（开业）", "恢复", "已恢复", "重新登记"}

# What may follow a count ("35人", "3名").
COUNT_SUFFIXES = ("人", "名", "个", "位", "次")
