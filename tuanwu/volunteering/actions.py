"""State changes of the 西部计划 records. Each checks ``volunteer.manage`` on the cohort's 团县委
through the access layer, runs in one transaction and writes the audit trail."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people.models import Person

from . import placement as solver
from . import queries, rules
from .models import (
    Agreement,
    Assessment,
    AssessmentKind,
    Channel,
    Cohort,
    Degree,
    MentoringLog,
    MentorKind,
    Outcome,
    Placement,
    PlacementMode,
    Post,
    PostField,
    PriorityBasis,
    Recommendation,
    RecommendationOutcome,
    SafetyReport,
    ServiceUnit,
    ServiceUnitKind,
    Volunteer,
    VolunteerStatus,
    Wish,
)


def _require(actor, unit: Unit) -> None:
    access.enforce(access.decide(actor, access.MANAGE_VOLUNTEERS, unit))


def _text(value: str, label: str, field: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字", field=field)
    return value


def _tags(values) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        tag = str(value).strip()
        if tag and tag not in seen:
            if len(tag) > 30:
                raise DomainError(f"标签“{tag[:10]}…”太长（最多 30 字）")
            seen.append(tag)
    return seen


# ---------------------------------------------------------------------------------------------
# Cohorts and volunteers


@transaction.atomic
def create_cohort(*, actor, unit: Unit, year: int, is_sample: bool = False) -> Cohort:
    """Open a year's cohort under a 团县委, with the R9.2 calendar of that year."""
    _require(actor, unit)
    if unit.kind != Kind.LEAGUE_COUNTY:
        raise DomainError("西部计划届次只能建在团县委", field="unit")
    if not 2000 <= year <= 2100:
        raise DomainError("服务年度应在 2000–2100 之间", field="year")
    if Cohort.objects.filter(unit=unit, year=year).exists():
        raise DomainError(f"{year}年届次已存在", field="year")
    phases = {p.key: p for p in rules.yearly_cycle(year)}
    cohort = Cohort.objects.create(
        unit=unit, year=year, registration_opens=phases["registration"].starts_on,
        registration_closes=phases["registration"].ends_on, screening_on=phases["screening"].starts_on,
        medical_on=phases["medical"].starts_on, notice_starts=phases["notice"].starts_on,
        notice_ends=phases["notice"].ends_on, training_on=phases["training"].starts_on,
        arrival_on=phases["training"].ends_on, is_sample=is_sample,
    )
    audit.record(actor=actor, action="新建西部计划届次", obj=cohort, after=audit.snapshot(cohort))
    return cohort


@transaction.atomic
def register_volunteer(*, actor, cohort: Cohort, person: Person, university: str, major: str, hometown: str,
                       programme: str, specialty_tags=(), degree: str = Degree.BACHELOR,
                       screening_score=0, is_sample: bool = False) -> Volunteer:
    """Enrol a registered person in a cohort. ``programme`` may be a current 专项 name or an
    older one (R9.3): the current name is stored, the name as registered is kept beside it."""
    _require(actor, cohort.unit)
    access.enforce(access.decide(actor, access.VIEW, person.unit, person.access_record_class(),
                                 owner_id=person.user_id))
    if Volunteer.objects.filter(person=person).exists():
        raise DomainError("此人已登记为西部计划志愿者", field="person")
    current = rules.current_programme(programme)
    if current is None:
        raise DomainError(f"专项“{programme}”不是现行或曾用的专项名称", field="programme")
    if degree not in Degree.values:
        raise DomainError("学历取值无效", field="degree")
    try:
        score = round(float(screening_score), 1)
    except (TypeError, ValueError):
        raise DomainError("选拔成绩应为数字", field="screening_score") from None
    if not 0 <= score <= 100:
        raise DomainError("选拔成绩应在 0–100 之间", field="screening_score")
    volunteer = Volunteer.objects.create(
        person=person, cohort=cohort, university=_text(university, "毕业院校", "university", max_length=80),
        major=_text(major, "所学专业", "major", max_length=60), specialty_tags=_tags(specialty_tags), degree=degree,
        hometown=_text(hometown, "生源地", "hometown", max_length=40), programme=current,
        programme_as_registered="" if programme.strip() == current else programme.strip(),
        screening_score=score, is_sample=is_sample,
    )
    audit.record(actor=actor, action="登记西部计划志愿者", obj=volunteer, after=audit.snapshot(volunteer))
    return volunteer


@transaction.atomic
def sign_agreement(*, actor, volunteer: Volunteer, starts_on: datetime.date, signed_on: datetime.date | None = None,
                   ends_on: datetime.date | None = None) -> Agreement:
    """Sign the next yearly agreement (R9.1): one year at a time, at most three, without gaps.
    A second or third agreement marks the volunteer 续签."""
    _require(actor, volunteer.cohort.unit)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status in (VolunteerStatus.COMPLETED, VolunteerStatus.LEFT_EARLY):
        raise DomainError("服务已结束，不能再签协议")
    previous = volunteer.agreements.order_by("-year_number").first()
    ends_on = ends_on or (rules._add_years(starts_on, 1) - datetime.timedelta(days=1))
    refusal = rules.agreement_refusal(existing_years=volunteer.agreements.count(), starts_on=starts_on,
                                      ends_on=ends_on, previous_ends_on=previous.ends_on if previous else None)
    if refusal:
        raise DomainError(refusal, field="starts_on")
    agreement = Agreement.objects.create(
        volunteer=volunteer, year_number=(previous.year_number + 1) if previous else 1, starts_on=starts_on,
        ends_on=ends_on, signed_on=signed_on or starts_on,
    )
    audit.record(actor=actor, action="签订服务协议", obj=agreement, after=audit.snapshot(agreement))
    if agreement.year_number > 1 and volunteer.status != VolunteerStatus.RENEWED:
        before = audit.snapshot(volunteer)
        volunteer.status = VolunteerStatus.RENEWED
        volunteer.save(update_fields=["status"])
        audit.record(actor=actor, action="志愿者续签", obj=volunteer, before=before, after=audit.snapshot(volunteer))
    return agreement


@transaction.atomic
def end_service(*, actor, volunteer: Volunteer, on: datetime.date, early: bool = False, outcome: str = "",
                employer: str = "") -> Volunteer:
    """End the service: 期满 (after the last agreement) or 提前离岗; optionally with the outcome
    (留疆 with the employer or elsewhere, or 离疆, R9.8)."""
    _require(actor, volunteer.cohort.unit)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status in (VolunteerStatus.COMPLETED, VolunteerStatus.LEFT_EARLY):
        raise DomainError("服务已结束")
    last = volunteer.agreements.order_by("-year_number").first()
    if last is None:
        raise DomainError("尚未签订服务协议")
    if not early and on < last.ends_on:
        raise DomainError(f"协议到 {last.ends_on:%Y-%m-%d} 才期满；提前结束请选“提前离岗”", field="on")
    if outcome and outcome not in Outcome.values:
        raise DomainError("去向取值无效", field="outcome")
    before = audit.snapshot(volunteer)
    volunteer.status = VolunteerStatus.LEFT_EARLY if early else VolunteerStatus.COMPLETED
    volunteer.left_on = on
    volunteer.outcome = outcome
    volunteer.outcome_employer = _text(employer, "就业单位", "employer", max_length=80, required=False)
    volunteer.save(update_fields=["status", "left_on", "outcome", "outcome_employer"])
    audit.record(actor=actor, action="志愿者服务结束", obj=volunteer, before=before, after=audit.snapshot(volunteer))
    return volunteer


@transaction.atomic
def record_outcome(*, actor, volunteer: Volunteer, outcome: str, employer: str = "") -> Volunteer:
    """Record or correct where a volunteer went after service (R9.8)."""
    _require(actor, volunteer.cohort.unit)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status not in (VolunteerStatus.COMPLETED, VolunteerStatus.LEFT_EARLY):
        raise DomainError("服务尚未结束，不能登记去向")
    if outcome not in Outcome.values:
        raise DomainError("去向取值无效", field="outcome")
    before = audit.snapshot(volunteer)
    volunteer.outcome = outcome
    volunteer.outcome_employer = _text(employer, "就业单位", "employer", max_length=80, required=False)
    volunteer.save(update_fields=["outcome", "outcome_employer"])
    audit.record(actor=actor, action="登记服务期满去向", obj=volunteer, before=before, after=audit.snapshot(volunteer))
    return volunteer


# ---------------------------------------------------------------------------------------------
# Service units, posts and wishes


@transaction.atomic
def create_service_unit(*, actor, county: Unit, name: str, kind: str, place: str = "",
                        is_sample: bool = False) -> ServiceUnit:
    _require(actor, county)
    if kind not in ServiceUnitKind.values:
        raise DomainError("服务单位类别无效", field="kind")
    name = _text(name, "服务单位名称", "name", max_length=80)
    if ServiceUnit.objects.filter(county=county, name=name).exists():
        raise DomainError(f"服务单位“{name}”已存在", field="name")
    unit = ServiceUnit.objects.create(county=county, name=name, kind=kind,
                                      place=_text(place, "所在地", "place", max_length=80, required=False),
                                      is_sample=is_sample)
    audit.record(actor=actor, action="新建服务单位", obj=unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def create_post(*, actor, cohort: Cohort, service_unit: ServiceUnit, title: str, field: str, capacity: int,
                required_specialties=(), preferred_specialties=(), min_degree: str = "", place: str = "",
                priority_basis: str = PriorityBasis.SPECIALTY, is_sample: bool = False) -> Post:
    """A post of a cohort: its 岗位领域 (separate from the volunteers' 专项), hard requirements
    (required specialties, minimum degree), preferred specialties, capacity and priority basis."""
    _require(actor, cohort.unit)
    if service_unit.county_id != cohort.unit_id:
        raise DomainError("服务单位不属于本届次的团县委", field="service_unit")
    if field not in PostField.values:
        raise DomainError("岗位领域无效", field="field")
    if min_degree and min_degree not in Degree.values:
        raise DomainError("最低学历无效", field="min_degree")
    if priority_basis not in PriorityBasis.values:
        raise DomainError("录取顺序无效", field="priority_basis")
    if not isinstance(capacity, int) or not 1 <= capacity <= 500:
        raise DomainError("名额应为 1–500 的整数", field="capacity")
    title = _text(title, "岗位名称", "title", max_length=60)
    if Post.objects.filter(cohort=cohort, service_unit=service_unit, title=title).exists():
        raise DomainError("该服务单位已有同名岗位", field="title")
    post = Post.objects.create(
        cohort=cohort, service_unit=service_unit, title=title, field=field, capacity=capacity,
        required_specialties=_tags(required_specialties), preferred_specialties=_tags(preferred_specialties),
        min_degree=min_degree or "", place=_text(place, "工作地点", "place", max_length=80, required=False),
        priority_basis=priority_basis, is_sample=is_sample,
    )
    audit.record(actor=actor, action="新建服务岗位", obj=post, after=audit.snapshot(post))
    return post


@transaction.atomic
def set_wishes(*, actor, volunteer: Volunteer, posts: list[Post]) -> list[Wish]:
    """Replace a volunteer's ranked wishes (first = first wish), at most 10, posts of their cohort."""
    _require(actor, volunteer.cohort.unit)
    if len(posts) > solver.MAX_WISHES:
        raise DomainError(f"最多填报 {solver.MAX_WISHES} 个志愿", field="posts")
    if len({p.pk for p in posts}) != len(posts):
        raise DomainError("同一岗位不能重复填报", field="posts")
    if any(p.cohort_id != volunteer.cohort_id for p in posts):
        raise DomainError("只能填报本届次的岗位", field="posts")
    before = {"wishes": list(volunteer.wishes.order_by("rank").values_list("post_id", flat=True))}
    volunteer.wishes.all().delete()
    wishes = Wish.objects.bulk_create(Wish(volunteer=volunteer, post=p, rank=i) for i, p in enumerate(posts, 1))
    audit.record(actor=actor, action="填报岗位志愿", obj=volunteer, before=before,
                 after={"wishes": [p.pk for p in posts]})
    return wishes


# ---------------------------------------------------------------------------------------------
# Placement


@transaction.atomic
def apply_placement(*, actor, cohort: Cohort, mode: str) -> queries.Solution:
    """Compute the cohort's placement in ``mode`` (stable or optimal) and make it current,
    replacing earlier placements (manual overrides included: a rerun starts afresh). Every
    placement carries its explanation; the change is audited row by row in one batch."""
    _require(actor, cohort.unit)
    if mode not in (PlacementMode.STABLE, PlacementMode.OPTIMAL):
        raise DomainError("匹配方式只能是稳定匹配或总体最优", field="mode")
    Cohort.objects.select_for_update().get(pk=cohort.pk)
    problem = queries.load_problem(cohort)
    if not problem.volunteer_ids:
        raise DomainError("本届次没有待安排岗位的志愿者")
    solution = queries.solve(problem, mode)
    return save_solution(actor=actor, cohort=cohort, problem=problem, solution=solution)


def save_solution(*, actor, cohort: Cohort, problem: queries.Problem, solution: queries.Solution) -> queries.Solution:
    """Write a computed solution (inside the caller's transaction): delete the cohort's
    placements, insert the new ones, audit both in one batch each."""
    old = list(Placement.objects.filter(volunteer__cohort=cohort)
               .select_related("volunteer__person", "post__service_unit", "volunteer__cohort__unit"))
    removed = [(p, audit.snapshot(p), None) for p in old]
    Placement.objects.filter(pk__in=[p.pk for p in old]).delete()
    rows = [
        Placement(volunteer_id=problem.volunteer_ids[v], post_id=problem.post_ids[p], mode=solution.mode,
                  wish_rank=rank, fit=fit, explanation=text)
        for v, p, rank, fit, text in solution.rows
    ]
    Placement.objects.bulk_create(rows, batch_size=2000)
    if removed:
        audit.record_many(actor=actor, action="撤销原岗位安排", items=removed)
    # The audit row of a placement names the cohort's unit path directly (no per-row lookups).
    path = cohort.unit.path
    for row, (v, p, *_rest) in zip(rows, solution.rows, strict=True):
        row._audit_path = path
        row._label = f"{problem.volunteer_names[v]} → {problem.post_labels[p]}"
    audit.record_many(actor=actor, action="岗位安排（" + PlacementMode(solution.mode).label + "）",
                      items=[(r, None, audit.snapshot(r)) for r in rows])
    return solution


@transaction.atomic
def override_placement(*, actor, volunteer: Volunteer, post: Post, reason: str) -> Placement:
    """Move one volunteer to ``post`` by hand. A reason is required and recorded; capacity and
    the post's hard requirements still hold."""
    _require(actor, volunteer.cohort.unit)
    reason = _text(reason, "调整原因", "reason", max_length=300)
    if post.cohort_id != volunteer.cohort_id:
        raise DomainError("只能调整到本届次的岗位", field="post")
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not solver.meets_requirements(volunteer.specialties, volunteer.degree, post.required_specialties,
                                     post.min_degree):
        raise DomainError("该志愿者不符合岗位的必备条件（必备专业或最低学历）", field="post")
    current = Placement.objects.select_for_update().filter(volunteer=volunteer).first()
    if current is not None and current.post_id == post.pk:
        raise DomainError("该志愿者已在此岗位", field="post")
    taken = Placement.objects.filter(post=post).exclude(volunteer=volunteer).count()
    if taken >= post.capacity:
        raise DomainError(f"岗位“{post.title}”名额已满（{post.capacity} 人）", field="post")
    wish = volunteer.wishes.filter(post=post).first()
    matched = queries.matched_specialties(volunteer, post)
    rank = wish.rank if wish else None
    explanation = solver.explain(rank, matched, post.title, bool(post.preferred_specialties))
    before = audit.snapshot(current)
    values = {"post": post, "mode": PlacementMode.MANUAL, "wish_rank": rank,
              "fit": solver.fit_of(rank, len(matched)) if rank else 0,
              "explanation": f"人工调整：{reason}（{explanation}）"[:300], "override_reason": reason}
    placement, _ = Placement.objects.update_or_create(volunteer=volunteer, defaults=values)
    audit.record(actor=actor, action="人工调整岗位", obj=placement, before=before, after=audit.snapshot(placement))
    return placement


# ---------------------------------------------------------------------------------------------
# Mentors


@transaction.atomic
def assign_mentor(*, actor, volunteer: Volunteer, mentor: Person, kind: str) -> Volunteer:
    """One mentor per volunteer (传帮带): a cadre, or a volunteer of an earlier cohort."""
    _require(actor, volunteer.cohort.unit)
    if kind not in MentorKind.values:
        raise DomainError("导师类别无效", field="kind")
    if mentor.pk == volunteer.person_id:
        raise DomainError("不能担任自己的导师", field="mentor")
    mentor_volunteer = Volunteer.objects.filter(person=mentor).select_related("cohort").first()
    if kind == MentorKind.SENIOR:
        if mentor_volunteer is None or mentor_volunteer.cohort.year >= volunteer.cohort.year:
            raise DomainError("往届志愿者导师应是更早届次的志愿者", field="mentor")
    elif mentor_volunteer is not None and mentor_volunteer.cohort.year >= volunteer.cohort.year:
        raise DomainError("同届或后届志愿者不能作为干部导师", field="mentor")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    before = audit.snapshot(volunteer)
    volunteer.mentor = mentor
    volunteer.mentor_kind = kind
    volunteer.save(update_fields=["mentor", "mentor_kind"])
    audit.record(actor=actor, action="确定传帮带导师", obj=volunteer, before=before, after=audit.snapshot(volunteer))
    return volunteer


@transaction.atomic
def log_mentoring(*, actor, volunteer: Volunteer, on: datetime.date, content: str,
                  is_sample: bool = False) -> MentoringLog:
    _require(actor, volunteer.cohort.unit)
    volunteer = Volunteer.objects.get(pk=volunteer.pk)  # the mentor as stored, not as the caller last saw it
    if volunteer.mentor_id is None:
        raise DomainError("请先为该志愿者确定导师")
    if on > timezone.localdate():
        raise DomainError("日期不能晚于今天", field="on")
    entry = MentoringLog.objects.create(volunteer=volunteer, mentor_id=volunteer.mentor_id, on=on,
                                        content=_text(content, "传帮带内容", "content", max_length=500),
                                        is_sample=is_sample)
    audit.record(actor=actor, action="登记传帮带记录", obj=entry, after=audit.snapshot(entry))
    return entry


# ---------------------------------------------------------------------------------------------
# Assessments and safety reports


@transaction.atomic
def record_assessment(*, actor, volunteer: Volunteer, kind: str, year_number: int, grade: str,
                      assessed_on: datetime.date, comment: str = "", is_sample: bool = False) -> Assessment:
    """A yearly or end-of-service assessment (R9.4); the grade comes from the configured scale."""
    _require(actor, volunteer.cohort.unit)
    if kind not in AssessmentKind.values:
        raise DomainError("考核类别无效", field="kind")
    scale = rules.parse_grade_scale(get_rule("volunteers.grade_scale", volunteer.cohort.unit, assessed_on))
    refusal = rules.grade_refusal(grade, scale)
    if refusal:
        raise DomainError(refusal, field="grade")
    years = volunteer.agreements.count()
    if not 1 <= year_number <= max(years, 1):
        raise DomainError(f"服务年次应在 1–{max(years, 1)} 之间（按已签协议）", field="year_number")
    if Assessment.objects.filter(volunteer=volunteer, kind=kind, year_number=year_number).exists():
        raise DomainError("该年次的考核已登记", field="year_number")
    assessment = Assessment.objects.create(
        volunteer=volunteer, kind=kind, year_number=year_number, grade=grade, assessed_on=assessed_on,
        comment=_text(comment, "评语", "comment", max_length=500, required=False), is_sample=is_sample,
    )
    audit.record(actor=actor, action="登记志愿者考核", obj=assessment, after=audit.snapshot(assessment))
    return assessment


@transaction.atomic
def submit_safety_report(*, actor, cohort: Cohort, month: datetime.date, incidents: int, note: str = "",
                         reported_on: datetime.date | None = None, is_sample: bool = False) -> SafetyReport:
    """R9.9: the cohort's safety report for one month (零事故 when no incident)."""
    _require(actor, cohort.unit)
    month = rules.month_start(month)
    today = timezone.localdate()
    if month > rules.month_start(today):
        raise DomainError("不能提前报告以后月份", field="month")
    if not isinstance(incidents, int) or incidents < 0:
        raise DomainError("安全事件数应为非负整数", field="incidents")
    if incidents and not (note or "").strip():
        raise DomainError("有安全事件时请填写情况说明", field="note")
    if SafetyReport.objects.filter(cohort=cohort, month=month).exists():
        raise DomainError(f"{month:%Y年%m月}的安全报告已提交", field="month")
    report = SafetyReport.objects.create(cohort=cohort, month=month, incidents=incidents,
                                         note=_text(note, "情况说明", "note", max_length=500, required=False),
                                         reported_on=reported_on or today, is_sample=is_sample)
    audit.record(actor=actor, action="提交月度安全报告", obj=report, after=audit.snapshot(report))
    return report


# ---------------------------------------------------------------------------------------------
# Recommendations (R9.6, R9.7)


def _next_serial(county: Unit, year: int) -> int:
    # Lock the county row so two recommendations issued at once cannot take the same number.
    Unit.objects.select_for_update().get(pk=county.pk)
    last = Recommendation.objects.filter(county=county, doc_year=year).order_by("-doc_serial").first()
    return (last.doc_serial + 1) if last else 1


@transaction.atomic
def issue_recommendation(*, actor, county: Unit, channel: str, addressee: str, volunteer: Volunteer | None = None,
                         cadre: Person | None = None, on: datetime.date | None = None,
                         is_sample: bool = False) -> Recommendation:
    """The county committee's 推荐意见 for an eligible volunteer (R9.6) or non-establishment
    League cadre (R9.7), through one channel, numbered 机关代字〔年份〕序号号."""
    _require(actor, county)
    if channel not in Channel.values:
        raise DomainError("推荐渠道只能是：" + "、".join(Channel.values), field="channel")
    if (volunteer is None) == (cadre is None):
        raise DomainError("请选择一名志愿者或一名编外团干部")
    on = on or timezone.localdate()
    addressee = _text(addressee, "主送机关", "addressee", max_length=120)
    issuer = queries.issuer_name(county, on)
    if volunteer is not None:
        if volunteer.cohort.unit_id != county.pk:
            raise DomainError("该志愿者不属于本团县委", field="volunteer")
        result = queries.eligibility(volunteer, on)
        if not result.recommend:
            raise DomainError(f"不符合推荐条件：{result.reason}", field="volunteer")
        person, basis = volunteer.person, "R9.6"
    else:
        found = {p.pk: p for p in queries.eligible_cadres(county, on)}
        if cadre.pk not in found:
            raise DomainError("该同志不符合编外团干部推荐条件（团的工作满 2 年且表现优秀）", field="cadre")
        person, basis = found[cadre.pk], "R9.7"
        result = rules.cadre_eligibility(league_work_years=int(person.league_work_days // 365.25),
                                         excellent=True, min_years=queries.min_recommend_years(county, on))
    if Recommendation.objects.filter(person=person, channel=channel).exists():
        raise DomainError(f"已就“{channel}”推荐过该同志", field="channel")
    serial = _next_serial(county, on.year)
    prefix = get_rule("volunteers.document_prefix", county, on)
    title, body = queries.recommendation_text(issuer=issuer, person=person, volunteer=volunteer, channel=channel,
                                              reason=result.reason)
    rec = Recommendation.objects.create(
        county=county, person=person, volunteer=volunteer, basis=basis, basis_text=result.reason, channel=channel,
        doc_year=on.year, doc_serial=serial, document_number=f"{prefix}〔{on.year}〕{serial}号", issuer=issuer,
        addressee=addressee, title=title, body=body, issued_on=on, is_sample=is_sample,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor=actor, action="出具推荐意见", obj=rec, after=audit.snapshot(rec))
    return rec


@transaction.atomic
def record_recommendation_outcome(*, actor, recommendation: Recommendation, outcome: str,
                                  note: str = "") -> Recommendation:
    """Track what became of a recommendation (录用 / 未采纳)."""
    _require(actor, recommendation.county)
    if outcome not in RecommendationOutcome.values:
        raise DomainError("结果取值无效", field="outcome")
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    before = audit.snapshot(rec)
    rec.outcome = outcome
    rec.outcome_note = _text(note, "结果说明", "note", max_length=300, required=False)
    rec.save(update_fields=["outcome", "outcome_note"])
    audit.record(actor=actor, action="登记推荐结果", obj=rec, before=before, after=audit.snapshot(rec))
    return rec
