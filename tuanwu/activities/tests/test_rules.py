"""The definitions and R10.1–R10.6 as pure functions, table-driven, exact values."""

import datetime

import pytest

from tuanwu.activities import rules
from tuanwu.activities.rules import Rate

D = datetime.date
P, A, E, N = "present", "absent", "excused", "not_recorded"


def test_person_times_counts_present_members_and_guests():
    records = [(1, True, P), (2, True, A), (3, False, P), (None, False, P), (None, False, P), (4, True, N)]
    assert rules.person_times(records) == 4


def test_people_counts_distinct_persons_present_and_never_guests():
    # Person 1 at two sessions counts once; two guests count for 人次 but not 人数.
    records = [(1, True, P), (1, True, P), (2, True, A), (3, False, P), (None, False, P), (None, False, P)]
    assert rules.people_count(records) == 2
    assert rules.person_times(records) == 5


def test_coverage_is_roster_members_present_at_least_once_over_distinct_roster_members():
    # Person 1 is on two rosters (counted once), present once; 2 never present; 3 present but
    # not on any roster (does not count); the guest never counts.
    records = [(1, True, P), (1, True, A), (2, True, A), (2, True, N), (3, False, P), (None, False, P)]
    assert rules.coverage(records) == Rate(1, 2)
    assert rules.coverage(records).percent == "50.0%"


def test_attendance_rate_is_present_over_present_absent_excused_on_the_roster():
    records = [(1, True, P), (2, True, P), (3, True, A), (4, True, E), (5, True, N), (6, False, P)]
    assert rules.attendance_rate(records) == Rate(2, 4)


def test_completeness_is_recorded_over_roster():
    records = [(1, True, P), (2, True, A), (3, True, E), (4, True, N), (5, True, N), (None, False, P)]
    assert rules.completeness(records) == Rate(3, 5)


def test_absent_and_not_recorded_differ_in_attendance_and_completeness_but_not_coverage():
    marked_absent = [(1, True, P), (2, True, P), (3, True, P), (4, True, A)]
    not_recorded = [(1, True, P), (2, True, P), (3, True, P), (4, True, N)]
    assert rules.attendance_rate(marked_absent) == Rate(3, 4)
    assert rules.attendance_rate(not_recorded) == Rate(3, 3)
    assert rules.completeness(marked_absent) == Rate(4, 4)
    assert rules.completeness(not_recorded) == Rate(3, 4)
    assert rules.coverage(marked_absent) == rules.coverage(not_recorded) == Rate(3, 4)


@pytest.mark.parametrize("numerator,denominator,percent", [(0, 0, "—"), (1, 3, "33.3%"), (2, 3, "66.7%"),
                                                           (3600, 3600, "100.0%"), (1, 8, "12.5%")])
def test_rate_percent_rounds_half_up_to_one_place(numerator, denominator, percent):
    assert Rate(numerator, denominator).percent == percent


WINTER = (D(2023, 1, 14), D(2023, 2, 12))
SUMMER = (D(2023, 7, 8), D(2023, 8, 31))


@pytest.mark.parametrize("first,count,holidays,expected", [
    (D(2023, 1, 2), 3, [], [D(2023, 1, 2), D(2023, 1, 9), D(2023, 1, 16)]),
    # Winter holiday 14 Jan – 12 Feb: the weeks of 16, 23, 30 Jan and 6 Feb pause.
    (D(2023, 1, 2), 4, [WINTER], [D(2023, 1, 2), D(2023, 1, 9), D(2023, 2, 13), D(2023, 2, 20)]),
    (D(2023, 6, 26), 3, [WINTER, SUMMER], [D(2023, 6, 26), D(2023, 7, 3), D(2023, 9, 4)]),
    (D(2023, 1, 2), 0, [WINTER], []),
])
def test_R10_1_weekly_episodes_pause_in_school_holidays(first, count, holidays, expected):
    assert rules.weekly_schedule(first, count, holidays) == expected


def test_R10_1_a_day_in_a_holiday_is_paused():
    assert rules.in_holiday(D(2023, 1, 14), [WINTER]) is True
    assert rules.in_holiday(D(2023, 2, 13), [WINTER]) is False


@pytest.mark.parametrize("studied,roster,expected", [
    ({1, 2}, {1, 2, 3, 4}, Rate(2, 4)),
    # 3 and 4 have no study record: not studied. 9 studied but was not a member then: not counted.
    ({1, 2, 9}, {1, 2, 3, 4}, Rate(2, 4)),
    (set(), {1, 2}, Rate(0, 2)),
    ({1}, set(), Rate(0, 0)),
])
def test_R10_2_branch_rate_counts_missing_records_as_not_studied(studied, roster, expected):
    assert rules.branch_participation(studied, roster) == expected


@pytest.mark.parametrize("joined,left,studied,expected", [
    # Episodes 1–4 published on 2, 9, 16, 23 Jan; joined 5 Jan: eligible 2, 3, 4.
    (D(2023, 1, 5), None, {2, 4}, Rate(2, 3)),
    # Studied episode 1 before joining: not counted, not eligible.
    (D(2023, 1, 5), None, {1, 2}, Rate(1, 3)),
    # Left on 16 Jan (inclusive): eligible 1, 2, 3.
    (D(2022, 12, 1), D(2023, 1, 16), {1, 2, 3, 4}, Rate(3, 3)),
    (D(2023, 2, 1), None, set(), Rate(0, 0)),
])
def test_R10_3_individual_rate_over_episodes_published_while_a_member(joined, left, studied, expected):
    episodes = [(1, D(2023, 1, 2)), (2, D(2023, 1, 9)), (3, D(2023, 1, 16)), (4, D(2023, 1, 23))]
    assert rules.individual_rate(episodes, studied, joined, left) == expected


def test_R10_4_person_times_and_coverage_are_different_figures():
    # Two members, one attends four sessions: 4 人次 but coverage 1/2.
    records = [(1, True, P)] * 4 + [(2, True, N)] * 4
    result = rules.figures(4, records)
    assert (result.sessions, result.person_times, result.people, result.coverage) == (4, 4, 1, Rate(1, 2))


@pytest.mark.parametrize("cadence,meetings,today,statuses", [
    # Quarterly 支部大会 in 2023, one in Q1 and one in Q3, looked at on 1 Dec: Q4 still open.
    (3, [D(2023, 2, 1), D(2023, 8, 30)], D(2023, 12, 1), ["ok", "missing", "ok", "pending"]),
    (3, [], D(2024, 1, 1), ["missing"] * 4),
    (6, [D(2023, 12, 31)], D(2024, 1, 1), ["missing", "ok"]),
])
def test_R10_5_cadence_windows(cadence, meetings, today, statuses):
    windows = rules.cadence_windows(cadence, D(2023, 1, 1), D(2023, 12, 31), meetings, today)
    assert [w.status for w in windows] == statuses
    assert windows[0].start == D(2023, 1, 1)
    assert windows[-1].end == D(2023, 12, 31)


def test_R10_5_monthly_cadence_has_twelve_windows_with_exact_bounds():
    windows = rules.cadence_windows(1, D(2023, 1, 1), D(2023, 12, 31), [D(2023, 2, 28)], D(2024, 1, 1))
    assert len(windows) == 12
    assert (windows[1].start, windows[1].end, windows[1].held) == (D(2023, 2, 1), D(2023, 2, 28), 1)


@pytest.mark.parametrize("present,roster,valid", [(6, 10, True), (5, 10, False), (3, 5, True), (0, 0, False)])
def test_R10_5_branch_meeting_needs_more_than_half_present(present, roster, valid):
    assert rules.branch_meeting_quorum(present, roster) is valid


@pytest.mark.parametrize("held,today,status", [
    (D(2023, 3, 10), D(2023, 3, 11), "held"),
    (D(2023, 3, 25), D(2023, 3, 31), "late"),
    (D(2023, 3, 1), D(2023, 3, 31), "early"),
    (None, D(2023, 3, 16), "missing"),
    (None, D(2023, 3, 15), "pending"),
])
def test_R10_6_theme_day_status_against_the_window(held, today, status):
    assert rules.theme_day_status(D(2023, 3, 5), D(2023, 3, 15), held, today) == status


@pytest.mark.parametrize("start,end,key", [
    (D(2023, 1, 1), D(2023, 1, 31), "M2023-01"),
    (D(2023, 4, 1), D(2023, 6, 30), "Q2023-2"),
    (D(2023, 1, 1), D(2023, 12, 31), "Y2023"),
    (D(2023, 1, 1), D(2023, 4, 27), None),
    (D(2023, 2, 1), D(2023, 4, 30), None),
    (D(2023, 1, 2), D(2023, 1, 31), None),
])
def test_period_of_range_only_for_whole_months_quarters_years(start, end, key):
    assert rules.period_of_range(start, end) == key
    if key:
        assert rules.period_range(key) == (start, end)


def test_period_keys_of_a_day():
    assert rules.period_keys(D(2023, 11, 5)) == ("M2023-11", "Q2023-4", "Y2023")
