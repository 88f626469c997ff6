"""Structural rules of the organisation tree and term lengths (pure functions).

The allowed-children table is documented in docs/tree.md; a test keeps the two in step.
"""

from __future__ import annotations

import datetime


class Kind:
    LEAGUE_PROVINCE = "league_province"
    LEAGUE_CITY = "league_city"
    LEAGUE_COUNTY = "league_county"
    COMMITTEE = "committee"
    WORKING_COMMITTEE = "working_committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    SCHOOL = "school"
    PIONEER_BRIGADE = "pioneer_brigade"
    PIONEER_SQUADRON = "pioneer_squadron"
    PARTY_COMMITTEE = "party_committee"
    PARTY_GENERAL_BRANCH = "party_general_branch"
    PARTY_BRANCH = "party_branch"


KIND_LABELS = {
    Kind.LEAGUE_PROVINCE: "团省委",
    Kind.LEAGUE_CITY: "团市委",
    Kind.LEAGUE_COUNTY: "团县委",
    Kind.COMMITTEE: "团委",
    Kind.WORKING_COMMITTEE: "团工委",
    Kind.GENERAL_BRANCH: "团总支",
    Kind.BRANCH: "团支部",
    Kind.SCHOOL: "学校",
    Kind.PIONEER_BRIGADE: "少先队大队",
    Kind.PIONEER_SQUADRON: "少先队中队",
    Kind.PARTY_COMMITTEE: "党委",
    Kind.PARTY_GENERAL_BRANCH: "党总支",
    Kind.PARTY_BRANCH: "党支部",
}

PARTY_KINDS = frozenset({Kind.PARTY_COMMITTEE, Kind.PARTY_GENERAL_BRANCH, Kind.PARTY_BRANCH})
PIONEER_KINDS = frozenset({Kind.PIONEER_BRIGADE, Kind.PIONEER_SQUADRON})
LEAGUE_LEADING_KINDS = frozenset({Kind.LEAGUE_PROVINCE, Kind.LEAGUE_CITY, Kind.LEAGUE_COUNTY})
BRANCH_KINDS = frozenset({Kind.BRANCH})
COMMITTEE_KINDS = frozenset({Kind.COMMITTEE, Kind.WORKING_COMMITTEE})

# Kinds that may stand at the top of a tree.
ROOT_KINDS = frozenset({Kind.LEAGUE_PROVINCE, Kind.LEAGUE_CITY, Kind.LEAGUE_COUNTY, Kind.PARTY_COMMITTEE})

ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    Kind.LEAGUE_PROVINCE: frozenset({Kind.LEAGUE_CITY, Kind.WORKING_COMMITTEE, Kind.COMMITTEE}),
    Kind.LEAGUE_CITY: frozenset({Kind.LEAGUE_COUNTY, Kind.WORKING_COMMITTEE, Kind.COMMITTEE, Kind.SCHOOL}),
    Kind.LEAGUE_COUNTY: frozenset(
        {Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH, Kind.SCHOOL}
    ),
    Kind.WORKING_COMMITTEE: frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH, Kind.SCHOOL}),
    Kind.COMMITTEE: frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH}),
    Kind.GENERAL_BRANCH: frozenset({Kind.BRANCH}),
    Kind.BRANCH: frozenset(),
    Kind.SCHOOL: frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH, Kind.PIONEER_BRIGADE}),
    Kind.PIONEER_BRIGADE: frozenset({Kind.PIONEER_SQUADRON}),
    Kind.PIONEER_SQUADRON: frozenset(),
    Kind.PARTY_COMMITTEE: frozenset({Kind.PARTY_COMMITTEE, Kind.PARTY_GENERAL_BRANCH, Kind.PARTY_BRANCH}),
    Kind.PARTY_GENERAL_BRANCH: frozenset({Kind.PARTY_BRANCH}),
    Kind.PARTY_BRANCH: frozenset(),
}


def child_allowed(parent_kind: str | None, child_kind: str) -> bool:
    """May a unit of ``child_kind`` sit under ``parent_kind`` (None: at the top)?"""
    if parent_kind is None:
        return child_kind in ROOT_KINDS
    return child_kind in ALLOWED_CHILDREN.get(parent_kind, frozenset())


def child_refusal(parent_kind: str | None, child_kind: str) -> str | None:
    """The Chinese reason a placement is refused, or None when it is allowed."""
    if child_allowed(parent_kind, child_kind):
        return None
    child = KIND_LABELS.get(child_kind, child_kind)
    if parent_kind is None:
        return f"{child}不能作为顶层组织"
    parent = KIND_LABELS.get(parent_kind, parent_kind)
    allowed = "、".join(KIND_LABELS[k] for k in sorted(ALLOWED_CHILDREN.get(parent_kind, ()), key=list(KIND_LABELS).index))
    return f"{parent}下不能设立{child}" + (f"（可设立：{allowed}）" if allowed else "（该类组织不设下级）")


def term_years(kind: str, *, is_student_branch: bool, branch_years: int, student_branch_years: int,
               committee_years: int, county_congress_years: int) -> int | None:
    """R7.1: the term length for a unit kind; None for kinds that hold no League elections."""
    if kind in (Kind.BRANCH, Kind.GENERAL_BRANCH):
        return student_branch_years if is_student_branch else branch_years
    if kind in COMMITTEE_KINDS:
        return committee_years
    if kind in LEAGUE_LEADING_KINDS:
        return county_congress_years
    return None


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    import calendar

    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def term_due_for_reminder(planned_end: datetime.date, today: datetime.date, reminder_months: int) -> bool:
    """R7.2: remind from ``reminder_months`` before the planned end (and after it, when overdue)."""
    return today >= add_months(planned_end, -reminder_months)
