"""Table-driven tests of the membership-life rules, named after their rule IDs (R1.5–R1.6, R2.1–R2.13,
R3.x, R4.x, R5.x, R6.x). Configurable values are parameters: each table also shows the result
changing when the value changes."""

import datetime
from decimal import Decimal

import pytest

from tuanwu.membership import life_rules as lr
from tuanwu.membership.models import Status

D = datetime.date
M = Decimal


# R1.5 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("paid,dues_from,today,expected", [
    ([], D(2026, 1, 1), D(2026, 7, 15), 6),  # Jan–Jun complete and unpaid; July is not over
    ([D(2026, 3, 1)], D(2026, 1, 1), D(2026, 7, 15), 3),  # Apr, May, Jun
    ([D(2026, 6, 1)], D(2026, 1, 1), D(2026, 7, 15), 0),
    ([], D(2026, 7, 1), D(2026, 7, 15), 0),  # joined this month
    ([], D(2026, 5, 20), D(2026, 7, 1), 2),  # dues start in the month of admission (R5.4)
    ([D(2025, 12, 1)], D(2025, 1, 1), D(2026, 7, 1), 6),
])
def test_R1_5_consecutive_unpaid_complete_months(paid, dues_from, today, expected):
    assert lr.consecutive_unpaid_months(paid, dues_from=dues_from, today=today) == expected


@pytest.mark.parametrize("unpaid,months,activity,expected", [
    (6, 6, False, True), (5, 6, False, False), (5, 4, False, True), (12, 6, True, False),
])
def test_R1_5_lapse_candidate_by_configurable_months(unpaid, months, activity, expected):
    assert lr.lapse_candidate(unpaid, lapse_months=months, has_activity=activity) is expected


@pytest.mark.parametrize("unpaid,meeting,approved,expected", [
    (6, D(2026, 7, 1), D(2026, 7, 10), None),
    (5, D(2026, 7, 1), D(2026, 7, 10), "连续未交团费 5 个月，未达到 6 个月，不能按自行脱团处理"),
    (6, None, D(2026, 7, 10), "除名须经支部大会讨论决定，请填写支部大会日期"),
    (6, D(2026, 7, 1), None, "除名须报上级团组织批准，请填写批准日期"),
    (6, D(2026, 7, 11), D(2026, 7, 10), "上级批准日期不能早于支部大会日期（2026-07-11）"),
])
def test_R1_5_removal_needs_meeting_and_approval_above(unpaid, meeting, approved, expected):
    assert lr.lapse_removal_refusal(unpaid_months=unpaid, lapse_months=6, meeting_on=meeting,
                                    approved_on=approved) == expected


# R1.6 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("requested,text,meeting,filed,expected", [
    (D(2026, 3, 1), "本人申请退团", None, None, None),
    (None, "本人申请退团", None, None, "退团须本人提出书面申请：请填写申请日期和申请内容"),
    (D(2026, 3, 1), "  ", None, None, "退团须本人提出书面申请：请填写申请日期和申请内容"),
    (D(2026, 3, 1), "申请", D(2026, 2, 28), None, "支部大会日期不能早于书面申请日期（2026-03-01）"),
    (D(2026, 3, 1), "申请", None, D(2026, 3, 9), "须先经支部大会讨论同意，才能报上级备案"),
    (D(2026, 3, 1), "申请", D(2026, 3, 5), D(2026, 3, 4), "报上级备案日期不能早于支部大会日期（2026-03-05）"),
    (D(2026, 3, 1), "申请", D(2026, 3, 5), D(2026, 3, 5), None),
])
def test_R1_6_withdrawal_request_meeting_then_filing(requested, text, meeting, filed, expected):
    assert lr.withdrawal_refusal(requested_on=requested, request_text=text, meeting_on=meeting,
                                 filed_on=filed) == expected


# R2.1 ------------------------------------------------------------------------------------------


def test_R2_1_talk_due_within_one_month_and_not_before_the_application():
    assert lr.talk_due_by(D(2026, 1, 31)) == D(2026, 2, 28)
    assert lr.talk_refusal(D(2026, 3, 1), D(2026, 2, 28)) == "谈话日期不能早于递交入团申请书的日期（2026-03-01）"
    assert lr.talk_refusal(D(2026, 3, 1), D(2026, 3, 1)) is None
    assert lr.talk_is_late(D(2026, 3, 1), D(2026, 4, 1), D(2026, 4, 1)) is False
    assert lr.talk_is_late(D(2026, 3, 1), D(2026, 4, 2), D(2026, 4, 2)) is True
    assert lr.talk_is_late(D(2026, 3, 1), None, D(2026, 4, 2)) is True  # still not held, past due


# R2.2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel,recommenders,talk,decided,age,expected", [
    ("member_recommendation", "李团员", D(2026, 3, 5), D(2026, 3, 10), 15, None),
    ("pioneer_recommendation", "", D(2026, 3, 5), D(2026, 3, 10), 14, None),
    ("member_recommendation", "李团员", None, D(2026, 3, 10), 15, "尚未与申请人谈话（递交申请后 1 个月内应谈话）"),
    ("self", "x", D(2026, 3, 5), D(2026, 3, 10), 15, "请选择产生方式：团员推荐或少先队推优"),
    ("member_recommendation", "", D(2026, 3, 5), D(2026, 3, 10), 15, "团员推荐须填写推荐的团员"),
    ("member_recommendation", "李", D(2026, 3, 5), D(2026, 3, 4), 15, "支委会研究日期不能早于谈话日期（2026-03-05）"),
    # 少先队推优 is a channel, not an age exception.
    ("pioneer_recommendation", "", D(2026, 3, 5), D(2026, 3, 10), 13,
     "未满 14 周岁（现 13 周岁），少先队推优也不能提前确定为入团积极分子"),
])
def test_R2_2_activist_by_member_recommendation_or_pioneer_channel(channel, recommenders, talk, decided, age, expected):
    assert lr.activist_refusal(channel=channel, recommenders=recommenders, talk_on=talk, decided_on=decided, age=age,
                               min_age=14) == expected


# R2.3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("months,on,expected", [
    (3, D(2026, 3, 11), "培养期满 3 个月后（2026-03-12 起）可确定为发展对象"),
    (3, D(2026, 3, 12), None),
    (6, D(2026, 3, 12), "培养期满 6 个月后（2026-06-12 起）可确定为发展对象"),  # the setting changes the answer
    (1, D(2026, 2, 12), None),
])
def test_R2_3_cultivation_months_configurable(months, on, expected):
    assert lr.cultivation_refusal(D(2025, 12, 12), on, months=months) == expected


# R2.4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson,counted", [
    (lr.Lesson(D(2026, 1, 1), 2, 90, True), 2),
    (lr.Lesson(D(2026, 1, 1), 2, 89, True), 1),  # each 学时 needs 45 minutes
    (lr.Lesson(D(2026, 1, 1), 2, 44, True), 0),
    (lr.Lesson(D(2026, 1, 1), 2, 120, False), 0),  # online does not count
    (lr.Lesson(D(2026, 1, 1), 1, 200, True), 1),  # never more than the hours given
])
def test_R2_4_only_in_person_hours_of_45_minutes_count(lesson, counted):
    assert lr.counted_hours(lesson) == counted


def test_R2_4_course_hours_refusal_says_how_many_are_missing_and_follows_the_setting():
    lessons = [lr.Lesson(D(2026, 1, d), 1, 45, True) for d in range(1, 6)]  # 5 hours
    assert lr.course_refusal(lessons, min_hours=8) == "团课学时不足：已完成 5 学时，还差 3 学时（须线下、每学时不少于 45 分钟）"
    assert lr.course_refusal(lessons, min_hours=5) is None
    assert lr.course_completed_on(lessons, min_hours=3) == D(2026, 1, 3)
    assert lr.course_completed_on(lessons, min_hours=8) is None


# R2.5 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status,is_self,count,expected", [
    (Status.MEMBER, False, 0, None),
    (Status.PARTY_MEMBER_KEEPING, False, 1, None),
    (Status.ACTIVIST, False, 0, "培养联系人须为团员"),
    (Status.AGED_OUT, False, 0, "培养联系人须为团员"),
    (Status.MEMBER, True, 0, "培养联系人不能是本人"),
    (Status.MEMBER, False, 2, "培养联系人最多 2 名"),
])
def test_R2_5_one_or_two_contacts_who_are_members(status, is_self, count, expected):
    assert lr.contact_refusal(status, is_self=is_self, current_count=count) == expected
    assert lr.contacts_refusal(0) == "尚未确定培养联系人（1–2 名团员）"
    assert lr.contacts_refusal(1) is None


# R2.6 ------------------------------------------------------------------------------------------


def test_R2_6_candidate_refusal_lists_everything_missing():
    lessons = [lr.Lesson(D(2026, 1, 10), 2, 90, True)]
    missing = lr.candidate_refusal(activist_on=D(2026, 1, 5), activist_filed_on=None, lessons=lessons, contacts=0,
                                   decided_on=D(2026, 2, 1), cultivation_months=3, min_hours=8, activist_notice=None,
                                   notice_days=5)
    assert missing == [
        "确定入团积极分子后尚未报上级团委备案",
        "培养期满 3 个月后（2026-04-05 起）可确定为发展对象",
        "团课学时不足：已完成 2 学时，还差 6 学时（须线下、每学时不少于 45 分钟）",
        "尚未确定培养联系人（1–2 名团员）",
    ]
    assert lr.candidate_refusal(activist_on=None, activist_filed_on=None, lessons=[], contacts=0,
                                decided_on=D(2026, 2, 1), cultivation_months=3, min_hours=8, activist_notice=None,
                                notice_days=5) == ["尚未确定为入团积极分子"]


# R2.7 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("statuses,self_,distinct,expected", [
    ([Status.MEMBER, Status.MEMBER], False, True, None),
    ([Status.MEMBER, Status.PARTY_MEMBER_KEEPING], False, True, None),
    ([Status.MEMBER], False, True, "须有两名不同的入团介绍人"),
    ([Status.MEMBER, Status.MEMBER], False, False, "须有两名不同的入团介绍人"),
    ([Status.MEMBER, Status.MEMBER], True, True, "入团介绍人不能是本人"),
    ([Status.MEMBER, Status.PROBATION], False, True, "受留团察看处分的团员不能担任入团介绍人"),
    ([Status.REGISTRATION_DEFERRED, Status.MEMBER], False, True, "暂缓注册的团员不能担任入团介绍人"),
    ([Status.MEMBER, Status.CANDIDATE], False, True, "入团介绍人须为正式团员"),
])
def test_R2_7_two_introducers_full_members(statuses, self_, distinct, expected):
    assert lr.introducer_refusal(statuses, includes_self=self_, distinct=distinct) == expected


# R2.8 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("due,present,yes,quorum,passes", [
    (10, 6, 4, True, True),    # 4 > 6/2: passes on those present
    (10, 6, 3, True, False),   # 3 is not more than half of 6
    (10, 5, 5, False, False),  # 5 is not more than half of 10: no quorum
    (9, 5, 3, True, True),
    (1, 1, 1, True, True),
])
def test_R2_8_quorum_and_majority_of_those_present(due, present, yes, quorum, passes):
    count = lr.VoteCount(due=due, present=present, yes=yes, no=0, abstain=0)
    assert lr.admission_vote_quorum_met(count) is quorum
    assert lr.admission_vote_passes(count) is passes


def test_R2_8_refusals_say_the_numbers():
    assert lr.admission_vote_refusal(lr.VoteCount(10, 5, 5, 0, 0)) == (
        "到会有表决权团员 5 人，未超过应到 10 人的半数（至少 6 人），会议不能表决")
    assert lr.admission_vote_refusal(lr.VoteCount(10, 11, 5, 0, 0)) == "到会人数（11）不能多于应到人数（10）"
    assert lr.admission_vote_refusal(lr.VoteCount(10, 6, 5, 2, 0)) == "赞成、反对、弃权合计（7）不能多于到会人数（6）"
    assert lr.admission_vote_refusal(lr.VoteCount(10, 6, 5, 1, 0)) is None


# R2.9 / R2.10 / R2.11 --------------------------------------------------------------------------


def test_R2_11_dates_in_order():
    ok = dict(course_done_on=D(2026, 3, 1), form_issued_on=D(2026, 3, 2), introducers_on=D(2026, 3, 3),
              meeting_on=D(2026, 3, 4), approved_on=D(2026, 3, 5))
    assert lr.date_order_refusal(**ok) is None
    assert lr.date_order_refusal(**{**ok, "form_issued_on": D(2026, 2, 28)}) == (
        "发放入团志愿书日期（2026-02-28）不能早于团课学时完成日期（2026-03-01）")
    assert lr.date_order_refusal(**{**ok, "meeting_on": D(2026, 3, 2)}) == (
        "支部大会日期（2026-03-02）不能早于入团介绍人填写意见日期（2026-03-03）")
    assert lr.date_order_refusal(**{**ok, "approved_on": D(2026, 3, 3)}) == (
        "上级团委审批日期（2026-03-03）不能早于支部大会日期（2026-03-04）")
    # Same-day steps are allowed; missing steps are skipped.
    assert lr.date_order_refusal(course_done_on=None, meeting_on=D(2026, 3, 4), approved_on=D(2026, 3, 4)) is None


# R2.12 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start,days,end", [
    (D(2026, 3, 2), 5, D(2026, 3, 6)),    # Monday → Friday
    (D(2026, 3, 4), 5, D(2026, 3, 10)),   # Wednesday → next Tuesday (weekend skipped)
    (D(2026, 3, 7), 5, D(2026, 3, 13)),   # Saturday start: begins Monday
    (D(2026, 3, 4), 7, D(2026, 3, 12)),   # the setting changes the end
    (D(2026, 3, 6), 1, D(2026, 3, 6)),
])
def test_R2_12_notice_counts_working_days(start, days, end):
    assert lr.add_working_days(start, days) == end


def test_R2_12_next_step_only_after_the_notice():
    assert lr.notice_refusal("发展对象", None, None, D(2026, 3, 20), working_days=5) == "尚未进行发展对象公示（5 个工作日）"
    assert lr.notice_refusal("发展对象", D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 6), working_days=5) == (
        "发展对象公示期至 2026-03-06，期满后（2026-03-07 起）方可办理")
    assert lr.notice_refusal("发展对象", D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 7), working_days=5) is None


# R2.13 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("quota,used,expected", [
    (0, 0, "2026 年度发展团员计划尚未下达（规则参数“年度发展团员计划数”为 0），不能分配发展团员编号"),
    (10, 9, None),
    (10, 10, "2026 年度发展团员计划 10 名已用完"),
    (11, 10, None),
])
def test_R2_13_yearly_quota(quota, used, expected):
    assert lr.quota_refusal(quota=quota, used=used, year=2026) == expected


def test_R2_13_development_number_is_12_digits_starting_with_the_join_year():
    number = lr.development_number(2026, "650121", 7)
    assert number == "202601210007"
    assert len(number) == 12 and number[:4] == "2026"
    with pytest.raises(ValueError):
        lr.development_number(2026, "650121", 10000)


# R3 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("due,present,expected", [
    (9, 7, None),
    (9, 6, "到会 6 人，未超过应到 9 人的三分之二（至少 7 人），评议无效"),
    (10, 7, None),
    (3, 3, None),
    (3, 2, "到会 2 人，未超过应到 3 人的三分之二（至少 3 人），评议无效"),
    (0, 0, "本支部没有需参加评议的团员"),
])
def test_R3_1_review_needs_more_than_two_thirds_present(due, present, expected):
    assert lr.review_quorum_refusal(due, present) == expected


@pytest.mark.parametrize("excellent,reviewed,cap,expected", [
    (3, 10, M("0.30"), None),
    (4, 10, M("0.30"), "“优秀”4 名，超过评议人数 10 名的 30%（最多 3 名）"),
    (4, 10, M("0.40"), None),  # the setting changes the answer
    (1, 3, M("0.30"), "“优秀”1 名，超过评议人数 3 名的 30%（最多 0 名）"),
])
def test_R3_2_excellent_capped_by_setting(excellent, reviewed, cap, expected):
    assert lr.excellent_cap_refusal(excellent, reviewed, cap) == expected


def test_R3_3_reassessment_after_three_to_six_months():
    assert lr.reassessment_window(D(2026, 1, 15)) == (D(2026, 4, 15), D(2026, 7, 15))
    assert lr.reassessment_refusal(D(2026, 1, 15), D(2026, 4, 14)) == "整改期不少于 3 个月：2026-04-15 起方可复评"
    assert lr.reassessment_refusal(D(2026, 1, 15), D(2026, 4, 15)) is None
    assert lr.reassessment_refusal(D(2026, 1, 15), D(2026, 7, 16)) == "复评应在评议后 6 个月内（2026-07-15 前）进行"


def test_R3_4_party_members_keeping_membership_register_without_review():
    assert Status.PARTY_MEMBER_KEEPING not in lr.REVIEWED_STATUSES
    assert lr.registration_refusal(status=Status.PARTY_MEMBER_KEEPING, grade=None, approved=False, month=2,
                                   month_start_=1, month_end=3) is None
    assert lr.registration_refusal(status=Status.MEMBER, grade=None, approved=False, month=2, month_start_=1,
                                   month_end=3) == "上一年度尚未参加评议，不能注册"


@pytest.mark.parametrize("grade,approved,month,start,end,expected", [
    ("basic", True, 2, 1, 3, None),
    ("excellent", True, 1, 1, 3, None),
    ("failed", True, 2, 1, 3, "评议等次为“不合格”，基本合格及以上方可注册"),
    ("good", False, 2, 1, 3, "上一年度评议结果尚未经上级团委审定，不能注册"),
    ("good", True, 4, 1, 3, "团籍注册时间为每年 1–3 月"),
    ("good", True, 4, 1, 4, None),  # the configurable window changes the answer
])
def test_R3_5_registration_window_and_grades(grade, approved, month, start, end, expected):
    assert lr.registration_refusal(status=Status.MEMBER, grade=grade, approved=approved, month=month,
                                   month_start_=start, month_end=end) == expected


def test_R3_6_deferral_three_to_six_months_and_flag_after_a_year():
    assert lr.deferral_refusal(D(2026, 2, 10), D(2026, 5, 10)) is None
    assert lr.deferral_refusal(D(2026, 2, 10), D(2026, 8, 10)) is None
    assert lr.deferral_refusal(D(2026, 2, 10), D(2026, 5, 9)) == (
        "暂缓注册期限为 3–6 个月：截止日期应在 2026-05-10 至 2026-08-10 之间")
    assert lr.unregistered_too_long(D(2025, 2, 1), None, D(2026, 2, 2)) is True
    assert lr.unregistered_too_long(D(2025, 2, 1), None, D(2026, 2, 1)) is False
    assert lr.unregistered_too_long(None, D(2024, 6, 1), D(2026, 2, 1)) is True
    assert lr.unregistered_too_long(None, None, D(2026, 2, 1)) is False


# R4 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,status,activist_on,expected", [
    ("to_activist", Status.MEMBER, None, None),
    ("to_candidate", Status.MEMBER, D(2025, 1, 1), None),
    ("to_candidate", Status.MEMBER, None, "推荐为党员发展对象人选，须先是入党积极分子：请填写确定为入党积极分子的日期"),
    ("to_activist", Status.PROBATION, None, "只有正式团员（未受留团察看、未暂缓注册）可以推优入党"),
    ("other", Status.MEMBER, None, "请选择推优类别"),
])
def test_R4_1_two_kinds(kind, status, activist_on, expected):
    assert lr.party_recommendation_refusal(kind=kind, status=status, party_activist_on=activist_on,
                                           proposed_on=D(2026, 3, 1), meeting_on=D(2026, 3, 5)) == expected


def test_R4_2_quorum_more_than_half_attend():
    assert lr.party_vote_refusal(lr.VoteCount(10, 5, 5, 0, 0)) == "到会 5 人，未超过应到 10 人的半数，不能进行推优表决"
    assert lr.party_vote_refusal(lr.VoteCount(10, 6, 6, 0, 0)) is None


@pytest.mark.parametrize("due,present,yes,r4,r2", [
    (10, 8, 5, False, True),   # 5 > 8/2 passes an admission vote but not 推优 (needs > 10/2)
    (10, 8, 6, True, True),
    (10, 6, 4, False, True),
    (9, 6, 5, True, True),
])
def test_R4_3_party_vote_counts_on_due_not_present(due, present, yes, r4, r2):
    count = lr.VoteCount(due=due, present=present, yes=yes, no=0, abstain=0)
    assert lr.party_vote_passes(count) is r4
    assert lr.admission_vote_passes(count) is r2


@pytest.mark.parametrize("months,until", [(12, D(2027, 3, 9)), (6, D(2026, 9, 9))])
def test_R4_4_validity_window_configurable(months, until):
    assert lr.recommendation_valid_until(D(2026, 3, 10), months) == until


# R5 --------------------------------------------------------------------------------------------

DEFAULTS = dict(threshold=M("2000"), low_amount=M("3"), rate_permille=M("2"), basic_amount=M("0.2"), cap=M("0"))


@pytest.mark.parametrize("wage,amount", [(M("0"), M("3")), (M("1999.99"), M("3")), (M("1500"), M("3"))])
def test_R5_1_salaried_below_2000_pay_3(wage, amount):
    assert lr.monthly_dues("salaried", wage, **DEFAULTS) == amount


@pytest.mark.parametrize("wage,amount", [(M("2000"), M("4")), (M("5600"), M("11")), (M("2499"), M("4")),
                                         (M("10000"), M("20"))])
def test_R5_2_salaried_from_2000_pay_floor_of_two_per_mille(wage, amount):
    assert lr.monthly_dues("salaried", wage, **DEFAULTS) == amount


@pytest.mark.parametrize("category", ["student", "farmer", "unemployed", "welfare", "pensioner"])
def test_R5_3_basic_categories_pay_two_jiao(category):
    assert lr.monthly_dues(category, None, **DEFAULTS) == M("0.20")
    assert lr.monthly_dues(category, M("9999"), **DEFAULTS) == M("0.20")  # the wage does not matter


def test_R5_4_every_amount_configurable_with_a_cap_and_dues_from_the_admission_month():
    assert lr.monthly_dues("salaried", M("2500"), **{**DEFAULTS, "threshold": M("3000")}) == M("3")
    assert lr.monthly_dues("salaried", M("1000"), **{**DEFAULTS, "low_amount": M("2")}) == M("2")
    assert lr.monthly_dues("salaried", M("5000"), **{**DEFAULTS, "rate_permille": M("3")}) == M("15")
    assert lr.monthly_dues("student", None, **{**DEFAULTS, "basic_amount": M("0.5")}) == M("0.50")
    assert lr.monthly_dues("salaried", M("50000"), **DEFAULTS) == M("100")
    assert lr.monthly_dues("salaried", M("50000"), **{**DEFAULTS, "cap": M("30")}) == M("30")
    assert lr.dues_start_month(D(2026, 5, 20)) == D(2026, 5, 1)
    assert lr.unpaid_months([D(2026, 6, 1)], dues_from=D(2026, 5, 1), today=D(2026, 7, 3)) == [D(2026, 5, 1),
                                                                                              D(2026, 7, 1)]


# R6 --------------------------------------------------------------------------------------------


def test_R6_1_three_initiators():
    assert set(lr.INITIATORS) == {"sender", "receiver", "member"}


def test_R6_2_receiver_decides_pending_requests_with_a_branch():
    assert lr.transfer_decision_refusal(status="pending", receiver_branch_ok=True) is None
    assert lr.transfer_decision_refusal(status="pending", receiver_branch_ok=False) == "请选择转入方下属的团支部"
    assert lr.transfer_decision_refusal(status="approved", receiver_branch_ok=True) == "该转接申请已处理"


@pytest.mark.parametrize("kind,has_org,target,deadline,hold", [
    ("graduate_employer", True, "employer", None, None),
    ("graduate_employer", False, "residence", None, None),
    ("graduate_residence", False, "residence", None, None),
    ("further_study", True, "new_school", D(2026, 7, 31), None),
    ("abroad", False, "school", None, D(2031, 7, 1)),
    ("enlisting", False, "pool", None, None),
])
def test_R6_3_graduate_destinations(kind, has_org, target, deadline, hold):
    plan = lr.graduate_destination(kind, graduated_on=D(2026, 7, 1), has_employer_org=has_org)
    assert (plan.target, plan.deadline, plan.hold_until) == (target, deadline, hold)


def test_R6_4_never_blocks_a_degree_certificate_and_tracks_check_in():
    assert all(lr.blocks_degree_certificate(s) is False for s in ("pending", "held", "approved", "rejected"))
    assert lr.checkin_overdue(D(2026, 3, 1), None, D(2026, 3, 31)) is False
    assert lr.checkin_overdue(D(2026, 3, 1), None, D(2026, 4, 1)) is True
    assert lr.checkin_overdue(D(2026, 3, 1), D(2026, 3, 20), D(2026, 5, 1)) is False
