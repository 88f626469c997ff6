"""Reads of the cadre registry: holdings with their cadre terms, the staffing of a subtree (posts by
kind, establishment against quota, vacancies, irregular cases), the roster, training figures and
the non-establishment cadres R9.7 recommends.

Every function takes the subtree's root unit; those called with a ``user`` filter through the
access layer. Callers that pass no user must have loaded the root through the access layer
themselves (the staffing page and the API do, via ``access.scoped``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind as UnitKind
from tuanwu.people.models import Person, Position, PostHolding

from . import rules
from .models import (
    Appraisal,
    Kind,
    PositionQuota,
    PostTerms,
    Secondment,
    StaffingQuota,
    TrainingAttendance,
    TrainingCourse,
)

UNCLASSIFIED = "未登记类型"
POSITION_LABELS = dict(Position.choices)


def current_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def holdings_with_terms(root: Unit, on: datetime.date, *, user=None, permission: str = access.VIEW,
                        current_only: bool = True) -> QuerySet[PostHolding]:
    """Post holdings in ``root``'s subtree (current on ``on`` unless ``current_only=False``), each
    with its person, unit and cadre terms (``holding.cadre_terms``, absent when not recorded)."""
    holdings = PostHolding.objects.filter(unit__path__startswith=root.path)
    if user is not None:
        holdings = access.visible_to(user, holdings, permission)
    if current_only:
        holdings = holdings.filter(current_q(on))
    return holdings.select_related("person", "unit", "cadre_terms").order_by("unit__path", "position", "started_on", "pk")


def terms_of(holding: PostHolding) -> PostTerms | None:
    try:
        return holding.cadre_terms
    except PostTerms.DoesNotExist:
        return None


def kind_label(holding: PostHolding) -> str:
    terms = terms_of(holding)
    return terms.get_kind_display() if terms else UNCLASSIFIED


def quotas_in_force(root: Unit, on: datetime.date) -> dict[int, StaffingQuota]:
    """Unit id → the quota in force on ``on`` (latest started), with its position counts."""
    rows = (
        StaffingQuota.objects.filter(unit__path__startswith=root.path, effective_from__lte=on)
        .order_by("unit_id", "-effective_from", "-pk").distinct("unit_id")
        .prefetch_related(Prefetch("positions", queryset=PositionQuota.objects.order_by("position")))
        .select_related("unit")
    )
    return {q.unit_id: q for q in rows}


def active_secondments(root: Unit, on: datetime.date) -> QuerySet[Secondment]:
    return (
        Secondment.objects.filter(holding__unit__path__startswith=root.path, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("holding__person", "holding__unit")
    )


# ---------------------------------------------------------------------------------------------
# Staffing


@dataclass
class PositionRow:
    position: str
    label: str
    quota: int | None
    holders: int

    @property
    def vacant(self) -> int:
        return rules.vacancies(self.quota, self.holders) if self.quota is not None else 0


@dataclass
class UnitStaffing:
    unit: Unit
    quota: StaffingQuota | None
    holders: list[PostHolding]
    used: int
    positions: list[PositionRow]
    secretary_vacant: bool

    @property
    def full_time_quota(self) -> int | None:
        return self.quota.full_time_posts if self.quota else None

    @property
    def over(self) -> int:
        return rules.over_quota(self.used, self.full_time_quota)

    @property
    def vacancies(self) -> list[tuple[str, int]]:
        found = [(row.label, row.vacant) for row in self.positions if row.vacant]
        if self.secretary_vacant and not any(row.position == Position.SECRETARY and row.vacant for row in self.positions):
            found.insert(0, (POSITION_LABELS[Position.SECRETARY], 1))
        return found


@dataclass
class Irregular:
    kind: str  # the to-do kind, e.g. 书记空缺
    severity: str
    unit: Unit
    text: str
    link: str
    person: Person | None = None


@dataclass
class Staffing:
    root: Unit
    on: datetime.date
    by_kind: dict[str, int]
    units: list[UnitStaffing]
    irregular: list[Irregular]
    secondments: list[Secondment]
    holdings: list[PostHolding] = field(default_factory=list)

    @property
    def establishment_used(self) -> int:
        return sum(u.used for u in self.units)

    @property
    def establishment_quota(self) -> int:
        return sum(u.full_time_quota or 0 for u in self.units)

    @property
    def establishment_used_under_quota(self) -> int:
        """Places used in units that have a quota (what the quota total is compared with)."""
        return sum(u.used for u in self.units if u.quota is not None)

    @property
    def vacancy_count(self) -> int:
        return sum(n for u in self.units for _, n in u.vacancies)

    def unit(self, unit_id: int) -> UnitStaffing | None:
        return next((u for u in self.units if u.unit.pk == unit_id), None)

    def irregular_of(self, kind: str) -> list[Irregular]:
        return [i for i in self.irregular if i.kind == kind]


VACANCY, OVER_QUOTA, SHORT_SECONDMENT, OVER_AGE, UNAPPROVED = "书记空缺", "超编", "挂职期限不足", "超龄团干部", "未经批准借调"
IRREGULAR_KINDS = (VACANCY, OVER_QUOTA, SHORT_SECONDMENT, OVER_AGE, UNAPPROVED)

# Units whose committee has a 书记 post at all (a school is a host node; Pioneer units have 辅导员).
SECRETARY_KINDS = frozenset({UnitKind.LEAGUE_PROVINCE, UnitKind.LEAGUE_CITY, UnitKind.LEAGUE_COUNTY, UnitKind.COMMITTEE,
                             UnitKind.WORKING_COMMITTEE, UnitKind.GENERAL_BRANCH, UnitKind.BRANCH})


class _RuleCache:
    """Rule values per (county, date): one settings read per county instead of per holding."""

    def __init__(self):
        self.counties = list(Unit.objects.filter(kind=UnitKind.LEAGUE_COUNTY).only("path", "depth").order_by("-depth"))
        self.values: dict[tuple, object] = {}

    def get(self, key: str, unit: Unit, on: datetime.date):
        county = next((c for c in self.counties if unit.path.startswith(c.path)), None)
        cache_key = (key, county.pk if county else None, on)
        if cache_key not in self.values:
            self.values[cache_key] = get_rule(key, county, on)
        return self.values[cache_key]


def staffing(root: Unit, on: datetime.date, *, user=None, permission: str = access.VIEW) -> Staffing:
    """The staffing of ``root``'s subtree on ``on``: the four questions of issue 8 item 2 (posts
    by kind, establishment use against quota, vacancies, irregular cases)."""
    holdings = list(holdings_with_terms(root, on, user=user, permission=permission))
    unit_filter = Q(unit__path__startswith=root.path)
    visible_units = access.visible_units(user, permission) if user is not None else Unit.objects.all()
    quotas = quotas_in_force(root, on)
    if user is not None:
        allowed = set(visible_units.filter(pk__in=list(quotas)).values_list("pk", flat=True))
        quotas = {k: v for k, v in quotas.items() if k in allowed}

    # Units where a 书记 once held office (so the post exists) but no one holds it now.
    past_secretaries = PostHolding.objects.filter(unit_filter, position=Position.SECRETARY, started_on__lte=on)
    if user is not None:
        past_secretaries = access.visible_to(user, past_secretaries, permission)
    had_secretary = set(past_secretaries.filter(unit__closed_on__isnull=True).values_list("unit_id", flat=True))

    by_unit: dict[int, list[PostHolding]] = defaultdict(list)
    for holding in holdings:
        by_unit[holding.unit_id].append(holding)
    unit_ids = set(by_unit) | set(quotas) | had_secretary
    units = {u.pk: u for u in visible_units.filter(pk__in=unit_ids, closed_on__isnull=True)}

    rows: list[UnitStaffing] = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        held = by_unit.get(unit.pk, [])
        quota = quotas.get(unit.pk)
        counts: dict[str, int] = defaultdict(int)
        for holding in held:
            counts[holding.position] += 1
        positions: list[PositionRow] = []
        if quota is not None:
            for pq in quota.positions.all():
                positions.append(PositionRow(pq.position, POSITION_LABELS.get(pq.position, pq.position), pq.count,
                                             counts.get(pq.position, 0)))
        listed = {row.position for row in positions}
        for position, n in sorted(counts.items(), key=lambda item: list(POSITION_LABELS).index(item[0])):
            if position not in listed:
                positions.append(PositionRow(position, POSITION_LABELS.get(position, position), None, n))
        order = list(POSITION_LABELS)
        positions.sort(key=lambda row: order.index(row.position) if row.position in order else len(order))
        secretary_quota = next((row.quota for row in positions if row.position == Position.SECRETARY and row.quota), None)
        expects_secretary = unit.kind in SECRETARY_KINDS and (secretary_quota or unit.pk in had_secretary)
        used = rules.establishment_used(
            (t.kind, t.in_establishment) for t in (terms_of(h) for h in held) if t is not None
        )
        rows.append(UnitStaffing(
            unit=unit, quota=quota, holders=held, used=used, positions=positions,
            secretary_vacant=bool(expects_secretary) and counts.get(Position.SECRETARY, 0) == 0,
        ))

    by_kind = {label: 0 for _, label in Kind.choices}
    by_kind[UNCLASSIFIED] = 0
    for holding in holdings:
        by_kind[kind_label(holding)] += 1

    secondments = active_secondments(root, on)
    if user is not None:
        secondments = access.visible_to(user, secondments, permission)
    secondments = list(secondments)
    irregular = _irregular_cases(rows, holdings, secondments, on)
    return Staffing(root=root, on=on, by_kind=by_kind, units=rows, irregular=irregular, secondments=secondments,
                    holdings=holdings)


def _irregular_cases(rows: list[UnitStaffing], holdings: list[PostHolding], secondments: list[Secondment],
                     on: datetime.date) -> list[Irregular]:
    found: list[Irregular] = []
    cache = _RuleCache()

    def link(unit: Unit) -> str:
        return reverse("cadres:staffing", args=[unit.pk])

    for row in rows:
        if any(label == POSITION_LABELS[Position.SECRETARY] for label, _ in row.vacancies):
            found.append(Irregular(VACANCY, "danger", row.unit, f"{row.unit.name}书记空缺：目前无人担任书记",
                                   link(row.unit)))
        if row.over:
            found.append(Irregular(OVER_QUOTA, "danger", row.unit,
                                   f"{row.unit.name}超编 {row.over} 人：专职编制 {row.full_time_quota} 个，占用 {row.used} 个",
                                   link(row.unit)))
    for holding in holdings:
        terms = terms_of(holding)
        if terms is None:
            continue
        post = f"{holding.person.name}（{holding.unit.name}{holding.get_position_display()}）"
        if terms.kind == rules.CadreKind.SECONDED:
            min_years = cache.get("cadres.secondment_min_years", holding.unit, on)
            if rules.secondment_too_short(holding.started_on, terms.planned_end_on, min_years):
                found.append(Irregular(
                    SHORT_SECONDMENT, "warning", holding.unit,
                    f"{post}挂职 {holding.started_on:%Y-%m-%d} 至 {terms.planned_end_on:%Y-%m-%d}，短于规定的 {min_years} 年",
                    link(holding.unit), holding.person))
        ceiling = cache.get("cadres.age_ceiling", holding.unit, on)
        if rules.over_age_ceiling(holding.person.birth_date, on, ceiling):
            found.append(Irregular(
                OVER_AGE, "warning", holding.unit,
                f"{post}现年 {holding.person.age_on(on)} 周岁，超过团干部年龄上限 {ceiling} 周岁",
                link(holding.unit), holding.person))
    for secondment in secondments:
        if rules.secondment_lacks_approval(cadre_kind=secondment.cadre_kind, approval_number=secondment.approval_number,
                                           approval_date=secondment.approval_date):
            holding = secondment.holding
            found.append(Irregular(
                UNAPPROVED, "danger", holding.unit,
                f"专职团干部{holding.person.name}（{holding.unit.name}{holding.get_position_display()}）"
                f"自 {secondment.started_on:%Y-%m-%d} 起{secondment.get_move_display()}至{secondment.destination}，"
                "没有县委批准记录", link(holding.unit), holding.person))
    return found


def irregular_cases(user, on: datetime.date, permission: str = access.CHANGE) -> list[Irregular]:
    """The irregular cases in every unit where ``user`` holds ``permission``: the same cases as
    :func:`staffing` finds, by the same rules, but found by a constant handful of queries (the
    to-do badge runs this on every page)."""
    found: list[Irregular] = []

    def link(unit: Unit) -> str:
        return reverse("cadres:staffing", args=[unit.pk])

    current_secretary = PostHolding.objects.filter(unit=OuterRef("pk"), position=Position.SECRETARY).filter(current_q(on))
    past_secretary = PostHolding.objects.filter(unit=OuterRef("pk"), position=Position.SECRETARY, started_on__lte=on)
    latest_quota = (StaffingQuota.objects.filter(unit=OuterRef(OuterRef("pk")), effective_from__lte=on)
                    .order_by("-effective_from", "-pk").values("pk")[:1])
    quota_secretary = PositionQuota.objects.filter(position=Position.SECRETARY, count__gte=1,
                                                   quota_id=Subquery(latest_quota))
    vacant = (access.visible_units(user, permission).filter(closed_on__isnull=True, kind__in=SECRETARY_KINDS)
              .filter(Exists(past_secretary) | Exists(quota_secretary)).exclude(Exists(current_secretary))
              .order_by("path"))
    for unit in vacant:
        found.append(Irregular(VACANCY, "danger", unit, f"{unit.name}书记空缺：目前无人担任书记", link(unit)))

    in_force = (StaffingQuota.objects.filter(unit=OuterRef("unit"), effective_from__lte=on)
                .order_by("-effective_from", "-pk").values("pk")[:1])
    used = (PostTerms.objects.filter(holding__unit=OuterRef("unit"), kind=Kind.FULL_TIME, in_establishment=True)
            .filter(current_q(on, "holding__")).order_by().values("holding__unit").annotate(n=Count("pk")).values("n"))
    over = (access.visible_to(user, StaffingQuota.objects.filter(pk=Subquery(in_force), unit__closed_on__isnull=True),
                              permission)
            .annotate(used=Coalesce(Subquery(used), 0)).filter(used__gt=F("full_time_posts"))
            .select_related("unit").order_by("unit__path"))
    for quota in over:
        excess = rules.over_quota(quota.used, quota.full_time_posts)
        found.append(Irregular(OVER_QUOTA, "danger", quota.unit,
                               f"{quota.unit.name}超编 {excess} 人：专职编制 {quota.full_time_posts} 个，占用 {quota.used} 个",
                               link(quota.unit)))

    terms = list(access.visible_to(user, PostTerms.objects.filter(current_q(on, "holding__"),
                                                                  holding__unit__closed_on__isnull=True), permission)
                 .select_related("holding__person", "holding__unit").order_by("holding__unit__path", "pk"))
    holdings = [t.holding for t in terms]
    for t in terms:
        t.holding.cadre_terms = t
    away = list(access.visible_to(user, active_secondments(Unit(path=""), on).filter(
        cadre_kind=Kind.FULL_TIME).filter(Q(approval_number="") | Q(approval_date__isnull=True)), permission))
    for case in _irregular_cases([], holdings, away, on) if (holdings or away) else []:
        found.append(case)
    return found


# ---------------------------------------------------------------------------------------------
# Roster and training


ROSTER_HEADERS = ["组织", "职务", "姓名", "性别", "民族", "出生日期", "年龄", "政治面貌", "学历", "干部类型", "占用编制",
                  "职级", "派出单位", "挂职期满", "任职日期", "产生方式", "任职文件", "借调/抽调", "本年培训学时", "示例数据"]


def training_hours(person_ids, year: int) -> dict[int, Decimal]:
    rows = (TrainingAttendance.objects.filter(person_id__in=list(person_ids), course__started_on__year=year)
            .values("person_id").annotate(total=Sum("hours")))
    return {r["person_id"]: r["total"] for r in rows}


def roster_rows(staffing_: Staffing):
    """One row per current post in the staffing (what the page lists and the .xlsx exports)."""
    on = staffing_.on
    hours = training_hours({h.person_id for h in staffing_.holdings}, on.year)
    away = {s.holding_id: s for s in staffing_.secondments}
    for holding in staffing_.holdings:
        person, terms = holding.person, terms_of(holding)
        secondment = away.get(holding.pk)
        yield [
            holding.unit.name, holding.get_position_display(), person.name, person.get_gender_display(),
            person.ethnicity, person.birth_date, person.age_on(on), person.get_political_status_display(),
            person.get_education_display(), terms.get_kind_display() if terms else UNCLASSIFIED,
            terms.counts_against_establishment if terms else False, terms.rank if terms else "",
            terms.home_employer if terms else "", terms.planned_end_on if terms else None, holding.started_on,
            holding.get_how_obtained_display(), (terms.appointing_document if terms else "") or holding.document,
            f"{secondment.get_move_display()}至{secondment.destination}" if secondment else "",
            hours.get(person.pk, Decimal("0")), holding.is_sample,
        ]


@dataclass
class TrainingFigures:
    year: int
    courses: int
    person_times: int
    people: int
    hours: Decimal
    cadres: int
    cadres_trained: int

    @property
    def cadres_trained_share(self) -> str:
        return f"{self.cadres_trained * 100 / self.cadres:.0f}%" if self.cadres else "—"


def training_figures(root: Unit, year: int, on: datetime.date) -> TrainingFigures:
    """The subtree's yearly training figures: courses organised, person-times, people trained,
    hours, and how many of the cadres in post on ``on`` were trained that year."""
    courses = TrainingCourse.objects.filter(unit__path__startswith=root.path, started_on__year=year)
    attendances = TrainingAttendance.objects.filter(course__in=courses)
    totals = attendances.aggregate(n=Count("pk"), people=Count("person", distinct=True), hours=Sum("hours"))
    cadre_ids = set(PostTerms.objects.filter(holding__unit__path__startswith=root.path)
                    .filter(current_q(on, "holding__")).values_list("holding__person_id", flat=True))
    trained = set(TrainingAttendance.objects.filter(person_id__in=cadre_ids, course__started_on__year=year)
                  .values_list("person_id", flat=True))
    return TrainingFigures(year=year, courses=courses.count(), person_times=totals["n"], people=totals["people"],
                           hours=totals["hours"] or Decimal("0"), cadres=len(cadre_ids), cadres_trained=len(trained))


# ---------------------------------------------------------------------------------------------
# R9.7: non-establishment cadres


def league_work_days_of(person_ids, on: datetime.date) -> dict[int, int]:
    """Person id → days of League work up to ``on`` (the union of all their post holdings)."""
    intervals: dict[int, list] = defaultdict(list)
    for person_id, start, end in PostHolding.objects.filter(person_id__in=list(person_ids), started_on__lt=on) \
            .values_list("person_id", "started_on", "ended_on"):
        intervals[person_id].append((start, end))
    return {pid: rules.league_work_days(spans, on) for pid, spans in intervals.items()}


def non_establishment_cadres_eligible(unit_subtree: Unit, on: datetime.date, min_years: int) -> list[Person]:
    """R9.7: the non-establishment League cadres in ``unit_subtree`` (挂职, 兼职, or 专职 outside the
    establishment, in post on ``on``) with at least ``min_years`` years of League work and 优秀 as
    their latest yearly appraisal grade (the latest year not after ``on``).

    Returns Person objects, ordered by name, each carrying ``league_work_days``,
    ``league_work_years`` (a float, for display), ``excellent_year`` and ``cadre_posts`` (their
    current non-establishment holdings in the subtree). The caller is responsible for having
    loaded ``unit_subtree`` through the access layer.
    """
    terms = (PostTerms.objects.filter(holding__unit__path__startswith=unit_subtree.path, in_establishment=False)
             .filter(current_q(on, "holding__")).select_related("holding__unit", "holding__person"))
    posts: dict[int, list[PostHolding]] = defaultdict(list)
    for t in terms:
        posts[t.holding.person_id].append(t.holding)
    if not posts:
        return []
    days = league_work_days_of(posts, on)
    latest: dict[int, Appraisal] = {}
    for appraisal in Appraisal.objects.filter(person_id__in=list(posts), year__lte=on.year).order_by("person_id", "-year"):
        latest.setdefault(appraisal.person_id, appraisal)
    result = []
    for person_id, held in posts.items():
        appraisal = latest.get(person_id)
        work = days.get(person_id, 0)
        if appraisal is None or appraisal.grade != rules.EXCELLENT:
            continue
        if not rules.has_league_work_years(work, on, min_years):
            continue
        person = held[0].person
        person.league_work_days = work
        person.league_work_years = round(work / 365.25, 1)
        person.excellent_year = appraisal.year
        person.cadre_posts = held
        result.append(person)
    return sorted(result, key=lambda p: (p.name_pinyin, p.pk))
