"""State changes of League membership: registering a member, changing status, moving branch.

Each action checks access on the branch (with the person's record class), applies the rules of
``rules.py`` (R1.1–R1.4, R2.14), writes a MembershipEvent for the history and an audit row, and
runs in one transaction. Refusals raise DomainError with a Chinese message.
"""

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
from tuanwu.people import actions as people_actions
from tuanwu.people.models import Person, PoliticalStatus
from tuanwu.people.queries import holds_post_on

from . import rules
from .models import EXIT_STATUSES, PIPELINE_STATUSES, Membership, MembershipEvent, Status


def _require(actor, permission: str, unit: Unit, person: Person) -> None:
    people_actions.require(actor, permission, unit, person)


def county_division_code(unit: Unit) -> str:
    """The administrative division code that decides R2.14's start year: the nearest 团县委's,
    else the nearest ancestor that has one."""
    return division_code_in(list(unit.ancestors_and_self()))


def nearest_county_in(lineage: list[Unit]) -> Unit | None:
    """``Unit.nearest_county`` of the last unit of ``lineage`` (root first), without a query."""
    return next((u for u in reversed(lineage) if u.kind == Kind.LEAGUE_COUNTY), None)


def division_code_in(lineage: list[Unit]) -> str:
    """``county_division_code`` of the last unit of ``lineage`` (root first, the unit last), for
    callers that hold the units already (an import resolves hundreds of branches)."""
    county = nearest_county_in(lineage)
    if county is not None and county.division_code:
        return county.division_code
    return next((u.division_code for u in reversed(lineage) if u.division_code), "")


def _check_branch(branch: Unit) -> None:
    if branch.kind != Kind.BRANCH:
        raise DomainError("团员只能登记在团支部", field="branch")
    if not branch.is_open:
        raise DomainError(f"“{branch.name}”已撤销", field="branch")


def _check_join(person: Person, branch: Unit, *, joined_on: datetime.date | None, development_number: str,
                legacy: bool) -> None:
    """R1.1 age at joining and R2.14 development number, for a person who has joined."""
    if joined_on is None:
        raise DomainError("请填写入团时间", field="joined_on")
    if joined_on > timezone.localdate():
        raise DomainError("入团时间不能晚于今天", field="joined_on")
    min_age = get_rule("membership.min_join_age", branch, joined_on)
    refusal = rules.join_age_refusal(person.birth_date, joined_on, min_age=min_age, legacy=legacy)
    if refusal:
        raise DomainError(refusal, field="joined_on")
    refusal = rules.development_number_refusal(development_number, joined_on, county_division_code(branch))
    if refusal:
        raise DomainError(refusal, field="development_number")


def _event(membership: Membership, actor, **fields) -> MembershipEvent:
    return MembershipEvent.objects.create(
        membership=membership, actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "系统", is_sample=membership.is_sample,
        **fields,
    )


@transaction.atomic
def open_membership(*, actor, person: Person, branch: Unit, status: str, on: datetime.date,
                    joined_on: datetime.date | None = None, member_card_number: str = "",
                    development_number: str = "", exit_on: datetime.date | None = None, exit_reason: str = "",
                    reason: str = "", legacy: bool = False, is_sample: bool = False) -> Membership:
    """Start the membership record of an existing person in ``branch`` with ``status``.

    Used for a new applicant (the usual start) and for registering someone already further
    along (a member moving in from another county, a record taken over from the old system).
    The person moves into the branch.
    """
    _require(actor, access.CHANGE, person.unit, person)
    _require(actor, access.CHANGE, branch, person)
    _check_branch(branch)
    if Membership.objects.filter(person=person).exists():
        raise DomainError("该同志已有团籍记录", field="status")
    if status not in Status.values:
        raise DomainError("团籍状态取值无效", field="status")
    if status in rules.ID_REQUIRED_STATUSES and not person.has_id_number:
        raise DomainError(f"“{rules.label(status)}”须登记身份证号码", field="status")
    development_number = (development_number or "").strip()
    member_card_number = (member_card_number or "").strip()
    refusal = rules.member_card_number_refusal(member_card_number)
    if refusal:
        raise DomainError(refusal, field="member_card_number")
    if status in PIPELINE_STATUSES:
        if joined_on is not None or development_number or member_card_number:
            raise DomainError("尚未入团的人员不能填写入团时间、团员证号或发展团员编号", field="joined_on")
    else:
        _check_join(person, branch, joined_on=joined_on, development_number=development_number, legacy=legacy)
    refusal = rules.exit_record_refusal(status, exit_on, exit_reason)
    if refusal:
        raise DomainError(refusal, field="exit_on" if exit_on is None else "exit_reason")
    if status not in EXIT_STATUSES and (exit_on or exit_reason):
        raise DomainError("未离团的人员不能填写离团日期和原因", field="exit_on")
    if status == Status.PARTY_MEMBER_KEEPING:
        refusal = rules.party_keeping_refusal(person.birth_date, on, holds_post=holds_post_on(person, on))
        if refusal:
            raise DomainError(refusal, field="status")

    person_before = people_actions.person_snapshot(person)
    changed_person = False
    if person.unit_id != branch.pk:
        person.unit = branch
        changed_person = True
    if status in (Status.MEMBER, Status.PROBATION, Status.REGISTRATION_DEFERRED) and person.political_status in (
        PoliticalStatus.PIONEER, PoliticalStatus.MASSES
    ):
        person.political_status = PoliticalStatus.LEAGUE_MEMBER
        changed_person = True
    if changed_person:
        person.save(update_fields=["unit", "political_status", "updated_at"])
        audit.record(actor=actor, action="修改人员信息", obj=person, before=person_before,
                     after=people_actions.person_snapshot(person))

    membership = Membership.objects.create(
        person=person, branch=branch, status=status, status_since=on, joined_on=joined_on,
        member_card_number=member_card_number, development_number=development_number,
        exit_on=exit_on if status in EXIT_STATUSES else None,
        exit_reason=(exit_reason or "").strip() if status in EXIT_STATUSES else "", is_sample=is_sample,
    )
    _event(membership, actor, kind=MembershipEvent.Kind.REGISTERED, on=on, to_status=status, to_branch=branch,
           reason=(reason or "").strip())
    audit.record(actor=actor, action="登记团籍", obj=membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def register_member(*, actor, branch: Unit, person_fields: dict, status: str, on: datetime.date | None = None,
                    **membership_fields) -> Membership:
    """Create a person in ``branch`` and their membership record in one step."""
    fields = dict(person_fields)
    name = fields.pop("name", "")
    _check_branch(branch)
    person = people_actions.create_person(actor=actor, unit=branch, name=name, **fields)
    return open_membership(actor=actor, person=person, branch=branch, status=status,
                           on=on or timezone.localdate(), **membership_fields)


@transaction.atomic
def change_status(*, actor, membership: Membership, to_status: str, on: datetime.date, reason: str = "",
                  document: str = "", joined_on: datetime.date | None = None, development_number: str | None = None,
                  member_card_number: str | None = None) -> Membership:
    """Move a membership to ``to_status`` on ``on`` along the allowed transitions (R1.2).

    Becoming 团员 records the join date (R2.10: the 支部大会 vote) and checks R1.1 and R2.14;
    超龄离团 checks R1.3; 保留团籍的党员 checks R1.4; exits record their date and reason.
    """
    membership = Membership.objects.select_for_update().select_related("person", "branch").get(pk=membership.pk)
    person = membership.person
    _require(actor, access.CHANGE, membership.branch, person)
    if to_status not in Status.values:
        raise DomainError("团籍状态取值无效", field="to_status")
    refusal = rules.transition_refusal(membership.status, to_status)
    if refusal:
        raise DomainError(refusal, field="to_status")
    reason = (reason or "").strip()
    if on > timezone.localdate():
        raise DomainError("变更日期不能晚于今天", field="on")
    if on < membership.status_since:
        raise DomainError(f"变更日期不能早于当前状态的起始日期（{membership.status_since:%Y-%m-%d}）", field="on")
    refusal = rules.exit_record_refusal(to_status, on, reason)
    if refusal:
        raise DomainError(refusal, field="reason")
    if to_status in rules.ID_REQUIRED_STATUSES and not person.has_id_number:
        raise DomainError(f"“{rules.label(to_status)}”须先登记身份证号码", field="to_status")

    before = audit.snapshot(membership)
    if to_status == Status.MEMBER and membership.status in PIPELINE_STATUSES:
        joined_on = joined_on or on
        number = (development_number if development_number is not None else membership.development_number).strip()
        _check_join(person, membership.branch, joined_on=joined_on, development_number=number, legacy=False)
        membership.joined_on = joined_on
        membership.development_number = number
        if member_card_number is not None:
            refusal = rules.member_card_number_refusal(member_card_number)
            if refusal:
                raise DomainError(refusal, field="member_card_number")
            membership.member_card_number = member_card_number.strip()
        if person.political_status in (PoliticalStatus.PIONEER, PoliticalStatus.MASSES):
            person_before = people_actions.person_snapshot(person)
            person.political_status = PoliticalStatus.LEAGUE_MEMBER
            person.save(update_fields=["political_status", "updated_at"])
            audit.record(actor=actor, action="修改人员信息", obj=person, before=person_before,
                         after=people_actions.person_snapshot(person))
    if to_status == Status.AGED_OUT:
        refusal = rules.aged_out_refusal(person.birth_date, on, holds_post=holds_post_on(person, on))
        if refusal:
            raise DomainError(refusal, field="to_status")
    if to_status == Status.PARTY_MEMBER_KEEPING:
        refusal = rules.party_keeping_refusal(person.birth_date, on, holds_post=holds_post_on(person, on))
        if refusal:
            raise DomainError(refusal, field="to_status")
    if to_status in EXIT_STATUSES:
        membership.exit_on = on
        membership.exit_reason = reason

    from_status = membership.status
    membership.status = to_status
    membership.status_since = on
    membership.save()
    _event(membership, actor, kind=MembershipEvent.Kind.STATUS, on=on, from_status=from_status, to_status=to_status,
           reason=reason, document=(document or "").strip())
    audit.record(actor=actor, action="变更团籍状态", obj=membership, before=before, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def move_branch(*, actor, membership: Membership, to_branch: Unit, on: datetime.date, reason: str = "",
                document: str = "") -> Membership:
    """Move a membership (and the person) to another 团支部 in the actor's scope.

    Transfers between counties with the receiver's approval (R6) come later; this is the
    in-scope move both branches' administrator can make.
    """
    membership = Membership.objects.select_for_update().select_related("person", "branch").get(pk=membership.pk)
    person = membership.person
    _require(actor, access.CHANGE, membership.branch, person)
    _require(actor, access.CHANGE, to_branch, person)
    _check_branch(to_branch)
    if to_branch.pk == membership.branch_id:
        raise DomainError("已在该团支部", field="to_branch")
    if membership.status in EXIT_STATUSES:
        raise DomainError("已离团的人员不能转移团支部", field="to_branch")
    if on > timezone.localdate():
        raise DomainError("转移日期不能晚于今天", field="on")
    before = audit.snapshot(membership)
    person_before = people_actions.person_snapshot(person)
    from_branch = membership.branch
    membership.branch = to_branch
    membership.save(update_fields=["branch", "updated_at"])
    person.unit = to_branch
    person.save(update_fields=["unit", "updated_at"])
    _event(membership, actor, kind=MembershipEvent.Kind.MOVE, on=on, from_branch=from_branch, to_branch=to_branch,
           reason=(reason or "").strip(), document=(document or "").strip())
    audit.record(actor=actor, action="转移团支部", obj=membership, before=before, after=audit.snapshot(membership))
    audit.record(actor=actor, action="修改人员信息", obj=person, before=person_before,
                 after=people_actions.person_snapshot(person))
    return membership
