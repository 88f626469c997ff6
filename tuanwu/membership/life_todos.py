"""To-do items of membership life, through the core registry. Each provider loads its rows
through the access layer (CHANGE: the items are things to do) with a few aggregate queries, since
the badge runs every provider on each page."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from tuanwu.core import todos
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import add_months, add_years
from tuanwu.people.models import PostHolding

from . import life_rules as lr
from . import pioneers, review, transfers
from .dues import LAPSE_BASIS
from .models import (
    IN_LEAGUE_STATUSES,
    Development,
    DevelopmentNotice,
    DuesPayment,
    ExitCase,
    Grade,
    Membership,
    Registration,
    ReviewGrade,
    Status,
)

KIND_AGE = "年满 28 周岁"
KIND_PIPELINE = "发展团员"
KIND_LAPSE = "自行脱团候选"
KIND_REGISTRATION = "团籍注册"
KIND_TRANSFER = "组织关系转接"
KIND_EXIT = "离团办理"
KIND_REVIEW = "评议复评"


def _pipeline_link(unit_id: int) -> str:
    return reverse("membership:pipeline", args=[unit_id])


def _dev_link(dev: Development) -> str:
    return reverse("membership:development", args=[dev.pk])


def _holding_post(today: datetime.date):
    return PostHolding.objects.filter(person=OuterRef("person"), started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today))


@todos.register
def age_alerts(user):
    """R1.3/R1.4: members turning 28 within 90 days; members and party members already 28."""
    today = timezone.localdate()
    base = access.visible_to(user, Membership.objects.filter(status__in=sorted(IN_LEAGUE_STATUSES)), access.CHANGE)
    soon = add_years(today, -28)  # born on or before this: 28 already
    rows = (base.filter(person__birth_date__lte=add_years(today + datetime.timedelta(days=90), -28))
            .annotate(holds=Exists(_holding_post(today)))
            .select_related("person", "branch").order_by("person__birth_date")[:300])
    for m in rows:
        day = lr.turns_28_on(m.person.birth_date)
        party = m.status == Status.PARTY_MEMBER_KEEPING
        who = "保留团籍的党员" if party else "团员"
        if m.person.birth_date <= soon:
            if m.holds:
                continue  # R1.3: a current post holder stays
            text = f"{who}{m.person.name}已于 {day:%Y-%m-%d} 年满 28 周岁，且未担任团内职务，应办理超龄离团"
            severity = "danger"
        else:
            extra = "（担任团内职务，届时保留团籍）" if m.holds else "，届时应办理超龄离团"
            text = f"{who}{m.person.name}将于 {day:%Y-%m-%d} 年满 28 周岁{extra}"
            severity = "info" if m.holds else "warning"
        yield todos.TodoItem(unit_id=m.branch_id, unit_name=m.branch.name, kind=KIND_AGE, severity=severity, text=text,
                             due=day, link=reverse("membership:status", args=[m.pk]))


@todos.register
def pipeline_alerts(user):
    """R2: development steps that are due: talks (1 month), 积极分子 ready to become 发展对象,
    notices that have ended, approvals waiting above, Young Pioneers now 14."""
    today = timezone.localdate()
    devs = access.visible_to(user, Development.objects.exclude(stage__in=["admitted", "stopped"]), access.CHANGE)
    months_by_county: dict = {}
    # One query for both: applicants without a talk and 积极分子 (whose cultivation may be over).
    early = devs.filter(Q(stage="applicant", talk_on__isnull=True) | Q(stage="activist")).select_related(
        "membership__person", "membership__branch")
    for d in early:
        branch = d.membership.branch
        if d.stage == "applicant":
            due = lr.talk_due_by(d.applied_on)
            yield todos.TodoItem(
                unit_id=branch.pk, unit_name=branch.name, kind=KIND_PIPELINE,
                severity="danger" if due < today else "warning",
                text=f"入团申请人{d.membership.person.name}：应于 {due:%Y-%m-%d} 前谈话" + ("（已逾期）" if due < today else ""),
                due=due, link=_dev_link(d))
            continue
        key = branch.path[: branch.steplen * 3]
        if key not in months_by_county:
            months_by_county[key] = get_rule("development.cultivation_months", branch, today)
        ready = lr.cultivation_ready_on(d.activist_on, months_by_county[key])
        if ready <= today:
            yield todos.TodoItem(unit_id=branch.pk, unit_name=branch.name, kind=KIND_PIPELINE, severity="info",
                                 text=f"入团积极分子{d.membership.person.name}培养期已满，可研究确定为发展对象", due=ready,
                                 link=_dev_link(d))
    notices = DevelopmentNotice.objects.filter(development__in=devs, ends_on__lt=today).select_related(
        "development__membership__person", "development__membership__branch")
    for n in notices:
        d = n.development
        if n.stage == DevelopmentNotice.Stage.CANDIDATE and d.stage == "candidate" and d.prereviewed_on is None:
            text = f"发展对象{d.membership.person.name}公示期满，待上级团委预审"
        elif n.stage == DevelopmentNotice.Stage.ADMISSION and d.stage == "proposed":
            text = f"{d.membership.person.name}拟接收公示期满，待上级团委审批"
        else:
            continue
        yield todos.TodoItem(unit_id=d.membership.branch_id, unit_name=d.membership.branch.name, kind=KIND_PIPELINE,
                             severity="warning", text=text, due=n.ends_on, link=_dev_link(d))
    for rec in pioneers.waiting_recommendations(user, today):
        yield todos.TodoItem(unit_id=rec.branch_id, unit_name=rec.branch.name, kind=KIND_PIPELINE, severity="info",
                             text=f"少先队推优：{rec.person.name}已满 14 周岁，可转为入团积极分子候选",
                             due=pioneers.eligible_on(rec.person, rec.branch),
                             link=reverse("membership:pioneer_open", args=[rec.pk]))


@todos.register
def lapse_alerts(user):
    """R1.5: per branch, members with N consecutive complete months without dues (仅按团费判断).
    Attendance is not yet counted: see ``dues.has_activity`` for the hook."""
    today = timezone.localdate()
    last_complete = add_months(today.replace(day=1), -1)
    base = access.visible_to(user, Membership.objects.filter(
        status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING, Status.PROBATION, Status.REGISTRATION_DEFERRED]),
        access.CHANGE)
    # The lapse period is read per county; most deployments have one, so group by it.
    by_months: dict[int, list[int]] = defaultdict(list)
    counties = list(Unit.objects.filter(kind="league_county"))
    for county in counties:
        by_months[get_rule("membership.lapse_months", county, today)].append(county.pk)
    for months, county_ids in by_months.items():
        window_start = add_months(last_complete, -(months - 1))
        paid = DuesPayment.objects.filter(membership=OuterRef("pk"), month__gte=window_start, month__lte=last_complete)
        county_q = Q()
        for county in counties:
            if county.pk in county_ids:
                county_q |= Q(branch__path__startswith=county.path)
        rows = (base.filter(county_q)
                .filter(Q(dues_account__starts_month__lte=window_start)
                        | Q(dues_account__isnull=True, joined_on__lt=add_months(window_start, 1)))
                .exclude(Exists(paid)).values("branch", "branch__name").annotate(n=Count("pk")).order_by("branch__path"))
        for row in rows:
            yield todos.TodoItem(
                unit_id=row["branch"], unit_name=row["branch__name"], kind=KIND_LAPSE, severity="warning",
                text=f"{row['n']} 名团员连续 {months} 个月以上未交团费，是自行脱团候选（{LAPSE_BASIS}）",
                due=None, link=reverse("membership:dues", args=[row["branch"]]) + "?lapse=1")


@todos.register
def registration_alerts(user):
    """R3.6: per branch, members unregistered for more than a year; deferrals that have ended."""
    today = timezone.localdate()
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for m in review.unregistered_members(user, today):
        counts[(m.branch_id, m.branch.name)] += 1
    for (branch_id, name), n in sorted(counts.items(), key=lambda x: x[0][1]):
        yield todos.TodoItem(unit_id=branch_id, unit_name=name, kind=KIND_REGISTRATION, severity="warning",
                             text=f"{n} 名团员超过一年未注册团籍", due=None,
                             link=reverse("membership:reviews", args=[branch_id]))
    deferred = access.visible_to(user, Registration.objects.filter(
        outcome="deferred", deferred_until__lte=today, membership__status=Status.REGISTRATION_DEFERRED), access.CHANGE)
    for r in deferred.select_related("membership__person", "membership__branch"):
        yield todos.TodoItem(unit_id=r.membership.branch_id, unit_name=r.membership.branch.name, kind=KIND_REGISTRATION,
                             severity="info", text=f"{r.membership.person.name}暂缓注册已于 {r.deferred_until:%Y-%m-%d} 期满，请复核注册",
                             due=r.deferred_until, link=reverse("membership:reviews", args=[r.membership.branch_id]))


@todos.register
def review_alerts(user):
    """R3.3: 不合格 members whose re-assessment window is open."""
    today = timezone.localdate()
    rows = access.visible_to(user, ReviewGrade.objects.filter(grade=Grade.FAILED, reassessed_on__isnull=True),
                             access.CHANGE).select_related("session__branch", "membership__person")
    for g in rows:
        start, end = lr.reassessment_window(g.session.held_on)
        if today < start:
            continue
        yield todos.TodoItem(unit_id=g.session.branch_id, unit_name=g.session.branch.name, kind=KIND_REVIEW,
                             severity="danger" if today > end else "warning",
                             text=f"{g.membership.person.name}评议不合格，整改期满，应于 {end:%Y-%m-%d} 前复评",
                             due=end, link=reverse("membership:review_session", args=[g.session_id]))


@todos.register
def transfer_alerts(user):
    """R6: transfers waiting for the receiver; approved ones without an offline check-in."""
    today = timezone.localdate()
    pending, unchecked = transfers.waiting_for(user, today)
    for t in pending:
        yield todos.TodoItem(unit_id=t.to_unit_id, unit_name=t.to_unit.name, kind=KIND_TRANSFER, severity="warning",
                             text=f"{t.membership.person.name}申请从{t.from_branch.name}转入，待审批",
                             due=t.deadline, link=reverse("membership:transfer_decide", args=[t.pk]))
    for t in unchecked:
        yield todos.TodoItem(unit_id=t.to_unit_id, unit_name=t.to_unit.name, kind=KIND_TRANSFER, severity="info",
                             text=f"{t.membership.person.name}转入已超过 {lr.CHECKIN_DAYS} 天，尚未线下报到",
                             due=None, link=reverse("membership:transfer_decide", args=[t.pk]))


@todos.register
def exit_alerts(user):
    """R1.5/R1.6: cases the 支部大会 decided, waiting for the committee above."""
    cases = access.visible_to(user, ExitCase.objects.filter(state=ExitCase.State.DECIDED), access.CHANGE)
    for c in cases.select_related("membership__person", "membership__branch"):
        yield todos.TodoItem(unit_id=c.membership.branch_id, unit_name=c.membership.branch.name, kind=KIND_EXIT,
                             severity="info",
                             text=f"{c.membership.person.name}{c.get_kind_display()}：支部大会已通过，待上级团委"
                                  + ("备案" if c.kind == ExitCase.Kind.WITHDRAWAL else "批准"),
                             due=None, link=reverse("membership:exit_case", args=[c.pk]))
