"""Facts for the demo county, 乌鲁木齐县 (650121), from ../shared/domain/demo-county.md.

Only the two township codes marked ``confirmed`` are real; the loader generates plausible codes
for the others and marks them unconfirmed. People are invented.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

SEED = 20230427
DEMO_PASSWORD = "tuanwu-demo-2023"

PROVINCE_NAME = "团新疆维吾尔自治区委员会"
CITY_NAME = "团乌鲁木齐市委"
COUNTY_NAME = "团乌鲁木齐县委"
COUNTY_CODE = "650121"
PARTY_ROOT_NAME = "中共乌鲁木齐县委员会"

# The article's period; the demo continues from its start to the load date.
PERIOD_START = datetime.date(2023, 1, 1)
ARTICLE_DATE = datetime.date(2023, 4, 27)

# 第十四届 county congress, February 2023; the next one is due in February 2028.
COUNTY_TERM_NUMBER = 14
COUNTY_TERM_START = datetime.date(2023, 2, 18)
COUNTY_TERM_END = datetime.date(2028, 2, 18)
PREVIOUS_COUNTY_TERM_START = datetime.date(2018, 3, 20)


@dataclass(frozen=True)
class Township:
    name: str  # 水西沟镇
    short: str  # used in generated account names
    is_town: bool
    code: str | None  # confirmed code, or None to generate one
    communities: tuple[str, ...]
    villages: tuple[str, ...]
    # Days from the load date to the planned end of the current committee term: negative is
    # overdue, under ~180 falls inside the default 6-month reminder window.
    term_end_in_days: int = 900
    term_number: int = 3


TOWNSHIPS: tuple[Township, ...] = (
    Township("水西沟镇", "shuixigou", True, "650121100", ("溪水", "南河路", "南滩路"),
             ("平西梁", "小东沟", "大庙", "水西沟", "方家庄子", "东梁", "庙尔沟", "闸滩", "东湾"),
             term_end_in_days=75, term_number=4),
    Township("板房沟镇", "banfanggou", True, None, ("琴苑", "天峡"),
             ("灯草沟", "板房沟", "七工", "八家户", "合胜", "东湾"), term_end_in_days=640, term_number=4),
    Township("永丰镇", "yongfeng", True, None, ("亚新",),
             ("永盛", "公盛", "上寺", "下寺", "永丰", "永新"), term_end_in_days=-40, term_number=3),
    Township("萨尔达坂乡", "saerdaban", False, "650121207", ("雪莲谷",),
             ("赵家庄子", "萨尔乔克", "中梁", "白杨沟"), term_end_in_days=150, term_number=3),
    Township("甘沟乡", "gangou", False, None, ("菊花台",),
             ("白杨沟", "前进", "东风", "团结", "高潮", "土圈", "小渠子", "天山"), term_end_in_days=1300, term_number=3),
    Township("托里乡", "tuoli", False, None, ("苜蓿台",),
             ("白建沟", "乌什城", "羊圈沟", "乌拉泊"), term_end_in_days=980, term_number=3),
)

# Branches deliberately left without an administrator, so the 缺少管理员 to-do has something
# to show. (township name, branch name)
UNADMINISTERED_BRANCHES = (
    ("甘沟乡", "土圈村团支部"),
    ("托里乡", "乌拉泊村团支部"),
    ("水西沟镇", "水西沟镇流动团员团支部"),
)

# 县直机关团工委 branches: (name, sector).
ORGAN_BRANCHES = (
    ("县委办公室团支部", "government"),
    ("县政府办公室团支部", "government"),
    ("县公安局团支部", "government"),
    ("县卫生健康委员会团支部", "government"),
    ("县教育局团支部", "government"),
    ("县人力资源和社会保障局团支部", "government"),
    ("县财政局团支部", "government"),
    ("县农业农村局团支部", "government"),
    ("县文化体育广播电视和旅游局团支部", "government"),
    ("县市场监督管理局团支部", "government"),
    ("县人民医院团支部", "public_institution"),
    ("县中医医院团支部", "public_institution"),
    ("县疾病预防控制中心团支部", "public_institution"),
)

STATE_ENTERPRISE = "乌鲁木齐县城市建设投资（集团）有限公司团委"
STATE_ENTERPRISE_BRANCHES = ("集团机关团支部", "水务公司团支部", "南山旅游公司团支部")

# 非公企业团支部, each under the township where the enterprise sits.
PRIVATE_ENTERPRISES = (
    ("板房沟镇", "新疆天山牧歌旅游开发有限公司团支部"),
    ("水西沟镇", "乌鲁木齐县南山奶业有限公司团支部"),
    ("永丰镇", "乌鲁木齐县永丰农副产品加工有限公司团支部"),
    ("甘沟乡", "乌鲁木齐县菊花台生态农业合作社团支部"),
)

SOCIAL_ORGANISATION_BRANCH = "乌鲁木齐县青年志愿者协会团支部"


@dataclass(frozen=True)
class School:
    name: str
    short: str
    stage: str  # primary, nine_year, junior, complete
    township: str | None = None  # for led_by and naming only
    pioneer_grades: tuple[str, ...] = field(default=())
    class_branch_grades: tuple[str, ...] = field(default=())


PRIMARY = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
JUNIOR_PIONEER = ("七年级", "八年级")

SCHOOLS: tuple[School, ...] = (
    School("乌鲁木齐县第一中学", "yizhong", "complete", None, JUNIOR_PIONEER,
           ("九年级", "高一", "高二", "高三")),
    School("乌鲁木齐县第二中学", "erzhong", "complete", None, JUNIOR_PIONEER, ("九年级", "高一", "高二")),
    School("板房沟镇中学", "bfgzx", "junior", "板房沟镇", JUNIOR_PIONEER, ("九年级",)),
    School("水西沟镇中心学校", "sxgxx", "nine_year", "水西沟镇", PRIMARY + JUNIOR_PIONEER, ("九年级",)),
    School("永丰镇中心学校", "yfxx", "nine_year", "永丰镇", PRIMARY + JUNIOR_PIONEER, ("九年级",)),
    School("萨尔达坂乡学校", "sedbxx", "nine_year", "萨尔达坂乡", PRIMARY + JUNIOR_PIONEER, ("九年级",)),
    School("甘沟乡学校", "ggxx", "nine_year", "甘沟乡", PRIMARY + JUNIOR_PIONEER, ("九年级",)),
    School("托里乡学校", "tlxx", "nine_year", "托里乡", PRIMARY + JUNIOR_PIONEER, ("九年级",)),
    School("板房沟镇中心小学", "bfgxx", "primary", "板房沟镇", PRIMARY),
    School("水西沟镇小学", "sxgxiaoxue", "primary", "水西沟镇", PRIMARY),
    School("乌鲁木齐县第一小学", "yixiao", "primary", None, PRIMARY),
    School("乌鲁木齐县第二小学", "erxiao", "primary", None, PRIMARY),
)

# The featured demo accounts, one per role (the loader also gives most other units an account).
# (username, full name, role, how to find the unit, what the account shows)
FEATURED_ACCOUNTS = (
    ("admin", "古丽娜·哈力木", "county_admin", ("county",), "全县：组织树、规则参数、操作日志、全部待办"),
    ("shuixigou", "马建新", "unit_admin", ("township", "水西沟镇"), "水西沟镇团委及其下级；换届提醒"),
    ("banfanggou", "李文静", "unit_admin", ("township", "板房沟镇"), "板房沟镇团委及其下级"),
    ("pingxiliang", "赵磊", "unit_admin", ("branch", "水西沟镇", "平西梁村团支部"), "一个村团支部书记"),
    ("counsellor", "王雪梅", "counsellor", ("brigade", "水西沟镇中心学校"), "一所学校的少先队大队"),
    ("volunteer", "努尔兰·叶尔肯", "volunteer_office", ("county",), "西部计划项目办（全县只读+志愿者管理）"),
    ("party", "张国庆", "party_reviewer", ("party", "水西沟镇"), "水西沟镇党委领导的团组织（只读+评审）"),
    ("inspector", "刘振华", "inspector", ("county",), "全县只读、操作日志"),
)

# Invented names for the other accounts: the county's largest groups are 汉, 回 and 哈萨克.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林马马韩冯"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "霞", "平", "刚", "建国", "春燕", "海燕", "志强", "晓东", "文博", "欣怡", "子涵", "浩然", "雨轩")
KAZAKH_GIVEN = ("阿依古丽", "叶尔兰", "努尔兰", "古丽娜", "别克", "阿依达娜", "哈那提", "沙吾列", "达吾列提",
                "加娜尔")
KAZAKH_FATHER = ("哈力木", "努尔兰", "叶尔肯", "吐尔逊", "阿曼", "加尔肯", "赛力克", "木拉提")
