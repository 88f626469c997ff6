"""To-do items from the tree: terms ending soon or overdue, units without an administrator."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from tuanwu.core import todos
from tuanwu.core.rule_settings import get_rule

from . import access
from .models import Role, RoleGrant, Term, Unit
from .rules import BRANCH_KINDS, COMMITTEE_KINDS, LEAGUE_LEADING_KINDS, add_months

ADMINISTERED_KINDS = sorted(BRANCH_KINDS | COMMITTEE_KINDS | LEAGUE_LEADING_KINDS | {"general_branch"})


@todos.register
def term_alerts(user):
    today = timezone.localdate()
    terms = access.visible_to(
        user, Term.objects.filter(ended_on__isnull=True, unit__closed_on__isnull=True), access.CHANGE
    ).select_related("unit")
    # The reminder lead time comes from each county's settings: find each term's county by path
    # prefix among the (few) county units, and read the setting once per county.
    counties = list(Unit.objects.filter(kind="league_county").order_by("-depth"))
    lead_by_county: dict[int | None, int] = {}
    visible = list(terms.filter(planned_end_on__lte=add_months(today, 12)))
    for term in visible:
        county = next((c for c in counties if term.unit.path.startswith(c.path)), None)
        key = county.pk if county else None
        if key not in lead_by_county:
            lead_by_county[key] = get_rule("terms.reminder_months", county, today)
        lead = lead_by_county[key]
        if term.planned_end_on < today:
            text, severity = f"第{term.number}届任期已于 {term.planned_end_on:%Y-%m-%d} 届满，尚未换届", "danger"
        elif term.planned_end_on <= add_months(today, lead):
            days = (term.planned_end_on - today).days
            text, severity = f"第{term.number}届任期将于 {term.planned_end_on:%Y-%m-%d} 届满（还有 {days} 天），请筹备换届", "warning"
        else:
            continue
        yield todos.TodoItem(
            unit_id=term.unit_id, unit_name=term.unit.name, kind="换届提醒", severity=severity, text=text,
            due=term.planned_end_on, link=reverse("organisations:unit_detail", args=[term.unit_id]),
        )


@todos.register
def missing_admin_alerts(user):
    today = timezone.localdate()
    active_admin = RoleGrant.objects.filter(
        unit=OuterRef("pk"), role__in=[Role.UNIT_ADMIN, Role.COUNTY_ADMIN], starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    units = (
        access.visible_to(user, Unit.objects.filter(closed_on__isnull=True, kind__in=ADMINISTERED_KINDS), access.MANAGE_GRANTS)
        .annotate(has_admin=Exists(active_admin))
        .filter(has_admin=False)
        .order_by("path")[:200]
    )
    for unit in units:
        yield todos.TodoItem(
            unit_id=unit.pk, unit_name=unit.name, kind="缺少管理员", severity="info",
            text="该组织没有在任的组织管理员，请为书记或联络员开通账号", due=None,
            link=reverse("organisations:unit_detail", args=[unit.pk]),
        )
