"""Leaving the League on request or by lapse (R1.6 退团, R1.5 自行脱团除名).

退团: the member's written request → the 支部大会 removes → filed with the committee above.
除名 for lapse: the member is a candidate (consecutive months without dues, judged on dues alone
until activities are recorded), the 支部大会 decides, the committee above approves. The status
changes (R1.2: with date and reason) when the committee above completes the case.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError

from . import actions as membership_actions
from . import dues
from . import life_rules as lr
from .life_common import event, not_future, require_above, require_branch, rule
from .models import EXIT_STATUSES, PIPELINE_STATUSES, ExitCase, Membership, MembershipEvent, Status

EV = MembershipEvent.Kind.EXIT
State = ExitCase.State


def _load(case: ExitCase) -> ExitCase:
    return (ExitCase.objects.select_for_update(of=("self",))
            .select_related("membership__person", "membership__branch").get(pk=case.pk))


def unpaid_run(membership: Membership, today: datetime.date) -> int:
    account = membership.dues_account if hasattr(membership, "dues_account") else None
    start = dues.dues_from(membership, account)
    if start is None:
        return 0
    paid = membership.dues_payments.values_list("month", flat=True)
    return lr.consecutive_unpaid_months(paid, dues_from=start, today=today)


@transaction.atomic
def open_case(*, actor, membership: Membership, kind: str, requested_on: datetime.date, request_text: str,
              is_sample: bool = False) -> ExitCase:
    """Start a 退团 (the written request) or a 除名 for lapse (the branch's proposal)."""
    membership = Membership.objects.select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    if membership.status in EXIT_STATUSES or membership.status in PIPELINE_STATUSES:
        raise DomainError("只有团员可以办理退团或除名")
    not_future(requested_on, "提出日期", "requested_on")
    if ExitCase.objects.filter(membership=membership).exclude(state=State.DONE).exists():
        raise DomainError("该同志已有在办的离团手续", field="kind")
    basis = ""
    if kind == ExitCase.Kind.WITHDRAWAL:
        refusal = lr.withdrawal_refusal(requested_on=requested_on, request_text=request_text)
        if refusal:
            raise DomainError(refusal, field="request_text")
    elif kind == ExitCase.Kind.LAPSE:
        threshold = rule("membership.lapse_months", membership.branch, requested_on)
        run = unpaid_run(membership, requested_on)
        if not lr.lapse_candidate(run, lapse_months=threshold, has_activity=dues.has_activity(membership, requested_on)):
            raise DomainError(f"连续未交团费 {run} 个月，未达到 {threshold} 个月，不能按自行脱团处理", field="kind")
        if not (request_text or "").strip():
            raise DomainError("请填写情况说明", field="request_text")
        basis = f"连续 {run} 个月未交团费（{dues.LAPSE_BASIS}）"
    else:
        raise DomainError("类型取值无效", field="kind")
    case = ExitCase.objects.create(membership=membership, kind=kind, requested_on=requested_on,
                                   request_text=request_text.strip()[:500], basis=basis,
                                   is_sample=is_sample or membership.is_sample)
    event(membership, actor, on=requested_on, kind=EV,
          reason=("本人提出书面退团申请" if kind == ExitCase.Kind.WITHDRAWAL else f"支部提出除名：{basis}"))
    audit.record(actor=actor, action="提出离团", obj=case, after=audit.snapshot(case))
    return case


@transaction.atomic
def record_meeting(*, actor, case: ExitCase, meeting_on: datetime.date) -> ExitCase:
    """The 支部大会 decides (R1.5, R1.6)."""
    case = _load(case)
    require_branch(actor, case.membership)
    if case.state != State.REQUESTED:
        raise DomainError("支部大会已讨论")
    not_future(meeting_on, "支部大会日期", "meeting_on")
    refusal = lr.withdrawal_refusal(requested_on=case.requested_on, request_text=case.request_text,
                                    meeting_on=meeting_on)
    if refusal:
        raise DomainError(refusal, field="meeting_on")
    before = audit.snapshot(case)
    case.meeting_on, case.state = meeting_on, State.DECIDED
    case.save()
    event(case.membership, actor, on=meeting_on, kind=EV, reason=f"支部大会讨论同意{case.get_kind_display()}")
    audit.record(actor=actor, action="支部大会讨论离团", obj=case, before=before, after=audit.snapshot(case))
    return case


@transaction.atomic
def complete(*, actor, case: ExitCase, on: datetime.date) -> ExitCase:
    """The committee above: files the 退团 (R1.6) or approves the 除名 (R1.5); the status changes."""
    case = _load(case)
    committee = require_above(actor, case.membership)
    not_future(on, "日期", "on")
    if case.kind == ExitCase.Kind.WITHDRAWAL:
        refusal = lr.withdrawal_refusal(requested_on=case.requested_on, request_text=case.request_text,
                                        meeting_on=case.meeting_on, filed_on=on)
        to_status, reason = Status.WITHDRAWN, f"本人申请退团，支部大会通过，报{committee.name}备案"
    else:
        threshold = rule("membership.lapse_months", case.membership.branch, on)
        refusal = lr.lapse_removal_refusal(unpaid_months=unpaid_run(case.membership, on), lapse_months=threshold,
                                           meeting_on=case.meeting_on, approved_on=on)
        to_status, reason = Status.LAPSED, f"自行脱团（{case.basis}），支部大会决定除名，{committee.name}批准"
    if refusal:
        raise DomainError(refusal, field="on")
    if case.state != State.DECIDED:
        raise DomainError("须先经支部大会讨论")
    before = audit.snapshot(case)
    membership_actions.change_status(actor=actor, membership=case.membership, to_status=to_status, on=on, reason=reason)
    case.completed_on, case.completed_by_unit, case.state = on, committee, State.DONE
    case.save()
    audit.record(actor=actor, action="离团办结", obj=case, before=before, after=audit.snapshot(case))
    return case


def today() -> datetime.date:
    return timezone.localdate()
