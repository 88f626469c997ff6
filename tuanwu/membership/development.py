"""The development pipeline (R2.1–R2.13): application → 积极分子 → 发展对象 → 拟接收 → 团员.

Each step is an action (keyword-only, atomic, audited, history in MembershipEvent) guarded by
the pure rules of ``life_rules``. ``plan`` tells, for one development, which step comes next,
who takes it (the branch or the committee above) and everything that still blocks it, in words
a secretary understands.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people.models import Person

from . import actions as membership_actions
from . import life_rules as lr
from . import rules
from .life_common import approving_committee, event, not_future, require_above, require_branch, rule
from .models import (
    Development,
    DevelopmentContact,
    DevelopmentLesson,
    DevelopmentNotice,
    DevelopmentNumberCounter,
    DevelopmentVote,
    Membership,
    MembershipEvent,
    Status,
)

Stage = Development.Stage
EV = MembershipEvent.Kind.DEVELOPMENT


def _load(development: Development) -> Development:
    return (Development.objects.select_for_update(of=("self",))
            .select_related("membership__person", "membership__branch").get(pk=development.pk))


def _save(actor, development: Development, before: dict, action: str, *, on: datetime.date, text: str) -> Development:
    development.save()
    event(development.membership, actor, on=on, reason=text, kind=EV)
    audit.record(actor=actor, action=action, obj=development, before=before, after=audit.snapshot(development))
    return development


def _expect(development: Development, *stages: str) -> None:
    if development.stage not in stages:
        wanted = "、".join(Stage(s).label for s in stages)
        raise DomainError(f"当前阶段为“{development.get_stage_display()}”，此步骤只适用于：{wanted}")


def lessons_of(development: Development) -> list[lr.Lesson]:
    return [lr.Lesson(on=x.on, hours=x.hours, minutes=x.minutes, in_person=x.in_person)
            for x in development.lessons.all()]


def current_contacts(development: Development):
    return development.contacts.filter(ended_on__isnull=True).select_related("contact__person")


def notice_of(development: Development, stage: str) -> DevelopmentNotice | None:
    return next((n for n in development.notices.all() if n.stage == stage), None)


def _notice_dates(development: Development, stage: str):
    notice = notice_of(development, stage)
    return (notice.starts_on, notice.ends_on) if notice else (None, None)


# ---------------------------------------------------------------------------------------------
# Steps


@transaction.atomic
def apply(*, actor, branch: Unit, applied_on: datetime.date, person: Person | None = None,
          person_fields: dict | None = None, note: str = "", is_sample: bool = False) -> Development:
    """R2.1: a written application to the branch; opens the 入团申请人 record (and the person,
    when new)."""
    not_future(applied_on, "申请日期", "applied_on")
    if person is None:
        membership = membership_actions.register_member(
            actor=actor, branch=branch, person_fields={**(person_fields or {}), "is_sample": is_sample},
            status=Status.APPLICANT, on=applied_on, is_sample=is_sample,
        )
    else:
        membership = membership_actions.open_membership(actor=actor, person=person, branch=branch,
                                                        status=Status.APPLICANT, on=applied_on, is_sample=is_sample)
    development = Development.objects.create(membership=membership, applied_on=applied_on,
                                             application_note=(note or "").strip()[:500], is_sample=is_sample)
    event(membership, actor, on=applied_on, reason=f"递交入团申请书；应于 {lr.talk_due_by(applied_on):%Y-%m-%d} 前谈话",
          kind=EV)
    audit.record(actor=actor, action="登记入团申请", obj=development, after=audit.snapshot(development))
    return development


@transaction.atomic
def record_talk(*, actor, development: Development, talk_on: datetime.date, talk_by: str) -> Development:
    """R2.1: the talk with the applicant (due within a month; a late talk is recorded and flagged)."""
    development = _load(development)
    require_branch(actor, development.membership)
    _expect(development, Stage.APPLICANT)
    not_future(talk_on, "谈话日期", "talk_on")
    if not (talk_by or "").strip():
        raise DomainError("请填写谈话人", field="talk_by")
    refusal = lr.talk_refusal(development.applied_on, talk_on)
    if refusal:
        raise DomainError(refusal, field="talk_on")
    before = audit.snapshot(development)
    development.talk_on, development.talk_by = talk_on, talk_by.strip()[:60]
    late = "（超过 1 个月）" if lr.talk_is_late(development.applied_on, talk_on, talk_on) else ""
    return _save(actor, development, before, "记录入团谈话", on=talk_on, text=f"与申请人谈话{late}，谈话人：{talk_by.strip()}")


@transaction.atomic
def make_activist(*, actor, development: Development, on: datetime.date, channel: str,
                  recommenders: str = "") -> Development:
    """R2.2: the branch committee decides on an 入团积极分子 chosen by member recommendation or
    少先队推优."""
    development = _load(development)
    membership = development.membership
    require_branch(actor, membership)
    _expect(development, Stage.APPLICANT)
    not_future(on, "支委会研究日期", "on")
    min_age = rule("membership.min_join_age", membership.branch, on)
    refusal = lr.activist_refusal(channel=channel, recommenders=recommenders, talk_on=development.talk_on,
                                  decided_on=on, age=rules.age_on(membership.person.birth_date, on), min_age=min_age)
    if refusal:
        raise DomainError(refusal, field="channel" if "产生方式" in refusal or "推荐" in refusal else "on")
    if not membership.person.has_id_number:
        raise DomainError("确定为入团积极分子须先登记身份证号码", field="on")
    before = audit.snapshot(development)
    membership_actions.change_status(actor=actor, membership=membership, to_status=Status.ACTIVIST, on=on,
                                     reason=f"支委会研究确定（{lr.ACTIVIST_CHANNELS[channel]}）")
    development.stage = Stage.ACTIVIST
    development.channel = channel
    development.recommenders = (recommenders or "").strip()[:200]
    development.activist_on = on
    return _save(actor, development, before, "确定入团积极分子", on=on,
                 text=f"支委会确定为入团积极分子（{lr.ACTIVIST_CHANNELS[channel]}），培养期自 {on:%Y-%m-%d} 起计算")


@transaction.atomic
def file_activist(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.2: the 积极分子 decision is filed with the committee above (which records it)."""
    development = _load(development)
    committee = require_above(actor, development.membership)
    if development.activist_on is None:
        raise DomainError("尚未确定为入团积极分子")
    if development.activist_filed_on is not None:
        raise DomainError("已报上级备案")
    not_future(on, "备案日期", "on")
    if on < development.activist_on:
        raise DomainError(f"备案日期不能早于确定为积极分子的日期（{development.activist_on:%Y-%m-%d}）", field="on")
    before = audit.snapshot(development)
    development.activist_filed_on = on
    return _save(actor, development, before, "入团积极分子备案", on=on, text=f"入团积极分子报{committee.name}备案")


@transaction.atomic
def add_lesson(*, actor, development: Development, on: datetime.date, topic: str, hours: int, minutes: int,
               in_person: bool = True) -> DevelopmentLesson:
    """R2.4: record a 团课 (only in-person hours of ≥ 45 minutes count)."""
    development = _load(development)
    require_branch(actor, development.membership)
    _expect(development, Stage.ACTIVIST, Stage.CANDIDATE)
    not_future(on, "团课日期", "on")
    if not (topic or "").strip():
        raise DomainError("请填写团课主题", field="topic")
    if hours < 1 or hours > 20:
        raise DomainError("学时应为 1–20", field="hours")
    if minutes < 1 or minutes > 1440:
        raise DomainError("时长应为 1–1440 分钟", field="minutes")
    if development.activist_on and on < development.activist_on:
        raise DomainError(f"团课日期不能早于确定为积极分子的日期（{development.activist_on:%Y-%m-%d}）", field="on")
    if development.form_issued_on and on > development.form_issued_on:
        raise DomainError("团课应在发放入团志愿书之前完成", field="on")
    lesson = DevelopmentLesson.objects.create(development=development, on=on, topic=topic.strip()[:200], hours=hours,
                                              minutes=minutes, in_person=in_person, is_sample=development.is_sample)
    counted = lr.counted_hours(lr.Lesson(on, hours, minutes, in_person))
    event(development.membership, actor, on=on, kind=EV,
          reason=f"参加团课“{lesson.topic}”{hours} 学时（计入 {counted} 学时）")
    audit.record(actor=actor, action="登记团课", obj=lesson, after=audit.snapshot(lesson))
    return lesson


@transaction.atomic
def assign_contact(*, actor, development: Development, contact: Membership, on: datetime.date) -> DevelopmentContact:
    """R2.5: 1–2 培养联系人, who are members."""
    development = _load(development)
    require_branch(actor, development.membership)
    _expect(development, Stage.ACTIVIST, Stage.CANDIDATE)
    not_future(on, "确定日期", "on")
    contact = Membership.objects.select_related("person").get(pk=contact.pk)
    refusal = lr.contact_refusal(contact.status, is_self=contact.pk == development.membership_id,
                                 current_count=current_contacts(development).count())
    if refusal:
        raise DomainError(refusal, field="contact")
    if current_contacts(development).filter(contact=contact).exists():
        raise DomainError("已是该同志的培养联系人", field="contact")
    row = DevelopmentContact.objects.create(development=development, contact=contact, assigned_on=on,
                                            is_sample=development.is_sample)
    event(development.membership, actor, on=on, kind=EV, reason=f"确定培养联系人：{contact.person.name}")
    audit.record(actor=actor, action="确定培养联系人", obj=row, after=audit.snapshot(row))
    return row


@transaction.atomic
def post_notice(*, actor, development: Development, stage: str, starts_on: datetime.date,
                place: str = "") -> DevelopmentNotice:
    """R2.12: a 公示 of N working days (setting; weekends skipped, holidays not counted out)."""
    development = _load(development)
    membership = development.membership
    require_branch(actor, membership)
    expected = {DevelopmentNotice.Stage.ACTIVIST: (Stage.ACTIVIST,), DevelopmentNotice.Stage.CANDIDATE: (Stage.CANDIDATE,),
                DevelopmentNotice.Stage.ADMISSION: (Stage.PROPOSED,)}
    if stage not in expected:
        raise DomainError("公示阶段取值无效", field="stage")
    _expect(development, *expected[stage])
    if notice_of(development, stage):
        raise DomainError(f"已进行过{DevelopmentNotice.Stage(stage).label}公示", field="stage")
    start_after = {DevelopmentNotice.Stage.ACTIVIST: development.activist_on,
                   DevelopmentNotice.Stage.CANDIDATE: development.candidate_on,
                   DevelopmentNotice.Stage.ADMISSION: development.meeting_on}[stage]
    if start_after and starts_on < start_after:
        raise DomainError(f"公示开始日期不能早于 {start_after:%Y-%m-%d}", field="starts_on")
    if starts_on > timezone.localdate() + datetime.timedelta(days=60):
        raise DomainError("公示开始日期太远", field="starts_on")
    days = rule("development.notice_working_days", membership.branch, starts_on)
    ends_on = lr.add_working_days(starts_on, days)
    notice = DevelopmentNotice.objects.create(development=development, stage=stage, starts_on=starts_on, ends_on=ends_on,
                                              working_days=days, place=(place or "").strip()[:200],
                                              is_sample=development.is_sample)
    event(membership, actor, on=starts_on, kind=EV,
          reason=f"{notice.get_stage_display()}公示 {starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}（{days} 个工作日）")
    audit.record(actor=actor, action="发布公示", obj=notice, after=audit.snapshot(notice))
    return notice


def candidate_blockers(development: Development, on: datetime.date) -> list[str]:
    membership = development.membership
    branch = membership.branch
    notice = _notice_dates(development, DevelopmentNotice.Stage.ACTIVIST)
    return lr.candidate_refusal(
        activist_on=development.activist_on, activist_filed_on=development.activist_filed_on,
        lessons=lessons_of(development), contacts=current_contacts(development).count(), decided_on=on,
        cultivation_months=rule("development.cultivation_months", branch, on),
        min_hours=rule("development.min_course_hours", branch, on),
        activist_notice=notice if notice[0] else None,
        notice_days=rule("development.notice_working_days", branch, on),
    )


@transaction.atomic
def make_candidate(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.6 (with R2.2–R2.5, R2.12): the branch committee chooses the 发展对象."""
    development = _load(development)
    membership = development.membership
    require_branch(actor, membership)
    _expect(development, Stage.ACTIVIST)
    not_future(on, "支委会研究日期", "on")
    missing = candidate_blockers(development, on)
    if missing:
        raise DomainError("；".join(missing), field="on")
    before = audit.snapshot(development)
    membership_actions.change_status(actor=actor, membership=membership, to_status=Status.CANDIDATE, on=on,
                                     reason="支委会研究确定为发展对象")
    development.stage = Stage.CANDIDATE
    development.candidate_on = on
    return _save(actor, development, before, "确定发展对象", on=on, text="支委会确定为发展对象")


def prereview_blockers(development: Development, on: datetime.date) -> list[str]:
    if development.stage != Stage.CANDIDATE:
        return ["尚未确定为发展对象"]
    days = rule("development.notice_working_days", development.membership.branch, on)
    refusal = lr.notice_refusal("发展对象", *_notice_dates(development, DevelopmentNotice.Stage.CANDIDATE), on,
                                working_days=days)
    return [refusal] if refusal else []


@transaction.atomic
def prereview(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.6/R2.12: the approving committee pre-reviews the 发展对象 after the notice."""
    development = _load(development)
    committee = require_above(actor, development.membership)
    _expect(development, Stage.CANDIDATE)
    if development.prereviewed_on:
        raise DomainError("已经预审")
    not_future(on, "预审日期", "on")
    missing = prereview_blockers(development, on)
    if missing:
        raise DomainError("；".join(missing), field="on")
    before = audit.snapshot(development)
    development.prereviewed_on = on
    development.approved_by_unit = committee
    return _save(actor, development, before, "发展对象预审", on=on, text=f"{committee.name}预审通过")


@transaction.atomic
def issue_form(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.6/R2.11: after the pre-review the committee issues the 入团志愿书, after the 团课."""
    development = _load(development)
    committee = require_above(actor, development.membership)
    _expect(development, Stage.CANDIDATE)
    if development.prereviewed_on is None:
        raise DomainError("须先经上级团委预审，才能发放入团志愿书")
    if development.form_issued_on:
        raise DomainError("已发放入团志愿书")
    not_future(on, "发放日期", "on")
    if on < development.prereviewed_on:
        raise DomainError(f"发放日期不能早于预审日期（{development.prereviewed_on:%Y-%m-%d}）", field="on")
    min_hours = rule("development.min_course_hours", development.membership.branch, on)
    refusal = lr.date_order_refusal(course_done_on=lr.course_completed_on(lessons_of(development), min_hours=min_hours),
                                    form_issued_on=on)
    if refusal:
        raise DomainError(refusal, field="on")
    before = audit.snapshot(development)
    development.form_issued_on = on
    return _save(actor, development, before, "发放入团志愿书", on=on, text=f"{committee.name}发放入团志愿书")


@transaction.atomic
def set_introducers(*, actor, development: Development, introducer_1: Membership, introducer_2: Membership,
                    on: datetime.date) -> Development:
    """R2.7/R2.11: two 入团介绍人 give their opinion, after the 志愿书 is issued."""
    development = _load(development)
    membership = development.membership
    require_branch(actor, membership)
    _expect(development, Stage.CANDIDATE)
    if development.form_issued_on is None:
        raise DomainError("尚未发放入团志愿书；介绍人在志愿书上填写意见")
    not_future(on, "介绍人填写意见日期", "on")
    people = list(Membership.objects.filter(pk__in=[introducer_1.pk, introducer_2.pk]))
    by_pk = {m.pk: m for m in people}
    refusal = lr.introducer_refusal(
        [by_pk[introducer_1.pk].status, by_pk[introducer_2.pk].status],
        includes_self=membership.pk in by_pk, distinct=introducer_1.pk != introducer_2.pk,
    )
    if refusal:
        raise DomainError(refusal, field="introducer_1")
    refusal = lr.date_order_refusal(course_done_on=None, form_issued_on=development.form_issued_on, introducers_on=on)
    if refusal:
        raise DomainError(refusal, field="on")
    before = audit.snapshot(development)
    development.introducer_1, development.introducer_2, development.introducers_on = introducer_1, introducer_2, on
    names = "、".join(by_pk[p].person.name for p in (introducer_1.pk, introducer_2.pk))
    return _save(actor, development, before, "确定入团介绍人", on=on, text=f"入团介绍人：{names}")


def vote_blockers(development: Development) -> list[str]:
    missing = []
    if development.stage != Stage.CANDIDATE:
        return ["尚未确定为发展对象"]
    if development.prereviewed_on is None:
        missing.append("尚未经上级团委预审")
    if development.form_issued_on is None:
        missing.append("尚未发放入团志愿书")
    if development.introducers_on is None:
        missing.append("尚未确定两名入团介绍人")
    return missing


@transaction.atomic
def record_vote(*, actor, development: Development, meeting_on: datetime.date, voting_members: int, present: int,
                yes: int, no: int, abstain: int) -> DevelopmentVote:
    """R2.8: the 支部大会 votes on this one applicant. Quorum > ½ of voting members; passes with
    yes > ½ of voting members present. A failed vote is kept; a later meeting may vote again."""
    development = _load(development)
    membership = development.membership
    require_branch(actor, membership)
    _expect(development, Stage.CANDIDATE)
    not_future(meeting_on, "支部大会日期", "meeting_on")
    missing = vote_blockers(development)
    if missing:
        raise DomainError("；".join(missing), field="meeting_on")
    refusal = lr.date_order_refusal(course_done_on=None, form_issued_on=development.form_issued_on,
                                    introducers_on=development.introducers_on, meeting_on=meeting_on)
    if refusal:
        raise DomainError(refusal, field="meeting_on")
    last = development.votes.order_by("-meeting_on").first()
    if last is not None and meeting_on <= last.meeting_on:
        raise DomainError(f"一人一表决：{last.meeting_on:%Y-%m-%d} 已对该同志表决，再次表决须在之后的支部大会", field="meeting_on")
    count = lr.VoteCount(due=voting_members, present=present, yes=yes, no=no, abstain=abstain)
    refusal = lr.admission_vote_refusal(count)
    if refusal:
        raise DomainError(refusal, field="present")
    passed = lr.admission_vote_passes(count)
    vote = DevelopmentVote.objects.create(development=development, meeting_on=meeting_on, voting_members=voting_members,
                                          present=present, yes=yes, no=no, abstain=abstain, passed=passed,
                                          is_sample=development.is_sample)
    before = audit.snapshot(development)
    result = "通过" if passed else f"未通过（赞成 {yes} 票，未超过到会 {present} 人的半数）"
    if passed:
        development.stage = Stage.PROPOSED
        development.meeting_on = meeting_on
    _save(actor, development, before, "支部大会表决", on=meeting_on,
          text=f"支部大会表决{result}：应到 {voting_members}，实到 {present}，赞成 {yes}，反对 {no}，弃权 {abstain}")
    audit.record(actor=actor, action="支部大会表决", obj=vote, after=audit.snapshot(vote))
    return vote


def approval_blockers(development: Development, on: datetime.date) -> list[str]:
    if development.stage != Stage.PROPOSED:
        return ["支部大会尚未表决通过"]
    days = rule("development.notice_working_days", development.membership.branch, on)
    refusal = lr.notice_refusal("拟接收", *_notice_dates(development, DevelopmentNotice.Stage.ADMISSION), on,
                                working_days=days)
    missing = [refusal] if refusal else []
    refusal = _quota_refusal(development.membership.branch, development.meeting_on.year)
    if refusal:
        missing.append(refusal)
    return missing


def _county(branch: Unit) -> Unit | None:
    return branch.nearest_county()


def admissions_in_year(county: Unit, year: int) -> int:
    """R2.13: admissions counted against the county's quota (by join year = vote year)."""
    return Development.objects.filter(stage=Stage.ADMITTED, meeting_on__year=year,
                                      membership__branch__path__startswith=county.path).count()


def _quota_refusal(branch: Unit, year: int) -> str | None:
    county = _county(branch)
    if county is None:
        return "不在任何团县委之下，无法使用发展计划"
    quota = rule("development.yearly_quota", branch, datetime.date(year, 12, 31))
    return lr.quota_refusal(quota=quota, used=admissions_in_year(county, year), year=year)


def allocate_number(branch: Unit, year: int) -> str:
    """R2.13: the next 发展团员编号 of the county's year (row lock: no two admissions share one)."""
    county = _county(branch)
    counter, _ = DevelopmentNumberCounter.objects.get_or_create(county=county, year=year)
    counter = DevelopmentNumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return lr.development_number(year, membership_actions.county_division_code(branch) or county.division_code,
                                 counter.last_sequence)


@transaction.atomic
def approve_admission(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.9/R2.10/R2.13: the committee above approves collectively; the join date is the vote
    date; a 发展团员编号 is allocated from the county's yearly quota."""
    development = _load(development)
    membership = development.membership
    committee = require_above(actor, membership)
    _expect(development, Stage.PROPOSED)
    not_future(on, "审批日期", "on")
    refusal = lr.date_order_refusal(course_done_on=None, meeting_on=development.meeting_on, approved_on=on)
    if refusal:
        raise DomainError(refusal, field="on")
    missing = approval_blockers(development, on)
    if missing:
        raise DomainError("；".join(missing), field="on")
    number = allocate_number(membership.branch, development.meeting_on.year)
    before = audit.snapshot(development)
    membership_actions.change_status(actor=actor, membership=membership, to_status=Status.MEMBER, on=on,
                                     joined_on=development.meeting_on, development_number=number,
                                     reason=f"{committee.name}审批同意，入团时间为支部大会通过之日")
    development.stage = Stage.ADMITTED
    development.approved_on = on
    development.approved_by_unit = committee
    _save(actor, development, before, "审批入团", on=on,
          text=f"{committee.name}审批同意入团；入团时间 {development.meeting_on:%Y-%m-%d}；发展团员编号 {number}")
    _open_dues(actor, membership)
    return development


def _open_dues(actor, membership: Membership) -> None:
    from . import dues

    dues.open_account_on_admission(actor=actor, membership=Membership.objects.get(pk=membership.pk))


@transaction.atomic
def record_ceremony(*, actor, development: Development, on: datetime.date) -> Development:
    """R2.9: the admission ceremony after approval."""
    development = _load(development)
    require_branch(actor, development.membership)
    _expect(development, Stage.ADMITTED)
    not_future(on, "入团仪式日期", "on")
    if on < development.approved_on:
        raise DomainError(f"入团仪式应在审批（{development.approved_on:%Y-%m-%d}）之后", field="on")
    before = audit.snapshot(development)
    development.ceremony_on = on
    return _save(actor, development, before, "入团仪式", on=on, text="举行入团仪式")


@transaction.atomic
def stop(*, actor, development: Development, on: datetime.date, reason: str) -> Development:
    """End a development that will not go on (withdrawn application, failed cultivation)."""
    development = _load(development)
    require_branch(actor, development.membership)
    if development.stage in (Stage.ADMITTED, Stage.STOPPED):
        raise DomainError("该发展档案已结束")
    if not (reason or "").strip():
        raise DomainError("请填写终止原因", field="reason")
    before = audit.snapshot(development)
    development.stage = Stage.STOPPED
    development.stopped_on, development.stop_reason = on, reason.strip()[:300]
    return _save(actor, development, before, "终止发展", on=on, text=f"终止发展：{reason.strip()}")


@transaction.atomic
def adopt(*, actor, membership: Membership, applied_on: datetime.date, talk_on: datetime.date | None = None,
          talk_by: str = "", channel: str = "", activist_on: datetime.date | None = None,
          activist_filed_on: datetime.date | None = None, candidate_on: datetime.date | None = None,
          note: str = "") -> Development:
    """补录: open the development record of someone already in the pipeline (taken over from the
    old system or a spreadsheet) at the stage of their status. The dates must be in order and
    match the status; the guards of the steps already taken are not re-judged (they were taken
    elsewhere), but every later step goes through them."""
    membership = Membership.objects.select_for_update().select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    stage = {Status.APPLICANT: Stage.APPLICANT, Status.ACTIVIST: Stage.ACTIVIST,
             Status.CANDIDATE: Stage.CANDIDATE}.get(membership.status)
    if stage is None:
        raise DomainError("只有入团申请人、入团积极分子、发展对象可以补录发展档案")
    if Development.objects.filter(membership=membership).exists():
        raise DomainError("已有发展档案")
    dates = [("递交申请书", applied_on), ("谈话", talk_on), ("确定为入团积极分子", activist_on),
             ("积极分子备案", activist_filed_on), ("确定为发展对象", candidate_on)]
    previous = None
    for label_, day in dates:
        if day is None:
            continue
        not_future(day, f"{label_}日期", "applied_on")
        if previous is not None and day < previous[1]:
            raise DomainError(f"{label_}日期不能早于{previous[0]}日期", field="applied_on")
        previous = (label_, day)
    if stage in (Stage.ACTIVIST, Stage.CANDIDATE) and (talk_on is None or activist_on is None
                                                       or channel not in lr.ACTIVIST_CHANNELS):
        raise DomainError("入团积极分子须补录谈话日期、确定日期和产生方式", field="activist_on")
    if stage == Stage.CANDIDATE and candidate_on is None:
        raise DomainError("发展对象须补录确定日期", field="candidate_on")
    if stage != Stage.CANDIDATE and candidate_on is not None:
        raise DomainError("尚未确定为发展对象", field="candidate_on")
    development = Development.objects.create(
        membership=membership, stage=stage, applied_on=applied_on, talk_on=talk_on, talk_by=(talk_by or "")[:60],
        channel=channel if activist_on else "", activist_on=activist_on, activist_filed_on=activist_filed_on,
        candidate_on=candidate_on, application_note=(note or "")[:500], is_sample=membership.is_sample,
    )
    event(membership, actor, on=timezone.localdate(), kind=EV, reason=f"补录发展档案（{development.get_stage_display()}）")
    audit.record(actor=actor, action="补录发展档案", obj=development, after=audit.snapshot(development))
    return development


# ---------------------------------------------------------------------------------------------
# What comes next


@dataclass
class NextStep:
    key: str
    label: str
    by_above: bool
    blockers: list[str] = field(default_factory=list)
    ready_on: datetime.date | None = None

    @property
    def ready(self) -> bool:
        return not self.blockers


def plan(development: Development, today: datetime.date | None = None) -> list[NextStep]:
    """The steps open now for ``development`` and what blocks each (empty list: finished)."""
    today = today or timezone.localdate()
    d = development
    branch = d.membership.branch
    steps: list[NextStep] = []
    if d.stage == Stage.APPLICANT:
        if d.talk_on is None:
            due = lr.talk_due_by(d.applied_on)
            late = "（已逾期）" if today > due else ""
            steps.append(NextStep("talk", f"与申请人谈话（应于 {due:%Y-%m-%d} 前）{late}", False, ready_on=due))
        else:
            blockers = []
            if not d.membership.person.has_id_number:
                blockers.append("须先登记身份证号码")
            min_age = rule("membership.min_join_age", branch, today)
            age = rules.age_on(d.membership.person.birth_date, today)
            if age < min_age:
                ready = d.membership.person.birth_date.replace(year=d.membership.person.birth_date.year + min_age)
                blockers.append(f"未满 {min_age} 周岁，{ready:%Y-%m-%d} 起可确定为入团积极分子")
            steps.append(NextStep("activist", "支委会确定为入团积极分子", False, blockers))
    elif d.stage == Stage.ACTIVIST:
        if d.activist_filed_on is None:
            steps.append(NextStep("file_activist", "上级团委备案入团积极分子", True))
        if not notice_of(d, DevelopmentNotice.Stage.ACTIVIST):
            steps.append(NextStep("notice_activist", "入团积极分子公示（可选）", False))
        min_hours = rule("development.min_course_hours", branch, today)
        have = lr.course_hours(lessons_of(d))
        if have < min_hours:
            steps.append(NextStep("lesson", f"登记团课（已 {have}/{min_hours} 学时）", False))
        if current_contacts(d).count() < lr.MAX_CONTACTS:
            steps.append(NextStep("contact", "确定培养联系人", False))
        months = rule("development.cultivation_months", branch, today)
        steps.append(NextStep("candidate", "支委会确定为发展对象", False, candidate_blockers(d, today),
                              ready_on=lr.cultivation_ready_on(d.activist_on, months)))
    elif d.stage == Stage.CANDIDATE:
        if not notice_of(d, DevelopmentNotice.Stage.CANDIDATE):
            steps.append(NextStep("notice_candidate", "发展对象公示", False))
        if d.prereviewed_on is None:
            steps.append(NextStep("prereview", "上级团委预审", True, prereview_blockers(d, today)))
        elif d.form_issued_on is None:
            steps.append(NextStep("issue_form", "上级团委发放入团志愿书", True))
        elif d.introducers_on is None:
            steps.append(NextStep("introducers", "确定两名入团介绍人并填写意见", False))
        else:
            steps.append(NextStep("vote", "召开支部大会表决", False, vote_blockers(d)))
        min_hours = rule("development.min_course_hours", branch, today)
        have = lr.course_hours(lessons_of(d))
        if have < min_hours and d.form_issued_on is None:
            steps.append(NextStep("lesson", f"登记团课（已 {have}/{min_hours} 学时）", False))
    elif d.stage == Stage.PROPOSED:
        if not notice_of(d, DevelopmentNotice.Stage.ADMISSION):
            steps.append(NextStep("notice_admission", "拟接收公示", False))
        steps.append(NextStep("approve", "上级团委审批", True, approval_blockers(d, today)))
    elif d.stage == Stage.ADMITTED and d.ceremony_on is None:
        steps.append(NextStep("ceremony", "举行入团仪式", False))
    return steps


def blocking_summary(development: Development, today: datetime.date | None = None) -> tuple[str, str]:
    """(next step, what blocks it) in one line each, for the pipeline table."""
    steps = plan(development, today)
    if not steps:
        return ("—", "")
    main = steps[-1] if development.stage in (Stage.ACTIVIST,) else steps[0]
    if development.stage == Stage.CANDIDATE:
        main = next((s for s in steps if s.key in ("prereview", "issue_form", "introducers", "vote")), steps[0])
    return (main.label, "；".join(main.blockers))


def approving_unit_name(development: Development) -> str:
    committee = approving_committee(development.membership.branch)
    return committee.name if committee else "—"


def can_act(user, development: Development, by_above: bool) -> bool:
    from tuanwu.organisations.access import can

    if by_above:
        committee = approving_committee(development.membership.branch)
        return committee is not None and can(user, access.CHANGE, committee)
    return can(user, access.CHANGE, development.membership.branch)
