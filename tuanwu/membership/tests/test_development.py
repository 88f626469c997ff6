"""The development pipeline on the real database (R2.1–R2.13): every guard refuses with a message
that says what is missing (and when it will be met), and a refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.membership import actions
from tuanwu.membership import development as dev
from tuanwu.membership.models import Development, DevelopmentVote, Membership, MembershipEvent, Status
from tuanwu.membership.tests.life_helpers import TODAY, Timeline, applicant, develop, members, set_quota
from tuanwu.organisations.rules import add_months
from tuanwu.people.testing import make_member

D = datetime.timedelta


def _state(d: Development):
    d.refresh_from_db()
    m = Membership.objects.get(pk=d.membership_id)
    return ({f.attname: getattr(d, f.attname) for f in d._meta.concrete_fields if f.attname != "updated_at"},
            m.status, m.branch_id, m.joined_on, m.development_number, AuditEvent.objects.count(),
            MembershipEvent.objects.count(), d.lessons.count(), d.contacts.count(), d.notices.count(),
            DevelopmentVote.objects.count())


def refused(d, call, message, exc=DomainError):
    before = _state(d)
    with pytest.raises(exc) as info:
        call()
    if message is not None:
        assert info.value.message == message
    assert _state(d) == before
    return info.value


def _past(years):
    return datetime.date(TODAY.year - years, 1, 1)


# -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R2_10_whole_pipeline_joins_on_the_vote_date_with_a_number(world):
    set_quota(world)
    d, _, t = develop(world, "approve")
    m = d.membership
    m.refresh_from_db()
    assert (d.stage, m.status, m.joined_on, m.status_since) == ("admitted", Status.MEMBER, t.vote, t.approve)
    assert m.development_number == f"{t.vote.year}01210001"
    assert m.person.political_status == "league_member"
    kinds = list(m.events.order_by("pk").values_list("kind", flat=True))
    assert kinds.count("development") >= 12 and kinds.count("status") == 3  # 积极分子, 发展对象, 团员


@pytest.mark.django_db
def test_R2_1_application_and_talk(world):
    t = Timeline()
    d = applicant(world, t=t)
    assert (d.stage, d.membership.status, d.applied_on) == ("applicant", Status.APPLICANT, t.applied)
    assert dev.plan(d, TODAY)[0].label.startswith(f"与申请人谈话（应于 {add_months(t.applied, 1):%Y-%m-%d} 前）")
    refused(d, lambda: dev.record_talk(actor=world.branch_secretary, development=d, talk_on=t.applied - D(days=1),
                                       talk_by="张"), f"谈话日期不能早于递交入团申请书的日期（{t.applied:%Y-%m-%d}）")
    refused(d, lambda: dev.record_talk(actor=world.branch_secretary, development=d, talk_on=TODAY + D(days=1),
                                       talk_by="张"), "谈话日期不能晚于今天")
    dev.record_talk(actor=world.branch_secretary, development=d, talk_on=t.talk, talk_by="张书记")
    d.refresh_from_db()
    assert (d.talk_on, d.talk_by) == (t.talk, "张书记")


@pytest.mark.django_db
def test_R2_2_activist_needs_the_talk_and_is_filed_above(world):
    t = Timeline()
    d = applicant(world, t=t)
    refused(d, lambda: dev.make_activist(actor=world.branch_secretary, development=d, on=t.activist,
                                         channel="member_recommendation", recommenders="李"),
            "尚未与申请人谈话（递交申请后 1 个月内应谈话）")
    dev.record_talk(actor=world.branch_secretary, development=d, talk_on=t.talk, talk_by="张")
    refused(d, lambda: dev.make_activist(actor=world.branch_secretary, development=d, on=t.activist,
                                         channel="member_recommendation", recommenders=""), "团员推荐须填写推荐的团员")
    dev.make_activist(actor=world.branch_secretary, development=d, on=t.activist, channel="member_recommendation",
                      recommenders="李团员")
    d.refresh_from_db()
    assert (d.stage, d.membership.status) == ("activist", Status.ACTIVIST)
    # Filing is the committee's step: the branch secretary may not do it.
    refused(d, lambda: dev.file_activist(actor=world.branch_secretary, development=d, on=t.filed), None,
            exc=PermissionDenied)
    dev.file_activist(actor=world.town_secretary, development=d, on=t.filed)
    d.refresh_from_db()
    assert d.activist_filed_on == t.filed


@pytest.mark.django_db
def test_R2_3_cultivation_period_says_when_and_the_clock_continues_across_a_move(world):
    t = Timeline(start_days=60)
    d, contacts, _ = develop(world, "lessons", t=t)
    ready = add_months(t.activist, 3)
    assert ready > TODAY
    error = refused(d, lambda: dev.make_candidate(actor=world.branch_secretary, development=d, on=TODAY), None)
    assert error.message == f"培养期满 3 个月后（{ready:%Y-%m-%d} 起）可确定为发展对象"
    # Moving the applicant does not restart the clock: it still counts from the 积极分子 date.
    actions.move_branch(actor=world.town_secretary, membership=d.membership, to_branch=world.branch_a2, on=TODAY)
    d.refresh_from_db()
    assert dev.candidate_blockers(d, TODAY) == [f"培养期满 3 个月后（{ready:%Y-%m-%d} 起）可确定为发展对象"]
    # The county shortens the period (a setting): the same person becomes ready today.
    set_rule(actor=world.superuser, key="development.cultivation_months", raw_value=1, county=world.county,
             effective_from=_past(1), allow_past=True)
    dev.make_candidate(actor=world.town_secretary, development=d, on=TODAY)
    d.refresh_from_db()
    assert d.stage == "candidate" and d.membership.branch_id == world.branch_a2.pk


@pytest.mark.django_db
def test_R2_4_course_hours_missing_then_the_setting_changes(world):
    t = Timeline()
    d, _, _ = develop(world, "contact", t=t)
    dev.add_lesson(actor=world.branch_secretary, development=d, on=t.lessons[0], topic="团章", hours=2, minutes=90)
    dev.add_lesson(actor=world.branch_secretary, development=d, on=t.lessons[1], topic="线上", hours=2, minutes=90,
                   in_person=False)
    dev.add_lesson(actor=world.branch_secretary, development=d, on=t.lessons[2], topic="短课", hours=2, minutes=60)
    refused(d, lambda: dev.make_candidate(actor=world.branch_secretary, development=d, on=t.candidate),
            "团课学时不足：已完成 3 学时，还差 5 学时（须线下、每学时不少于 45 分钟）")
    set_rule(actor=world.superuser, key="development.min_course_hours", raw_value=3, county=world.county,
             effective_from=_past(1), allow_past=True)
    dev.make_candidate(actor=world.branch_secretary, development=d, on=t.candidate)
    assert Development.objects.get(pk=d.pk).stage == "candidate"


@pytest.mark.django_db
def test_R2_5_contacts_are_one_or_two_members(world):
    t = Timeline()
    contacts = members(world)
    d, _, _ = develop(world, "file_activist", t=t, contacts=contacts)
    other = applicant(world, "另一申请人", t=t)
    refused(d, lambda: dev.assign_contact(actor=world.branch_secretary, development=d, contact=other.membership,
                                          on=t.contact), "培养联系人须为团员")
    dev.assign_contact(actor=world.branch_secretary, development=d, contact=contacts[0], on=t.contact)
    dev.assign_contact(actor=world.branch_secretary, development=d, contact=contacts[1], on=t.contact)
    refused(d, lambda: dev.assign_contact(actor=world.branch_secretary, development=d, contact=contacts[2],
                                          on=t.contact), "培养联系人最多 2 名")


@pytest.mark.django_db
def test_R2_6_candidate_by_the_branch_prereview_above_after_the_notice_then_the_form(world):
    t = Timeline()
    d, _, _ = develop(world, "candidate", t=t)
    assert d.membership.status == Status.CANDIDATE
    refused(d, lambda: dev.prereview(actor=world.town_secretary, development=d, on=t.prereview),
            "尚未进行发展对象公示（5 个工作日）")
    dev.post_notice(actor=world.branch_secretary, development=d, stage="candidate", starts_on=t.candidate_notice)
    refused(d, lambda: dev.prereview(actor=world.branch_secretary, development=d, on=t.prereview), None,
            exc=PermissionDenied)
    refused(d, lambda: dev.issue_form(actor=world.town_secretary, development=d, on=t.form),
            "须先经上级团委预审，才能发放入团志愿书")
    dev.prereview(actor=world.town_secretary, development=d, on=t.prereview)
    dev.issue_form(actor=world.town_secretary, development=d, on=t.form)
    d.refresh_from_db()
    assert (d.prereviewed_on, d.form_issued_on, d.approved_by_unit_id) == (t.prereview, t.form, world.town_a.pk)


@pytest.mark.django_db
def test_R2_7_introducers_are_two_full_members(world):
    t = Timeline()
    contacts = members(world, n=4)
    d, _, _ = develop(world, "issue_form", t=t, contacts=contacts)
    actions.change_status(actor=world.county_admin, membership=contacts[3], to_status=Status.PROBATION, on=TODAY,
                          reason="处分")
    refused(d, lambda: dev.set_introducers(actor=world.branch_secretary, development=d, introducer_1=contacts[1],
                                           introducer_2=contacts[3], on=t.introducers),
            "受留团察看处分的团员不能担任入团介绍人")
    refused(d, lambda: dev.set_introducers(actor=world.branch_secretary, development=d, introducer_1=contacts[1],
                                           introducer_2=contacts[1], on=t.introducers), "须有两名不同的入团介绍人")
    dev.set_introducers(actor=world.branch_secretary, development=d, introducer_1=contacts[1], introducer_2=contacts[2],
                        on=t.introducers)
    d.refresh_from_db()
    assert (d.introducer_1_id, d.introducer_2_id) == (contacts[1].pk, contacts[2].pk)


@pytest.mark.django_db
def test_R2_8_vote_quorum_majority_of_present_and_one_vote_per_applicant(world):
    t = Timeline()
    d, _, _ = develop(world, "introducers", t=t)
    refused(d, lambda: dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=t.vote,
                                       voting_members=10, present=5, yes=5, no=0, abstain=0),
            "到会有表决权团员 5 人，未超过应到 10 人的半数（至少 6 人），会议不能表决")
    failed = dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=t.vote, voting_members=10,
                             present=6, yes=3, no=2, abstain=1)
    d.refresh_from_db()
    assert (failed.passed, d.stage, d.meeting_on) == (False, "candidate", None)
    refused(d, lambda: dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=t.vote,
                                       voting_members=10, present=6, yes=4, no=2, abstain=0),
            f"一人一表决：{t.vote:%Y-%m-%d} 已对该同志表决，再次表决须在之后的支部大会")
    later = t.vote + D(days=1)
    passed = dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=later, voting_members=10,
                             present=6, yes=4, no=2, abstain=0)
    d.refresh_from_db()
    assert (passed.passed, d.stage, d.meeting_on) == (True, "proposed", later)


@pytest.mark.django_db
def test_R2_9_approval_is_by_the_committee_above_then_the_ceremony(world):
    set_quota(world)
    t = Timeline()
    d, _, _ = develop(world, "notice_admission", t=t)
    refused(d, lambda: dev.approve_admission(actor=world.branch_secretary, development=d, on=t.approve), None,
            exc=PermissionDenied)
    dev.approve_admission(actor=world.town_secretary, development=d, on=t.approve)
    refused(d, lambda: dev.record_ceremony(actor=world.branch_secretary, development=d, on=t.approve - D(days=1)),
            f"入团仪式应在审批（{t.approve:%Y-%m-%d}）之后")
    dev.record_ceremony(actor=world.branch_secretary, development=d, on=t.approve + D(days=1))
    d.refresh_from_db()
    assert (d.stage, d.approved_by_unit_id, d.ceremony_on) == ("admitted", world.town_a.pk, t.approve + D(days=1))


@pytest.mark.django_db
def test_R2_11_dates_in_order_course_form_introducers_meeting_approval(world):
    set_quota(world)
    t = Timeline()
    d, contacts, _ = develop(world, "prereview", t=t)
    # The 8th hour was reached on the last lesson: the 志愿书 cannot be issued before it.
    early = t.lessons[-1] - D(days=1)
    Development.objects.filter(pk=d.pk).update(prereviewed_on=early - D(days=1))
    refused(d, lambda: dev.issue_form(actor=world.town_secretary, development=d, on=early),
            f"发放入团志愿书日期（{early:%Y-%m-%d}）不能早于团课学时完成日期（{t.lessons[-1]:%Y-%m-%d}）")
    Development.objects.filter(pk=d.pk).update(prereviewed_on=t.prereview)
    dev.issue_form(actor=world.town_secretary, development=d, on=t.form)
    refused(d, lambda: dev.set_introducers(actor=world.branch_secretary, development=d, introducer_1=contacts[1],
                                           introducer_2=contacts[2], on=t.form - D(days=1)),
            f"入团介绍人填写意见日期（{t.form - D(days=1):%Y-%m-%d}）不能早于发放入团志愿书日期（{t.form:%Y-%m-%d}）")
    dev.set_introducers(actor=world.branch_secretary, development=d, introducer_1=contacts[1],
                        introducer_2=contacts[2], on=t.introducers)
    refused(d, lambda: dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=t.introducers - D(days=1),
                                       voting_members=10, present=8, yes=7, no=1, abstain=0),
            f"支部大会日期（{t.introducers - D(days=1):%Y-%m-%d}）不能早于入团介绍人填写意见日期（{t.introducers:%Y-%m-%d}）")
    dev.record_vote(actor=world.branch_secretary, development=d, meeting_on=t.vote, voting_members=10, present=8,
                    yes=7, no=1, abstain=0)
    refused(d, lambda: dev.approve_admission(actor=world.town_secretary, development=d, on=t.vote - D(days=1)),
            f"上级团委审批日期（{t.vote - D(days=1):%Y-%m-%d}）不能早于支部大会日期（{t.vote:%Y-%m-%d}）")


@pytest.mark.django_db
def test_R2_12_approval_waits_for_the_notice_whose_length_is_a_setting(world):
    set_quota(world)
    t = Timeline(start_days=200)
    d, _, _ = develop(world, "vote", t=t)
    refused(d, lambda: dev.approve_admission(actor=world.town_secretary, development=d, on=t.approve),
            "尚未进行拟接收公示（5 个工作日）")
    # A Monday start: 5 working days end on Friday; with 10 the end moves a week later.
    monday = t.vote + D(days=(7 - t.vote.weekday()) % 7 or 7)
    set_rule(actor=world.superuser, key="development.notice_working_days", raw_value=10, county=world.county,
             effective_from=_past(1), allow_past=True)
    notice = dev.post_notice(actor=world.branch_secretary, development=d, stage="admission", starts_on=monday)
    assert (notice.working_days, notice.ends_on) == (10, monday + D(days=11))
    refused(d, lambda: dev.approve_admission(actor=world.town_secretary, development=d, on=monday + D(days=11)),
            f"拟接收公示期至 {monday + D(days=11):%Y-%m-%d}，期满后（{monday + D(days=12):%Y-%m-%d} 起）方可办理")
    dev.approve_admission(actor=world.town_secretary, development=d, on=monday + D(days=12))
    assert Development.objects.get(pk=d.pk).stage == "admitted"


@pytest.mark.django_db
def test_R2_13_quota_must_be_issued_and_numbers_follow_the_sequence(world):
    t = Timeline()
    d, contacts, _ = develop(world, "notice_admission", t=t, name="甲")
    refused(d, lambda: dev.approve_admission(actor=world.town_secretary, development=d, on=t.approve),
            f"{t.vote.year} 年度发展团员计划尚未下达（规则参数“年度发展团员计划数”为 0），不能分配发展团员编号")
    set_quota(world, 1)
    dev.approve_admission(actor=world.town_secretary, development=d, on=t.approve)
    second, _, _ = develop(world, "notice_admission", t=t, name="乙", contacts=contacts)
    refused(second, lambda: dev.approve_admission(actor=world.town_secretary, development=second, on=t.approve),
            f"{t.vote.year} 年度发展团员计划 1 名已用完")
    set_quota(world, 2)
    dev.approve_admission(actor=world.town_secretary, development=second, on=t.approve)
    numbers = sorted(Membership.objects.filter(development__isnull=False).values_list("development_number", flat=True))
    assert numbers == [f"{t.vote.year}01210001", f"{t.vote.year}01210002"]


@pytest.mark.django_db
def test_plan_says_what_blocks_each_step_in_plain_words(world):
    t = Timeline(start_days=40)
    d, _, _ = develop(world, "contact", t=t)
    steps = {s.key: s for s in dev.plan(d, TODAY)}
    ready = add_months(t.activist, 3)
    assert steps["lesson"].label == "登记团课（已 0/8 学时）"
    assert steps["candidate"].blockers == [
        f"培养期满 3 个月后（{ready:%Y-%m-%d} 起）可确定为发展对象",
        "团课学时不足：已完成 0 学时，还差 8 学时（须线下、每学时不少于 45 分钟）",
    ]
    assert dev.blocking_summary(d, TODAY) == ("支委会确定为发展对象", "；".join(steps["candidate"].blockers))


@pytest.mark.django_db
def test_outsider_cannot_touch_a_development_and_nothing_changes(world):
    t = Timeline()
    d = applicant(world, t=t)
    other_secretary_branch = make_member(world, world.branch_b1, "丙村团员")
    assert other_secretary_branch.branch_id == world.branch_b1.pk
    from django.http import Http404

    refused(d, lambda: dev.record_talk(actor=world.outsider, development=d, talk_on=t.talk, talk_by="x"), None,
            exc=Http404)
    refused(d, lambda: dev.record_talk(actor=world.inspector, development=d, talk_on=t.talk, talk_by="x"), None,
            exc=PermissionDenied)


@pytest.mark.django_db
def test_adopt_opens_the_record_of_someone_already_in_the_pipeline(world):
    from tuanwu.people.testing import make_person

    person = make_person(world, world.branch_a1, "补录者")
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1,
                                         status=Status.ACTIVIST, on=TODAY - D(days=30))
    before = (AuditEvent.objects.count(), Development.objects.count())
    with pytest.raises(DomainError) as info:
        dev.adopt(actor=world.branch_secretary, membership=membership, applied_on=TODAY - D(days=60),
                  activist_on=TODAY - D(days=30))
    assert info.value.message == "入团积极分子须补录谈话日期、确定日期和产生方式"
    with pytest.raises(DomainError) as info:
        dev.adopt(actor=world.branch_secretary, membership=membership, applied_on=TODAY - D(days=20),
                  talk_on=TODAY - D(days=25), channel="member_recommendation", activist_on=TODAY - D(days=10))
    assert info.value.message == "谈话日期不能早于递交申请书日期"
    assert (AuditEvent.objects.count(), Development.objects.count()) == before
    d = dev.adopt(actor=world.branch_secretary, membership=membership, applied_on=TODAY - D(days=60),
                  talk_on=TODAY - D(days=50), channel="member_recommendation", activist_on=TODAY - D(days=30))
    assert (d.stage, d.activist_on) == ("activist", TODAY - D(days=30))
    # Later steps go through every guard: not filed, no lessons, no contact yet.
    assert dev.candidate_blockers(d, TODAY)[0] == "确定入团积极分子后尚未报上级团委备案"


@pytest.mark.django_db
def test_pipeline_todos_talk_due_and_notices_ended(world):
    from tuanwu.core import todos

    t = Timeline()
    late = applicant(world, "逾期未谈", t=t)
    items = [i for i in todos.alerts_for(world.branch_secretary) if i.kind == "发展团员"]
    assert [(i.severity, i.text) for i in items] == [
        ("danger", f"入团申请人逾期未谈：应于 {add_months(t.applied, 1):%Y-%m-%d} 前谈话（已逾期）")]
    assert late.stage == "applicant"
    d, _, _ = develop(world, "notice_candidate", t=t, name="待预审")
    texts = [i.text for i in todos.alerts_for(world.town_secretary) if i.kind == "发展团员"]
    assert "发展对象待预审公示期满，待上级团委预审" in texts
    assert d.stage == "candidate"
