"""The League's rules on cadres (R8), as pure functions.

Configurable values (the minimum length of a 挂职, the age ceiling) are parameters: callers read
them with ``tuanwu.core.rule_settings.get_rule`` and pass them in, so these functions can be
tested table by table without a database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from enum import StrEnum

from tuanwu.organisations.rules import add_years
from tuanwu.people.models import age_in_full_years


class CadreKind(StrEnum):
    """R8.1. 专职 are paid League staff (normally in the establishment); 挂职 are seconded in and
    paid by their home employer; 兼职 hold the post beside another job, unpaid and without rank."""

    FULL_TIME = "full_time"
    SECONDED = "seconded"
    PART_TIME = "part_time"


KIND_LABELS = {CadreKind.FULL_TIME: "专职", CadreKind.SECONDED: "挂职", CadreKind.PART_TIME: "兼职"}


class MoveKind(StrEnum):
    """R8.3. The ways a cadre is taken away from the post for a while."""

    BORROWED = "borrowed"  # 借调
    DRAWN = "drawn"  # 抽调
    SECONDED_OUT = "seconded_out"  # 挂职外出


MOVE_LABELS = {MoveKind.BORROWED: "借调", MoveKind.DRAWN: "抽调", MoveKind.SECONDED_OUT: "挂职外出"}


# ---------------------------------------------------------------------------------------------
# R8.1 kinds


def terms_refusal(*, kind: str, in_establishment: bool, home_employer: str, started_on: datetime.date,
                  planned_end_on: datetime.date | None, rank: str) -> tuple[str, str] | None:
    """Why these cadre terms are inconsistent, as (field, Chinese message), or None.

    Only a 专职 post can be in the establishment (R8.2); a 挂职 names the employer that keeps
    paying the cadre and its planned end (its length is checked against the minimum separately,
    as an irregular case, because the appointing document may already fix a shorter term); a
    兼职 post carries no rank (R8.1).
    """
    if kind not in set(CadreKind):
        return "kind", "干部类型只能是专职、挂职或兼职"
    if in_establishment and kind != CadreKind.FULL_TIME:
        return "in_establishment", f"{KIND_LABELS[CadreKind(kind)]}团干部不占编制：只有专职岗位可以计入编制"
    if kind == CadreKind.SECONDED:
        if not home_employer.strip():
            return "home_employer", "挂职团干部须填写派出单位（由派出单位发放工资）"
        if planned_end_on is None:
            return "planned_end_on", "挂职团干部须填写挂职期满日期"
        if planned_end_on <= started_on:
            return "planned_end_on", "挂职期满日期应晚于任职日期"
    elif home_employer.strip():
        return "home_employer", "只有挂职团干部填写派出单位"
    if kind == CadreKind.PART_TIME and rank.strip():
        return "rank", "兼职团干部不定职级"
    return None


def secondment_too_short(started_on: datetime.date, planned_end_on: datetime.date | None, min_years: int) -> bool:
    """R8.1: a 挂职 planned to end before ``min_years`` full years from its start."""
    if planned_end_on is None or min_years <= 0:
        return False
    return planned_end_on < add_years(started_on, min_years)


# ---------------------------------------------------------------------------------------------
# R8.2 establishment counting


def counts_against_establishment(kind: str, in_establishment: bool) -> bool:
    """R8.2: only 专职 posts in the establishment use it; part-time and seconded posts stand outside."""
    return kind == CadreKind.FULL_TIME and bool(in_establishment)


def establishment_used(posts: Iterable[tuple[str, bool]]) -> int:
    """How many establishment places ``posts`` ((kind, in_establishment) pairs, current ones) use."""
    return sum(1 for kind, in_establishment in posts if counts_against_establishment(kind, in_establishment))


def over_quota(used: int, quota: int | None) -> int:
    """Places used beyond the quota (0 when within it, or when the unit has no quota recorded)."""
    if quota is None:
        return 0
    return max(0, used - quota)


def vacancies(quota_count: int, holders: int) -> int:
    """Unfilled places of one position: the quota's count minus its current holders."""
    return max(0, quota_count - holders)


# ---------------------------------------------------------------------------------------------
# R8.3 secondment and borrowing of full-time cadres


def secondment_refusal(*, cadre_kind: str, approval_number: str, approval_date: datetime.date | None,
                       started_on: datetime.date, planned_end_on: datetime.date | None) -> tuple[str, str] | None:
    """Why a cadre may not be moved away like this, as (field, Chinese message), or None.

    R8.3: a 专职 cadre may be borrowed (借调), drawn (抽调) or seconded out only with the county
    party committee's approval, recorded by its document number and date, given before the move.
    """
    if planned_end_on is not None and planned_end_on < started_on:
        return "planned_end_on", "预计结束日期不能早于开始日期"
    if cadre_kind != CadreKind.FULL_TIME:
        return None
    if not approval_number.strip() or approval_date is None:
        return ("approval_number",
                "专职团干部借调、抽调或挂职外出须经县委批准：请填写县委批准文号和批准日期，未经批准不能办理")
    if approval_date > started_on:
        return "approval_date", "县委批准日期不能晚于借调开始日期：须先批准、后借调"
    return None


def secondment_lacks_approval(*, cadre_kind: str, approval_number: str, approval_date: datetime.date | None) -> bool:
    """An irregular case: a full-time cadre away from the post with no approval on record."""
    return cadre_kind == CadreKind.FULL_TIME and (not approval_number.strip() or approval_date is None)


# ---------------------------------------------------------------------------------------------
# R8.4 age ceiling


def over_age_ceiling(birth_date: datetime.date, on: datetime.date, ceiling: int) -> bool:
    """R8.4: older (in full years, 周岁) than the configured ceiling; 0 means no ceiling."""
    if ceiling <= 0:
        return False
    return age_in_full_years(birth_date, on) > ceiling


# ---------------------------------------------------------------------------------------------
# League work duration (R9.7 reads it for non-establishment cadres)


def league_work_days(intervals: Iterable[tuple[datetime.date, datetime.date | None]], on: datetime.date) -> int:
    """Days of League work up to ``on``: the union of the post intervals (start, end or None),
    so that two posts held at once count once. The end day is exclusive."""
    spans = sorted(
        (start, min(end, on) if end is not None else on) for start, end in intervals if start < on
    )
    total = 0
    current_start: datetime.date | None = None
    current_end: datetime.date | None = None
    for start, end in spans:
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days
    return total


def has_league_work_years(days: int, on: datetime.date, min_years: int) -> bool:
    """At least ``min_years`` years of League work by ``on``: a post held continuously from the
    same calendar day ``min_years`` years earlier is exactly enough."""
    return days >= (on - add_years(on, -min_years)).days


# Appraisal grades of cadres (年度考核等次), best first.
GRADES = ("优秀", "称职", "基本称职", "不称职")
EXCELLENT = "优秀"
