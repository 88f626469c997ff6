"""To-do items: branches that have not yet held (or missed) the month's theme day (R10.6)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from tuanwu.core import todos
from tuanwu.organisations import access

from . import queries
from .models import MonthlyTheme

LOOKBACK = datetime.timedelta(days=45)


@todos.register
def theme_day_alerts(user):
    """A branch secretary gets one item per open or recently missed theme day of their branches;
    whoever administers the publishing county gets one summary item per theme instead of one per
    branch. Themes whose window ended more than 45 days ago are no longer listed."""
    if not access.visible_units(user, access.CHANGE).exists():
        return
    today = timezone.localdate()
    themes = (MonthlyTheme.objects.filter(window_start__lte=today + datetime.timedelta(days=7),
                                          window_end__gte=today - LOOKBACK)
              .select_related("county").order_by("month", "for_pioneers"))
    for theme in themes:
        label = "主题队日" if theme.for_pioneers else "主题团日"
        rows = [r for r in queries.theme_board(user, theme.county, theme, today) if r.status in ("missing", "pending")
                and access.can(user, access.CHANGE, r.unit)]
        if not rows:
            continue
        missing = [r for r in rows if r.status == "missing"]
        if access.can(user, access.CHANGE, theme.county):
            text = (f"{theme.month:%Y年%m月}{label}“{theme.theme}”：{len(missing)} 个未开展，"
                    f"{len(rows) - len(missing)} 个待开展")
            yield todos.TodoItem(unit_id=theme.county.pk, unit_name=theme.county.name, kind="主题团（队）日",
                                 severity="danger" if missing else "warning", text=text, due=theme.window_end,
                                 link=reverse("activities:themes", args=[theme.county.pk]) + f"?theme={theme.pk}")
            continue
        for row in rows:
            if row.status == "missing":
                text, severity = (f"{theme.month:%Y年%m月}{label}“{theme.theme}”未开展（统一时间已于 "
                                  f"{theme.window_end:%m月%d日} 截止）"), "danger"
            else:
                text, severity = (f"请在 {theme.window_end:%m月%d日} 前开展{theme.month:%Y年%m月}{label}"
                                  f"“{theme.theme}”"), "warning"
            yield todos.TodoItem(unit_id=row.unit.pk, unit_name=row.unit.name, kind="主题团（队）日",
                                 severity=severity, text=text, due=theme.window_end,
                                 link=reverse("activities:create", args=[row.unit.pk]))
