"""The JSON API of membership life: every step of development (R2), review and registration (R3),
推优入党 (R4), dues (R5), transfers (R6), exits (R1.5, R1.6) and 少先队推优入团.

Mounted under the membership router (``api.py`` adds ``router`` below). Records load through the
access layer; every write is an action, which checks access again, applies the rules and audits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.schemas import ERRORS, Day, Id, text
from tuanwu.people.models import Person

from . import development as dev
from . import dues, exits, party, pioneers, review, transfers
from .models import (
    Development,
    DuesCategory,
    ExitCase,
    Grade,
    Membership,
    PartyRecommendation,
    PioneerRecommendation,
    ReviewGrade,
    ReviewSession,
    Transfer,
)

router = Router()

DEV, REV, PARTY, DUES, TRANSFER, EXIT, PIONEER = (["发展团员"], ["评议与注册"], ["推优入党"], ["团费"],
                                                  ["组织关系转接"], ["离团办理"], ["少先队推优"])
Count = Field(..., ge=0, le=100000)


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


def _membership(user, pk: int, permission: str) -> Membership:
    return access.get_object_or_404(user, Membership, permission, pk=pk)


# ---------------------------------------------------------------------------------------------
# Development


class StepOut(Schema):
    key: str
    label: str
    by_above: bool = Field(..., description="由上级团委办理")
    blockers: list[str] = Field(..., description="尚缺的条件（中文），为空表示可以办理")


class DevelopmentOut(Schema):
    id: int
    membership_id: int
    person_name: str
    branch_id: int
    stage: str = Field(..., description="阶段：" + "；".join(f"{v}={label}" for v, label in Development.Stage.choices))
    stage_label: str
    applied_on: datetime.date
    talk_on: datetime.date | None = None
    activist_on: datetime.date | None = None
    candidate_on: datetime.date | None = None
    meeting_on: datetime.date | None = None
    approved_on: datetime.date | None = None
    development_number: str
    next_steps: list[StepOut]

    @staticmethod
    def resolve_person_name(obj):
        return obj.membership.person.name

    @staticmethod
    def resolve_branch_id(obj):
        return obj.membership.branch_id

    @staticmethod
    def resolve_stage_label(obj):
        return obj.get_stage_display()

    @staticmethod
    def resolve_development_number(obj):
        return obj.membership.development_number

    @staticmethod
    def resolve_next_steps(obj):
        return [StepOut(key=s.key, label=s.label, by_above=s.by_above, blockers=s.blockers) for s in dev.plan(obj)]


def _dev_out(d: Development) -> Development:
    return Development.objects.select_related("membership__person", "membership__branch").get(pk=d.pk)


class ApplicationIn(Schema):
    name: text(60, min_length=1) = Field(..., description="姓名")
    id_number: text(30) = Field("", description="身份证号码（入团积极分子起必填）")
    gender: Literal["male", "female", ""] = Field("", description="性别（无身份证号码时必填）")
    birth_date: Day | None = Field(None, description="出生日期（无身份证号码时必填）")
    student_number: text(30) = Field("", description="学籍号（无身份证号码时）")
    applied_on: Day = Field(..., description="递交入团申请书日期")
    note: text(500) = Field("", description="申请书摘要")


@router.get("/units/{unit_id}/pipeline", response=_ok(list[DevelopmentOut]), tags=DEV, operation_id="list_pipeline",
            summary="发展进度（含下级）", description="在培养中的人员、下一步和尚缺的条件。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_pipeline(request, unit_id: Id):
    unit = request.scoped_object
    return list(access.visible_to(request.user, Development.objects.filter(
        membership__branch__path__startswith=unit.path).exclude(stage__in=["admitted", "stopped"]))
        .select_related("membership__person", "membership__branch").order_by("applied_on", "pk")[:500])


@router.post("/units/{unit_id}/applications", response=_ok(DevelopmentOut, 201), tags=DEV,
             operation_id="register_application", summary="登记入团申请（R2.1）")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def register_application(request, unit_id: Id, payload: ApplicationIn):
    fields = payload.model_dump(exclude={"applied_on", "note"})
    fields = {k: v for k, v in fields.items() if v not in ("", None)}
    if not fields.get("id_number") and not (fields.get("birth_date") and fields.get("gender")):
        raise DomainError("没有身份证号码时须填写出生日期和性别", field="id_number")
    if not fields.get("id_number") and not fields.get("student_number"):
        raise DomainError("请填写身份证号码（或学籍号）", field="id_number")
    d = dev.apply(actor=request.user, branch=request.scoped_object, applied_on=payload.applied_on,
                  person_fields=fields, note=payload.note)
    return Status(201, _dev_out(d))


@router.get("/developments/{development_id}", response=_ok(DevelopmentOut), tags=DEV, operation_id="get_development",
            summary="发展档案与下一步")
@access.api_scoped(Development, "development_id", access.VIEW)
def get_development(request, development_id: Id):
    return _dev_out(request.scoped_object)


StepName = Literal["talk", "activist", "file_activist", "lesson", "contact", "notice_activist", "candidate",
                   "notice_candidate", "prereview", "issue_form", "introducers", "vote", "notice_admission",
                   "approve", "ceremony", "stop"]


class StepIn(Schema):
    on: Day | None = Field(None, description="办理日期（谈话、支委会、备案、团课、预审、志愿书、介绍人意见、审批、仪式、终止）")
    talk_by: text(60) = Field("", description="谈话人（talk）")
    channel: Literal["member_recommendation", "pioneer_recommendation", ""] = Field(
        "", description="积极分子产生方式（activist）")
    recommenders: text(200) = Field("", description="推荐人（activist，团员推荐时）")
    topic: text(200) = Field("", description="团课主题（lesson）")
    hours: int = Field(0, ge=0, le=20, description="学时（lesson）")
    minutes: int = Field(0, ge=0, le=1440, description="时长分钟（lesson）")
    in_person: bool = Field(True, description="线下参加（lesson）")
    contact_id: Id | None = Field(None, description="培养联系人的团籍 ID（contact）")
    introducer_1_id: Id | None = Field(None, description="入团介绍人一的团籍 ID（introducers）")
    introducer_2_id: Id | None = Field(None, description="入团介绍人二的团籍 ID（introducers）")
    starts_on: Day | None = Field(None, description="公示开始日期（notice_*）")
    place: text(200) = Field("", description="公示方式/地点（notice_*）")
    voting_members: int = Field(0, ge=0, le=100000, description="有表决权团员数（vote）")
    present: int = Field(0, ge=0, le=100000, description="到会有表决权团员数（vote）")
    yes: int = Field(0, ge=0, le=100000)
    no: int = Field(0, ge=0, le=100000)
    abstain: int = Field(0, ge=0, le=100000)
    reason: text(300) = Field("", description="终止原因（stop）")


def _need(value, field: str, label: str):
    if value in (None, ""):
        raise DomainError(f"请填写{label}", field=field)
    return value


@router.post("/developments/{development_id}/steps/{step}", response=_ok(DevelopmentOut), tags=DEV,
             operation_id="take_development_step", summary="办理发展步骤（R2.1–R2.13）",
             description="step：talk 谈话；activist 确定积极分子；file_activist 上级备案；lesson 团课；contact 培养联系人；"
                         "notice_activist/notice_candidate/notice_admission 公示；candidate 确定发展对象；prereview 上级预审；"
                         "issue_form 发放志愿书；introducers 入团介绍人；vote 支部大会表决；approve 上级审批；"
                         "ceremony 入团仪式；stop 终止。不满足条件时返回 422，说明尚缺什么、何时可以办理。")
@access.api_scoped(Development, "development_id", access.CHANGE)
def take_development_step(request, development_id: Id, step: StepName, payload: StepIn):
    d, user, p = request.scoped_object, request.user, payload
    if step == "talk":
        dev.record_talk(actor=user, development=d, talk_on=_need(p.on, "on", "谈话日期"), talk_by=p.talk_by)
    elif step == "activist":
        dev.make_activist(actor=user, development=d, on=_need(p.on, "on", "支委会研究日期"), channel=p.channel,
                          recommenders=p.recommenders)
    elif step == "file_activist":
        dev.file_activist(actor=user, development=d, on=_need(p.on, "on", "备案日期"))
    elif step == "lesson":
        dev.add_lesson(actor=user, development=d, on=_need(p.on, "on", "团课日期"), topic=p.topic, hours=p.hours,
                       minutes=p.minutes, in_person=p.in_person)
    elif step == "contact":
        contact = _membership(user, _need(p.contact_id, "contact_id", "培养联系人"), access.VIEW)
        dev.assign_contact(actor=user, development=d, contact=contact, on=_need(p.on, "on", "确定日期"))
    elif step.startswith("notice_"):
        dev.post_notice(actor=user, development=d, stage=step.removeprefix("notice_"),
                        starts_on=_need(p.starts_on, "starts_on", "公示开始日期"), place=p.place)
    elif step == "introducers":
        one = _membership(user, _need(p.introducer_1_id, "introducer_1_id", "入团介绍人"), access.VIEW)
        two = _membership(user, _need(p.introducer_2_id, "introducer_2_id", "入团介绍人"), access.VIEW)
        dev.set_introducers(actor=user, development=d, introducer_1=one, introducer_2=two,
                            on=_need(p.on, "on", "介绍人填写意见日期"))
    elif step == "vote":
        dev.record_vote(actor=user, development=d, meeting_on=_need(p.on, "on", "支部大会日期"),
                        voting_members=p.voting_members, present=p.present, yes=p.yes, no=p.no, abstain=p.abstain)
    elif step == "stop":
        dev.stop(actor=user, development=d, on=_need(p.on, "on", "终止日期"), reason=p.reason)
    else:
        action = {"candidate": dev.make_candidate, "prereview": dev.prereview, "issue_form": dev.issue_form,
                  "approve": dev.approve_admission, "ceremony": dev.record_ceremony}[step]
        action(actor=user, development=d, on=_need(p.on, "on", "日期"))
    return _dev_out(d)


# ---------------------------------------------------------------------------------------------
# Review and registration


class ReviewIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="评议年度")
    held_on: Day = Field(..., description="支部大会日期")
    present: int = Count
    grades: dict[str, Grade] = Field(..., description="团籍 ID → 等次（excellent/good/basic/failed），须覆盖每名参加评议的团员")


class ReviewOut(Schema):
    id: int
    branch_id: int
    year: int
    held_on: datetime.date
    members_due: int
    present: int
    approved_on: datetime.date | None = None


class DateIn(Schema):
    on: Day = Field(..., description="日期")


class ReassessIn(Schema):
    on: Day = Field(..., description="复评日期")
    new_grade: Grade = Field(..., description="复评等次")


class GradeOut(Schema):
    id: int
    membership_id: int
    grade: str
    reassessed_on: datetime.date | None = None
    reassessed_grade: str
    persuaded_on: datetime.date | None = None


class RegisterIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="注册年度")
    on: Day = Field(..., description="注册日期")


class DeferIn(RegisterIn):
    until: Day = Field(..., description="暂缓注册至（3–6 个月）")
    reason: text(300, min_length=1) = Field(..., description="原因")


class RegistrationOut(Schema):
    id: int
    membership_id: int
    year: int
    on: datetime.date
    outcome: str
    deferred_until: datetime.date | None = None


@router.get("/units/{unit_id}/reviews", response=_ok(list[ReviewOut]), tags=REV, operation_id="list_reviews",
            summary="评议会议（含下级）")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_reviews(request, unit_id: Id):
    unit = request.scoped_object
    return list(access.visible_to(request.user, ReviewSession.objects.filter(branch__path__startswith=unit.path))
                .order_by("-year", "branch__path")[:500])


@router.post("/units/{unit_id}/reviews", response=_ok(ReviewOut, 201), tags=REV, operation_id="hold_review",
             summary="登记团员教育评议（R3.1、R3.2）")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def hold_review(request, unit_id: Id, payload: ReviewIn):
    grades = {}
    for key, value in payload.grades.items():
        if not key.isdigit() or len(key) > 18:
            raise DomainError("grades 的键应为团籍 ID", field="grades")
        grades[int(key)] = value
    session = review.hold_review(actor=request.user, branch=request.scoped_object, year=payload.year,
                                 held_on=payload.held_on, present=payload.present, grades=grades)
    return Status(201, session)


@router.post("/reviews/{review_id}/approve", response=_ok(ReviewOut), tags=REV, operation_id="approve_review",
             summary="上级审定评议结果（R3.2）")
@access.api_scoped(ReviewSession, "review_id", access.VIEW)
def approve_review(request, review_id: Id, payload: DateIn):
    return review.approve_review(actor=request.user, session=request.scoped_object, on=payload.on)


@router.post("/review-grades/{grade_id}/reassess", response=_ok(GradeOut), tags=REV, operation_id="reassess_grade",
             summary="不合格团员复评（R3.3）")
@access.api_scoped(ReviewGrade, "grade_id", access.CHANGE)
def reassess_grade(request, grade_id: Id, payload: ReassessIn):
    return review.reassess(actor=request.user, grade=request.scoped_object, on=payload.on, new_grade=payload.new_grade)


@router.post("/memberships/{membership_id}/registrations", response=_ok(RegistrationOut, 201), tags=REV,
             operation_id="register_membership", summary="团籍注册（R3.4、R3.5）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def register_membership(request, membership_id: Id, payload: RegisterIn):
    return Status(201, review.register(actor=request.user, membership=request.scoped_object, year=payload.year,
                                       on=payload.on))


@router.post("/memberships/{membership_id}/registration-deferrals", response=_ok(RegistrationOut, 201), tags=REV,
             operation_id="defer_registration", summary="暂缓注册（R3.6）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def defer_registration(request, membership_id: Id, payload: DeferIn):
    return Status(201, review.defer_registration(actor=request.user, membership=request.scoped_object,
                                                 year=payload.year, on=payload.on, until=payload.until,
                                                 reason=payload.reason))


# ---------------------------------------------------------------------------------------------
# 推优入党


class PartyIn(Schema):
    kind: PartyRecommendation.Kind = Field(..., description="to_activist=推荐为入党积极分子人选；to_candidate=推荐为党员发展对象人选")
    proposed_on: Day = Field(..., description="支委会提出日期")
    party_activist_on: Day | None = Field(None, description="确定为入党积极分子日期（to_candidate 必填）")
    party_organisation: text(120) = Field("", description="推荐至党组织")


class PartyMeetingIn(Schema):
    meeting_on: Day = Field(..., description="团员大会日期")
    due: int = Count
    present: int = Count
    yes: int = Count
    no: int = Count
    abstain: int = Count


class PartyNoticeIn(Schema):
    starts_on: Day = Field(..., description="公示开始日期")


class PartyReviewIn(Schema):
    on: Day = Field(..., description="团委审查日期")
    party_organisation: text(120) = Field("", description="推荐至党组织（留空用上级党组织）")
    letter_number: text(40) = Field("", description="推荐意见编号（留空自动编号）")


class PartyOut(Schema):
    id: int
    membership_id: int
    kind: str
    state: str
    state_label: str
    proposed_on: datetime.date
    meeting_on: datetime.date | None = None
    due: int | None = None
    present: int | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    notice_starts_on: datetime.date | None = None
    notice_ends_on: datetime.date | None = None
    reviewed_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    letter_number: str

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


@router.post("/memberships/{membership_id}/party-recommendations", response=_ok(PartyOut, 201), tags=PARTY,
             operation_id="propose_party_recommendation", summary="支委会提出推优入党（R4.1、R4.2）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def propose_party_recommendation(request, membership_id: Id, payload: PartyIn):
    return Status(201, party.propose(actor=request.user, membership=request.scoped_object, kind=payload.kind,
                                     proposed_on=payload.proposed_on, party_activist_on=payload.party_activist_on,
                                     party_organisation=payload.party_organisation))


@router.get("/party-recommendations/{recommendation_id}", response=_ok(PartyOut), tags=PARTY,
            operation_id="get_party_recommendation", summary="推优入党详情")
@access.api_scoped(PartyRecommendation, "recommendation_id", access.VIEW)
def get_party_recommendation(request, recommendation_id: Id):
    return request.scoped_object


@router.post("/party-recommendations/{recommendation_id}/meeting", response=_ok(PartyOut), tags=PARTY,
             operation_id="record_party_meeting", summary="团员大会无记名投票结果（R4.2、R4.3：以应到人数为基数）")
@access.api_scoped(PartyRecommendation, "recommendation_id", access.CHANGE)
def record_party_meeting(request, recommendation_id: Id, payload: PartyMeetingIn):
    return party.record_meeting(actor=request.user, recommendation=request.scoped_object, **payload.model_dump())


@router.post("/party-recommendations/{recommendation_id}/notice", response=_ok(PartyOut), tags=PARTY,
             operation_id="post_party_notice", summary="推优结果公示（R4.4）")
@access.api_scoped(PartyRecommendation, "recommendation_id", access.CHANGE)
def post_party_notice(request, recommendation_id: Id, payload: PartyNoticeIn):
    return party.post_notice(actor=request.user, recommendation=request.scoped_object, starts_on=payload.starts_on)


@router.post("/party-recommendations/{recommendation_id}/review", response=_ok(PartyOut), tags=PARTY,
             operation_id="review_party_recommendation", summary="团委审查并出具推荐意见（R4.4）")
@access.api_scoped(PartyRecommendation, "recommendation_id", access.VIEW)
def review_party_recommendation(request, recommendation_id: Id, payload: PartyReviewIn):
    return party.review(actor=request.user, recommendation=request.scoped_object, on=payload.on,
                        party_organisation=payload.party_organisation, letter_number=payload.letter_number)


# ---------------------------------------------------------------------------------------------
# Dues


class DuesLineOut(Schema):
    membership_id: int
    person_name: str
    category: str
    monthly: Decimal | None = Field(None, description="每月团费（元）；有工资收入而未填工资时为空")
    owed_months: int
    owed_amount: Decimal | None = None
    unpaid_run: int = Field(..., description="连续未交的完整月数（自行脱团判断仅按团费）")
    last_paid: datetime.date | None = None


class DuesAccountIn(Schema):
    category: DuesCategory = Field(..., description="交费类别")
    monthly_wage: Decimal | None = Field(None, ge=0, le=10000000, max_digits=10, decimal_places=2,
                                         description="税后月固定工资（有工资收入时必填）")
    starts_month: Day | None = Field(None, description="起交月份（默认入团当月）")


class DuesAccountOut(Schema):
    membership_id: int
    category: str
    monthly_wage: Decimal | None = None
    starts_month: datetime.date


class DuesPayIn(Schema):
    months: list[Day] = Field(..., min_length=1, max_length=24, description="所交月份（任一天代表该月）")
    paid_on: Day = Field(..., description="交纳日期")


class DuesPaymentOut(Schema):
    month: datetime.date
    amount: Decimal
    paid_on: datetime.date


def _line_out(line) -> DuesLineOut:
    return DuesLineOut(membership_id=line.membership.pk, person_name=line.membership.person.name,
                       category=line.category_label, monthly=line.monthly, owed_months=len(line.owed_months),
                       owed_amount=line.owed_amount, unpaid_run=line.unpaid_run, last_paid=line.last_paid)


@router.get("/units/{unit_id}/dues", response=_ok(list[DuesLineOut]), tags=DUES, operation_id="list_dues",
            summary="团费：每月金额与欠交（R5）")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_dues(request, unit_id: Id, lapse_only: bool = False):
    unit = request.scoped_object
    if lapse_only:
        lines = dues.lapse_candidates(request.user, unit) if access.can(request.user, access.CHANGE, unit) else []
    else:
        lines = dues.dues_lines(request.user, dues.members_for_dues(request.user, unit)[:500])
    return [_line_out(x) for x in lines]


@router.put("/memberships/{membership_id}/dues-account", response=_ok(DuesAccountOut), tags=DUES,
            operation_id="set_dues_account", summary="设置团费标准（R5.1–R5.4）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def set_dues_account(request, membership_id: Id, payload: DuesAccountIn):
    return dues.set_account(actor=request.user, membership=request.scoped_object, **payload.model_dump())


@router.post("/memberships/{membership_id}/dues-payments", response=_ok(list[DuesPaymentOut], 201), tags=DUES,
             operation_id="pay_dues", summary="登记团费交纳")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def pay_dues(request, membership_id: Id, payload: DuesPayIn):
    return Status(201, dues.pay(actor=request.user, membership=request.scoped_object, months=payload.months,
                                paid_on=payload.paid_on))


# ---------------------------------------------------------------------------------------------
# Transfers


class TransferIn(Schema):
    destination: Transfer.Destination = Field(..., description="转接原因")
    to_unit_id: Id | None = Field(None, description="转入团组织 ID（出国、参军的毕业生不填：暂存）")
    requested_on: Day = Field(..., description="申请日期")
    graduated_on: Day | None = Field(None, description="毕业日期（毕业生）")
    note: text(300) = Field("", description="说明")


class TransferInById(TransferIn):
    id_number: text(30, min_length=1) = Field(..., description="转入团员的身份证号码")


class TransferDecisionIn(Schema):
    approve: bool = Field(..., description="true 同意转入；false 退回")
    on: Day = Field(..., description="处理日期")
    to_branch_id: Id | None = Field(None, description="分配到的团支部 ID（同意时必填，须在转入方之下）")
    note: text(300) = Field("", description="意见（退回时必填）")


class TransferOut(Schema):
    id: int
    membership_id: int
    from_branch_id: int
    to_unit_id: int | None = None
    to_branch_id: int | None = None
    initiated_by: str
    destination: str
    state: str
    state_label: str
    requested_on: datetime.date
    deadline: datetime.date | None = None
    hold_until: datetime.date | None = None
    decided_on: datetime.date | None = None
    checked_in_on: datetime.date | None = None
    blocks_degree_certificate: bool = Field(False, description="转接从不影响毕业证书发放（R6.4）")

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_blocks_degree_certificate(obj):
        from .life_rules import blocks_degree_certificate

        return blocks_degree_certificate(obj.state)


def _unit(pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()  # organisation names are public; access is checked by the action
    if unit is None:
        raise DomainError("转入团组织不存在", field="to_unit_id")
    return unit


@router.post("/memberships/{membership_id}/transfers", response=_ok(TransferOut, 201), tags=TRANSFER,
             operation_id="start_transfer_out", summary="转出方发起转接（R6.1、R6.3）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def start_transfer_out(request, membership_id: Id, payload: TransferIn):
    return Status(201, transfers.request_transfer(
        actor=request.user, membership=request.scoped_object, initiated_by=Transfer.Initiator.SENDER,
        destination=payload.destination, to_unit=_unit(payload.to_unit_id), requested_on=payload.requested_on,
        graduated_on=payload.graduated_on, note=payload.note))


@router.post("/units/{unit_id}/transfers-in", response=_ok(TransferOut, 201), tags=TRANSFER,
             operation_id="start_transfer_in", summary="转入方发起转接（按身份证号码，R6.1）")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def start_transfer_in(request, unit_id: Id, payload: TransferInById):
    membership = transfers.find_by_id_number(payload.id_number)
    if membership is None:
        raise DomainError("未找到该身份证号码的团籍记录", field="id_number")
    return Status(201, transfers.request_transfer(
        actor=request.user, membership=membership, initiated_by=Transfer.Initiator.RECEIVER,
        destination=payload.destination, to_unit=request.scoped_object, requested_on=payload.requested_on,
        graduated_on=payload.graduated_on, note=payload.note))


@router.post("/me/transfers", response=_ok(TransferOut, 201), tags=TRANSFER, operation_id="start_my_transfer",
             summary="团员本人申请转接（R6.1）")
@access.api_self_only
def start_my_transfer(request, payload: TransferIn):
    person = Person.objects.filter(user=request.user).first()
    membership = getattr(person, "membership", None) if person else None
    if membership is None:
        raise DomainError("您没有团籍记录")
    return Status(201, transfers.request_transfer(
        actor=request.user, membership=membership, initiated_by=Transfer.Initiator.MEMBER,
        destination=payload.destination, to_unit=_unit(payload.to_unit_id), requested_on=payload.requested_on,
        graduated_on=payload.graduated_on, note=payload.note))


@router.post("/transfers/{transfer_id}/decide", response=_ok(TransferOut), tags=TRANSFER,
             operation_id="decide_transfer", summary="转入方审批并分配团支部（R6.2）")
@access.api_scoped(Transfer, "transfer_id", access.CHANGE)
def decide_transfer(request, transfer_id: Id, payload: TransferDecisionIn):
    to_branch = None
    if payload.to_branch_id is not None:
        to_branch = access.visible_units(request.user).filter(pk=payload.to_branch_id).first()
        if to_branch is None:
            raise DomainError("团支部不存在，或不在您的管理范围内", field="to_branch_id")
    return transfers.decide(actor=request.user, transfer=request.scoped_object, approve=payload.approve, on=payload.on,
                            to_branch=to_branch, note=payload.note)


@router.post("/transfers/{transfer_id}/check-in", response=_ok(TransferOut), tags=TRANSFER,
             operation_id="check_in_transfer", summary="登记线下报到（R6.4）")
@access.api_scoped(Transfer, "transfer_id", access.CHANGE)
def check_in_transfer(request, transfer_id: Id, payload: DateIn):
    return transfers.record_checkin(actor=request.user, transfer=request.scoped_object, on=payload.on)


@router.post("/transfers/{transfer_id}/cancel", response=_ok(TransferOut), tags=TRANSFER,
             operation_id="cancel_transfer", summary="撤回转接（转出方或本人）",
             description="转出方的权限按转出团支部判断，因此记录由动作本身加载并检查。")
@access.api_scoped(Transfer, None, access.CHANGE)
def cancel_transfer(request, transfer_id: Id):
    transfer = Transfer.objects.filter(pk=transfer_id).select_related("from_branch", "membership__person").first()
    if transfer is None:
        from django.http import Http404

        raise Http404("未找到")
    return transfers.cancel(actor=request.user, transfer=transfer, on=timezone.localdate())


# ---------------------------------------------------------------------------------------------
# Exits


class ExitIn(Schema):
    kind: ExitCase.Kind = Field(..., description="withdrawal=退团；lapse=自行脱团除名")
    requested_on: Day = Field(..., description="提出日期（退团为书面申请日期）")
    request_text: text(500, min_length=1) = Field(..., description="书面申请／情况说明")


class ExitOut(Schema):
    id: int
    membership_id: int
    kind: str
    state: str
    requested_on: datetime.date
    meeting_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    basis: str


@router.post("/memberships/{membership_id}/exit-cases", response=_ok(ExitOut, 201), tags=EXIT,
             operation_id="open_exit_case", summary="提出退团或自行脱团除名（R1.5、R1.6）")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def open_exit_case(request, membership_id: Id, payload: ExitIn):
    return Status(201, exits.open_case(actor=request.user, membership=request.scoped_object, **payload.model_dump()))


@router.post("/exit-cases/{case_id}/meeting", response=_ok(ExitOut), tags=EXIT, operation_id="record_exit_meeting",
             summary="支部大会讨论")
@access.api_scoped(ExitCase, "case_id", access.CHANGE)
def record_exit_meeting(request, case_id: Id, payload: DateIn):
    return exits.record_meeting(actor=request.user, case=request.scoped_object, meeting_on=payload.on)


@router.post("/exit-cases/{case_id}/complete", response=_ok(ExitOut), tags=EXIT, operation_id="complete_exit_case",
             summary="上级团委备案（退团）或批准（除名）")
@access.api_scoped(ExitCase, "case_id", access.VIEW)
def complete_exit_case(request, case_id: Id, payload: DateIn):
    return exits.complete(actor=request.user, case=request.scoped_object, on=payload.on)


# ---------------------------------------------------------------------------------------------
# Young Pioneers and the funnel


class PioneerIn(Schema):
    branch_id: Id = Field(..., description="接收团支部 ID")
    recommended_on: Day = Field(..., description="推荐日期")
    reason: text(300) = Field("", description="推荐理由")


class PioneerOut(Schema):
    id: int
    person_id: int
    branch_id: int
    recommended_on: datetime.date
    development_id: int | None = Field(None, description="已转为入团积极分子候选时的发展档案 ID")


class FunnelOut(Schema):
    unit_id: int
    unit_name: str
    pioneers: int
    recommended: int
    applicants: int
    admitted: int
    party: int


@router.post("/people/{person_id}/pioneer-recommendations", response=_ok(PioneerOut, 201), tags=PIONEER,
             operation_id="recommend_pioneer", summary="少先队推优入团（满 14 周岁转为入团积极分子候选）")
@access.api_scoped(Person, "person_id", access.CHANGE)
def recommend_pioneer(request, person_id: Id, payload: PioneerIn):
    person = request.scoped_object
    brigade = next((u for u in reversed(list(person.unit.ancestors_and_self())) if u.kind == "pioneer_brigade"), None)
    if brigade is None:
        raise DomainError("只有少先队大队的少先队员可以推优入团", field="person_id")
    branch = Unit.objects.filter(pk=payload.branch_id).first()
    if branch is None:
        raise DomainError("请选择接收的团支部", field="branch_id")  # same answer as for a unit that is no open branch: ids of units are not probed
    return Status(201, pioneers.recommend(actor=request.user, person=person, brigade=brigade, branch=branch,
                                          recommended_on=payload.recommended_on, reason=payload.reason))


@router.post("/pioneer-recommendations/{recommendation_id}/open", response=_ok(PioneerOut), tags=PIONEER,
             operation_id="open_pioneer_candidacy", summary="满 14 周岁后转为入团积极分子候选")
@access.api_scoped(PioneerRecommendation, "recommendation_id", access.CHANGE)
def open_pioneer_candidacy(request, recommendation_id: Id, payload: DateIn):
    pioneers.open_candidacy(actor=request.user, recommendation=request.scoped_object, on=payload.on)
    return PioneerRecommendation.objects.get(pk=recommendation_id)


@router.get("/units/{unit_id}/funnel", response=_ok(list[FunnelOut]), tags=PIONEER, operation_id="get_funnel",
            summary="党团队育人链接：少先队员 → 推优入团 → 入团申请 → 发展团员 → 推优入党")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def get_funnel(request, unit_id: Id, year: int | None = None):
    unit = request.scoped_object
    year = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    rows = pioneers.funnel(request.user, [unit, *pioneers.funnel_units(request.user, unit)], year)
    return [FunnelOut(unit_id=r.unit.pk, unit_name=r.unit.name, pioneers=r.pioneers, recommended=r.recommended,
                      applicants=r.applicants, admitted=r.admitted, party=r.party) for r in rows]
