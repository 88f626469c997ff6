"""Table-driven tests of the membership rules, named after their rule IDs (R1.1–R1.4, R2.14)."""

import datetime

import pytest

from tuanwu.membership import rules
from tuanwu.membership.models import Status

D = datetime.date


# R1.1 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("birth,on,expected", [
    (D(2010, 6, 15), D(2024, 6, 14), 13),  # the day before the 14th birthday
    (D(2010, 6, 15), D(2024, 6, 15), 14),  # on the birthday: 14 full years
    (D(2010, 12, 31), D(2024, 1, 1), 13),  # 虚岁 would say 15; 周岁 is 13
    (D(2008, 2, 29), D(2022, 2, 28), 14),  # a leap-day birthday counts on 28 February
    (D(2008, 2, 29), D(2022, 2, 27), 13),
    (D(1998, 5, 4), D(2026, 5, 3), 27),
    (D(1998, 5, 4), D(2026, 5, 4), 28),
])
def test_R1_1_age_in_full_years(birth, on, expected):
    assert rules.age_on(birth, on) == expected


@pytest.mark.parametrize("birth,joined,min_age,legacy,expected", [
    (D(2010, 6, 15), D(2024, 6, 15), 14, False, None),
    (D(2010, 6, 15), D(2024, 6, 14), 14, False, "入团时未满 14 周岁（13 周岁），不能入团"),
    (D(2010, 6, 15), D(2024, 6, 14), 13, False, None),  # a county that set the minimum to 13
    (D(2010, 6, 15), D(2025, 6, 14), 15, False, "入团时未满 15 周岁（14 周岁），不能入团"),
    (D(1996, 6, 15), D(2024, 6, 15), 14, False, "入团时已满 28 周岁（28 周岁），不能入团"),
    (D(1996, 6, 15), D(2024, 6, 14), 14, False, None),
    (D(2002, 1, 1), D(2015, 5, 4), 14, True, None),  # legacy record from before 2017, kept
    (D(2002, 1, 1), D(2015, 5, 4), 14, False, "入团时未满 14 周岁（13 周岁），不能入团"),
    (D(2005, 1, 1), D(2018, 5, 4), 14, True, "入团时未满 14 周岁（13 周岁），不能入团"),  # legacy ends 2017
])
def test_R1_1_join_age(birth, joined, min_age, legacy, expected):
    assert rules.join_age_refusal(birth, joined, min_age=min_age, legacy=legacy) == expected


# R1.2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("from_status,to_status,expected", [
    (Status.APPLICANT, Status.ACTIVIST, None),
    (Status.ACTIVIST, Status.CANDIDATE, None),
    (Status.CANDIDATE, Status.MEMBER, None),
    (Status.MEMBER, Status.PROBATION, None),
    (Status.PROBATION, Status.MEMBER, None),
    (Status.MEMBER, Status.REGISTRATION_DEFERRED, None),
    (Status.MEMBER, Status.PARTY_MEMBER_KEEPING, None),
    (Status.MEMBER, Status.EXPELLED, None),
    (Status.APPLICANT, Status.MEMBER, "不能从“入团申请人”直接变更为“团员”（可变更为：入团积极分子）"),
    (Status.MEMBER, Status.MEMBER, "已经是“团员”状态"),
    (Status.AGED_OUT, Status.MEMBER, "“超龄离团”是离团状态，不能再变更团籍状态"),
    (Status.EXPELLED, Status.WITHDRAWN, "“开除团籍”是离团状态，不能再变更团籍状态"),
    (Status.PARTY_MEMBER_KEEPING, Status.PROBATION,
     "不能从“保留团籍的党员”直接变更为“留团察看”（可变更为：超龄离团、退团、开除团籍）"),
])
def test_R1_2_transitions(from_status, to_status, expected):
    assert rules.transition_refusal(from_status, to_status) == expected


def test_R1_2_every_status_has_a_transition_entry():
    assert set(rules.TRANSITIONS) == set(Status)
    assert all(not rules.TRANSITIONS[s] for s in (Status.AGED_OUT, Status.WITHDRAWN, Status.LAPSED, Status.EXPELLED))


@pytest.mark.parametrize("status,exit_on,reason,expected", [
    (Status.WITHDRAWN, D(2025, 1, 1), "本人申请", None),
    (Status.WITHDRAWN, None, "本人申请", "办理“退团”须填写离团日期"),
    (Status.LAPSED, D(2025, 1, 1), "  ", "办理“自行脱团（除名）”须填写原因"),
    (Status.EXPELLED, D(2025, 1, 1), "", "办理“开除团籍”须填写原因"),
    (Status.PROBATION, None, "", None),  # not an exit
])
def test_R1_2_exits_record_date_and_reason(status, exit_on, reason, expected):
    assert rules.exit_record_refusal(status, exit_on, reason) == expected


# R1.3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("birth,on,holds_post,leaves", [
    (D(1998, 5, 4), D(2026, 5, 3), False, False),  # 27
    (D(1998, 5, 4), D(2026, 5, 4), False, True),  # 28 today, no post
    (D(1998, 5, 4), D(2026, 5, 4), True, False),  # 28, holds a post
    (D(1990, 1, 1), D(2026, 1, 1), True, False),
    (D(1990, 1, 1), D(2026, 1, 1), False, True),
])
def test_R1_3_leaving_at_28_unless_holding_a_post(birth, on, holds_post, leaves):
    assert rules.must_leave_for_age(birth, on, holds_post=holds_post) is leaves


@pytest.mark.parametrize("birth,on,holds_post,expected", [
    (D(1998, 5, 4), D(2026, 5, 4), False, None),
    (D(1998, 5, 4), D(2026, 5, 3), False, "未满 28 周岁，不能办理超龄离团"),
    (D(1998, 5, 4), D(2026, 5, 4), True, "该同志担任团内职务，年满 28 周岁后仍保留团籍"),
])
def test_R1_3_aged_out_refusal(birth, on, holds_post, expected):
    assert rules.aged_out_refusal(birth, on, holds_post=holds_post) == expected


# R1.4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("birth,on,holds_post,keeps", [
    (D(2000, 7, 1), D(2026, 7, 1), False, True),  # 26: keeps membership
    (D(1998, 7, 1), D(2026, 7, 1), False, False),  # 28 without a post: leaves
    (D(1998, 7, 1), D(2026, 7, 1), True, True),  # 28 with a post: keeps
])
def test_R1_4_party_member_keeps_membership_until_28(birth, on, holds_post, keeps):
    assert rules.party_member_keeps_membership(birth, on, holds_post=holds_post) is keeps
    refusal = rules.party_keeping_refusal(birth, on, holds_post=holds_post)
    assert refusal == (None if keeps else "已满 28 周岁且未担任团内职务，入党后不再保留团籍，应办理超龄离团")


# R2.14 -----------------------------------------------------------------------------------------

XJ = "650121"
OTHER = "110105"


@pytest.mark.parametrize("number,joined,division,expected", [
    ("201700000123", D(2017, 5, 4), OTHER, None),
    ("201800000123", D(2017, 5, 4), OTHER, None),  # 2017 and 2018 interchangeable
    ("201700000123", D(2018, 5, 4), OTHER, None),
    ("201900000123", D(2018, 5, 4), OTHER, "发展团员编号前 4 位应为入团年份（2017 或 2018），实为 2019"),
    ("201800000123", D(2019, 5, 4), OTHER, "发展团员编号前 4 位应为入团年份（2019），实为 2018"),
    ("", D(2017, 5, 4), OTHER, "2017 年入团的团员须填写发展团员编号"),
    ("", D(2016, 5, 4), OTHER, None),  # before 2017 outside Xinjiang: optional
    ("", D(2016, 5, 4), XJ, "2016 年入团的团员须填写发展团员编号"),  # Xinjiang from 2016
    ("201600000123", D(2016, 5, 4), XJ, None),
    ("", D(2015, 5, 4), XJ, None),
    ("20170000012", D(2017, 5, 4), OTHER, "发展团员编号应为 12 位数字"),
    ("2017000001234", D(2017, 5, 4), OTHER, "发展团员编号应为 12 位数字"),
    ("2017ABC00123", D(2017, 5, 4), OTHER, "发展团员编号应为 12 位数字"),
    ("12345", D(2012, 5, 4), OTHER, "发展团员编号应为 12 位数字"),  # optional, but checked when given
    ("201200000123", D(2012, 5, 4), OTHER, None),
])
def test_R2_14_development_number(number, joined, division, expected):
    assert rules.development_number_refusal(number, joined, division) == expected


@pytest.mark.parametrize("number,expected", [
    ("", None), ("12345678", None), ("1234567", "团员证号应为 8 位数字"), ("1234567X", "团员证号应为 8 位数字"),
])
def test_R2_14_member_card_number_is_a_separate_8_digit_field(number, expected):
    assert rules.member_card_number_refusal(number) == expected
