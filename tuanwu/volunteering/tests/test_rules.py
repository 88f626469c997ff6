"""R9 pure rules, table-driven; each test names its rule."""

import datetime

import pytest

from tuanwu.volunteering import rules

D = datetime.date


@pytest.mark.parametrize("existing,starts,ends,previous,expected", [
    (0, D(2023, 8, 1), D(2024, 7, 31), None, None),
    (1, D(2024, 8, 1), D(2025, 7, 31), D(2024, 7, 31), None),
    (3, D(2026, 8, 1), D(2027, 7, 31), D(2026, 7, 31), "服务期最长 3 年，已签满 3 年协议"),
    (0, D(2023, 8, 1), D(2024, 8, 2), None, "协议一年一签：一份协议不能超过一年"),
    (1, D(2024, 7, 1), D(2025, 6, 30), D(2024, 7, 31), "新协议应在上一份协议结束之后开始"),
    (1, D(2024, 9, 1), D(2025, 8, 31), D(2024, 7, 31), "续签协议应紧接上一份协议（不能中断）"),
    (0, D(2023, 8, 1), D(2023, 8, 1), None, "协议结束日期应晚于开始日期"),
])
def test_R9_1_agreements_one_year_at_a_time_at_most_three(existing, starts, ends, previous, expected):
    assert rules.agreement_refusal(existing_years=existing, starts_on=starts, ends_on=ends,
                                   previous_ends_on=previous) == expected


def test_R9_1_completed_years_count_agreements_ended_by_the_date():
    agreements = [(D(2021, 8, 1), D(2022, 7, 31)), (D(2022, 8, 1), D(2023, 7, 31))]
    assert rules.completed_service_years(agreements, D(2023, 7, 30)) == 1
    assert rules.completed_service_years(agreements, D(2023, 7, 31)) == 2


@pytest.mark.parametrize("on,expected", [
    (D(2024, 3, 31), []),
    (D(2024, 4, 15), ["registration"]),
    (D(2024, 5, 10), ["registration", "screening"]),
    (D(2024, 6, 5), ["medical"]),
    (D(2024, 6, 22), ["notice"]),
    (D(2024, 6, 24), []),
    (D(2024, 7, 25), ["training"]),
])
def test_R9_2_yearly_cycle_phases(on, expected):
    assert rules.phases_on(2024, on) == expected


def test_R9_2_notice_lasts_three_days_in_june():
    notice = next(p for p in rules.yearly_cycle(2024) if p.key == "notice")
    assert (notice.starts_on, notice.ends_on) == (D(2024, 6, 21), D(2024, 6, 23))


@pytest.mark.parametrize("name,expected", [
    ("乡村教育", "乡村教育"), ("基础教育", "乡村教育"), ("服务三农", "服务乡村建设"), ("医疗卫生", "健康乡村"),
    ("基层社会管理", "乡村社会治理"), ("基层青年工作", "基层青年工作"), ("服务新疆专项", "服务新疆"),
    ("服务西藏", "服务西藏"), ("党建", None), ("", None),
])
def test_R9_3_programme_names_current_and_old(name, expected):
    assert rules.current_programme(name) == expected


def test_R9_3_post_fields_are_a_separate_list():
    assert "党建" in rules.POST_FIELDS and "党建" not in rules.CURRENT_PROGRAMMES
    assert "服务新疆" not in rules.POST_FIELDS


@pytest.mark.parametrize("grade,scale,expected", [
    ("优秀", ["优秀", "合格", "不合格"], None),
    ("良好", ["优秀", "合格", "不合格"], "考核等次只能是：优秀、合格、不合格"),
    ("合格", ["合格", "不合格"], "考核等次设置有误：等次中应包含“优秀”"),
])
def test_R9_4_grade_from_the_configured_scale(grade, scale, expected):
    assert rules.grade_refusal(grade, scale) == expected


def test_R9_4_scale_parsing():
    assert rules.parse_grade_scale("优秀、合格，基本合格,不合格") == ["优秀", "合格", "基本合格", "不合格"]


@pytest.mark.parametrize("years,grades,latest,min_years,bonus,recommend", [
    (2, ["合格", "合格"], "合格", 2, True, False),
    (2, ["合格", "优秀"], "优秀", 2, True, True),
    (1, ["优秀"], "优秀", 2, False, False),
    (3, ["优秀", "基本合格", "优秀"], "优秀", 2, False, False),
    (2, [], None, 2, False, False),
    (1, ["优秀"], "优秀", 1, True, True),
])
def test_R9_5_R9_6_volunteer_eligibility(years, grades, latest, min_years, bonus, recommend):
    result = rules.volunteer_eligibility(service_years=years, grades=grades, latest_grade=latest, min_years=min_years)
    assert (result.bonus, result.recommend) == (bonus, recommend)


def test_R9_6_reason_is_explained():
    result = rules.volunteer_eligibility(service_years=2, grades=["合格", "优秀"], latest_grade="优秀", min_years=2)
    assert result.reason == "服务满 2 年，考核均合格，最近一次考核优秀"


@pytest.mark.parametrize("years,excellent,recommend,reason", [
    (2, True, True, "团的工作满 2 年，表现优秀"),
    (1, True, False, "团的工作满 1 年，不足 2 年"),
    (3, False, False, "表现未达优秀"),
])
def test_R9_7_cadre_eligibility(years, excellent, recommend, reason):
    result = rules.cadre_eligibility(league_work_years=years, excellent=excellent, min_years=2)
    assert (result.recommend, result.reason, result.bonus) == (recommend, reason, False)


def test_R9_8_retention_count_and_rate():
    result = rules.retention(["stayed_employer", "left", "stayed_other", "", None, "left", "left"])
    assert (result.completed, result.stayed, str(result.rate), result.percent_text) == (7, 2, "0.2857", "28.6%")
    empty = rules.retention([])
    assert (empty.rate, empty.percent_text) == (None, "—")


def test_R9_9_missing_safety_months_up_to_last_month():
    missing = rules.missing_safety_months(service_from=D(2024, 8, 1), today=D(2024, 12, 5),
                                          reported=[D(2024, 8, 1), D(2024, 10, 31)])
    assert missing == [D(2024, 9, 1), D(2024, 11, 1)]
    assert rules.missing_safety_months(service_from=D(2024, 8, 1), today=D(2024, 8, 20), reported=[]) == []
    assert rules.zero_accident(0) and not rules.zero_accident(1)
