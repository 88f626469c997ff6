"""The configurable values of ../shared/domain/rules.md, with their shipped defaults.

Each declaration names the rule ID it parameterises. ``confirmed=False`` marks values whose
source could not be confirmed; the settings page says so.
"""

from decimal import Decimal

from .rule_settings import declare

M = "团籍与发展"
R = "评议与注册"
D = "团费"
E = "选举与任期"
C = "团干部"
V = "西部计划"
S = "学习与组织生活"
F = "党建带团建与经费"

declare(key="membership.min_join_age", rule_id="R1.1", label="最低入团年龄", kind="int", default=14, unit="周岁",
        minimum=10, maximum=28, group=M)
declare(key="membership.lapse_months", rule_id="R1.5", label="自行脱团判定：连续未交团费、未过组织生活的月数",
        kind="int", default=6, unit="个月", minimum=1, maximum=24, group=M)
declare(key="development.cultivation_months", rule_id="R2.3", label="入团积极分子最短培养期", kind="int", default=3,
        unit="个月", minimum=1, maximum=24, group=M)
declare(key="development.min_course_hours", rule_id="R2.4", label="团课最少学时", kind="int", default=8, unit="学时",
        minimum=1, maximum=100, group=M)
declare(key="development.notice_working_days", rule_id="R2.12", label="公示期", kind="int", default=5, unit="个工作日",
        minimum=1, maximum=30, confirmed=False, group=M)
declare(key="development.yearly_quota", rule_id="R2.13", label="年度发展团员计划数", kind="int", default=0, unit="名",
        minimum=0, help="0 表示尚未下达计划", group=M)
declare(key="membership.member_youth_ratio_target", rule_id="R2.15", label="团青比目标上限", kind="decimal",
        default=Decimal("0.30"), minimum=Decimal("0"), maximum=Decimal("1"), help="只展示，不强制", group=M)
declare(key="review.excellent_cap", rule_id="R3.2", label="评议“优秀”比例上限", kind="decimal", default=Decimal("0.30"),
        minimum=Decimal("0"), maximum=Decimal("1"), group=R)
declare(key="registration.month_start", rule_id="R3.5", label="团籍注册开始月份", kind="int", default=1, unit="月",
        minimum=1, maximum=12, confirmed=False, group=R)
declare(key="registration.month_end", rule_id="R3.5", label="团籍注册截止月份", kind="int", default=3, unit="月",
        minimum=1, maximum=12, confirmed=False, group=R)
declare(key="party_recommendation.validity_months", rule_id="R4.4", label="推优入党结果有效期", kind="int", default=12,
        unit="个月", minimum=1, maximum=60, confirmed=False, group=M)
declare(key="dues.salary_threshold", rule_id="R5.4", label="团费分档线（税后月工资）", kind="decimal",
        default=Decimal("2000"), unit="元", minimum=Decimal("0"), group=D)
declare(key="dues.low_salary_amount", rule_id="R5.4", label="低于分档线的月团费", kind="decimal", default=Decimal("3"),
        unit="元", minimum=Decimal("0"), group=D)
declare(key="dues.salary_rate_permille", rule_id="R5.4", label="高于分档线的团费比例", kind="decimal",
        default=Decimal("2"), unit="‰", minimum=Decimal("0"), group=D)
declare(key="dues.basic_amount", rule_id="R5.4", label="学生、农民等的月团费", kind="decimal", default=Decimal("0.2"),
        unit="元", minimum=Decimal("0"), group=D)
declare(key="dues.monthly_cap", rule_id="R5.4", label="月团费上限（0 为不设上限）", kind="decimal", default=Decimal("0"),
        unit="元", minimum=Decimal("0"), confirmed=False, group=D)
declare(key="terms.branch_years", rule_id="R7.1", label="团支部、团总支任期", kind="int", default=3, unit="年",
        minimum=1, maximum=5, group=E)
declare(key="terms.student_branch_years", rule_id="R7.1", label="学生团支部任期", kind="int", default=1, unit="年",
        minimum=1, maximum=3, group=E)
declare(key="terms.committee_years", rule_id="R7.1", label="基层团委任期", kind="int", default=5, unit="年",
        minimum=3, maximum=5, group=E)
declare(key="terms.county_congress_years", rule_id="R7.1", label="县级团代会任期", kind="int", default=5, unit="年",
        minimum=1, maximum=5, group=E)
declare(key="terms.reminder_months", rule_id="R7.2", label="换届提醒提前量", kind="int", default=6, unit="个月",
        minimum=1, maximum=12, group=E)
declare(key="elections.competitive_ratio", rule_id="R7.5", label="差额选举候选人与应选人数之比下限", kind="decimal",
        default=Decimal("1.2"), minimum=Decimal("1"), maximum=Decimal("3"), group=E)
declare(key="elections.quorum", rule_id="R7.6", label="选举有效的到会比例（须超过）", kind="decimal",
        default=Decimal("0.8"), minimum=Decimal("0.5"), maximum=Decimal("1"), group=E)
declare(key="elections.threshold_base", rule_id="R7.9", label="当选票数的计算基数", kind="choice", default="present",
        choices=(("present", "实到人数"), ("due", "应到人数")), confirmed=False, group=E)
declare(key="elections.delegate_women_share", rule_id="R7.17", label="代表中女性比例目标", kind="decimal",
        default=Decimal("0"), minimum=Decimal("0"), maximum=Decimal("1"), confirmed=False, group=E)
declare(key="elections.delegate_minority_share", rule_id="R7.17", label="代表中少数民族比例目标", kind="decimal",
        default=Decimal("0"), minimum=Decimal("0"), maximum=Decimal("1"), confirmed=False, group=E)
declare(key="elections.delegate_frontline_share", rule_id="R7.17", label="代表中一线代表比例目标", kind="decimal",
        default=Decimal("0"), minimum=Decimal("0"), maximum=Decimal("1"), confirmed=False, group=E)
declare(key="elections.delegate_young_share", rule_id="R7.17", label="代表中青年（不超过规定年龄）比例目标",
        kind="decimal", default=Decimal("0"), minimum=Decimal("0"), maximum=Decimal("1"), confirmed=False, group=E)
declare(key="elections.delegate_young_max_age", rule_id="R7.17", label="代表结构中“青年”的年龄上限", kind="int",
        default=28, unit="周岁", minimum=14, maximum=45, confirmed=False, group=E)
declare(key="terms.final_reminder_months", rule_id="R7.2", label="换届最后提醒提前量", kind="int", default=1,
        unit="个月", minimum=1, maximum=6, group=E)
declare(key="cadres.secondment_min_years", rule_id="R8.1", label="挂职最短期限", kind="int", default=2, unit="年",
        minimum=0, maximum=5, group=C)
declare(key="cadres.age_ceiling", rule_id="R8.4", label="团干部年龄上限（0 为不设）", kind="int", default=0,
        unit="周岁", minimum=0, maximum=60, confirmed=False, group=C)
declare(key="volunteers.grade_scale", rule_id="R9.4", label="志愿者考核等次（用顿号分隔）", kind="text",
        default="优秀、合格、基本合格、不合格", confirmed=False, group=V)
declare(key="volunteers.bonus_min_years", rule_id="R9.5", label="享受考研加分等政策的最短服务年限", kind="int",
        default=2, unit="年", minimum=1, maximum=3, group=V)
declare(key="study.branch_meeting_months", rule_id="R10.5", label="支部大会周期", kind="int", default=3, unit="个月",
        minimum=1, maximum=12, group=S)
declare(key="study.committee_meeting_months", rule_id="R10.5", label="支委会周期", kind="int", default=1, unit="个月",
        minimum=1, maximum=12, group=S)
declare(key="study.group_meeting_months", rule_id="R10.5", label="团小组会周期", kind="int", default=1, unit="个月",
        minimum=1, maximum=12, group=S)
declare(key="study.league_lesson_months", rule_id="R10.5", label="团课周期", kind="int", default=3, unit="个月",
        minimum=1, maximum=12, group=S)
declare(key="funds.township_per_youth", rule_id="R11.3", label="乡镇团建经费标准（每名 35 岁以下常住人口每年）",
        kind="decimal", default=Decimal("1"), unit="元", minimum=Decimal("0"), confirmed=False, group=F)
declare(key="funds.institution_per_member", rule_id="R11.3", label="机关企事业单位团建经费标准（每名青年团员每年）",
        kind="decimal", default=Decimal("20"), unit="元", minimum=Decimal("0"), confirmed=False, group=F)
declare(key="volunteers.recommend_min_years", rule_id="R9.6", label="团县委推荐考核纳编等的最短服务年限", kind="int",
        default=2, unit="年", minimum=1, maximum=3, group=V)
declare(key="volunteers.document_prefix", rule_id="R9.6", label="推荐意见发文字号的机关代字（如 乌县团发）", kind="text",
        default="县团发", group=V)
declare(key="volunteers.document_issuer", rule_id="R9.6", label="推荐意见的发文机关全称（留空则由团县委名称生成）",
        kind="text", default="", group=V)
