"""The unit page's 学习活动 panel: this year's figures for the subtree, from the aggregates."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from tuanwu.core import panels
from tuanwu.organisations import access
from tuanwu.organisations.rules import PARTY_KINDS

from .models import SubtreePeriodStat
from .rules import Rate


@panels.register("activities", "学习活动", order=40)
def activities_panel(request, unit):
    if unit.kind in PARTY_KINDS or not access.can(request.user, access.VIEW, unit):
        return None
    year = timezone.localdate().year
    row = SubtreePeriodStat.objects.filter(unit=unit, kind="", period=f"Y{year}").first()
    return render_to_string("activities/_panel.html", {
        "unit": unit, "year": year, "row": row,
        "coverage": Rate(row.covered, row.roster_persons) if row else Rate(0, 0),
        "can_change": access.can(request.user, access.CHANGE, unit),
    }, request=request)
