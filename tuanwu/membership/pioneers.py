"""少先队推优入团 and the 党团队育人链接 funnel.

A 大队 recommends a Young Pioneer to a League branch (a channel, not an age exception: R2.2).
The 积极分子 candidacy — an application record with the 推优 channel preset — is created once
the child is 14 (the minimum join age setting, R1.1): at once when already 14, otherwise by the
branch on or after the birthday (a to-do says when).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import PIONEER_KINDS, Kind, add_years
from tuanwu.people import actions as people_actions
from tuanwu.people.models import Person, PoliticalStatus

from . import development
from . import rules as membership_rules
from .life_common import not_future, rule
from .models import Development, Membership, PartyRecommendation, PioneerRecommendation, Status


def eligible_on(person: Person, branch: Unit) -> datetime.date:
    min_age = rule("membership.min_join_age", branch)
    return add_years(person.birth_date, min_age)


@transaction.atomic
def recommend(*, actor, person: Person, brigade: Unit, branch: Unit, recommended_on: datetime.date, reason: str = "",
              is_sample: bool = False) -> PioneerRecommendation:
    """The 大队 (its counsellor) recommends a Pioneer; the candidacy opens now if 14, else later."""
    people_actions.require(actor, access.CHANGE, person.unit, person)
    access.enforce(access.decide(actor, access.CHANGE, brigade))
    if brigade.kind not in PIONEER_KINDS:
        raise DomainError("推优须由少先队大队（中队）提出", field="brigade")
    if not person.unit.path.startswith(brigade.path):
        raise DomainError("只能推荐本大队的少先队员", field="person")
    if branch.kind != Kind.BRANCH or not branch.is_open:
        raise DomainError("请选择接收的团支部", field="branch")
    not_future(recommended_on, "推荐日期", "recommended_on")
    if person.political_status != PoliticalStatus.PIONEER:
        raise DomainError("只能推荐少先队员", field="person")
    if hasattr(person, "membership"):
        raise DomainError("该同志已有团籍记录", field="person")
    if PioneerRecommendation.objects.filter(person=person, development__isnull=True).exists():
        raise DomainError("该同志已被推荐，正等待满 14 周岁", field="person")
    rec = PioneerRecommendation.objects.create(person=person, brigade=brigade, branch=branch,
                                               recommended_on=recommended_on, reason=(reason or "").strip()[:300],
                                               is_sample=is_sample)
    audit.record(actor=actor, action="少先队推优入团", obj=rec, after=audit.snapshot(rec))
    old_enough = membership_rules.age_on(person.birth_date, recommended_on) >= rule(
        "membership.min_join_age", branch, recommended_on)
    if old_enough and access.can(actor, access.CHANGE, branch):
        open_candidacy(actor=actor, recommendation=rec, on=recommended_on)
    return rec


@transaction.atomic
def open_candidacy(*, actor, recommendation: PioneerRecommendation, on: datetime.date) -> Development:
    """Create the 积极分子 candidacy (an application with the 推优 channel) once the child is 14.

    The receiving branch does it: the recommendation hands the person over, so the person's
    record moves from the 少先队 to the branch without the branch needing rights on the 大队.
    """
    rec = PioneerRecommendation.objects.select_for_update(of=("self",)).select_related(
        "person__unit", "branch", "brigade").get(pk=recommendation.pk)
    access.enforce(access.decide(actor, access.CHANGE, rec.branch))
    if rec.development_id:
        raise DomainError("已转为入团积极分子候选")
    ready = eligible_on(rec.person, rec.branch)
    if on < ready:
        raise DomainError(f"满 {rule('membership.min_join_age', rec.branch)} 周岁后（{ready:%Y-%m-%d} 起）方可转为入团积极分子候选",
                          field="on")
    not_future(on, "日期", "on")
    person = rec.person
    if person.unit_id != rec.branch_id:
        before = people_actions.person_snapshot(person)
        person.unit = rec.branch
        person.save(update_fields=["unit", "updated_at"])
        audit.record(actor=actor, action="修改人员信息", obj=person, before=before,
                     after=people_actions.person_snapshot(person))
    dev = development.apply(actor=actor, branch=rec.branch, applied_on=on, person=person,
                            note=f"少先队推优（{rec.brigade.name}）：{rec.reason}", is_sample=rec.is_sample)
    dev.channel = Development.Channel.PIONEER
    dev.recommenders = rec.brigade.name[:200]
    dev.save(update_fields=["channel", "recommenders"])
    rec.development = dev
    rec.save(update_fields=["development"])
    audit.record(actor=actor, action="少先队推优转入团积极分子候选", obj=rec, after=audit.snapshot(rec))
    return dev


def waiting_recommendations(user, today: datetime.date | None = None):
    """Recommendations whose child is now old enough and whose branch the user manages."""
    today = today or timezone.localdate()
    rows = (PioneerRecommendation.objects.filter(development__isnull=True)
            .select_related("person", "branch", "brigade"))
    q = access.path_prefix_q(user, access.CHANGE, "branch__path")
    if q is None:
        return []
    rows = rows.filter(q).filter(person__birth_date__lte=add_years(today, -14))
    return [r for r in rows if eligible_on(r.person, r.branch) <= today]


# ---------------------------------------------------------------------------------------------
# Funnel: Pioneers → applicants → members → 推优入党


@dataclass
class FunnelRow:
    unit: Unit
    pioneers: int
    recommended: int
    applicants: int
    admitted: int
    party: int


def funnel(user, units: list[Unit], year: int) -> list[FunnelRow]:
    """Per unit (a school or a township, its subtree), for ``year``: Young Pioneers registered
    now, 推优入团 recommendations, written applications, admissions (join year) and 推优入党
    recommendations passed by the members' meeting."""
    people = access.visible_to(user, Person.objects.filter(political_status=PoliticalStatus.PIONEER))
    recs = PioneerRecommendation.objects.filter(recommended_on__year=year)
    devs = access.visible_to(user, Development.objects.all())
    parties = access.visible_to(user, PartyRecommendation.objects.filter(
        meeting_on__year=year, state__in=[PartyRecommendation.State.PASSED, PartyRecommendation.State.REVIEWED]))
    result = []
    for unit in units:
        p = unit.path
        result.append(FunnelRow(
            unit=unit,
            pioneers=people.filter(unit__path__startswith=p).count(),
            recommended=recs.filter(Q(brigade__path__startswith=p) | Q(branch__path__startswith=p)).count(),
            applicants=devs.filter(applied_on__year=year, membership__branch__path__startswith=p).count(),
            admitted=devs.filter(stage=Development.Stage.ADMITTED, meeting_on__year=year,
                                 membership__branch__path__startswith=p).count(),
            party=parties.filter(membership__branch__path__startswith=p).count(),
        ))
    return result


def funnel_units(user, root: Unit) -> list[Unit]:
    """The schools and townships (团委 directly under a 团县委) under ``root`` the user can see."""
    visible = access.visible_units(user).filter(path__startswith=root.path, closed_on__isnull=True)
    counties = visible.filter(kind=Kind.LEAGUE_COUNTY)
    schools = list(visible.filter(kind=Kind.SCHOOL).order_by("path"))
    townships = []
    for county in counties:
        townships += list(visible.filter(kind=Kind.COMMITTEE, depth=county.depth + 1, sector="rural").order_by("path"))
    if root.kind in (Kind.SCHOOL, Kind.COMMITTEE) and root not in schools + townships:
        return [root]
    return townships + schools


def stage_counts(user, unit: Unit) -> dict[str, int]:
    rows = (access.visible_to(user, Membership.objects.filter(branch__path__startswith=unit.path))
            .values("status").annotate(n=Count("pk")))
    counts = {r["status"]: r["n"] for r in rows}
    return {s: counts.get(s, 0) for s in (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE)}
