"""Reads of the 西部计划 records, shared by the pages, the API, the demo figures and the bench.

Lists go through the access layer (``access.visible_to``); functions taking one already-loaded
record (a cohort, a volunteer) expect the caller to have loaded it through the access layer.
"""

from __future__ import annotations

import datetime
import importlib.util
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit

from . import placement as solver
from . import rules
from .models import (
    Assessment,
    AssessmentKind,
    Cohort,
    Placement,
    Post,
    Recommendation,
    SafetyReport,
    Volunteer,
    VolunteerStatus,
    Wish,
)

PAGE_SIZE = 50


def cohorts_for(user, permission: str = access.VIEW) -> QuerySet[Cohort]:
    return (access.visible_to(user, Cohort.objects.all(), permission).select_related("unit")
            .annotate(volunteer_count=Count("volunteers", distinct=True)).order_by("-year"))


def volunteers_of(cohort: Cohort) -> QuerySet[Volunteer]:
    return (cohort.volunteers.select_related("person", "mentor", "placement__post__service_unit")
            .order_by("person__name_pinyin", "pk"))


def posts_of(cohort: Cohort) -> QuerySet[Post]:
    return (cohort.posts.select_related("service_unit").annotate(placed=Count("placements", distinct=True))
            .order_by("service_unit__kind", "service_unit__name", "title"))


def posts_by_field(cohort: Cohort) -> dict[str, int]:
    """Places per 岗位领域 in a cohort (capacity summed)."""
    totals: Counter[str] = Counter()
    for field_name, capacity in cohort.posts.values_list("field", "capacity"):
        totals[field_name] += capacity
    return dict(totals)


def matched_specialties(volunteer: Volunteer, post: Post) -> list[str]:
    """The volunteer's specialties (major and tags) among the post's preferred ones, in the
    post's order."""
    mine = volunteer.specialties
    return [s for s in post.preferred_specialties if s in mine]


# ---------------------------------------------------------------------------------------------
# Placement: load, solve, compare


@dataclass
class Problem:
    volunteer_ids: list[int]
    volunteer_names: list[str]
    post_ids: list[int]
    post_labels: list[str]
    post_titles: list[str]
    capacities: list[int]
    options: list[list[solver.Option]]
    # (volunteer index, post index) -> matched specialties, for the explanations
    matched: dict[tuple[int, int], list[str]]
    has_preferences: list[bool]
    rejected_wishes: int = 0  # ranked posts whose hard requirements the volunteer does not meet


@dataclass
class Solution:
    mode: str
    assignment: list[int]
    quality: solver.Quality
    # (volunteer index, post index, wish rank, fit, explanation) for every placed volunteer
    rows: list[tuple[int, int, int, int, str]] = field(default_factory=list)


# Everyone in the cohort takes part in its placement except those who left early (a past
# cohort's placement can still be recomputed and compared).
PLACEABLE = (VolunteerStatus.ON_DUTY, VolunteerStatus.RENEWED, VolunteerStatus.COMPLETED)
SERVING = (VolunteerStatus.ON_DUTY, VolunteerStatus.RENEWED)


def load_problem(cohort: Cohort) -> Problem:
    """The cohort's volunteers, posts and wishes as a solver problem (three queries)."""
    posts = list(cohort.posts.select_related("service_unit").order_by("pk"))
    post_index = {p.pk: i for i, p in enumerate(posts)}
    volunteers = list(
        cohort.volunteers.filter(status__in=PLACEABLE).order_by("pk")
        .values_list("pk", "person__name", "major", "specialty_tags", "degree", "screening_score")
    )
    volunteer_index = {row[0]: i for i, row in enumerate(volunteers)}
    wishes: list[list[tuple[int, int]]] = [[] for _ in volunteers]
    for volunteer_id, post_id, rank in (Wish.objects.filter(volunteer__cohort=cohort)
                                        .values_list("volunteer_id", "post_id", "rank").order_by("volunteer_id", "rank")):
        v = volunteer_index.get(volunteer_id)
        if v is not None and post_id in post_index:
            wishes[v].append((post_index[post_id], rank))
    return build_problem(volunteers, posts, wishes)


def build_problem(volunteers, posts, wishes) -> Problem:
    """``volunteers``: rows (id, name, major, tags, degree, score); ``posts``: Post-like objects;
    ``wishes``: per volunteer, (post index, rank) in rank order."""
    preferred = [frozenset(p.preferred_specialties) for p in posts]
    options: list[list[solver.Option]] = []
    matched: dict[tuple[int, int], list[str]] = {}
    rejected = 0
    for v, (_pk, _name, major, tags, degree, score) in enumerate(volunteers):
        specialties = frozenset([major, *tags])
        score_tenths = int(round(float(score) * 10))
        mine = []
        for p, rank in wishes[v]:
            post = posts[p]
            if not solver.meets_requirements(specialties, degree, post.required_specialties, post.min_degree):
                rejected += 1
                continue
            hits = [s for s in post.preferred_specialties if s in specialties] if preferred[p] else []
            if hits:
                matched[(v, p)] = hits
            mine.append((p, rank, solver.fit_of(rank, len(hits)),
                         solver.priority_of(post.priority_basis, len(hits), score_tenths), len(hits)))
        options.append(mine)
    return Problem(
        volunteer_ids=[row[0] for row in volunteers], volunteer_names=[row[1] for row in volunteers],
        post_ids=[p.pk for p in posts], post_labels=[f"{p.service_unit.name}·{p.title}" for p in posts],
        post_titles=[p.title for p in posts], capacities=[p.capacity for p in posts], options=options,
        matched=matched, has_preferences=[bool(s) for s in preferred], rejected_wishes=rejected,
    )


def solve(problem: Problem, mode: str) -> Solution:
    """Run one solver and explain every placement."""
    assignment = solver.SOLVERS[mode](problem.options, problem.capacities)
    return explain(problem, mode, assignment)


def explain(problem: Problem, mode: str, assignment: list[int]) -> Solution:
    rows = []
    for v, p in enumerate(assignment):
        if p < 0:
            continue
        option = solver.option_for(problem.options, v, p)
        hits = problem.matched.get((v, p), [])
        rows.append((v, p, option[1], option[2],
                     solver.explain(option[1], hits, problem.post_titles[p], problem.has_preferences[p])))
    return Solution(mode=mode, assignment=assignment, quality=solver.quality(problem.options, assignment), rows=rows)


def compare(cohort: Cohort) -> tuple[dict[str, Solution], Problem]:
    """Both modes side by side (computed, not saved), with the problem they solved."""
    problem = load_problem(cohort)
    return {mode: solve(problem, mode) for mode in ("stable", "optimal")}, problem


def current_quality(cohort: Cohort) -> dict:
    """Figures of the saved placements (after overrides)."""
    placements = list(Placement.objects.filter(volunteer__cohort=cohort, volunteer__status__in=PLACEABLE)
                      .values_list("wish_rank", "explanation"))
    total = cohort.volunteers.filter(status__in=PLACEABLE).count()
    return {
        "volunteers": total, "placed": len(placements), "unplaced": total - len(placements),
        "first_wish": sum(1 for r, _ in placements if r == 1),
        "top3": sum(1 for r, _ in placements if r and r <= 3),
        "specialty_fit": sum(1 for _, e in placements if "专业匹配：" in e),
    }


# ---------------------------------------------------------------------------------------------
# Mentors, assessments, safety


def mentor_load(cohort: Cohort) -> list[dict]:
    rows = (cohort.volunteers.filter(mentor__isnull=False).values("mentor_id", "mentor__name", "mentor_kind")
            .annotate(n=Count("id")).order_by("-n", "mentor__name"))
    return list(rows)


def latest_grade(assessments: list[Assessment]) -> str | None:
    ends = [a for a in assessments if a.kind == AssessmentKind.END]
    if ends:
        return max(ends, key=lambda a: a.year_number).grade
    yearly = [a for a in assessments if a.kind == AssessmentKind.YEARLY]
    return max(yearly, key=lambda a: a.year_number).grade if yearly else None


def min_recommend_years(unit: Unit, on: datetime.date) -> int:
    return get_rule("volunteers.recommend_min_years", unit, on)


def eligibility(volunteer: Volunteer, on: datetime.date | None = None) -> rules.Eligibility:
    """R9.5 (exam bonus, min years configurable) and R9.6 (recommendation) for one volunteer."""
    on = on or timezone.localdate()
    unit = volunteer.cohort.unit
    years = rules.completed_service_years(volunteer.agreements.values_list("starts_on", "ends_on"), on)
    assessments = list(volunteer.assessments.filter(assessed_on__lte=on))
    grades = [a.grade for a in assessments]
    bonus = rules.volunteer_eligibility(service_years=years, grades=grades, latest_grade=latest_grade(assessments),
                                        min_years=get_rule("volunteers.bonus_min_years", unit, on))
    recommend = rules.volunteer_eligibility(service_years=years, grades=grades,
                                            latest_grade=latest_grade(assessments),
                                            min_years=min_recommend_years(unit, on))
    return rules.Eligibility(bonus=bonus.bonus, recommend=recommend.recommend,
                             reason=recommend.reason if recommend.recommend else bonus.reason)


def eligible_volunteers(county: Unit, on: datetime.date | None = None) -> list[tuple[Volunteer, rules.Eligibility]]:
    on = on or timezone.localdate()
    result = []
    for volunteer in (Volunteer.objects.filter(cohort__unit=county).select_related("person", "cohort__unit")
                      .prefetch_related("assessments", "agreements").order_by("cohort__year", "person__name_pinyin")):
        found = eligibility(volunteer, on)
        if found.recommend:
            result.append((volunteer, found))
    return result


def cadres_available() -> bool:
    return importlib.util.find_spec("tuanwu.cadres.queries") is not None


def eligible_cadres(county: Unit, on: datetime.date | None = None) -> list:
    """R9.7 through the cadres issue's query (non-establishment cadres, ≥ N years, 优秀)."""
    if not cadres_available():
        return []
    from tuanwu.cadres.queries import non_establishment_cadres_eligible

    return non_establishment_cadres_eligible(county, on or timezone.localdate(), min_recommend_years(county, on))


def missing_safety_months(cohort: Cohort, today: datetime.date | None = None) -> list[datetime.date]:
    """R9.9: months without a safety report while the cohort has volunteers serving."""
    today = today or timezone.localdate()
    if not cohort.volunteers.filter(status__in=SERVING).exists():
        return []
    reported = cohort.safety_reports.values_list("month", flat=True)
    return rules.missing_safety_months(service_from=rules.service_starts_on(cohort.year), today=today,
                                       reported=reported)


def safety_reports(cohort: Cohort) -> QuerySet[SafetyReport]:
    return cohort.safety_reports.order_by("-month")


# ---------------------------------------------------------------------------------------------
# Retention (R9.8)


ENDED = (VolunteerStatus.COMPLETED,)


def retention_by_cohort(user) -> list[tuple[Cohort, rules.Retention]]:
    """Per visible cohort: volunteers whose service completed (期满) and how many stayed in
    Xinjiang, with the rate."""
    result = []
    for cohort in cohorts_for(user).order_by("year"):
        outcomes = cohort.volunteers.filter(status__in=ENDED).values_list("outcome", flat=True)
        result.append((cohort, rules.retention(outcomes)))
    return result


def stayed_total(user) -> int:
    return sum(r.stayed for _, r in retention_by_cohort(user))


# ---------------------------------------------------------------------------------------------
# Recommendation documents


def issuer_name(county: Unit, on: datetime.date) -> str:
    """发文机关 full name: the configured one, else derived from the 团县委's name
    (团乌鲁木齐县委 → 共青团乌鲁木齐县委员会)."""
    configured = (get_rule("volunteers.document_issuer", county, on) or "").strip()
    if configured:
        return configured
    name = county.name
    if name.startswith("团") and name.endswith("委"):
        return "共青团" + name[1:] + "员会"
    return name


def recommendation_text(*, issuer: str, person, volunteer: Volunteer | None, channel: str,
                        reason: str) -> tuple[str, str]:
    """Title and body (paragraphs separated by blank lines) of a 推荐意见."""
    title = f"{issuer}关于推荐{person.name}同志参加{channel}的意见"
    if volunteer is not None:
        placement = getattr(volunteer, "placement", None)
        where = f"在{placement.post.service_unit.name}{placement.post.title}岗位" if placement else "在我县"
        first = (f"{person.name}同志系{volunteer.cohort.year}年大学生志愿服务西部计划志愿者，毕业于"
                 f"{volunteer.university}{volunteer.major}专业，{where}服务。")
        basis = "《大学生志愿服务西部计划》有关政策"
    else:
        first = f"{person.name}同志系我县编外团干部，长期从事共青团工作。"
        basis = "编外团干部推荐使用的有关规定"
    body = "\n\n".join([
        first,
        f"经考核，该同志{reason}，符合{basis}规定的推荐条件。",
        f"经研究，同意推荐{person.name}同志参加{channel}，请予以支持。",
        "特此推荐。",
    ])
    return title, body


def recommendations_for(user) -> QuerySet[Recommendation]:
    return (access.visible_to(user, Recommendation.objects.all()).select_related("person", "volunteer__cohort")
            .order_by("-doc_year", "-doc_serial"))
