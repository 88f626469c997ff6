"""Pieces the membership-life actions share: access checks at the branch and at the committee
above it, history events, dates that may not lie in the future, and reading rule settings."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuanwu.core.errors import DomainError
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people import actions as people_actions

from .models import Membership, MembershipEvent

# Kinds that act as "the committee above" a branch: approving admissions (R2.9), reviews
# (R3.2), removals (R1.5) and filings (R1.6, R2.2). A 团总支 or a school host node is skipped.
APPROVING_KINDS = frozenset({Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.LEAGUE_COUNTY, Kind.LEAGUE_CITY,
                             Kind.LEAGUE_PROVINCE})


def approving_committee(branch: Unit) -> Unit | None:
    """The nearest League committee above ``branch``."""
    for unit in reversed(list(branch.ancestors_and_self())[:-1]):
        if unit.kind in APPROVING_KINDS:
            return unit
    return None


def require_branch(actor, membership: Membership, permission: str = access.CHANGE) -> None:
    people_actions.require(actor, permission, membership.branch, membership.person)


def require_above(actor, membership: Membership) -> Unit:
    """Access for a step the committee above the branch takes; returns that committee."""
    committee = approving_committee(membership.branch)
    if committee is None:
        raise DomainError(f"“{membership.branch.name}”没有上级团委，无法办理")
    # Seeing the record is decided at the branch (404 outside); acting needs the committee.
    people_actions.require(actor, access.VIEW, membership.branch, membership.person)
    # The record is visible here, so lacking the committee's rights is a 403 that names who acts.
    if not access.can(actor, access.CHANGE, committee):
        raise PermissionDenied(f"此步骤由{committee.name}办理")
    return committee


def not_future(day: datetime.date | None, label: str, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(f"{label}不能晚于今天", field=field)


def rule(key: str, unit: Unit, on: datetime.date | None = None):
    return get_rule(key, unit, on or timezone.localdate())


def event(membership: Membership, actor, *, on: datetime.date, reason: str, document: str = "",
          kind: str = MembershipEvent.Kind.STATUS, **fields) -> MembershipEvent:
    """A history line that is not a status change (a step of development, a transfer request)."""
    return MembershipEvent.objects.create(
        membership=membership, kind=kind, on=on, reason=reason[:300], document=document[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "系统",
        is_sample=membership.is_sample, to_status=membership.status, **fields,
    )


def in_league_statuses():
    from .models import IN_LEAGUE_STATUSES

    return sorted(IN_LEAGUE_STATUSES)
