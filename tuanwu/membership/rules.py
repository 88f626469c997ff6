"""League membership rules (../shared/domain/rules.md R1.1–R1.4, R2.14) as pure functions.

Configurable values (the minimum join age) are parameters; callers read them with
``get_rule``. Refusals are returned as Chinese messages (None when allowed).
"""

from __future__ import annotations

import datetime
import re

from tuanwu.organisations.rules import add_years

from .models import EXIT_STATUSES, Status

# R1.1 / R1.3: membership ends at 28 full years (团章: 年满二十八周岁), not configurable.
MAX_AGE = 28


# ---------------------------------------------------------------------------------------------
# R1.1 age


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """R1.1: age in full years (周岁) from the birth date, never 虚岁."""
    years = on.year - birth_date.year
    return years - 1 if add_years(birth_date, years) > on else years


def join_age_refusal(birth_date: datetime.date, joined_on: datetime.date, *, min_age: int,
                     legacy: bool = False) -> str | None:
    """R1.1: a member joins between ``min_age`` and 28 full years.

    ``legacy`` accepts records from before 2017 whose members joined younger than today's
    minimum (kept as they were, never re-judged).
    """
    age = age_on(birth_date, joined_on)
    if age >= MAX_AGE:
        return f"入团时已满 {MAX_AGE} 周岁（{age} 周岁），不能入团"
    if age < min_age and not (legacy and joined_on.year < 2017):
        return f"入团时未满 {min_age} 周岁（{age} 周岁），不能入团"
    return None


# ---------------------------------------------------------------------------------------------
# R1.2 statuses and transitions

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.APPLICANT: frozenset({Status.ACTIVIST}),
    Status.ACTIVIST: frozenset({Status.CANDIDATE}),
    Status.CANDIDATE: frozenset({Status.MEMBER, Status.ACTIVIST}),
    Status.MEMBER: frozenset({
        Status.PARTY_MEMBER_KEEPING, Status.PROBATION, Status.REGISTRATION_DEFERRED, Status.AGED_OUT,
        Status.WITHDRAWN, Status.LAPSED, Status.EXPELLED,
    }),
    Status.PARTY_MEMBER_KEEPING: frozenset({Status.AGED_OUT, Status.WITHDRAWN, Status.EXPELLED}),
    Status.PROBATION: frozenset({Status.MEMBER, Status.AGED_OUT, Status.WITHDRAWN, Status.LAPSED, Status.EXPELLED}),
    Status.REGISTRATION_DEFERRED: frozenset({
        Status.MEMBER, Status.PROBATION, Status.AGED_OUT, Status.WITHDRAWN, Status.LAPSED, Status.EXPELLED,
    }),
    Status.AGED_OUT: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.LAPSED: frozenset(),
    Status.EXPELLED: frozenset(),
}

# Statuses from which the person must have a national ID number (the issue: 入团积极分子 on).
ID_REQUIRED_STATUSES = frozenset(s for s in Status if s != Status.APPLICANT)


def label(status: str) -> str:
    return Status(status).label


def transition_refusal(from_status: str, to_status: str) -> str | None:
    """R1.2: the allowed-transitions map; an illegal move gets a Chinese explanation."""
    if from_status == to_status:
        return f"已经是“{label(to_status)}”状态"
    if from_status in EXIT_STATUSES:
        return f"“{label(from_status)}”是离团状态，不能再变更团籍状态"
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        allowed = "、".join(label(s) for s in Status if s in TRANSITIONS.get(from_status, ()))
        return f"不能从“{label(from_status)}”直接变更为“{label(to_status)}”" + (f"（可变更为：{allowed}）" if allowed else "")
    return None


def exit_record_refusal(to_status: str, exit_on: datetime.date | None, reason: str) -> str | None:
    """R1.2: every exit records its date and reason."""
    if to_status in EXIT_STATUSES:
        if exit_on is None:
            return f"办理“{label(to_status)}”须填写离团日期"
        if not (reason or "").strip():
            return f"办理“{label(to_status)}”须填写原因"
    return None


# ---------------------------------------------------------------------------------------------
# R1.3 / R1.4 leaving at 28


def must_leave_for_age(birth_date: datetime.date, on: datetime.date, *, holds_post: bool) -> bool:
    """R1.3: at 28 full years a member leaves unless holding a League post (团内职务) that day."""
    return age_on(birth_date, on) >= MAX_AGE and not holds_post


def aged_out_refusal(birth_date: datetime.date, on: datetime.date, *, holds_post: bool) -> str | None:
    """R1.3: 超龄离团 only once 28 and without a current post."""
    if age_on(birth_date, on) < MAX_AGE:
        return f"未满 {MAX_AGE} 周岁，不能办理超龄离团"
    if holds_post:
        return "该同志担任团内职务，年满 28 周岁后仍保留团籍"
    return None


def party_member_keeps_membership(birth_date: datetime.date, on: datetime.date, *, holds_post: bool) -> bool:
    """R1.4: a member who joins the Party keeps League membership until 28, on R1.3's condition."""
    return not must_leave_for_age(birth_date, on, holds_post=holds_post)


def party_keeping_refusal(birth_date: datetime.date, on: datetime.date, *, holds_post: bool) -> str | None:
    """R1.4: becoming 保留团籍的党员 is refused when the person should leave the League instead."""
    if not party_member_keeps_membership(birth_date, on, holds_post=holds_post):
        return f"已满 {MAX_AGE} 周岁且未担任团内职务，入党后不再保留团籍，应办理超龄离团"
    return None


# ---------------------------------------------------------------------------------------------
# R2.14 development number

_DIGITS_12 = re.compile(r"^[0-9]{12}$")
_DIGITS_8 = re.compile(r"^[0-9]{8}$")
XINJIANG_DIVISION_PREFIX = "65"


def development_number_required_from(division_code: str) -> int:
    """First join year that needs a 发展团员编号: 2017, or 2016 in Xinjiang (division code 65…)."""
    return 2016 if (division_code or "").startswith(XINJIANG_DIVISION_PREFIX) else 2017


def development_number_refusal(number: str, joined_on: datetime.date | None, division_code: str) -> str | None:
    """R2.14: required for joins from 2017 (2016 in Xinjiang); 12 digits; the first 4 digits are
    the join year, 2017 and 2018 being interchangeable for joins in those two years."""
    number = (number or "").strip()
    if joined_on is None:
        return None if not number or _DIGITS_12.match(number) else "发展团员编号应为 12 位数字"
    required = joined_on.year >= development_number_required_from(division_code)
    if not number:
        return f"{joined_on.year} 年入团的团员须填写发展团员编号" if required else None
    if not _DIGITS_12.match(number):
        return "发展团员编号应为 12 位数字"
    if required:
        allowed = {"2017", "2018"} if joined_on.year in (2017, 2018) else {str(joined_on.year)}
        if number[:4] not in allowed:
            expected = "2017 或 2018" if len(allowed) == 2 else str(joined_on.year)
            return f"发展团员编号前 4 位应为入团年份（{expected}），实为 {number[:4]}"
    return None


def member_card_number_refusal(number: str) -> str | None:
    """The 团员证号 is a separate 8-digit number (R2.14), optional."""
    number = (number or "").strip()
    if number and not _DIGITS_8.match(number):
        return "团员证号应为 8 位数字"
    return None
