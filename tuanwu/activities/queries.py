"""Reads: statistics for any subtree × period × kind, study rates, rankings, trends, the theme-day
board and 三会两制一课 compliance. Pages, the API, the demo figures and the benchmark all read
through these functions.

Whole months, quarters and years read one aggregate row; any other period scans the raw rows
(one SQL statement) and says so (``Stats.source``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Min, QuerySet
from django.utils import timezone

from tuanwu.core.rule_settings import get_rule
from tuanwu.membership.models import Membership
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind

from . import rules
from .models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    MonthlyTheme,
    StudyEpisode,
    SubtreeEpisodeStat,
    SubtreePeriodStat,
)
from .rules import Rate

ARTICLE_PERIOD = (datetime.date(2023, 1, 1), datetime.date(2023, 4, 27))


def visible_activities(user, permission: str = access.VIEW) -> QuerySet[Activity]:
    return access.visible_to(user, Activity.objects.all(), permission).select_related("unit")


@dataclass(frozen=True)
class Stats:
    sessions: int
    person_times: int
    persons: int
    coverage: Rate
    attendance: Rate
    completeness: Rate
    source: str  # aggregate, raw

    @property
    def source_label(self) -> str:
        return "汇总表（整月/季/年）" if self.source == "aggregate" else "原始记录实时计算（非整月、季或年）"

    def as_dict(self) -> dict:
        return {
            "sessions": self.sessions, "person_times": self.person_times, "persons": self.persons,
            "covered": self.coverage.numerator, "roster_persons": self.coverage.denominator,
            "coverage": self.coverage.percent, "attendance": self.attendance.percent,
            "completeness": self.completeness.percent, "source": self.source,
        }


def stats(unit: Unit, start: datetime.date, end: datetime.date, kind: str = "") -> Stats:
    """Sessions, 人次, 人数, 覆盖率, 出勤率 and 记录完整率 of the activities organised in ``unit``'s
    subtree from ``start`` to ``end`` (inclusive), of one kind or ('') all kinds."""
    period = rules.period_of_range(start, end)
    if period is not None:
        row = SubtreePeriodStat.objects.filter(unit=unit, kind=kind, period=period).first()
        if row is None:
            return Stats(0, 0, 0, Rate(0, 0), Rate(0, 0), Rate(0, 0), "aggregate")
        return Stats(row.sessions, row.person_times, row.persons, Rate(row.covered, row.roster_persons),
                     Rate(row.present_roster, row.recorded), Rate(row.recorded, row.roster_rows), "aggregate")
    return raw_stats(unit, start, end, kind)


def _local_bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    hi = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz)
    return lo, hi


RAW_SQL = """
WITH acts AS (
  SELECT a.id FROM activities_activity a JOIN organisations_unit u ON u.id = a.unit_id
  WHERE u.path LIKE %(prefix)s AND a.starts_at >= %(lo)s AND a.starts_at < %(hi)s
    AND (%(kind)s = '' OR a.kind = %(kind)s)
), rows AS (
  SELECT t.person_id, t.on_roster, t.status FROM activities_attendance t JOIN acts ON acts.id = t.activity_id
), per_person AS (
  SELECT person_id, bool_or(on_roster) AS r, bool_or(status = 'present') AS p
  FROM rows WHERE person_id IS NOT NULL GROUP BY person_id
)
SELECT (SELECT count(*) FROM acts),
       (SELECT count(*) FROM rows WHERE status = 'present'),
       (SELECT count(*) FROM per_person WHERE p),
       (SELECT count(*) FROM per_person WHERE r AND p),
       (SELECT count(*) FROM per_person WHERE r),
       (SELECT count(*) FROM rows WHERE on_roster AND status = 'present'),
       (SELECT count(*) FROM rows WHERE on_roster AND status IN ('present', 'absent', 'excused')),
       (SELECT count(*) FROM rows WHERE on_roster)
"""


def raw_stats(unit: Unit, start: datetime.date, end: datetime.date, kind: str = "") -> Stats:
    lo, hi = _local_bounds(start, end)
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, {"prefix": unit.path + "%", "lo": lo, "hi": hi, "kind": kind or ""})
        sessions, times, persons, covered, roster, present_roster, recorded, roster_rows = cursor.fetchone()
    return Stats(sessions, times, persons, Rate(covered, roster), Rate(present_roster, recorded),
                 Rate(recorded, roster_rows), "raw")


def stats_by_kind(unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple[str, str, Stats]]:
    """One row per activity kind that has sessions, then the total ('', '全部')."""
    rows = []
    for value, label in ActivityKind.choices:
        found = stats(unit, start, end, value)
        if found.sessions:
            rows.append((value, label, found))
    rows.append(("", "全部类型", stats(unit, start, end, "")))
    return rows


def monthly_trend(unit: Unit, year: int, kind: str = "") -> list[tuple[str, SubtreePeriodStat | None]]:
    keys = [f"M{year}-{m:02d}" for m in range(1, 13)]
    found = {r.period: r for r in SubtreePeriodStat.objects.filter(unit=unit, kind=kind, period__in=keys)}
    return [(k, found.get(k)) for k in keys]


# ---------------------------------------------------------------------------------------------
# Study (R10.2–R10.4)


def episodes_for(unit: Unit, programme: str) -> QuerySet[StudyEpisode]:
    """Published episodes of seasons issued at or above ``unit`` (its county's, its city's…)."""
    prefixes = [unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
    return (StudyEpisode.objects.filter(season__county__path__in=prefixes, season__programme=programme,
                                        is_published=True)
            .select_related("season").order_by("published_on", "number"))


def episode_rate(unit: Unit, episode: StudyEpisode) -> Rate:
    """R10.2 rolled up: members of the subtree's branches who studied ÷ those branches' members at
    that time (one aggregate row)."""
    row = SubtreeEpisodeStat.objects.filter(unit=unit, episode=episode).values_list("present_roster", "roster").first()
    return Rate(*row) if row else Rate(0, 0)


def episode_trend(unit: Unit, programme: str, limit: int = 52) -> list[tuple[StudyEpisode, Rate, int]]:
    """The last ``limit`` episodes: (episode, 参学率, 人次), oldest first — one indexed query."""
    episodes = list(episodes_for(unit, programme).order_by("-published_on", "-number")[:limit])[::-1]
    rows = {e: (r, p, a) for e, r, p, a in SubtreeEpisodeStat.objects.filter(
        unit=unit, episode__in=episodes).values_list("episode_id", "roster", "present_roster", "present_all")}
    result = []
    for e in episodes:
        roster, present, times = rows.get(e.pk, (0, 0, 0))
        result.append((e, Rate(present, roster), times))
    return result


def episode_ranking(user, unit: Unit, episode: StudyEpisode) -> list[tuple[Unit, Rate, int]]:
    """The visible units one level below ``unit`` (or the unit itself when it has none), ranked by
    参学率 for the episode, highest first."""
    children = list(access.visible_units(user).filter(path__startswith=unit.path, depth=unit.depth + 1,
                                                      closed_on__isnull=True))
    if not children:
        children = [unit]
    rows = {u: (r, p, a) for u, r, p, a in SubtreeEpisodeStat.objects.filter(
        unit__in=children, episode=episode).values_list("unit_id", "roster", "present_roster", "present_all")}
    ranked = []
    for child in children:
        roster, present, times = rows.get(child.pk, (0, 0, 0))
        if roster:
            ranked.append((child, Rate(present, roster), times))
    ranked.sort(key=lambda x: (-(x[1].value or 0), -x[1].denominator, x[0].path))
    return ranked


@dataclass(frozen=True)
class IndividualRate:
    membership: Membership
    rate: Rate


def individual_rates(user, branch: Unit, programme: str = ActivityKind.YOUTH_STUDY,
                     until: datetime.date | None = None) -> list[IndividualRate]:
    """R10.3 for the current members of ``branch`` (visible to ``user``): episodes studied ÷
    episodes published while a member."""
    until = until or timezone.localdate()
    episodes = [(e.pk, e.published_on) for e in episodes_for(branch, programme).filter(published_on__lte=until)]
    members = list(access.visible_to(user, Membership.objects.filter(branch=branch, joined_on__isnull=False))
                   .select_related("person").order_by("person__name_pinyin", "pk"))
    studied: dict[int, set[int]] = defaultdict(set)
    for person_id, episode_id in Attendance.objects.filter(
        person_id__in=[m.person_id for m in members], status=AttendanceStatus.PRESENT,
        activity__episode_id__in=[e for e, _ in episodes],
    ).values_list("person_id", "activity__episode_id"):
        studied[person_id].add(episode_id)
    return [IndividualRate(m, rules.individual_rate(episodes, studied[m.person_id], m.joined_on, m.exit_on))
            for m in members]


# ---------------------------------------------------------------------------------------------
# Theme days (R10.6) and 三会两制一课 (R10.5)


@dataclass(frozen=True)
class BoardRow:
    unit: Unit
    status: str
    held_on: datetime.date | None
    activity_id: int | None

    @property
    def status_label(self) -> str:
        return rules.THEME_STATUS_LABELS[self.status]


def theme_board(user, root: Unit, theme: MonthlyTheme, today: datetime.date | None = None) -> list[BoardRow]:
    """Every open branch (or squadron) in ``root``'s subtree visible to ``user`` against one month's
    theme: held in the window, late, early, missing or pending."""
    today = today or timezone.localdate()
    kind = Kind.PIONEER_SQUADRON if theme.for_pioneers else Kind.BRANCH
    units = list(access.visible_units(user).filter(path__startswith=root.path, kind=kind, closed_on__isnull=True)
                 .order_by("path"))
    held = {}
    for unit_id, first, pk in (Activity.objects.filter(theme=theme, unit__in=units).values("unit_id")
                               .annotate(first=Min("starts_at"), pk=Min("pk")).values_list("unit_id", "first", "pk")):
        held[unit_id] = (timezone.localtime(first).date(), pk)
    rows = []
    for unit in units:
        day, pk = held.get(unit.pk, (None, None))
        rows.append(BoardRow(unit, rules.theme_day_status(theme.window_start, theme.window_end, day, today), day, pk))
    return rows


MEETING_KINDS = (
    (ActivityKind.BRANCH_MEETING, "study.branch_meeting_months"),
    (ActivityKind.COMMITTEE_MEETING, "study.committee_meeting_months"),
    (ActivityKind.GROUP_MEETING, "study.group_meeting_months"),
    (ActivityKind.LEAGUE_LESSON, "study.league_lesson_months"),
)


@dataclass(frozen=True)
class ComplianceRow:
    unit: Unit
    cells: list[tuple[str, int, int, int, list[rules.Window]]]  # kind label, due, held windows, meetings
    quorum_failures: int

    @property
    def missing(self) -> int:
        return sum(due - ok for _, due, ok, _, _ in self.cells)


def compliance(user, root: Unit, year: int, today: datetime.date | None = None) -> list[ComplianceRow]:
    """R10.5 for every visible open branch in ``root``'s subtree, for one calendar year (up to today):
    per meeting kind, the windows that were due and how many had a meeting; 支部大会 without more
    than half present are counted separately."""
    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)
    branches = list(access.visible_units(user).filter(path__startswith=root.path, kind=Kind.BRANCH,
                                                      closed_on__isnull=True).order_by("path"))
    lo, hi = _local_bounds(start, end)
    meetings: dict[tuple[int, str], list[datetime.date]] = defaultdict(list)
    failures: dict[int, int] = defaultdict(int)
    for unit_id, kind, starts_at, present, roster in Activity.objects.filter(
        unit__in=branches, kind__in=[k for k, _ in MEETING_KINDS], starts_at__gte=lo, starts_at__lt=hi,
    ).values_list("unit_id", "kind", "starts_at", "present_roster", "roster_count"):
        if kind == ActivityKind.BRANCH_MEETING and not rules.branch_meeting_quorum(present, roster):
            failures[unit_id] += 1
            continue
        meetings[(unit_id, kind)].append(timezone.localtime(starts_at).date())
    cadence = {key: get_rule(key, root, today) for _, key in MEETING_KINDS}
    rows = []
    labels = dict(ActivityKind.choices)
    for unit in branches:
        cells = []
        for kind, key in MEETING_KINDS:
            windows = rules.cadence_windows(cadence[key], start, end, meetings[(unit.pk, kind)], today)
            due = [w for w in windows if w.status != "pending"]
            cells.append((labels[kind], len(due), sum(1 for w in due if w.status == "ok"),
                          len(meetings[(unit.pk, kind)]), windows))
        rows.append(ComplianceRow(unit, cells, failures[unit.pk]))
    return rows
