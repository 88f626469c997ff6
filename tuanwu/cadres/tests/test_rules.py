"""Table-driven tests of the pure cadre rules (R8.1–R8.4, and League work duration for R9.7)."""

import datetime

import pytest

from tuanwu.cadres import rules

D = datetime.date


@pytest.mark.parametrize("kind,in_est,employer,end,rank,expected", [
    ("full_time", True, "", None, "正科级", None),
    ("full_time", False, "", None, "", None),
    ("seconded", False, "县教育局", D(2025, 3, 1), "", None),
    ("part_time", False, "", None, "", None),
    ("seconded", True, "县教育局", D(2025, 3, 1), "", ("in_establishment", "挂职团干部不占编制：只有专职岗位可以计入编制")),
    ("part_time", True, "", None, "", ("in_establishment", "兼职团干部不占编制：只有专职岗位可以计入编制")),
    ("seconded", False, "", D(2025, 3, 1), "", ("home_employer", "挂职团干部须填写派出单位（由派出单位发放工资）")),
    ("seconded", False, "县教育局", None, "", ("planned_end_on", "挂职团干部须填写挂职期满日期")),
    ("seconded", False, "县教育局", D(2023, 3, 1), "", ("planned_end_on", "挂职期满日期应晚于任职日期")),
    ("full_time", False, "县教育局", None, "", ("home_employer", "只有挂职团干部填写派出单位")),
    ("part_time", False, "", None, "副科级", ("rank", "兼职团干部不定职级")),
    ("volunteer", False, "", None, "", ("kind", "干部类型只能是专职、挂职或兼职")),
])
def test_R8_1_cadre_kinds_and_their_terms(kind, in_est, employer, end, rank, expected):
    assert rules.terms_refusal(kind=kind, in_establishment=in_est, home_employer=employer, started_on=D(2023, 3, 1),
                               planned_end_on=end, rank=rank) == expected


@pytest.mark.parametrize("start,end,min_years,too_short", [
    (D(2023, 3, 1), D(2025, 3, 1), 2, False),  # exactly two years
    (D(2023, 3, 1), D(2025, 2, 28), 2, True),  # a day short
    (D(2023, 3, 1), D(2024, 3, 1), 2, True),
    (D(2023, 3, 1), D(2024, 3, 1), 1, False),  # the county set one year
    (D(2023, 3, 1), D(2023, 9, 1), 0, False),  # no minimum
    (D(2024, 2, 29), D(2026, 2, 28), 2, False),  # from 29 February: 28 February two years on
    (D(2023, 3, 1), None, 2, False),
])
def test_R8_1_secondment_shorter_than_the_configured_minimum(start, end, min_years, too_short):
    assert rules.secondment_too_short(start, end, min_years) is too_short


def test_R8_2_establishment_counts_only_full_time_in_establishment_posts():
    # The county committee of the article: 书记 and one 副书记 full-time ("一正一副" = 2), one
    # part-time and one seconded 副书记 outside the establishment.
    posts = [("full_time", True), ("full_time", True), ("part_time", False), ("seconded", False)]
    assert rules.establishment_used(posts) == 2
    assert rules.over_quota(rules.establishment_used(posts), 2) == 0
    # A third full-time post is over the quota by one; part-time ones never are.
    assert rules.over_quota(rules.establishment_used(posts + [("full_time", True)]), 2) == 1
    assert rules.over_quota(rules.establishment_used(posts + [("part_time", False)] * 5), 2) == 0
    # A full-time post recorded outside the establishment (e.g. 聘用) does not use a place either.
    assert rules.establishment_used([("full_time", False)]) == 0


@pytest.mark.parametrize("kind,in_est,counts", [
    ("full_time", True, True), ("full_time", False, False), ("seconded", False, False), ("part_time", False, False),
    ("seconded", True, False), ("part_time", True, False),
])
def test_R8_2_which_posts_count_against_the_establishment(kind, in_est, counts):
    assert rules.counts_against_establishment(kind, in_est) is counts


@pytest.mark.parametrize("used,quota,over", [(2, 2, 0), (3, 2, 1), (1, 2, 0), (5, None, 0), (1, 0, 1)])
def test_R8_2_over_quota(used, quota, over):
    assert rules.over_quota(used, quota) == over


@pytest.mark.parametrize("quota,holders,vacant", [(1, 0, 1), (1, 1, 0), (3, 1, 2), (1, 2, 0)])
def test_R8_2_vacancies_per_position(quota, holders, vacant):
    assert rules.vacancies(quota, holders) == vacant


MSG = "专职团干部借调、抽调或挂职外出须经县委批准：请填写县委批准文号和批准日期，未经批准不能办理"


@pytest.mark.parametrize("kind,number,date,expected", [
    ("full_time", "", None, ("approval_number", MSG)),
    ("full_time", "乌县委〔2023〕12号", None, ("approval_number", MSG)),
    ("full_time", "  ", D(2023, 5, 1), ("approval_number", MSG)),
    ("full_time", "乌县委〔2023〕12号", D(2023, 5, 1), None),
    ("full_time", "乌县委〔2023〕12号", D(2023, 6, 2),
     ("approval_date", "县委批准日期不能晚于借调开始日期：须先批准、后借调")),
    ("part_time", "", None, None),  # R8.3 is about full-time cadres only
    ("seconded", "", None, None),
])
def test_R8_3_full_time_secondment_needs_county_party_committee_approval(kind, number, date, expected):
    assert rules.secondment_refusal(cadre_kind=kind, approval_number=number, approval_date=date,
                                    started_on=D(2023, 6, 1), planned_end_on=None) == expected


@pytest.mark.parametrize("kind,number,date,lacks", [
    ("full_time", "", None, True), ("full_time", "文号", None, True), ("full_time", "文号", D(2023, 1, 1), False),
    ("part_time", "", None, False),
])
def test_R8_3_secondment_lacking_approval_is_irregular(kind, number, date, lacks):
    assert rules.secondment_lacks_approval(cadre_kind=kind, approval_number=number, approval_date=date) is lacks


@pytest.mark.parametrize("birth,on,ceiling,over", [
    (D(1988, 6, 1), D(2023, 6, 1), 35, False),  # 35 on the day: not over
    (D(1988, 5, 31), D(2023, 6, 1), 35, False),
    (D(1987, 5, 31), D(2023, 6, 1), 35, True),  # 36
    (D(1960, 1, 1), D(2023, 6, 1), 0, False),  # 0 = no ceiling
    (D(1988, 6, 2), D(2024, 6, 1), 35, False),  # turns 36 tomorrow
])
def test_R8_4_age_ceiling(birth, on, ceiling, over):
    assert rules.over_age_ceiling(birth, on, ceiling) is over


def test_league_work_days_merge_overlapping_posts_and_stop_at_the_day():
    on = D(2023, 1, 1)
    spans = [(D(2020, 1, 1), D(2021, 1, 1)), (D(2020, 6, 1), D(2021, 6, 1)), (D(2022, 1, 1), None),
             (D(2024, 1, 1), None)]
    assert rules.league_work_days(spans, on) == (D(2021, 6, 1) - D(2020, 1, 1)).days + (on - D(2022, 1, 1)).days
    assert rules.league_work_days([], on) == 0
    # Exactly two years from the same calendar day is enough; a day less is not.
    assert rules.has_league_work_years(rules.league_work_days([(D(2021, 1, 1), None)], on), on, 2) is True
    assert rules.has_league_work_years(rules.league_work_days([(D(2021, 1, 2), None)], on), on, 2) is False
