"""推优入党 (R4.1–R4.4): proposal by the branch committee, the members' meeting (quorum > ½,
anonymous ballot: only the counts are recorded, never who voted how), the vote counted on the
应到 base, public notice, the committee's review and the recommendation letter (.docx and PDF)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tuanwu.core import audit, documents
from tuanwu.core.errors import DomainError

from . import life_rules as lr
from .life_common import event, not_future, require_above, require_branch, rule
from .models import IN_LEAGUE_STATUSES, Membership, MembershipEvent, PartyRecommendation

EV = MembershipEvent.Kind.PARTY
State = PartyRecommendation.State
LETTER_TEMPLATE = Path(__file__).resolve().parent / "documents" / "party_letter.docx"


def _load(rec: PartyRecommendation) -> PartyRecommendation:
    return (PartyRecommendation.objects.select_for_update(of=("self",))
            .select_related("membership__person", "membership__branch").get(pk=rec.pk))


@transaction.atomic
def propose(*, actor, membership: Membership, kind: str, proposed_on: datetime.date,
            party_activist_on: datetime.date | None = None, party_organisation: str = "",
            is_sample: bool = False) -> PartyRecommendation:
    """R4.1/R4.2: the branch committee proposes a member (either kind)."""
    membership = Membership.objects.select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    not_future(proposed_on, "支委会提出日期", "proposed_on")
    refusal = lr.party_recommendation_refusal(kind=kind, status=membership.status, party_activist_on=party_activist_on,
                                              proposed_on=proposed_on, meeting_on=proposed_on)
    if refusal:
        raise DomainError(refusal, field="party_activist_on" if "入党积极分子" in refusal else "kind")
    if party_activist_on and party_activist_on > proposed_on:
        raise DomainError("确定为入党积极分子的日期不能晚于支委会提出日期", field="party_activist_on")
    open_ = PartyRecommendation.objects.filter(membership=membership, kind=kind,
                                               state__in=[State.PROPOSED, State.PASSED]).exists()
    if open_:
        raise DomainError("该同志已有同类推优在办理中", field="kind")
    rec = PartyRecommendation.objects.create(
        membership=membership, kind=kind, proposed_on=proposed_on, party_activist_on=party_activist_on,
        party_organisation=(party_organisation or "").strip()[:120], is_sample=is_sample or membership.is_sample,
    )
    event(membership, actor, on=proposed_on, kind=EV, reason=f"支委会提出{rec.get_kind_display()}")
    audit.record(actor=actor, action="提出推优入党", obj=rec, after=audit.snapshot(rec))
    return rec


def voting_members_due(membership: Membership) -> int:
    """The branch's members with a vote (留团察看 has none, R1.2), as the 应到 default."""
    from .models import Status

    return Membership.objects.filter(branch=membership.branch,
                                     status__in=sorted(IN_LEAGUE_STATUSES - {Status.PROBATION})).count()


@transaction.atomic
def record_meeting(*, actor, recommendation: PartyRecommendation, meeting_on: datetime.date, due: int, present: int,
                   yes: int, no: int, abstain: int) -> PartyRecommendation:
    """R4.2/R4.3: the members' meeting by anonymous ballot; passes with yes > ½ of 应到."""
    rec = _load(recommendation)
    require_branch(actor, rec.membership)
    if rec.state != State.PROPOSED:
        raise DomainError("该推优已表决")
    not_future(meeting_on, "团员大会日期", "meeting_on")
    if meeting_on < rec.proposed_on:
        raise DomainError(f"团员大会日期不能早于支委会提出日期（{rec.proposed_on:%Y-%m-%d}）", field="meeting_on")
    count = lr.VoteCount(due=due, present=present, yes=yes, no=no, abstain=abstain)
    refusal = lr.party_vote_refusal(count)
    if refusal:
        raise DomainError(refusal, field="present")
    before = audit.snapshot(rec)
    rec.meeting_on, rec.due, rec.present, rec.yes, rec.no, rec.abstain = meeting_on, due, present, yes, no, abstain
    rec.state = State.PASSED if lr.party_vote_passes(count) else State.FAILED
    rec.save()
    result = "通过" if rec.state == State.PASSED else f"未通过（赞成 {yes} 票，未超过应到 {due} 人的半数）"
    event(rec.membership, actor, on=meeting_on, kind=EV,
          reason=f"团员大会无记名投票{result}：应到 {due}，实到 {present}，赞成 {yes}，反对 {no}，弃权 {abstain}")
    audit.record(actor=actor, action="推优入党表决", obj=rec, before=before, after=audit.snapshot(rec))
    return rec


@transaction.atomic
def post_notice(*, actor, recommendation: PartyRecommendation, starts_on: datetime.date) -> PartyRecommendation:
    """R4.4: public notice of the result (N working days, the R2.12 setting)."""
    rec = _load(recommendation)
    require_branch(actor, rec.membership)
    if rec.state != State.PASSED:
        raise DomainError("团员大会通过后才能公示")
    if rec.notice_starts_on:
        raise DomainError("已公示")
    if starts_on < rec.meeting_on:
        raise DomainError(f"公示开始日期不能早于团员大会日期（{rec.meeting_on:%Y-%m-%d}）", field="starts_on")
    if starts_on > timezone.localdate() + datetime.timedelta(days=60):
        raise DomainError("公示开始日期太远", field="starts_on")
    days = rule("development.notice_working_days", rec.membership.branch, starts_on)
    before = audit.snapshot(rec)
    rec.notice_starts_on, rec.notice_ends_on = starts_on, lr.add_working_days(starts_on, days)
    rec.save(update_fields=["notice_starts_on", "notice_ends_on"])
    event(rec.membership, actor, on=starts_on, kind=EV,
          reason=f"推优结果公示 {starts_on:%Y-%m-%d} 至 {rec.notice_ends_on:%Y-%m-%d}（{days} 个工作日）")
    audit.record(actor=actor, action="推优入党公示", obj=rec, before=before, after=audit.snapshot(rec))
    return rec


def review_blockers(rec: PartyRecommendation, on: datetime.date) -> list[str]:
    if rec.state != State.PASSED:
        return ["团员大会尚未表决通过"]
    days = rule("development.notice_working_days", rec.membership.branch, on)
    refusal = lr.notice_refusal("推优结果", rec.notice_starts_on, rec.notice_ends_on, on, working_days=days)
    return [refusal] if refusal else []


@transaction.atomic
def review(*, actor, recommendation: PartyRecommendation, on: datetime.date, party_organisation: str = "",
           letter_number: str = "") -> PartyRecommendation:
    """R4.4: the committee reviews after the notice and issues the recommendation; it is valid
    for ``party_recommendation.validity_months``."""
    rec = _load(recommendation)
    committee = require_above(actor, rec.membership)
    not_future(on, "审查日期", "on")
    missing = review_blockers(rec, on)
    if missing:
        raise DomainError("；".join(missing), field="on")
    party_organisation = (party_organisation or rec.party_organisation or "").strip()
    if not party_organisation:
        led = rec.membership.branch.led_by or committee.led_by
        party_organisation = led.name if led else ""
    if not party_organisation:
        raise DomainError("请填写推荐至的党组织", field="party_organisation")
    months = rule("party_recommendation.validity_months", rec.membership.branch, on)
    before = audit.snapshot(rec)
    rec.state = State.REVIEWED
    rec.reviewed_on, rec.committee = on, committee
    rec.party_organisation = party_organisation[:120]
    rec.letter_number = (letter_number or "").strip()[:40] or f"推优〔{on.year}〕{rec.pk}号"
    rec.valid_until = lr.recommendation_valid_until(on, months)
    rec.save()
    event(rec.membership, actor, on=on, kind=EV,
          reason=f"{committee.name}审查同意，向{party_organisation}出具推荐意见，有效期至 {rec.valid_until:%Y-%m-%d}")
    audit.record(actor=actor, action="推优入党审查", obj=rec, before=before, after=audit.snapshot(rec))
    return rec


def is_valid_on(rec: PartyRecommendation, day: datetime.date) -> bool:
    return rec.state == State.REVIEWED and rec.valid_until is not None and rec.reviewed_on <= day <= rec.valid_until


def letter_context(rec: PartyRecommendation) -> dict:
    person = rec.membership.person
    return {
        "letter_number": rec.letter_number,
        "party_organisation": rec.party_organisation,
        "name": person.name,
        "gender": person.get_gender_display(),
        "ethnicity": person.ethnicity,
        "birth": f"{person.birth_date.year}年{person.birth_date.month}月",
        "joined": documents.chinese_date(rec.membership.joined_on) if rec.membership.joined_on else "",
        "branch": rec.membership.branch.name,
        "kind": rec.get_kind_display(),
        "meeting_on": documents.chinese_date(rec.meeting_on),
        "due": rec.due, "present": rec.present, "yes": rec.yes, "no": rec.no, "abstain": rec.abstain,
        "notice": (f"{documents.chinese_date(rec.notice_starts_on)}至{documents.chinese_date(rec.notice_ends_on)}"
                   if rec.notice_starts_on else ""),
        "committee": rec.committee.name if rec.committee else "",
        "reviewed_on": documents.chinese_date(rec.reviewed_on),
        "valid_until": documents.chinese_date(rec.valid_until),
    }


def letter_docx(rec: PartyRecommendation) -> bytes:
    if rec.state != State.REVIEWED:
        raise DomainError("团委审查同意后才能出具推荐意见")
    return documents.render_docx(LETTER_TEMPLATE, letter_context(rec))


def letter_pdf(rec: PartyRecommendation) -> bytes:
    if rec.state != State.REVIEWED:
        raise DomainError("团委审查同意后才能出具推荐意见")
    html = render_to_string("membership/party_letter_pdf.html", {**letter_context(rec), "css": documents.gongwen_css()})
    return documents.html_to_pdf(html)
