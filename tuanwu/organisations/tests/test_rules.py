"""Pure rules of the tree and of terms, table-driven."""

import datetime

import pytest

from tuanwu.organisations.rules import (
    ALLOWED_CHILDREN,
    KIND_LABELS,
    Kind,
    add_months,
    add_years,
    child_allowed,
    child_refusal,
    term_due_for_reminder,
    term_years,
)

D = datetime.date


@pytest.mark.parametrize(
    "parent,child,allowed",
    [
        (None, Kind.LEAGUE_COUNTY, True),
        (None, Kind.PARTY_COMMITTEE, True),
        (None, Kind.BRANCH, False),
        (Kind.LEAGUE_COUNTY, Kind.COMMITTEE, True),
        (Kind.LEAGUE_COUNTY, Kind.SCHOOL, True),
        (Kind.LEAGUE_COUNTY, Kind.PIONEER_BRIGADE, False),
        (Kind.SCHOOL, Kind.PIONEER_BRIGADE, True),
        (Kind.SCHOOL, Kind.BRANCH, True),
        (Kind.PIONEER_BRIGADE, Kind.PIONEER_SQUADRON, True),
        (Kind.PIONEER_BRIGADE, Kind.BRANCH, False),
        (Kind.BRANCH, Kind.BRANCH, False),
        (Kind.GENERAL_BRANCH, Kind.BRANCH, True),
        (Kind.COMMITTEE, Kind.PARTY_BRANCH, False),
        (Kind.PARTY_COMMITTEE, Kind.PARTY_BRANCH, True),
        (Kind.PARTY_COMMITTEE, Kind.BRANCH, False),
    ],
)
def test_allowed_children(parent, child, allowed):
    assert child_allowed(parent, child) is allowed


def test_every_kind_has_a_children_entry_and_label():
    assert set(ALLOWED_CHILDREN) == set(KIND_LABELS)


def test_refusal_messages_are_chinese_and_name_the_alternatives():
    assert child_refusal(Kind.BRANCH, Kind.BRANCH) == "团支部下不能设立团支部（该类组织不设下级）"
    assert child_refusal(Kind.PIONEER_BRIGADE, Kind.BRANCH) == "少先队大队下不能设立团支部（可设立：少先队中队）"
    assert child_refusal(None, Kind.BRANCH) == "团支部不能作为顶层组织"
    assert child_refusal(Kind.SCHOOL, Kind.BRANCH) is None


SETTINGS = dict(branch_years=3, student_branch_years=1, committee_years=5, county_congress_years=5)


@pytest.mark.parametrize(
    "kind,student,years",
    [
        (Kind.BRANCH, False, 3),
        (Kind.BRANCH, True, 1),
        (Kind.GENERAL_BRANCH, False, 3),
        (Kind.COMMITTEE, False, 5),
        (Kind.WORKING_COMMITTEE, False, 5),
        (Kind.LEAGUE_COUNTY, False, 5),
        (Kind.SCHOOL, False, None),
        (Kind.PIONEER_BRIGADE, False, None),
        (Kind.PARTY_BRANCH, False, None),
    ],
)
def test_R7_1_term_lengths_by_kind(kind, student, years):
    assert term_years(kind, is_student_branch=student, **SETTINGS) == years


def test_R7_1_term_lengths_follow_the_configured_values():
    assert term_years(Kind.COMMITTEE, is_student_branch=False, **{**SETTINGS, "committee_years": 3}) == 3
    assert term_years(Kind.BRANCH, is_student_branch=True, **{**SETTINGS, "student_branch_years": 2}) == 2


@pytest.mark.parametrize(
    "end,today,months,due",
    [
        (D(2028, 2, 18), D(2027, 8, 17), 6, False),
        (D(2028, 2, 18), D(2027, 8, 18), 6, True),
        (D(2028, 2, 18), D(2028, 1, 17), 1, False),
        (D(2028, 2, 18), D(2028, 1, 18), 1, True),
        (D(2026, 1, 1), D(2026, 11, 27), 6, True),  # overdue stays due
    ],
)
def test_R7_2_reminder_before_term_end(end, today, months, due):
    assert term_due_for_reminder(end, today, months) is due


def test_date_arithmetic_handles_month_ends_and_leap_days():
    assert add_months(D(2026, 8, 31), -6) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
