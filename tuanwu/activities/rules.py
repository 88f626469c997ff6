"""The participation definitions and R10.1–R10.6 as pure functions (docs/activities.md).

A record is ``(person_id or None for a guest, on_roster, status)`` with status one of
``present``, ``absent``, ``excused``, ``not_recorded``. The roster is the membership on the
activity's date (a snapshot taken when it is recorded), never today's.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PRESENT, ABSENT, EXCUSED, NOT_RECORDED = "present", "absent", "excused", "not_recorded"
Record = tuple[int | None, bool, str]


@dataclass(frozen=True)
class Rate:
    """A ratio kept as its two counts, so that sums over units stay exact."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> str:
        """One decimal place, '—' when there is nothing to divide by."""
        if not self.denominator:
            return "—"
        value = (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{value}%"

    def __str__(self):
        return f"{self.numerator}/{self.denominator}（{self.percent}）"


# ---------------------------------------------------------------------------------------------
# The definitions


def person_times(records: Iterable[Record]) -> int:
    """人次: present records, members and guests alike."""
    return sum(1 for _, _, status in records if status == PRESENT)


def people_count(records: Iterable[Record]) -> int:
    """人数: distinct persons present (guests have no identity and are not counted)."""
    return len({pid for pid, _, status in records if status == PRESENT and pid is not None})


def coverage(records: Iterable[Record]) -> Rate:
    """覆盖率: roster members present at least once ÷ distinct roster members (over every record
    of the period: a person on several rosters counts once)."""
    records = list(records)
    roster = {pid for pid, on_roster, _ in records if on_roster and pid is not None}
    present = {pid for pid, _, status in records if status == PRESENT and pid is not None}
    return Rate(len(roster & present), len(roster))


def attendance_rate(records: Iterable[Record]) -> Rate:
    """出勤率: present ÷ (present + absent + excused), over the roster; not-recorded rows are left
    out, so an unmarked absence does not lower it (completeness shows that instead)."""
    counts = {PRESENT: 0, ABSENT: 0, EXCUSED: 0}
    for _, on_roster, status in records:
        if on_roster and status in counts:
            counts[status] += 1
    return Rate(counts[PRESENT], counts[PRESENT] + counts[ABSENT] + counts[EXCUSED])


def completeness(records: Iterable[Record]) -> Rate:
    """记录完整率: roster rows with a mark (present, absent or excused) ÷ roster rows."""
    roster = [status for _, on_roster, status in records if on_roster]
    return Rate(sum(1 for s in roster if s != NOT_RECORDED), len(roster))


# ---------------------------------------------------------------------------------------------
# R10.1 weekly study, paused in school holidays


def in_holiday(day: datetime.date, holidays: Sequence[tuple[datetime.date, datetime.date]]) -> bool:
    return any(start <= day <= end for start, end in holidays)


def weekly_schedule(first_day: datetime.date, count: int,
                    holidays: Sequence[tuple[datetime.date, datetime.date]]) -> list[datetime.date]:
    """R10.1: ``count`` weekly publication dates from ``first_day``, skipping the weeks that fall
    in a school holiday (the season pauses and resumes the week after)."""
    if count < 0:
        raise ValueError("count must not be negative")
    days: list[datetime.date] = []
    day = first_day
    # A bound so that a holiday list covering the whole future cannot loop forever.
    for _ in range(count + 520):
        if len(days) == count:
            break
        if not in_holiday(day, holidays):
            days.append(day)
        day += datetime.timedelta(days=7)
    return days


# ---------------------------------------------------------------------------------------------
# R10.2–R10.4


def branch_participation(studied: Iterable[int], roster: Iterable[int]) -> Rate:
    """R10.2: members who studied ÷ members of the branch at that time. A roster member without a
    study record counts as not studied; a study record of someone not on the roster (joined later,
    moved in) does not count."""
    roster_set = set(roster)
    return Rate(len(set(studied) & roster_set), len(roster_set))


def individual_rate(episodes: Iterable[tuple[int, datetime.date]], studied: Iterable[int],
                    member_from: datetime.date, member_until: datetime.date | None) -> Rate:
    """R10.3: episodes studied ÷ episodes published while a member (from joining to leaving,
    both inclusive; ``member_until`` None: still a member)."""
    eligible = {eid for eid, published in episodes
                if published >= member_from and (member_until is None or published <= member_until)}
    return Rate(len(eligible & set(studied)), len(eligible))


@dataclass(frozen=True)
class Figures:
    """R10.4: person-times and coverage are different figures, reported side by side."""

    sessions: int
    person_times: int
    people: int
    coverage: Rate
    attendance: Rate
    completeness: Rate


def figures(sessions: int, records: Sequence[Record]) -> Figures:
    return Figures(sessions=sessions, person_times=person_times(records), people=people_count(records),
                   coverage=coverage(records), attendance=attendance_rate(records),
                   completeness=completeness(records))


# ---------------------------------------------------------------------------------------------
# R10.5 三会两制一课


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date
    held: int
    status: str  # ok, missing, pending

    @property
    def status_label(self) -> str:
        return {"ok": "已开展", "missing": "未开展", "pending": "进行中"}[self.status]


def cadence_windows(cadence_months: int, start: datetime.date, end: datetime.date,
                    meetings: Iterable[datetime.date], today: datetime.date) -> list[Window]:
    """R10.5: split [start, end] into windows of ``cadence_months`` months; each window expects at
    least one meeting. A window not yet over without a meeting is ``pending``, not missing."""
    if cadence_months < 1:
        raise ValueError("cadence must be at least one month")
    dates = sorted(meetings)
    windows = []
    window_start = start
    while window_start <= end:
        window_end = min(add_months(window_start, cadence_months) - datetime.timedelta(days=1), end)
        held = sum(1 for d in dates if window_start <= d <= window_end)
        status = "ok" if held else ("pending" if window_end >= today else "missing")
        windows.append(Window(window_start, window_end, held, status))
        window_start = window_end + datetime.timedelta(days=1)
    return windows


def branch_meeting_quorum(present: int, roster: int) -> bool:
    """R10.5: a 支部大会 is valid with more than half of the members present."""
    return roster > 0 and present * 2 > roster


# ---------------------------------------------------------------------------------------------
# R10.6 monthly theme day "三统一"

THEME_STATUS_LABELS = {"held": "按时开展", "late": "逾期开展", "early": "未在统一时间开展", "missing": "未开展",
                       "pending": "待开展"}


def theme_day_status(window_start: datetime.date, window_end: datetime.date, held_on: datetime.date | None,
                     today: datetime.date) -> str:
    """R10.6: the status of one branch against the month's window."""
    if held_on is None:
        return "missing" if today > window_end else "pending"
    if held_on < window_start:
        return "early"
    if held_on > window_end:
        return "late"
    return "held"


# ---------------------------------------------------------------------------------------------
# Periods of the aggregates


def period_keys(day: datetime.date) -> tuple[str, str, str]:
    """The month, quarter and year an activity on ``day`` counts in."""
    return f"M{day:%Y-%m}", f"Q{day.year}-{(day.month - 1) // 3 + 1}", f"Y{day.year}"


def period_of_range(start: datetime.date, end: datetime.date) -> str | None:
    """The aggregate period equal to [start, end], or None when the range is not exactly one
    calendar month, quarter or year (then statistics scan the raw rows)."""
    if start.day != 1 or end < start:
        return None
    last = calendar.monthrange(end.year, end.month)[1]
    if end.day != last:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return f"M{start:%Y-%m}"
    if months == 3 and start.month in (1, 4, 7, 10):
        return f"Q{start.year}-{(start.month - 1) // 3 + 1}"
    if months == 12 and start.month == 1:
        return f"Y{start.year}"
    return None


def period_range(key: str) -> tuple[datetime.date, datetime.date]:
    if key.startswith("M"):
        year, month = map(int, key[1:].split("-"))
        return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
    if key.startswith("Q"):
        year, quarter = map(int, key[1:].split("-"))
        start = datetime.date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        return start, datetime.date(year, end_month, calendar.monthrange(year, end_month)[1])
    year = int(key[1:])
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
