"""The unit page's panel for membership life: stage counts and links to the pages."""

from __future__ import annotations

from django.template.loader import render_to_string

from tuanwu.core import panels
from tuanwu.organisations import access
from tuanwu.organisations.rules import PARTY_KINDS, PIONEER_KINDS

from . import pioneers


@panels.register("membership_life", "团员发展与团籍管理", order=30)
def membership_life_panel(request, unit):
    if unit.kind in PARTY_KINDS | PIONEER_KINDS or not access.can(request.user, access.VIEW, unit):
        return None
    counts = pioneers.stage_counts(request.user, unit)
    return render_to_string("membership/_unit_panel.html", {
        "unit": unit, "counts": counts, "can_change": access.can(request.user, access.CHANGE, unit),
    }, request=request)
