"""To-do items of elections: the final reminder one month before a term ends (R7.2; the first
reminder, six months before, and the overdue notice come from organisations/todos.py), and
elections still being counted."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tuanwu.core import todos
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Term, Unit
from tuanwu.organisations.rules import add_months

from . import rules
from .models import Election, Meeting, MeetingKind, Status


@todos.register
def final_term_reminders(user):
    today = timezone.localdate()
    months: dict[int | None, int] = {}
    # Within the longest final-reminder lead allowed (6 months); each county's own lead below.
    terms = list(access.visible_to(user, Term.objects.filter(ended_on__isnull=True, unit__closed_on__isnull=True,
                                                             planned_end_on__gte=today,
                                                             planned_end_on__lte=add_months(today, 6)),
                                   access.CHANGE).select_related("unit"))
    counties = list(Unit.objects.filter(kind="league_county").order_by("-depth")) if terms else []
    for term in terms:
        county = next((c for c in counties if term.unit.path.startswith(c.path)), None)
        key = county.pk if county else None
        if key not in months:
            months[key] = get_rule("terms.final_reminder_months", county, today)
        stage = rules.reminder_stage(due_on=term.planned_end_on, today=today, first_months=6, final_months=months[key])
        if stage != "final":
            continue
        yield todos.TodoItem(
            unit_id=term.unit_id, unit_name=term.unit.name, kind="换届提醒", severity="danger",
            text=f"第{term.number}届任期 {term.planned_end_on:%Y-%m-%d} 届满，不足 {months[key]} 个月，请尽快召开换届大会",
            due=term.planned_end_on, link=reverse("elections:meeting_create", args=[term.unit_id]),
        )


@todos.register
def elections_in_progress(user):
    elections = access.visible_to(user, Election.objects.filter(status=Status.COUNTING), access.CHANGE)
    for election in elections.select_related("unit", "meeting")[:100]:
        yield todos.TodoItem(
            unit_id=election.unit_id, unit_name=election.unit.name, kind="选举计票", severity="warning",
            text=f"{election.meeting.title}选举{election.get_office_display()}尚未结束",
            due=election.meeting.held_on, link=reverse("elections:election_detail", args=[election.pk]),
        )


@todos.register
def plenary_yearly(user):
    """R7.16: the committee elected at a congress holds a plenary at least once a year."""
    today = timezone.localdate()
    congresses = access.visible_to(user, Meeting.objects.filter(kind=MeetingKind.CONGRESS), access.CHANGE)
    latest: dict[int, Meeting] = {}
    for meeting in congresses.select_related("unit").order_by("unit_id", "-held_on"):
        latest.setdefault(meeting.unit_id, meeting)
    if not latest:
        return
    plenaries: dict[int, object] = {}
    for unit_id, held_on in (Meeting.objects.filter(kind=MeetingKind.PLENARY, unit_id__in=list(latest))
                             .order_by("held_on").values_list("unit_id", "held_on")):
        plenaries[unit_id] = held_on  # the latest wins
    for congress in latest.values():
        last = plenaries.get(congress.unit_id)
        if last is not None and last < congress.held_on:
            last = None
        if rules.plenary_overdue(last_plenary_on=last, term_started_on=congress.held_on, today=today):
            yield todos.TodoItem(
                unit_id=congress.unit_id, unit_name=congress.unit.name, kind="全委会", severity="warning",
                text=f"委员会全体会议已超过一年未召开（上次：{(last or congress.held_on):%Y-%m-%d}）",
                due=None, link=reverse("elections:meeting_detail", args=[congress.pk]),
            )
