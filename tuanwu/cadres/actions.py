"""State changes on cadres: cadre terms of post holdings, quotas, secondments (R8.3), appraisals
and training. Each checks access, runs in one transaction and writes the audit trail; a refused
change raises DomainError in Chinese and writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people import actions as people_actions
from tuanwu.people.models import HowObtained, Person, Position, PostHolding

from . import rules
from .models import (
    Appraisal,
    Kind,
    Move,
    PositionQuota,
    PostTerms,
    Secondment,
    StaffingQuota,
    TrainingAttendance,
    TrainingCourse,
)

MAX_TEXT = {"rank": 40, "home_employer": 120, "appointing_document": 120, "destination": 120, "approval_number": 120,
            "document": 200, "note": 300, "title": 120, "organiser": 120}


def _text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT[field]:
        raise DomainError(f"内容过长（最多 {MAX_TEXT[field]} 个字）", field=field)
    return value


def _require(actor, permission: str, unit: Unit) -> None:
    access.enforce(access.decide(actor, permission, unit))


def _refuse(found: tuple[str, str] | None) -> None:
    if found is not None:
        field, message = found
        raise DomainError(message, field=field)


def terms_snapshot(terms: PostTerms | None) -> dict | None:
    return audit.snapshot(terms)


# ---------------------------------------------------------------------------------------------
# Cadre terms (R8.1, R8.2)


@transaction.atomic
def set_post_terms(*, actor, holding: PostHolding, kind: str, in_establishment: bool = False, rank: str = "",
                   home_employer: str = "", planned_end_on: datetime.date | None = None,
                   appointing_document: str = "", appointing_document_date: datetime.date | None = None,
                   is_sample: bool = False) -> PostTerms:
    """Record or change the cadre terms of a post holding: its kind (专职, 挂职, 兼职), whether it
    uses an establishment place, the home employer and planned end of a 挂职, and the appointing
    document. Only a 专职 post may use the establishment (R8.2)."""
    _require(actor, access.CHANGE, holding.unit)
    holding = PostHolding.objects.select_for_update().select_related("unit", "person").get(pk=holding.pk)
    rank, home_employer = _text(rank, "rank"), _text(home_employer, "home_employer")
    appointing_document = _text(appointing_document, "appointing_document")
    _refuse(rules.terms_refusal(kind=kind, in_establishment=in_establishment, home_employer=home_employer,
                                started_on=holding.started_on, planned_end_on=planned_end_on, rank=rank))
    if kind != Kind.SECONDED:
        planned_end_on = None
    if appointing_document_date is not None and appointing_document_date > timezone.localdate():
        raise DomainError("任职文件日期不能晚于今天", field="appointing_document_date")
    existing = PostTerms.objects.filter(holding=holding).first()
    before = terms_snapshot(existing)
    terms = existing or PostTerms(holding=holding)
    terms.kind, terms.in_establishment, terms.rank = kind, bool(in_establishment), rank
    terms.home_employer, terms.planned_end_on = home_employer, planned_end_on
    terms.appointing_document, terms.appointing_document_date = appointing_document, appointing_document_date
    terms.is_sample = is_sample or terms.is_sample
    terms.save()
    audit.record(actor=actor, action="登记团干部任职信息" if existing is None else "修改团干部任职信息", obj=terms,
                 before=before, after=terms_snapshot(terms))
    return terms


@transaction.atomic
def appoint_cadre(*, actor, person: Person, unit: Unit, position: str, started_on: datetime.date, kind: str,
                  in_establishment: bool = False, rank: str = "", home_employer: str = "",
                  planned_end_on: datetime.date | None = None, appointing_document: str = "",
                  appointing_document_date: datetime.date | None = None, how_obtained: str = "",
                  is_sample: bool = False) -> PostTerms:
    """Record a cadre's post and its cadre terms together: the post goes into the registry's post
    holdings (the only record of posts) and the terms beside it, in one transaction."""
    if kind not in Kind.values:
        raise DomainError("干部类型只能是专职、挂职或兼职", field="kind")
    how = how_obtained or (HowObtained.SECONDED if kind == Kind.SECONDED else HowObtained.APPOINTED)
    # Check the terms first, so that a refused appointment leaves no post behind either.
    _refuse(rules.terms_refusal(kind=kind, in_establishment=in_establishment, home_employer=home_employer or "",
                                started_on=started_on, planned_end_on=planned_end_on, rank=rank or ""))
    holding = people_actions.add_post_holding(
        actor=actor, person=person, unit=unit, position=position, started_on=started_on, how_obtained=how,
        document=_text(appointing_document, "appointing_document"), is_sample=is_sample,
    )
    return set_post_terms(actor=actor, holding=holding, kind=kind, in_establishment=in_establishment, rank=rank,
                          home_employer=home_employer, planned_end_on=planned_end_on,
                          appointing_document=appointing_document, appointing_document_date=appointing_document_date,
                          is_sample=is_sample)


# ---------------------------------------------------------------------------------------------
# Quotas (R8.2)


@transaction.atomic
def set_staffing_quota(*, actor, unit: Unit, effective_from: datetime.date, full_time_posts: int,
                       positions: dict[str, int], document: str = "", note: str = "",
                       is_sample: bool = False) -> StaffingQuota:
    """Record a unit's establishment from ``effective_from``: full-time posts and the number of
    places per position (e.g. the county committee's "一正一副": 2 full-time posts, 书记 1,
    副书记 3 of which 2 outside the establishment). Earlier quotas stay as history."""
    _require(actor, access.MANAGE_RULES, unit)
    if unit.is_party or unit.kind not in {"league_province", "league_city", "league_county", "committee",
                                          "working_committee", "general_branch", "branch"}:
        raise DomainError("只能为团组织核定编制和职数", field="unit")
    if not isinstance(full_time_posts, int) or not 0 <= full_time_posts <= 200:
        raise DomainError("专职编制数应为 0–200 的整数", field="full_time_posts")
    clean_positions: dict[str, int] = {}
    for position, count in positions.items():
        if position not in Position.values:
            raise DomainError("职务取值无效", field="positions")
        if not isinstance(count, int) or not 0 <= count <= 50:
            raise DomainError("职数应为 0–50 的整数", field="positions")
        if count:
            clean_positions[position] = count
    document, note = _text(document, "document"), _text(note, "note")
    existing = StaffingQuota.objects.select_for_update().filter(unit=unit, effective_from=effective_from).first()
    before = None
    if existing is not None:
        before = {**audit.snapshot(existing), "positions": {p.position: p.count for p in existing.positions.all()}}
        existing.positions.all().delete()
        existing.full_time_posts, existing.document, existing.note = full_time_posts, document, note
        existing.save(update_fields=["full_time_posts", "document", "note"])
        quota = existing
    else:
        quota = StaffingQuota.objects.create(unit=unit, effective_from=effective_from, full_time_posts=full_time_posts,
                                             document=document, note=note, is_sample=is_sample)
    PositionQuota.objects.bulk_create(
        PositionQuota(quota=quota, position=p, count=n) for p, n in sorted(clean_positions.items())
    )
    audit.record(actor=actor, action="核定编制和职数", obj=quota, before=before,
                 after={**audit.snapshot(quota), "positions": clean_positions})
    return quota


# ---------------------------------------------------------------------------------------------
# Secondment and borrowing (R8.3)


def _cadre_terms(holding: PostHolding) -> PostTerms:
    terms = PostTerms.objects.filter(holding=holding).first()
    if terms is None:
        raise DomainError("请先登记该职务的干部类型（专职、挂职或兼职）", field="kind")
    return terms


def _check_move(*, holding: PostHolding, move: str, destination: str, started_on: datetime.date,
                planned_end_on: datetime.date | None) -> None:
    if move not in Move.values:
        raise DomainError("方式只能是借调、抽调或挂职外出", field="move")
    if not destination:
        raise DomainError("请填写去向单位", field="destination")
    if started_on < holding.started_on or (holding.ended_on is not None and started_on > holding.ended_on):
        raise DomainError("借调开始日期须在任职期间内", field="started_on")
    if planned_end_on is not None and planned_end_on < started_on:
        raise DomainError("预计结束日期不能早于开始日期", field="planned_end_on")
    open_move = holding.secondments.filter(ended_on__isnull=True).first()
    if open_move is not None:
        raise DomainError(f"该同志已于 {open_move.started_on:%Y-%m-%d} 起{open_move.get_move_display()}"
                          f"至{open_move.destination}，尚未结束", field="started_on")


@transaction.atomic
def second_cadre(*, actor, holding: PostHolding, move: str, destination: str, started_on: datetime.date,
                 planned_end_on: datetime.date | None = None, approval_number: str = "",
                 approval_date: datetime.date | None = None, note: str = "", is_sample: bool = False) -> Secondment:
    """Record that a cadre is borrowed (借调), drawn (抽调) or seconded out from the post.

    R8.3: for a 专职 cadre this is refused unless the county party committee's approval is given
    (document number and date, not after the start); nothing is written when refused."""
    _require(actor, access.CHANGE, holding.unit)
    holding = PostHolding.objects.select_for_update().select_related("unit", "person").get(pk=holding.pk)
    terms = _cadre_terms(holding)
    destination, note = _text(destination, "destination"), _text(note, "note")
    approval_number = _text(approval_number, "approval_number")
    _check_move(holding=holding, move=move, destination=destination, started_on=started_on,
                planned_end_on=planned_end_on)
    _refuse(rules.secondment_refusal(cadre_kind=terms.kind, approval_number=approval_number,
                                     approval_date=approval_date, started_on=started_on,
                                     planned_end_on=planned_end_on))
    if approval_date is not None and approval_date > timezone.localdate():
        raise DomainError("批准日期不能晚于今天", field="approval_date")
    secondment = Secondment.objects.create(
        holding=holding, move=move, cadre_kind=terms.kind, destination=destination, started_on=started_on,
        planned_end_on=planned_end_on, approval_number=approval_number,
        approval_date=approval_date if approval_number else None, note=note, is_sample=is_sample,
    )
    audit.record(actor=actor, action=f"{secondment.get_move_display()}团干部", obj=secondment,
                 after=audit.snapshot(secondment))
    return secondment


@transaction.atomic
def record_unapproved_secondment(*, actor, holding: PostHolding, move: str, destination: str,
                                 started_on: datetime.date, note: str, planned_end_on: datetime.date | None = None,
                                 is_sample: bool = False) -> Secondment:
    """Record a move that has already happened without approval (for example found by an
    inspection), so that the county sees it: it stays an irregular case (未经批准借调) until an
    approval is added or it ends. The note saying how it came to light is required."""
    _require(actor, access.CHANGE, holding.unit)
    holding = PostHolding.objects.select_for_update().select_related("unit", "person").get(pk=holding.pk)
    terms = _cadre_terms(holding)
    destination, note = _text(destination, "destination"), _text(note, "note")
    if not note:
        raise DomainError("请说明情况（如：巡察发现）", field="note")
    _check_move(holding=holding, move=move, destination=destination, started_on=started_on,
                planned_end_on=planned_end_on)
    if started_on > timezone.localdate():
        raise DomainError("事后登记的借调开始日期不能晚于今天", field="started_on")
    secondment = Secondment.objects.create(
        holding=holding, move=move, cadre_kind=terms.kind, destination=destination, started_on=started_on,
        planned_end_on=planned_end_on, recorded_without_approval=True, note=note, is_sample=is_sample,
    )
    audit.record(actor=actor, action="登记未经批准的借调", obj=secondment, after=audit.snapshot(secondment))
    return secondment


@transaction.atomic
def approve_secondment(*, actor, secondment: Secondment, approval_number: str,
                       approval_date: datetime.date) -> Secondment:
    """Add the county party committee's approval to a move recorded without one."""
    _require(actor, access.CHANGE, secondment.holding.unit)
    secondment = Secondment.objects.select_for_update().get(pk=secondment.pk)
    approval_number = _text(approval_number, "approval_number")
    if secondment.has_approval:
        raise DomainError(f"该记录已有县委批准文号：{secondment.approval_number}")
    if not approval_number or approval_date is None:
        raise DomainError("请填写县委批准文号和批准日期", field="approval_number")
    if approval_date > timezone.localdate():
        raise DomainError("批准日期不能晚于今天", field="approval_date")
    before = audit.snapshot(secondment)
    secondment.approval_number, secondment.approval_date = approval_number, approval_date
    secondment.save(update_fields=["approval_number", "approval_date"])
    audit.record(actor=actor, action="补录县委批准", obj=secondment, before=before, after=audit.snapshot(secondment))
    return secondment


@transaction.atomic
def end_secondment(*, actor, secondment: Secondment, ended_on: datetime.date) -> Secondment:
    """The cadre is back at the post (or the move ended otherwise); the record stays as history."""
    _require(actor, access.CHANGE, secondment.holding.unit)
    secondment = Secondment.objects.select_for_update().get(pk=secondment.pk)
    if secondment.ended_on is not None:
        raise DomainError(f"该记录已于 {secondment.ended_on:%Y-%m-%d} 结束")
    if ended_on < secondment.started_on:
        raise DomainError("结束日期不能早于开始日期", field="ended_on")
    if ended_on > timezone.localdate():
        raise DomainError("结束日期不能晚于今天", field="ended_on")
    before = audit.snapshot(secondment)
    secondment.ended_on = ended_on
    secondment.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="借调结束", obj=secondment, before=before, after=audit.snapshot(secondment))
    return secondment


# ---------------------------------------------------------------------------------------------
# Appraisal and training


@transaction.atomic
def record_appraisal(*, actor, person: Person, unit: Unit, year: int, grade: str, document: str = "",
                     is_sample: bool = False) -> Appraisal:
    """Record (or correct) a cadre's yearly appraisal grade, given by the unit where they serve."""
    _require(actor, access.CHANGE, unit)
    people_actions.require(actor, access.VIEW, person.unit, person)
    if grade not in rules.GRADES:
        raise DomainError("考核等次只能是：" + "、".join(rules.GRADES), field="grade")
    if not isinstance(year, int) or not 1950 <= year <= timezone.localdate().year:
        raise DomainError("考核年度无效", field="year")
    if not person.post_holdings.filter(unit=unit, started_on__year__lte=year).exists():
        raise DomainError(f"{person.name}在{year}年未在“{unit.name}”任职，不能由该组织考核", field="unit")
    document = _text(document, "document")
    existing = Appraisal.objects.select_for_update().filter(person=person, year=year).first()
    before = audit.snapshot(existing)
    appraisal = existing or Appraisal(person=person, year=year)
    appraisal.unit, appraisal.grade, appraisal.document = unit, grade, document
    appraisal.recorded_by = actor if getattr(actor, "pk", None) else None
    appraisal.is_sample = is_sample or appraisal.is_sample
    appraisal.save()
    audit.record(actor=actor, action="登记团干部年度考核", obj=appraisal, before=before, after=audit.snapshot(appraisal))
    return appraisal


def _hours(value, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("学时应为数字", field=field) from None
    if not Decimal("0.5") <= hours <= Decimal("999"):
        raise DomainError("学时应在 0.5–999 之间", field=field)
    return hours


@transaction.atomic
def create_training_course(*, actor, unit: Unit, title: str, started_on: datetime.date, ended_on: datetime.date,
                           hours, organiser: str = "", is_sample: bool = False) -> TrainingCourse:
    """Record a cadre training course organised by ``unit``."""
    _require(actor, access.CHANGE, unit)
    if unit.is_party:
        raise DomainError("团干部培训只能登记在团组织", field="unit")
    title = _text(title, "title")
    if not title:
        raise DomainError("请填写培训名称", field="title")
    if ended_on < started_on:
        raise DomainError("结束日期不能早于开始日期", field="ended_on")
    course = TrainingCourse.objects.create(unit=unit, title=title, started_on=started_on, ended_on=ended_on,
                                           hours=_hours(hours), organiser=_text(organiser, "organiser"),
                                           is_sample=is_sample)
    audit.record(actor=actor, action="登记团干部培训", obj=course, after=audit.snapshot(course))
    return course


@transaction.atomic
def record_attendance(*, actor, course: TrainingCourse, person: Person, hours=None,
                      is_sample: bool = False) -> TrainingAttendance:
    """Credit a person with a course's hours (or fewer, for part attendance)."""
    _require(actor, access.CHANGE, course.unit)
    people_actions.require(actor, access.VIEW, person.unit, person)
    credited = course.hours if hours in (None, "") else _hours(hours)
    if credited > course.hours:
        raise DomainError(f"计入学时不能超过培训总学时 {course.hours}", field="hours")
    if TrainingAttendance.objects.filter(course=course, person=person).exists():
        raise DomainError(f"{person.name}已登记参加本次培训", field="person")
    attendance = TrainingAttendance.objects.create(course=course, person=person, hours=credited, is_sample=is_sample)
    audit.record(actor=actor, action="登记培训参加", obj=attendance, after=audit.snapshot(attendance))
    return attendance
