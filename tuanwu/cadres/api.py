"""The JSON API for cadres: roster, quotas, secondments and training (issue 8 item 8).

Every operation declares its access; writes go through ``actions`` (which check access again and
audit); a refused change (R8.3 without approval, say) is a 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.schemas import ERRORS, Day, Id, text
from tuanwu.people.models import Person, Position, PostHolding

from . import actions, queries
from .models import Kind, Move, PostTerms, Secondment, TrainingCourse

API_PREFIX = "/cadres"
router = Router()

ROSTER, QUOTAS, SECONDMENTS, TRAINING = ["团干部名册"], ["编制与职数"], ["借调与抽调"], ["团干部培训"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


class CadreOut(Schema):
    holding_id: int = Field(..., description="团内职务记录 id（也是干部任职信息的 id）")
    unit_id: int
    unit_name: str
    position: str = Field(..., description="职务代码")
    position_label: str
    person_id: int
    name: str
    started_on: datetime.date
    kind: str | None = Field(None, description="full_time 专职、seconded 挂职、part_time 兼职；未登记为 null")
    kind_label: str
    in_establishment: bool
    home_employer: str
    planned_end_on: datetime.date | None
    appointing_document: str
    away: str = Field("", description="借调、抽调情况（在借调中时）")


class PositionCountOut(Schema):
    position: str
    label: str
    quota: int | None
    holders: int
    vacant: int


class UnitStaffingOut(Schema):
    unit_id: int
    unit_name: str
    full_time_quota: int | None
    establishment_used: int
    over_quota: int
    positions: list[PositionCountOut]
    vacancies: list[str]


class IrregularOut(Schema):
    kind: str
    unit_id: int
    unit_name: str
    text: str


class StaffingOut(Schema):
    unit_id: int
    on: datetime.date
    by_kind: dict[str, int]
    establishment_used: int
    establishment_quota: int
    units: list[UnitStaffingOut]
    irregular: list[IrregularOut]


class QuotaIn(Schema):
    effective_from: Day
    full_time_posts: Annotated[int, Field(ge=0, le=200)]
    positions: dict[Position, Annotated[int, Field(ge=0, le=50)]] = Field(default_factory=dict,
                                                                          description="职务代码 → 职数")
    document: text(200) = ""
    note: text(300) = ""


class QuotaOut(Schema):
    id: int
    unit_id: int
    effective_from: datetime.date
    full_time_posts: int
    positions: dict[str, int]
    document: str

    @staticmethod
    def resolve_positions(obj):
        return {p.position: p.count for p in obj.positions.all()}


class TermsIn(Schema):
    kind: Kind
    in_establishment: bool = False
    rank: text(40) = ""
    home_employer: text(120) = ""
    planned_end_on: Day | None = None
    appointing_document: text(120) = ""
    appointing_document_date: Day | None = None


class SecondmentIn(Schema):
    move: Move
    destination: text(120, min_length=1)
    started_on: Day
    planned_end_on: Day | None = None
    approval_number: text(120) = Field("", description="县委批准文号（专职团干部必填，R8.3）")
    approval_date: Day | None = None
    note: text(300) = ""


class SecondmentApprovalIn(Schema):
    approval_number: text(120, min_length=1)
    approval_date: Day


class EndIn(Schema):
    ended_on: Day


class SecondmentOut(Schema):
    id: int
    holding_id: int
    name: str
    unit_name: str
    move: str
    cadre_kind: str
    destination: str
    started_on: datetime.date
    planned_end_on: datetime.date | None
    ended_on: datetime.date | None
    approval_number: str
    approval_date: datetime.date | None
    recorded_without_approval: bool

    @staticmethod
    def resolve_name(obj):
        return obj.holding.person.name

    @staticmethod
    def resolve_unit_name(obj):
        return obj.holding.unit.name


class CourseIn(Schema):
    title: text(120, min_length=1)
    started_on: Day
    ended_on: Day
    hours: Annotated[Decimal, Field(ge=Decimal("0.5"), le=Decimal("999"), decimal_places=1)]
    organiser: text(120) = ""


class CourseOut(Schema):
    id: int
    unit_id: int
    title: str
    started_on: datetime.date
    ended_on: datetime.date
    hours: Decimal
    organiser: str


class AttendanceIn(Schema):
    person_id: Id
    hours: Annotated[Decimal, Field(ge=Decimal("0.5"), le=Decimal("999"), decimal_places=1)] | None = None


class CourseAttendanceOut(Schema):
    course_id: int
    person_id: int
    hours: Decimal


class TrainingOut(Schema):
    year: int
    courses: int
    person_times: int
    people: int
    hours: Decimal
    cadres: int
    cadres_trained: int
    course_list: list[CourseOut]


def _cadre_out(holding: PostHolding, away: dict[int, Secondment]) -> dict:
    terms = queries.terms_of(holding)
    secondment = away.get(holding.pk)
    return {
        "holding_id": holding.pk, "unit_id": holding.unit_id, "unit_name": holding.unit.name,
        "position": holding.position, "position_label": holding.get_position_display(),
        "person_id": holding.person_id, "name": holding.person.name, "started_on": holding.started_on,
        "kind": terms.kind if terms else None, "kind_label": queries.kind_label(holding),
        "in_establishment": bool(terms and terms.counts_against_establishment),
        "home_employer": terms.home_employer if terms else "", "planned_end_on": terms.planned_end_on if terms else None,
        "appointing_document": (terms.appointing_document if terms else "") or holding.document,
        "away": f"{secondment.get_move_display()}至{secondment.destination}" if secondment else "",
    }


def _on(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Roster and staffing


@router.get("/units/{unit_id}/roster", response=_ok(list[CadreOut]), tags=ROSTER, operation_id="cadre_roster",
            summary="团干部名册", description="该组织及全部下级在指定日期（默认今天）在任的团内职务及其干部类型。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def cadre_roster(request, unit_id: Id, on: Day | None = Query(None, description="日期，默认今天")):
    result = queries.staffing(request.scoped_object, _on(on), user=request.user)
    away = {s.holding_id: s for s in result.secondments}
    return [_cadre_out(h, away) for h in result.holdings]


@router.get("/units/{unit_id}/staffing", response=_ok(StaffingOut), tags=ROSTER, operation_id="cadre_staffing",
            summary="干部配备情况", description="按类型统计的职务数、编制占用与核定数、空缺职数和异常情况。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def cadre_staffing(request, unit_id: Id, on: Day | None = Query(None, description="日期，默认今天")):
    result = queries.staffing(request.scoped_object, _on(on), user=request.user)
    return {
        "unit_id": unit_id, "on": result.on, "by_kind": result.by_kind,
        "establishment_used": result.establishment_used_under_quota,
        "establishment_quota": result.establishment_quota,
        "units": [{
            "unit_id": row.unit.pk, "unit_name": row.unit.name, "full_time_quota": row.full_time_quota,
            "establishment_used": row.used, "over_quota": row.over,
            "positions": [{"position": p.position, "label": p.label, "quota": p.quota, "holders": p.holders,
                           "vacant": p.vacant} for p in row.positions],
            "vacancies": [f"{label} {n}" for label, n in row.vacancies],
        } for row in result.units],
        "irregular": [{"kind": i.kind, "unit_id": i.unit.pk, "unit_name": i.unit.name, "text": i.text}
                      for i in result.irregular],
    }


@router.put("/posts/{holding_id}/terms", response=_ok(CadreOut), tags=ROSTER, operation_id="set_cadre_terms",
            summary="登记或修改干部类型", description="只有专职岗位可以占用编制；挂职须填派出单位和期满日期。")
@access.api_scoped(PostHolding, "holding_id", access.CHANGE)
def set_cadre_terms(request, holding_id: Id, payload: TermsIn):
    terms = actions.set_post_terms(actor=request.user, holding=request.scoped_object, **payload.model_dump())
    return _cadre_out(terms.holding, {})


# ---------------------------------------------------------------------------------------------
# Quotas


@router.get("/units/{unit_id}/quotas", response=_ok(list[QuotaOut]), tags=QUOTAS, operation_id="list_quotas",
            summary="编制与职数核定记录", description="最近生效的在前。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_quotas(request, unit_id: Id):
    unit = request.scoped_object
    return access.visible_to(request.user, unit.staffing_quotas.prefetch_related("positions")).order_by("-effective_from")


@router.post("/units/{unit_id}/quotas", response=_ok(QuotaOut, 201), tags=QUOTAS, operation_id="set_quota",
             summary="核定编制和职数", description="从生效日期起适用；同一天再次核定则覆盖当天的核定。需要县级管理员权限。")
@access.api_scoped(Unit, "unit_id", access.MANAGE_RULES)
def set_quota(request, unit_id: Id, payload: QuotaIn):
    quota = actions.set_staffing_quota(
        actor=request.user, unit=request.scoped_object, effective_from=payload.effective_from,
        full_time_posts=payload.full_time_posts, positions={str(k.value if hasattr(k, "value") else k): v
                                                            for k, v in payload.positions.items()},
        document=payload.document, note=payload.note,
    )
    return Status(201, quota)


# ---------------------------------------------------------------------------------------------
# Secondments


@router.get("/units/{unit_id}/secondments", response=_ok(list[SecondmentOut]), tags=SECONDMENTS,
            operation_id="list_secondments", summary="借调、抽调记录", description="该组织及全部下级的全部记录（含已结束）。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_secondments(request, unit_id: Id):
    unit = request.scoped_object
    rows = Secondment.objects.filter(holding__unit__path__startswith=unit.path)
    return access.visible_to(request.user, rows).select_related("holding__person", "holding__unit")


@router.post("/posts/{holding_id}/secondments", response=_ok(SecondmentOut, 201), tags=SECONDMENTS,
             operation_id="second_cadre", summary="借调、抽调团干部",
             description="专职团干部须附县委批准文号和批准日期（R8.3），否则 422 且不作任何改动。")
@access.api_scoped(PostTerms, "holding_id", access.CHANGE)
def second_cadre(request, holding_id: Id, payload: SecondmentIn):
    secondment = actions.second_cadre(actor=request.user, holding=request.scoped_object.holding, **payload.model_dump())
    return Status(201, secondment)


@router.post("/secondments/{secondment_id}/approval", response=_ok(SecondmentOut), tags=SECONDMENTS,
             operation_id="approve_secondment", summary="补录县委批准")
@access.api_scoped(Secondment, "secondment_id", access.CHANGE)
def approve_secondment(request, secondment_id: Id, payload: SecondmentApprovalIn):
    return actions.approve_secondment(actor=request.user, secondment=request.scoped_object, **payload.model_dump())


@router.post("/secondments/{secondment_id}/end", response=_ok(SecondmentOut), tags=SECONDMENTS,
             operation_id="end_secondment", summary="借调结束", description="记录保留为历史。")
@access.api_scoped(Secondment, "secondment_id", access.CHANGE)
def end_secondment(request, secondment_id: Id, payload: EndIn):
    return actions.end_secondment(actor=request.user, secondment=request.scoped_object, ended_on=payload.ended_on)


# ---------------------------------------------------------------------------------------------
# Training


@router.get("/units/{unit_id}/training", response=_ok(TrainingOut), tags=TRAINING, operation_id="training_figures",
            summary="年度团干部培训情况", description="该组织及全部下级举办的培训、参训人次、学时与在任团干部参训人数。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def training_figures(request, unit_id: Id, year: Annotated[int, Field(ge=1950, le=2100)] | None = Query(None)):
    unit = request.scoped_object
    year = year or timezone.localdate().year
    figures = queries.training_figures(unit, year, timezone.localdate())
    courses = access.visible_to(request.user, TrainingCourse.objects.filter(unit__path__startswith=unit.path,
                                                                            started_on__year=year))
    return {**vars(figures), "course_list": list(courses.order_by("-started_on", "pk"))}


@router.post("/units/{unit_id}/training/courses", response=_ok(CourseOut, 201), tags=TRAINING,
             operation_id="create_course", summary="登记团干部培训")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def create_course(request, unit_id: Id, payload: CourseIn):
    course = actions.create_training_course(actor=request.user, unit=request.scoped_object, **payload.model_dump())
    return Status(201, course)


@router.post("/courses/{course_id}/attendance", response=_ok(CourseAttendanceOut, 201), tags=TRAINING,
             operation_id="record_attendance", summary="登记参训", description="不填学时则按培训总学时计入。")
@access.api_scoped(TrainingCourse, "course_id", access.CHANGE)
def record_attendance(request, course_id: Id, payload: AttendanceIn):
    person = access.visible_to(request.user, Person.objects.filter(pk=payload.person_id)).first()
    if person is None:
        raise DomainError("人员不存在，或您无权查看", field="person_id")
    attendance = actions.record_attendance(actor=request.user, course=request.scoped_object, person=person,
                                           hours=payload.hours)
    return Status(201, attendance)
