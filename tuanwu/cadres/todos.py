"""To-do items for irregular staffing (issue 8 item 3): a vacant 书记 post, establishment over
quota, a 挂职 shorter than the configured minimum, a cadre over the age ceiling, and a full-time
cadre away without the county party committee's approval.

They cover the units where the user may act (``change``) and apply the same rules as the
staffing page (a test checks that both list the same cases), with a constant number of queries.
"""

from __future__ import annotations

from django.utils import timezone

from tuanwu.core import todos
from tuanwu.organisations import access

from . import queries


@todos.register
def staffing_alerts(user):
    if user is None or not user.is_authenticated:
        return
    for case in queries.irregular_cases(user, timezone.localdate(), access.CHANGE):
        yield todos.TodoItem(unit_id=case.unit.pk, unit_name=case.unit.name, kind=case.kind,
                             severity=case.severity, text=case.text, due=None, link=case.link)
