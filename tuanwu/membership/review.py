"""Yearly review (团员教育评议) and registration (团籍注册), R3.1–R3.6.

A review session covers year Y (usually held at the end of Y or early in Y+1); the registration
of year Y+1 relies on it. Party members keeping membership are registered without review (R3.4).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind, add_months

from . import actions as membership_actions
from . import life_rules as lr
from .life_common import approving_committee, event, not_future, require_branch, rule
from .models import Grade, Membership, MembershipEvent, Registration, ReviewGrade, ReviewSession, Status

EV = MembershipEvent.Kind.REVIEW


def reviewable(branch: Unit):
    """R3.4: the members a branch reviews (not the party members keeping membership)."""
    return (Membership.objects.filter(branch=branch, status__in=sorted(lr.REVIEWED_STATUSES))
            .select_related("person").order_by("person__name_pinyin", "pk"))


def _require_branch_unit(actor, branch: Unit, permission: str = access.CHANGE) -> None:
    access.enforce(access.decide(actor, permission, branch))


@transaction.atomic
def hold_review(*, actor, branch: Unit, year: int, held_on: datetime.date, present: int,
                grades: dict[int, str], is_sample: bool = False) -> ReviewSession:
    """R3.1/R3.2: the review 支部大会 (> ⅔ present) grades every member reviewed; 优秀 is capped."""
    _require_branch_unit(actor, branch)
    if branch.kind != Kind.BRANCH:
        raise DomainError("评议以团支部为单位进行")
    not_future(held_on, "会议日期", "held_on")
    if not (held_on.year - 1 <= year <= held_on.year):
        raise DomainError("评议年度应为会议当年或上一年", field="year")
    if ReviewSession.objects.filter(branch=branch, year=year).exists():
        raise DomainError(f"{branch.name} 已有 {year} 年度评议", field="year")
    members = list(reviewable(branch))
    due = len(members)
    refusal = lr.review_quorum_refusal(due, present)
    if refusal:
        raise DomainError(refusal, field="present")
    wanted = {m.pk for m in members}
    if set(grades) != wanted:
        missing = [m.person.name for m in members if m.pk not in grades]
        raise DomainError("每名参加评议的团员都要评定等次" + (f"，尚缺：{'、'.join(missing)}" if missing else ""),
                          field="grades")
    if any(g not in Grade.values for g in grades.values()):
        raise DomainError("等次取值无效", field="grades")
    cap = rule("review.excellent_cap", branch, held_on)
    refusal = lr.excellent_cap_refusal(Counter(grades.values())[Grade.EXCELLENT], due, cap)
    if refusal:
        raise DomainError(refusal, field="grades")
    session = ReviewSession.objects.create(branch=branch, year=year, held_on=held_on, members_due=due, present=present,
                                           is_sample=is_sample)
    rows = [ReviewGrade(session=session, membership=m, grade=grades[m.pk], is_sample=is_sample) for m in members]
    ReviewGrade.objects.bulk_create(rows)
    audit.record(actor=actor, action="团员教育评议", obj=session, after=audit.snapshot(session))
    audit.record_many(actor=actor, action="评定等次", items=[(r, None, audit.snapshot(r)) for r in rows])
    return session


@transaction.atomic
def approve_review(*, actor, session: ReviewSession, on: datetime.date) -> ReviewSession:
    """R3.2: the grades are approved by the committee above."""
    session = ReviewSession.objects.select_for_update().select_related("branch").get(pk=session.pk)
    committee = approving_committee(session.branch)
    if committee is None:
        raise DomainError("没有上级团委，无法审定")
    access.enforce(access.decide(actor, access.VIEW, session.branch))
    if not access.can(actor, access.CHANGE, committee):
        raise PermissionDenied(f"评议结果由{committee.name}审定")
    if session.approved_on:
        raise DomainError("评议结果已审定")
    not_future(on, "审定日期", "on")
    if on < session.held_on:
        raise DomainError(f"审定日期不能早于评议会议日期（{session.held_on:%Y-%m-%d}）", field="on")
    before = audit.snapshot(session)
    session.approved_on, session.approved_by_unit = on, committee
    session.save(update_fields=["approved_on", "approved_by_unit"])
    audit.record(actor=actor, action="审定评议结果", obj=session, before=before, after=audit.snapshot(session))
    return session


@transaction.atomic
def reassess(*, actor, grade: ReviewGrade, on: datetime.date, new_grade: str) -> ReviewGrade:
    """R3.3: a 不合格 member is re-assessed after 3–6 months; no change → 劝退 (then removal)."""
    grade = ReviewGrade.objects.select_for_update(of=("self",)).select_related(
        "session", "membership__person", "membership__branch").get(pk=grade.pk)
    require_branch(actor, grade.membership)
    if grade.grade != Grade.FAILED:
        raise DomainError("只有评议为“不合格”的团员需要复评")
    if grade.reassessed_on:
        raise DomainError("已经复评")
    not_future(on, "复评日期", "on")
    refusal = lr.reassessment_refusal(grade.session.held_on, on)
    if refusal:
        raise DomainError(refusal, field="on")
    if new_grade not in Grade.values:
        raise DomainError("等次取值无效", field="new_grade")
    before = audit.snapshot(grade)
    grade.reassessed_on, grade.reassessed_grade = on, new_grade
    text = f"评议不合格后复评为“{Grade(new_grade).label}”"
    if new_grade == Grade.FAILED:
        grade.persuaded_on = on
        text += "，仍无改变，予以劝退；不愿退团的按程序除名"
    grade.save()
    event(grade.membership, actor, on=on, kind=EV, reason=text)
    audit.record(actor=actor, action="复评", obj=grade, before=before, after=audit.snapshot(grade))
    return grade


def grade_for_registration(membership: Membership, year: int) -> tuple[str | None, bool]:
    """The (effective grade, approved?) of the review of ``year - 1`` that registration relies on."""
    row = (ReviewGrade.objects.filter(membership=membership, session__year=year - 1)
           .select_related("session").first())
    if row is None:
        return None, False
    return row.effective_grade, row.session.approved_on is not None


def registration_window(branch: Unit, on: datetime.date) -> tuple[int, int]:
    """R3.5: the configured registration months (start, end)."""
    return rule("registration.month_start", branch, on), rule("registration.month_end", branch, on)


def registration_refusal(membership: Membership, year: int, on: datetime.date,
                         window: tuple[int, int] | None = None) -> str | None:
    grade, approved = grade_for_registration(membership, year)
    after_deferral = membership.status == Status.REGISTRATION_DEFERRED
    start, end = window or registration_window(membership.branch, on)
    if after_deferral:
        deferral = membership.registrations.filter(year=year, outcome=Registration.Outcome.DEFERRED).first()
        if deferral and on < deferral.deferred_until:
            return f"暂缓注册至 {deferral.deferred_until:%Y-%m-%d}，期满后方可注册"
        start, end = 1, 12  # a deferral ends outside the normal window
    if on.year != year:
        return f"注册日期应在 {year} 年内"
    if membership.registrations.filter(year=year, outcome=Registration.Outcome.REGISTERED).exists():
        return f"{year} 年度已注册"
    return lr.registration_refusal(status=Status.MEMBER if after_deferral else membership.status, grade=grade,
                                   approved=approved, month=on.month, month_start_=start, month_end=end)


@transaction.atomic
def register(*, actor, membership: Membership, year: int, on: datetime.date,
             window: tuple[int, int] | None = None) -> Registration:
    """R3.5: register a member for ``year`` (once a year, 基本合格 or better; R3.4 party members
    keeping membership without review). A deferred member returns to 团员."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    not_future(on, "注册日期", "on")
    refusal = registration_refusal(membership, year, on, window)
    if refusal:
        raise DomainError(refusal, field="on")
    if membership.status == Status.REGISTRATION_DEFERRED:
        membership_actions.change_status(actor=actor, membership=membership, to_status=Status.MEMBER, on=on,
                                         reason="暂缓注册期满，予以注册")
    row = Registration.objects.create(membership=membership, year=year, on=on, outcome=Registration.Outcome.REGISTERED,
                                      is_sample=membership.is_sample)
    event(membership, actor, on=on, kind=EV, reason=f"{year} 年度团籍注册")
    audit.record(actor=actor, action="团籍注册", obj=row, after=audit.snapshot(row))
    return row


@transaction.atomic
def register_branch(*, actor, branch: Unit, year: int, on: datetime.date) -> tuple[list[Registration], list[tuple]]:
    """Register every eligible member of a branch; returns (registered, [(membership, reason)])."""
    _require_branch_unit(actor, branch)
    done, refused = [], []
    window = registration_window(branch, on)
    for membership in (Membership.objects.filter(branch=branch, status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING,
                                                                          Status.PROBATION])
                       .select_related("person").order_by("person__name_pinyin")):
        if membership.registrations.filter(year=year, outcome=Registration.Outcome.REGISTERED).exists():
            continue
        refusal = registration_refusal(membership, year, on, window)
        if refusal:
            refused.append((membership, refusal))
            continue
        done.append(register(actor=actor, membership=membership, year=year, on=on, window=window))
    return done, refused


@transaction.atomic
def defer_registration(*, actor, membership: Membership, year: int, on: datetime.date, until: datetime.date,
                       reason: str) -> Registration:
    """R3.6: 暂缓注册 for 3–6 months (the member becomes 暂缓注册 until registered)."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    not_future(on, "办理日期", "on")
    refusal = lr.deferral_refusal(on, until)
    if refusal:
        raise DomainError(refusal, field="until")
    if not (reason or "").strip():
        raise DomainError("请填写暂缓注册的原因", field="reason")
    if membership.registrations.filter(year=year, outcome=Registration.Outcome.REGISTERED).exists():
        raise DomainError(f"{year} 年度已注册", field="year")
    membership_actions.change_status(actor=actor, membership=membership, to_status=Status.REGISTRATION_DEFERRED, on=on,
                                     reason=f"暂缓注册至 {until:%Y-%m-%d}：{reason.strip()}")
    row = Registration.objects.create(membership=membership, year=year, on=on, outcome=Registration.Outcome.DEFERRED,
                                      deferred_until=until, reason=reason.strip()[:300], is_sample=membership.is_sample)
    audit.record(actor=actor, action="暂缓注册", obj=row, after=audit.snapshot(row))
    return row


def last_registered_on(membership: Membership) -> datetime.date | None:
    row = membership.registrations.filter(outcome=Registration.Outcome.REGISTERED).order_by("-on").first()
    return row.on if row else None


def unregistered_members(user, today: datetime.date | None = None, permission: str = access.CHANGE):
    """R3.6: members (not party members keeping membership? they register too) unregistered for
    more than a year, with the date they were last registered."""
    from django.db.models import Max, Q

    today = today or timezone.localdate()
    cutoff = add_months(today, -12)
    rows = (access.visible_to(user, Membership.objects.filter(
        status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING, Status.PROBATION, Status.REGISTRATION_DEFERRED]),
        permission)
        .annotate(last_on=Max("registrations__on", filter=Q(registrations__outcome=Registration.Outcome.REGISTERED)))
        .filter(Q(last_on__lt=cutoff) | Q(last_on__isnull=True, joined_on__lt=cutoff))
        .select_related("person", "branch"))
    return [m for m in rows if lr.unregistered_too_long(m.last_on, m.joined_on, today)]
