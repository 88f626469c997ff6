"""To-do items: a missing monthly safety report (R9.9) for each cohort with volunteers serving."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tuanwu.core.todos import TodoItem
from tuanwu.organisations import access

from . import queries
from .models import Cohort


def alerts_for(user):
    today = timezone.localdate()
    for cohort in access.visible_to(user, Cohort.objects.select_related("unit"), access.MANAGE_VOLUNTEERS):
        missing = queries.missing_safety_months(cohort, today)
        if not missing:
            continue
        months = "、".join(f"{m:%Y年%m月}" for m in missing[-3:])
        more = f"等 {len(missing)} 个月" if len(missing) > 3 else ""
        yield TodoItem(
            unit_id=cohort.unit_id, unit_name=cohort.unit.name, kind="西部计划安全报告", severity="warning",
            text=f"{cohort.year}年西部计划志愿者缺少月度安全报告：{months}{more}", due=None,
            link=reverse("volunteering:cohort_detail", args=[cohort.pk]),
        )
