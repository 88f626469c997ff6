"""Transfers of membership (组织关系转接), R6.1–R6.4.

Started by the sending organisation, the receiving one or the member (R6.1); the receiver
approves and assigns a branch (R6.2); graduates follow R6.3 (abroad and enlisting are held, not
moved); nothing here can hold up a degree certificate, and the offline check-in is tracked
(R6.4). Both sides keep the history: the MembershipEvent names both branches, and the sending
side lists its outgoing transfers through ``from_branch``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import BRANCH_KINDS, COMMITTEE_KINDS, LEAGUE_LEADING_KINDS, Kind
from tuanwu.people import actions as people_actions
from tuanwu.people.models import Person, id_number_index

from . import life_rules as lr
from .life_common import event, not_future
from .models import EXIT_STATUSES, Membership, MembershipEvent, Transfer

State = Transfer.State
RECEIVING_KINDS = BRANCH_KINDS | COMMITTEE_KINDS | LEAGUE_LEADING_KINDS | {Kind.GENERAL_BRANCH}
GRADUATE_KINDS = {"graduate_employer", "graduate_residence", "further_study", "abroad", "enlisting"}


def _check_receiver(to_unit: Unit | None, membership: Membership) -> None:
    if to_unit is None:
        raise DomainError("请选择转入的团组织", field="to_unit")
    if to_unit.kind not in RECEIVING_KINDS or not to_unit.is_open:
        raise DomainError("转入方应为未撤销的团组织（团委、团总支或团支部）", field="to_unit")
    if to_unit.pk == membership.branch_id:
        raise DomainError("转入方不能是当前所在团支部", field="to_unit")


def _require_initiator(actor, membership: Membership, initiated_by: str, to_unit: Unit | None) -> None:
    if initiated_by == Transfer.Initiator.SENDER:
        people_actions.require(actor, access.CHANGE, membership.branch, membership.person)
    elif initiated_by == Transfer.Initiator.RECEIVER:
        if to_unit is None:
            raise DomainError("请选择转入的团组织", field="to_unit")
        access.enforce(access.decide(actor, access.CHANGE, to_unit))
    elif initiated_by == Transfer.Initiator.MEMBER:
        if not getattr(actor, "pk", None) or membership.person.user_id != actor.pk:
            raise DomainError("只能为本人申请组织关系转接")
    else:
        raise DomainError("发起方取值无效", field="initiated_by")


@transaction.atomic
def request_transfer(*, actor, membership: Membership, initiated_by: str, destination: str,
                     to_unit: Unit | None, requested_on: datetime.date, graduated_on: datetime.date | None = None,
                     note: str = "", is_sample: bool = False) -> Transfer:
    """R6.1/R6.3: open a transfer. Abroad and enlisting graduates are held (暂存), not moved."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("person", "branch").get(pk=membership.pk)
    if destination not in Transfer.Destination.values:
        raise DomainError("转接原因取值无效", field="destination")
    held = destination in ("abroad", "enlisting")
    _require_initiator(actor, membership, initiated_by, None if held else to_unit)
    if membership.status in EXIT_STATUSES:
        raise DomainError("已离团的人员不能转接组织关系")
    not_future(requested_on, "申请日期", "requested_on")
    if Transfer.objects.filter(membership=membership, state__in=[State.PENDING, State.HELD]).exists():
        raise DomainError("该同志已有未办结的转接", field="to_unit")
    deadline = hold_until = None
    if destination in GRADUATE_KINDS:
        if graduated_on is None:
            raise DomainError("毕业生转接须填写毕业日期", field="graduated_on")
        plan = lr.graduate_destination(destination, graduated_on=graduated_on,
                                       has_employer_org=to_unit is not None)
        deadline, hold_until = plan.deadline, plan.hold_until
        if plan.target == "residence" and destination == "graduate_employer":
            raise DomainError("就业单位未建团组织的，请选择“毕业生：到居住地”并选择居住地团组织", field="to_unit")
    if not held:
        _check_receiver(to_unit, membership)
    transfer = Transfer.objects.create(
        membership=membership, from_branch=membership.branch, to_unit=None if held else to_unit,
        initiated_by=initiated_by, destination=destination, state=State.HELD if held else State.PENDING,
        requested_on=requested_on, deadline=deadline, hold_until=hold_until, note=(note or "").strip()[:300],
        requested_by=actor if getattr(actor, "pk", None) else None, is_sample=is_sample or membership.is_sample,
    )
    if held:
        text = (f"{transfer.get_destination_display()}：组织关系暂存"
                + (f"在原学校至 {hold_until:%Y-%m-%d}" if hold_until else "，待转入部队团组织"))
    else:
        text = f"{transfer.get_initiated_by_display()}申请转入“{to_unit.name}”（{transfer.get_destination_display()}）"
        if deadline:
            text += f"，应于 {deadline:%Y-%m-%d} 前转入"
    event(membership, actor, on=requested_on, kind=MembershipEvent.Kind.TRANSFER, reason=text,
          from_branch=membership.branch, to_branch=to_unit if not held else None)
    audit.record(actor=actor, action="申请组织关系转接", obj=transfer, after=audit.snapshot(transfer))
    return transfer


def find_by_id_number(id_number: str) -> Membership | None:
    """The receiver names the member by ID number (they cannot see the sender's records)."""
    from tuanwu.people.idcard import normalise_id_number

    number = normalise_id_number(id_number or "")
    person = Person.objects.filter(id_number_index=id_number_index(number)).first() if number else None
    return getattr(person, "membership", None) if person else None


@transaction.atomic
def resume_held(*, actor, transfer: Transfer, to_unit: Unit, on: datetime.date) -> Transfer:
    """A held transfer (abroad, enlisting) goes on to a receiver when the member returns or the
    forces' organisation is known."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__branch").get(pk=transfer.pk)
    people_actions.require(actor, access.CHANGE, transfer.from_branch, transfer.membership.person)
    if transfer.state != State.HELD:
        raise DomainError("只有暂存中的转接可以继续办理")
    _check_receiver(to_unit, transfer.membership)
    before = audit.snapshot(transfer)
    transfer.state, transfer.to_unit, transfer.requested_on = State.PENDING, to_unit, on
    transfer.save()
    event(transfer.membership, actor, on=on, kind=MembershipEvent.Kind.TRANSFER,
          reason=f"暂存结束，申请转入“{to_unit.name}”", from_branch=transfer.from_branch, to_branch=to_unit)
    audit.record(actor=actor, action="继续办理转接", obj=transfer, before=before, after=audit.snapshot(transfer))
    return transfer


def branch_choices(to_unit: Unit):
    """R6.2: the branches the receiver may assign (its own subtree's open 团支部)."""
    return Unit.objects.filter(path__startswith=to_unit.path, kind=Kind.BRANCH, closed_on__isnull=True).order_by("path")


@transaction.atomic
def decide(*, actor, transfer: Transfer, approve: bool, on: datetime.date, to_branch: Unit | None = None,
           note: str = "") -> Transfer:
    """R6.2: the receiver approves (assigning a branch under itself; the membership moves and
    both branches keep the history) or sends the request back with a reason."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__branch", "to_unit").get(pk=transfer.pk)
    if transfer.to_unit is None:
        raise DomainError("该转接暂存中，尚无转入方")
    people_actions.require(actor, access.CHANGE, transfer.to_unit, transfer.membership.person)
    not_future(on, "处理日期", "on")
    if on < transfer.requested_on:
        raise DomainError(f"处理日期不能早于申请日期（{transfer.requested_on:%Y-%m-%d}）", field="on")
    ok_branch = to_branch is not None and branch_choices(transfer.to_unit).filter(pk=to_branch.pk).exists()
    refusal = lr.transfer_decision_refusal(status=transfer.state, receiver_branch_ok=ok_branch or not approve)
    if refusal:
        raise DomainError(refusal, field="to_branch")
    if not approve and not (note or "").strip():
        raise DomainError("退回须说明理由", field="note")
    before = audit.snapshot(transfer)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("person", "branch").get(
        pk=transfer.membership_id)
    transfer.decided_on, transfer.decision_note = on, (note or "").strip()[:300]
    if approve:
        from_branch = membership.branch
        m_before, p_before = audit.snapshot(membership), people_actions.person_snapshot(membership.person)
        membership.branch = to_branch
        membership.save(update_fields=["branch", "updated_at"])
        person = membership.person
        person.unit = to_branch
        person.save(update_fields=["unit", "updated_at"])
        transfer.state, transfer.to_branch = State.APPROVED, to_branch
        event(membership, actor, on=on, kind=MembershipEvent.Kind.MOVE, from_branch=from_branch, to_branch=to_branch,
              reason=f"组织关系转接：{transfer.to_unit.name}同意转入，分配到{to_branch.name}")
        audit.record(actor=actor, action="转移团支部", obj=membership, before=m_before, after=audit.snapshot(membership))
        audit.record(actor=actor, action="修改人员信息", obj=person, before=p_before,
                     after=people_actions.person_snapshot(person))
    else:
        transfer.state = State.REJECTED
        event(membership, actor, on=on, kind=MembershipEvent.Kind.TRANSFER, from_branch=transfer.from_branch,
              to_branch=transfer.to_unit, reason=f"{transfer.to_unit.name}退回转接申请：{transfer.decision_note}")
    transfer.save()
    audit.record(actor=actor, action="审批组织关系转接" if approve else "退回组织关系转接", obj=transfer, before=before,
                 after=audit.snapshot(transfer))
    return transfer


@transaction.atomic
def cancel(*, actor, transfer: Transfer, on: datetime.date) -> Transfer:
    """The sending side (or the member) withdraws a request the receiver has not decided."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__branch").get(pk=transfer.pk)
    is_member = getattr(actor, "pk", None) and transfer.membership.person.user_id == actor.pk
    if not is_member:
        people_actions.require(actor, access.CHANGE, transfer.from_branch, transfer.membership.person)
    if transfer.state not in (State.PENDING, State.HELD):
        raise DomainError("该转接已处理，不能撤回")
    before = audit.snapshot(transfer)
    transfer.state, transfer.decided_on = State.CANCELLED, on
    transfer.save()
    event(transfer.membership, actor, on=on, kind=MembershipEvent.Kind.TRANSFER, reason="撤回组织关系转接申请",
          from_branch=transfer.from_branch, to_branch=transfer.to_unit)
    audit.record(actor=actor, action="撤回组织关系转接", obj=transfer, before=before, after=audit.snapshot(transfer))
    return transfer


@transaction.atomic
def record_checkin(*, actor, transfer: Transfer, on: datetime.date) -> Transfer:
    """R6.4: the member reported to the new branch in person."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__branch", "to_unit").get(pk=transfer.pk)
    people_actions.require(actor, access.CHANGE, transfer.to_unit, transfer.membership.person)
    if transfer.state != State.APPROVED:
        raise DomainError("转入审批通过后才能登记报到")
    if transfer.checked_in_on:
        raise DomainError("已登记报到")
    not_future(on, "报到日期", "on")
    if on < transfer.decided_on:
        raise DomainError(f"报到日期不能早于转入日期（{transfer.decided_on:%Y-%m-%d}）", field="on")
    before = audit.snapshot(transfer)
    transfer.checked_in_on = on
    transfer.save(update_fields=["checked_in_on"])
    event(transfer.membership, actor, on=on, kind=MembershipEvent.Kind.TRANSFER, reason=f"到{transfer.to_branch.name}线下报到")
    audit.record(actor=actor, action="登记转接报到", obj=transfer, before=before, after=audit.snapshot(transfer))
    return transfer


def transfers_for(user, unit: Unit, permission: str = access.VIEW):
    """(incoming, outgoing) transfers of ``unit``'s subtree that ``user`` may see."""
    base = Transfer.objects.select_related("membership__person", "from_branch", "to_unit", "to_branch")
    incoming = access.visible_to(user, base.filter(to_unit__path__startswith=unit.path), permission)
    q = access.path_prefix_q(user, permission, "from_branch__path")
    outgoing = base.none() if q is None else base.filter(q).filter(from_branch__path__startswith=unit.path)
    minor_q = Transfer.access_minor_q()
    minor_scope = access.path_prefix_q(user, access.VIEW_MINOR, "from_branch__path")
    outgoing = outgoing.filter(~minor_q | (minor_q & minor_scope) if minor_scope is not None else ~minor_q)
    return incoming.order_by("-requested_on", "-pk"), outgoing.order_by("-requested_on", "-pk")


def waiting_for(user, today: datetime.date | None = None):
    """Transfers awaiting the user's decision, and approved ones without an offline check-in."""
    today = today or timezone.localdate()
    base = access.visible_to(user, Transfer.objects.select_related("membership__person", "to_unit", "from_branch"),
                             access.CHANGE)
    # One query: pending requests, and approved ones not yet checked in.
    rows = list(base.filter(Q(state=State.PENDING) | Q(state=State.APPROVED, checked_in_on__isnull=True))
                .order_by("requested_on", "pk"))
    pending = [t for t in rows if t.state == State.PENDING]
    unchecked = [t for t in rows if t.state == State.APPROVED
                 and lr.checkin_overdue(t.decided_on, t.checked_in_on, today)]
    return pending, unchecked


def held_expiring(user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    q = access.path_prefix_q(user, access.CHANGE, "from_branch__path")
    if q is None:
        return Transfer.objects.none()
    return (Transfer.objects.filter(q).filter(state=State.HELD)
            .filter(Q(hold_until__lte=today + datetime.timedelta(days=90)) | Q(hold_until__isnull=True))
            .select_related("membership__person", "from_branch"))
