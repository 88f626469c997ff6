"""The JSON API of 西部计划: cohorts, volunteers, posts, placement (compare and apply, manual
override), assessments, recommendations and retention. Access as the pages: 西部计划项目办
(``volunteer.manage``) writes, other roles covering the 团县委 read."""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.schemas import ERRORS, Day, Id, Pagination, text

from . import actions, queries
from .models import AssessmentKind, Channel, Cohort, Post, Recommendation, Volunteer

API_PREFIX = "/volunteers"
router = Router()
TAGS = ["西部计划"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


class CohortOut(Schema):
    id: int
    year: int = Field(..., description="服务年度")
    unit_id: int = Field(..., description="团县委 ID")
    volunteer_count: int = Field(..., description="志愿者人数")
    registration_opens: datetime.date
    registration_closes: datetime.date
    arrival_on: datetime.date = Field(..., description="到岗日期")


class PostOut(Schema):
    id: int
    service_unit: str = Field(..., description="服务单位")
    title: str = Field(..., description="岗位名称")
    field: str = Field(..., description="岗位领域（与专项分开）")
    required_specialties: list[str] = Field(..., description="必备专业（满足其一）")
    preferred_specialties: list[str] = Field(..., description="优先专业")
    min_degree: str = Field(..., description="最低学历代码（空为不限）")
    capacity: int = Field(..., description="名额")
    place: str
    placed: int = Field(..., description="已安排人数")


class PlacementOut(Schema):
    post_id: int
    post: str
    mode: str = Field(..., description="stable=稳定匹配；optimal=总体最优；manual=人工调整")
    wish_rank: int | None = Field(None, description="志愿顺序（非志愿岗位为空）")
    explanation: str = Field(..., description="安排说明，如“第 2 志愿；专业匹配：汉语言文学 → 党建宣传”")
    override_reason: str


class EligibilityOut(Schema):
    bonus: bool = Field(..., description="R9.5 考研加分等政策")
    recommend: bool = Field(..., description="R9.6 团县委推荐")
    reason: str


class VolunteerOut(Schema):
    id: int
    person_id: int
    name: str
    cohort_year: int
    university: str
    major: str
    specialty_tags: list[str]
    degree: str
    hometown: str
    programme: str = Field(..., description="专项（现行名称）")
    status: str = Field(..., description="on_duty 在岗；renewed 续签；completed 期满；left_early 提前离岗")
    outcome: str = Field(..., description="服务期满去向代码（空为未登记）")
    mentor: str | None = None
    placement: PlacementOut | None = None


class VolunteerDetailOut(VolunteerOut):
    eligibility: EligibilityOut


class QualityOut(Schema):
    mode: str
    volunteers: int
    placed: int
    unplaced: int
    first_wish: int
    top3: int
    specialty_fit: int
    total_fit: int


class ApplyIn(Schema):
    mode: str = Field(..., description="stable 或 optimal", pattern=r"^(stable|optimal)$")


class OverrideIn(Schema):
    post_id: Id
    reason: text(300, min_length=1) = Field(..., description="调整原因（必填）")


class AssessmentIn(Schema):
    kind: AssessmentKind
    year_number: int = Field(..., ge=1, le=3)
    grade: text(20, min_length=1) = Field(..., description="等次，须在配置的等次中")
    assessed_on: Day
    comment: text(500) = ""


class AssessmentOut(Schema):
    id: int
    kind: str
    year_number: int
    grade: str
    assessed_on: datetime.date


class RecommendIn(Schema):
    channel: Channel
    addressee: text(120, min_length=1) = Field(..., description="主送机关")


class RecommendationOut(Schema):
    id: int
    document_number: str = Field(..., description="发文字号")
    person_id: int
    name: str
    channel: str
    basis: str
    title: str
    issued_on: datetime.date
    outcome: str


class RetentionOut(Schema):
    cohort_id: int
    year: int
    completed: int = Field(..., description="服务期满人数")
    stayed: int = Field(..., description="留疆人数")
    rate: float | None = Field(None, description="留疆率（0–1）")


def _placement(volunteer: Volunteer) -> dict | None:
    placement = getattr(volunteer, "placement", None)
    if placement is None:
        return None
    return {"post_id": placement.post_id, "post": str(placement.post), "mode": placement.mode,
            "wish_rank": placement.wish_rank, "explanation": placement.explanation,
            "override_reason": placement.override_reason}


def _volunteer(volunteer: Volunteer) -> dict:
    return {
        "id": volunteer.pk, "person_id": volunteer.person_id, "name": volunteer.person.name,
        "cohort_year": volunteer.cohort.year, "university": volunteer.university, "major": volunteer.major,
        "specialty_tags": volunteer.specialty_tags, "degree": volunteer.degree, "hometown": volunteer.hometown,
        "programme": volunteer.programme, "status": volunteer.status, "outcome": volunteer.outcome,
        "mentor": volunteer.mentor.name if volunteer.mentor_id else None, "placement": _placement(volunteer),
    }


def _recommendation(rec: Recommendation) -> dict:
    return {"id": rec.pk, "document_number": rec.document_number, "person_id": rec.person_id, "name": rec.person.name,
            "channel": rec.channel, "basis": rec.basis, "title": rec.title, "issued_on": rec.issued_on,
            "outcome": rec.outcome}


@router.get("/cohorts", response=_ok(list[CohortOut]), tags=TAGS, operation_id="list_volunteer_cohorts",
            summary="西部计划届次列表")
@access.api_scoped(Cohort, None, access.VIEW)
def list_cohorts(request):
    return list(queries.cohorts_for(request.user))


@router.get("/cohorts/{cohort_id}/volunteers", response=_ok(list[VolunteerOut]), tags=TAGS,
            operation_id="list_cohort_volunteers", summary="届次志愿者名单",
            description="个人证件号码、电话不在此列出（在人员接口中按权限脱敏）。")
@paginate(Pagination)
@access.api_scoped(Cohort, "cohort_id", access.VIEW)
def list_volunteers(request, cohort_id: Id):
    return [_volunteer(v) for v in queries.volunteers_of(request.scoped_object).select_related("cohort")]


@router.get("/cohorts/{cohort_id}/posts", response=_ok(list[PostOut]), tags=TAGS, operation_id="list_cohort_posts",
            summary="届次服务岗位")
@access.api_scoped(Cohort, "cohort_id", access.VIEW)
def list_posts(request, cohort_id: Id):
    return [{"id": p.pk, "service_unit": p.service_unit.name, "title": p.title, "field": p.field,
             "required_specialties": p.required_specialties, "preferred_specialties": p.preferred_specialties,
             "min_degree": p.min_degree, "capacity": p.capacity, "place": p.place, "placed": p.placed}
            for p in queries.posts_of(request.scoped_object)]


def _quality(mode: str, q) -> dict:
    return {"mode": mode, "volunteers": q.volunteers, "placed": q.placed, "unplaced": q.unplaced,
            "first_wish": q.first_wish, "top3": q.top3, "specialty_fit": q.specialty_fit, "total_fit": q.total_fit}


@router.get("/cohorts/{cohort_id}/placement/compare", response=_ok(list[QualityOut]), tags=TAGS,
            operation_id="compare_placement", summary="两种匹配方式的质量对照（不保存）")
@access.api_scoped(Cohort, "cohort_id", access.VIEW)
def compare_placement(request, cohort_id: Id):
    solutions, _ = queries.compare(request.scoped_object)
    return [_quality(mode, s.quality) for mode, s in solutions.items()]


@router.post("/cohorts/{cohort_id}/placement", response=_ok(QualityOut), tags=TAGS, operation_id="apply_placement",
             summary="按选定方式安排岗位", description="替换本届次现有的岗位安排（含人工调整），逐条记入操作日志。")
@access.api_scoped(Cohort, "cohort_id", access.MANAGE_VOLUNTEERS)
def apply_placement(request, cohort_id: Id, payload: ApplyIn):
    solution = actions.apply_placement(actor=request.user, cohort=request.scoped_object, mode=payload.mode)
    return _quality(payload.mode, solution.quality)


@router.get("/records/{volunteer_id}", response=_ok(VolunteerDetailOut), tags=TAGS, operation_id="get_volunteer",
            summary="志愿者详情")
@access.api_scoped(Volunteer, "volunteer_id", access.VIEW)
def get_volunteer(request, volunteer_id: Id):
    volunteer = request.scoped_object
    result = queries.eligibility(volunteer, timezone.localdate())
    return {**_volunteer(volunteer), "eligibility": {"bonus": result.bonus, "recommend": result.recommend,
                                                    "reason": result.reason}}


@router.post("/records/{volunteer_id}/override", response=_ok(PlacementOut), tags=TAGS,
             operation_id="override_placement", summary="人工调整岗位（须填原因）")
@access.api_scoped(Volunteer, "volunteer_id", access.MANAGE_VOLUNTEERS)
def override(request, volunteer_id: Id, payload: OverrideIn):
    volunteer = request.scoped_object
    post = Post.objects.filter(pk=payload.post_id, cohort=volunteer.cohort).first()
    if post is None:
        raise DomainError("本届次没有该岗位", field="post_id")
    actions.override_placement(actor=request.user, volunteer=volunteer, post=post, reason=payload.reason)
    volunteer.refresh_from_db()
    return _placement(Volunteer.objects.select_related("placement__post__service_unit").get(pk=volunteer.pk))


@router.post("/records/{volunteer_id}/assessments", response=_ok(AssessmentOut, 201), tags=TAGS,
             operation_id="record_volunteer_assessment", summary="登记考核（R9.4）")
@access.api_scoped(Volunteer, "volunteer_id", access.MANAGE_VOLUNTEERS)
def record_assessment(request, volunteer_id: Id, payload: AssessmentIn):
    assessment = actions.record_assessment(actor=request.user, volunteer=request.scoped_object, kind=payload.kind,
                                           year_number=payload.year_number, grade=payload.grade,
                                           assessed_on=payload.assessed_on, comment=payload.comment)
    return Status(201, assessment)


@router.post("/records/{volunteer_id}/recommendations", response=_ok(RecommendationOut, 201), tags=TAGS,
             operation_id="issue_volunteer_recommendation", summary="出具推荐意见（R9.6）")
@access.api_scoped(Volunteer, "volunteer_id", access.MANAGE_VOLUNTEERS)
def issue_recommendation(request, volunteer_id: Id, payload: RecommendIn):
    volunteer = request.scoped_object
    rec = actions.issue_recommendation(actor=request.user, county=volunteer.cohort.unit, volunteer=volunteer,
                                       channel=payload.channel, addressee=payload.addressee)
    return Status(201, _recommendation(rec))


@router.get("/recommendations", response=_ok(list[RecommendationOut]), tags=TAGS,
            operation_id="list_volunteer_recommendations", summary="推荐意见列表")
@paginate(Pagination)
@access.api_scoped(Recommendation, None, access.VIEW)
def list_recommendations(request):
    return [_recommendation(r) for r in queries.recommendations_for(request.user)]


@router.get("/retention", response=_ok(list[RetentionOut]), tags=TAGS, operation_id="volunteer_retention",
            summary="按届次的留疆人数和留疆率（R9.8）")
@access.api_scoped(Cohort, None, access.VIEW)
def retention(request):
    return [{"cohort_id": c.pk, "year": c.year, "completed": r.completed, "stayed": r.stayed,
             "rate": float(r.rate) if r.rate is not None else None}
            for c, r in queries.retention_by_cohort(request.user)]
