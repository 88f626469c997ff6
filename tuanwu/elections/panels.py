"""The unit page's 换届选举 panel: the unit's meetings and a link to prepare one."""

from __future__ import annotations

from django.template.loader import render_to_string

from tuanwu.core import panels
from tuanwu.organisations import access
from tuanwu.organisations.rules import BRANCH_KINDS, COMMITTEE_KINDS, LEAGUE_LEADING_KINDS

from .models import Meeting

ELECTING_KINDS = BRANCH_KINDS | COMMITTEE_KINDS | LEAGUE_LEADING_KINDS | {"general_branch"}


@panels.register("elections", "换届选举", order=60)
def elections_panel(request, unit):
    if unit.kind not in ELECTING_KINDS:
        return None
    meetings = list(access.visible_to(request.user, Meeting.objects.filter(unit=unit)).order_by("-held_on")[:10])
    can_change = access.can(request.user, access.CHANGE, unit)
    if not meetings and not can_change:
        return None
    return render_to_string("elections/_panel.html", {"unit": unit, "meetings": meetings, "can_change": can_change},
                            request=request)
