"""Dues (R5), transfers (R6), exits (R1.5, R1.6), 少先队推优 and the to-dos on the real database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tuanwu.core import todos
from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.membership import dues, exits, pioneers, transfers
from tuanwu.membership.models import (
    DuesPayment,
    ExitCase,
    Membership,
    MembershipEvent,
    PioneerRecommendation,
    Status,
    Transfer,
)
from tuanwu.membership.tests.life_helpers import TODAY, develop, set_quota
from tuanwu.organisations import actions as org_actions
from tuanwu.organisations.rules import add_months, add_years
from tuanwu.people.actions import add_post_holding
from tuanwu.people.testing import make_id_number, make_member, make_person

D = datetime.date
M = Decimal
THIS_MONTH = TODAY.replace(day=1)


def _member(world, name="付团员", branch=None, joined_months_ago=10, **fields):
    joined = add_months(TODAY, -joined_months_ago)
    birth = D(TODAY.year - 22, 3, 3)
    return make_member(world, branch or world.branch_a1, name, birth=birth, joined_on=joined, **fields)


def _counts():
    return (AuditEvent.objects.count(), DuesPayment.objects.count(), Transfer.objects.count(),
            ExitCase.objects.count(), MembershipEvent.objects.count())


def _past_setting(world, key, value):
    set_rule(actor=world.superuser, key=key, raw_value=value, county=world.county,
             effective_from=D(TODAY.year - 3, 1, 1), allow_past=True)


# R5 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R5_1_R5_2_salaried_amounts_from_the_wage(world):
    low, high = _member(world, "低工资"), _member(world, "高工资")
    dues.set_account(actor=world.branch_secretary, membership=low, category="salaried", monthly_wage=M("1800"))
    dues.set_account(actor=world.branch_secretary, membership=high, category="salaried", monthly_wage=M("6543"))
    lines = {x.membership.pk: x for x in dues.dues_lines(world.branch_secretary, [low, high], TODAY)}
    assert (lines[low.pk].monthly, lines[high.pk].monthly) == (M("3.00"), M("13.00"))


@pytest.mark.django_db
def test_R5_3_students_and_farmers_pay_two_jiao_by_occupation(world):
    student = _member(world, "学生团员", occupation="student")
    farmer = _member(world, "农民团员", occupation="farmer")
    lines = dues.dues_lines(world.branch_secretary, [student, farmer], TODAY)
    assert [x.monthly for x in lines] == [M("0.20"), M("0.20")]
    assert [x.category_label for x in lines] == ["学生（按职业）", "农民（按职业）"]


@pytest.mark.django_db
def test_R5_4_settings_change_amounts_dues_start_in_the_admission_month_and_arrears(world):
    set_quota(world)
    m = _member(world, "设置团员", joined_months_ago=3)
    dues.set_account(actor=world.branch_secretary, membership=m, category="salaried", monthly_wage=M("50000"))
    assert dues.dues_lines(world.branch_secretary, [m], TODAY)[0].monthly == M("100.00")
    _past_setting(world, "dues.monthly_cap", "30")
    line = dues.dues_lines(world.branch_secretary, [m], TODAY)[0]
    assert line.monthly == M("30.00")
    # Arrears: from the admission month through this month.
    assert len(line.owed_months) == 4 and line.owed_amount == M("120.00")
    before = _counts()
    with pytest.raises(DomainError) as info:
        dues.pay(actor=world.branch_secretary, membership=m, months=[add_months(THIS_MONTH, -4)], paid_on=TODAY)
    assert info.value.message == f"团费自 {add_months(THIS_MONTH, -3):%Y-%m} 起交"
    assert _counts() == before
    rows = dues.pay(actor=world.branch_secretary, membership=m, months=[add_months(THIS_MONTH, -3),
                                                                       add_months(THIS_MONTH, -2)], paid_on=TODAY)
    assert [r.amount for r in rows] == [M("30.00"), M("30.00")]
    with pytest.raises(DomainError) as info:
        dues.pay(actor=world.branch_secretary, membership=m, months=[add_months(THIS_MONTH, -2)], paid_on=TODAY)
    assert info.value.message == f"已交过：{add_months(THIS_MONTH, -2):%Y-%m}"
    # A member admitted through the pipeline gets an account from the admission month (R5.4).
    d, _, t = develop(world, "notice_admission", name="新团员")
    d.membership.person.__class__.objects.filter(pk=d.membership.person_id).update(occupation="student")
    from tuanwu.membership import development as dev

    dev.approve_admission(actor=world.town_secretary, development=d, on=t.approve)
    account = Membership.objects.get(pk=d.membership_id).dues_account
    assert (account.category, account.starts_month) == ("student", t.vote.replace(day=1))


# R1.5 / R1.6 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R1_5_lapse_candidates_on_dues_alone_with_the_setting_and_removal_steps(world):
    lapsed = _member(world, "久未交费", joined_months_ago=12, occupation="farmer")
    paying = _member(world, "按时交费", joined_months_ago=12, occupation="farmer")
    dues.pay(actor=world.branch_secretary, membership=paying, months=[add_months(THIS_MONTH, -1)], paid_on=TODAY)
    dues.pay(actor=world.branch_secretary, membership=lapsed, months=[add_months(THIS_MONTH, -6)], paid_on=TODAY)
    # 5 complete months unpaid since: not yet a candidate with 6; a candidate once the county says 5.
    assert [x.membership.pk for x in dues.lapse_candidates(world.branch_secretary, world.branch_a1, TODAY)] == []
    items = [i for i in todos.alerts_for(world.branch_secretary) if i.kind == "自行脱团候选"]
    assert items == []
    _past_setting(world, "membership.lapse_months", 5)
    assert [x.membership.pk for x in dues.lapse_candidates(world.branch_secretary, world.branch_a1, TODAY)] == [lapsed.pk]
    items = [i for i in todos.alerts_for(world.branch_secretary) if i.kind == "自行脱团候选"]
    assert [i.text for i in items] == ["1 名团员连续 5 个月以上未交团费，是自行脱团候选（仅按团费判断）"]

    before = _counts()
    with pytest.raises(DomainError):
        exits.open_case(actor=world.branch_secretary, membership=paying, kind="lapse", requested_on=TODAY,
                        request_text="长期未交")
    assert _counts() == before
    case = exits.open_case(actor=world.branch_secretary, membership=lapsed, kind="lapse", requested_on=TODAY,
                           request_text="长期未交团费、未参加组织生活")
    assert case.basis == "连续 5 个月未交团费（仅按团费判断）"
    with pytest.raises(DomainError) as info:
        exits.complete(actor=world.town_secretary, case=case, on=TODAY)
    assert info.value.message == "除名须经支部大会讨论决定，请填写支部大会日期"
    exits.record_meeting(actor=world.branch_secretary, case=case, meeting_on=TODAY)
    with pytest.raises(PermissionDenied):
        exits.complete(actor=world.branch_secretary, case=case, on=TODAY)
    exits.complete(actor=world.town_secretary, case=case, on=TODAY)
    lapsed.refresh_from_db()
    assert (lapsed.status, lapsed.exit_on) == (Status.LAPSED, TODAY)
    assert "支部大会决定除名，甲镇团委批准" in lapsed.exit_reason


@pytest.mark.django_db
def test_R1_6_withdrawal_written_request_meeting_then_filed_above(world):
    m = _member(world, "申请退团")
    before = _counts()
    with pytest.raises(DomainError) as info:
        exits.open_case(actor=world.branch_secretary, membership=m, kind="withdrawal", requested_on=TODAY,
                        request_text=" ")
    assert info.value.message == "退团须本人提出书面申请：请填写申请日期和申请内容"
    assert _counts() == before
    case = exits.open_case(actor=world.branch_secretary, membership=m, kind="withdrawal",
                           requested_on=TODAY - datetime.timedelta(days=10), request_text="因个人原因申请退团")
    with pytest.raises(DomainError) as info:
        exits.complete(actor=world.town_secretary, case=case, on=TODAY)
    assert info.value.message == "须先经支部大会讨论同意，才能报上级备案"
    exits.record_meeting(actor=world.branch_secretary, case=case, meeting_on=TODAY - datetime.timedelta(days=5))
    exits.complete(actor=world.town_secretary, case=case, on=TODAY)
    m.refresh_from_db()
    case.refresh_from_db()
    assert (m.status, case.state, case.completed_by_unit_id) == (Status.WITHDRAWN, "done", world.town_a.pk)


@pytest.mark.django_db
def test_age_todos_members_turning_28_and_party_members_reaching_28(world):
    soon = make_member(world, world.branch_a1, "将满28", birth=add_years(TODAY + datetime.timedelta(days=30), -28))
    over = make_member(world, world.branch_a1, "已满28", birth=add_years(TODAY - datetime.timedelta(days=5), -28))
    post = make_member(world, world.branch_a1, "任职者", birth=add_years(TODAY - datetime.timedelta(days=5), -28))
    add_post_holding(actor=world.superuser, person=post.person, unit=world.branch_a1, position="secretary",
                     started_on=TODAY - datetime.timedelta(days=400), how_obtained="elected")
    party = make_member(world, world.branch_a1, "党员团员", birth=add_years(TODAY - datetime.timedelta(days=60), -27))
    Membership.objects.filter(pk=party.pk).update(status=Status.PARTY_MEMBER_KEEPING)
    texts = sorted(i.text for i in todos.alerts_for(world.branch_secretary) if i.kind == "年满 28 周岁")
    assert texts == sorted([
        f"团员将满28将于 {add_years(soon.person.birth_date, 28):%Y-%m-%d} 年满 28 周岁，届时应办理超龄离团",
        f"团员已满28已于 {add_years(over.person.birth_date, 28):%Y-%m-%d} 年满 28 周岁，且未担任团内职务，应办理超龄离团",
    ])
    Membership.objects.filter(pk=over.pk).update(status=Status.PARTY_MEMBER_KEEPING)
    texts = [i.text for i in todos.alerts_for(world.branch_secretary) if i.kind == "年满 28 周岁"]
    assert any(t.startswith("保留团籍的党员已满28已于") for t in texts)
    assert not any("党员团员" in t for t in texts)


# R6 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R6_1_started_by_sender_receiver_or_member(world):
    a, b, c = _member(world, "转出甲"), _member(world, "转出乙"), _member(world, "本人申请")
    t1 = transfers.request_transfer(actor=world.branch_secretary, membership=a, initiated_by="sender",
                                    destination="work", to_unit=world.town_b, requested_on=TODAY)
    number = make_id_number(D(TODAY.year - 20, 1, 1))
    b_person = b.person
    b_person.set_id_number(number)
    b_person.save()
    other_admin = _admin_of(world, world.town_b, "乙镇书记")
    found = transfers.find_by_id_number(number)
    t2 = transfers.request_transfer(actor=other_admin, membership=found, initiated_by="receiver", destination="work",
                                    to_unit=world.town_b, requested_on=TODAY)
    from tuanwu.accounts.models import User

    user = User.objects.create_user("member_c", password="x-Y-z-123456", must_change_password=False)
    c.person.user = user
    c.person.save()
    t3 = transfers.request_transfer(actor=user, membership=c, initiated_by="member", destination="residence",
                                    to_unit=world.branch_b1, requested_on=TODAY)
    assert [(t.initiated_by, t.state) for t in (t1, t2, t3)] == [("sender", "pending"), ("receiver", "pending"),
                                                                  ("member", "pending")]
    before = _counts()
    with pytest.raises(DomainError) as info:
        transfers.request_transfer(actor=user, membership=a, initiated_by="member", destination="work",
                                   to_unit=world.town_b, requested_on=TODAY)
    assert info.value.message == "只能为本人申请组织关系转接"
    assert _counts() == before


def _admin_of(world, unit, name):
    from tuanwu.accounts.models import User
    from tuanwu.organisations.models import Role

    user = User.objects.create_user(f"admin_{unit.pk}", password="x-Y-z-123456", full_name=name,
                                    must_change_password=False)
    org_actions.grant_role(actor=world.superuser, user=user, unit=unit, role=Role.UNIT_ADMIN,
                           starts_on=D(2020, 1, 1))
    return user


@pytest.mark.django_db
def test_R6_2_receiver_approves_and_assigns_a_branch_with_history_on_both_sides(world):
    m = _member(world, "转接者")
    t = transfers.request_transfer(actor=world.branch_secretary, membership=m, initiated_by="sender",
                                   destination="work", to_unit=world.town_b, requested_on=TODAY)
    receiver = _admin_of(world, world.town_b, "乙镇书记")
    before = _counts()
    with pytest.raises(Http404):  # the sender cannot decide for the receiver
        transfers.decide(actor=world.branch_secretary, transfer=t, approve=True, on=TODAY, to_branch=world.branch_b1)
    with pytest.raises(DomainError) as info:
        transfers.decide(actor=receiver, transfer=t, approve=True, on=TODAY, to_branch=world.branch_a2)
    assert info.value.message == "请选择转入方下属的团支部"
    assert _counts() == before
    transfers.decide(actor=receiver, transfer=t, approve=True, on=TODAY, to_branch=world.branch_b1)
    m.refresh_from_db()
    assert (m.branch_id, m.person.unit_id) == (world.branch_b1.pk, world.branch_b1.pk)
    move = m.events.filter(kind="move").get()
    assert (move.from_branch_id, move.to_branch_id) == (world.branch_a1.pk, world.branch_b1.pk)
    incoming, _ = transfers.transfers_for(receiver, world.town_b)
    _, outgoing = transfers.transfers_for(world.branch_secretary, world.branch_a1)
    assert [x.pk for x in incoming] == [t.pk] and [x.pk for x in outgoing] == [t.pk]


@pytest.mark.django_db
def test_R6_3_graduate_destinations_held_or_deadlines(world):
    grad = D(TODAY.year, 1, 1) if TODAY.month > 1 else D(TODAY.year - 1, 7, 1)
    abroad = _member(world, "出国", branch=world.class_branch)
    enlist = _member(world, "参军", branch=world.class_branch)
    study = _member(world, "升学", branch=world.class_branch)
    t_abroad = transfers.request_transfer(actor=world.county_admin, membership=abroad, initiated_by="sender",
                                          destination="abroad", to_unit=None, requested_on=TODAY, graduated_on=grad)
    t_enlist = transfers.request_transfer(actor=world.county_admin, membership=enlist, initiated_by="sender",
                                          destination="enlisting", to_unit=world.town_a, requested_on=TODAY,
                                          graduated_on=grad)
    t_study = transfers.request_transfer(actor=world.county_admin, membership=study, initiated_by="sender",
                                         destination="further_study", to_unit=world.town_b, requested_on=TODAY,
                                         graduated_on=grad)
    assert (t_abroad.state, t_abroad.hold_until, t_abroad.to_unit) == ("held", add_years(grad, 5), None)
    assert (t_enlist.state, t_enlist.to_unit) == ("held", None)
    assert (t_study.state, t_study.deadline) == ("pending", grad + datetime.timedelta(days=30))
    abroad.refresh_from_db()
    assert abroad.branch_id == world.class_branch.pk  # stays with the school
    with pytest.raises(DomainError) as info:
        transfers.request_transfer(actor=world.county_admin, membership=_member(world, "就业", branch=world.class_branch),
                                   initiated_by="sender", destination="graduate_employer", to_unit=world.town_a,
                                   requested_on=TODAY)
    assert info.value.message == "毕业生转接须填写毕业日期"


@pytest.mark.django_db
def test_R6_4_check_in_tracked_and_certificate_never_blocked(world):
    m = _member(world, "报到者")
    t = transfers.request_transfer(actor=world.branch_secretary, membership=m, initiated_by="sender",
                                   destination="work", to_unit=world.town_a, requested_on=TODAY - datetime.timedelta(days=40))
    transfers.decide(actor=world.town_secretary, transfer=t, approve=True, on=TODAY - datetime.timedelta(days=35),
                     to_branch=world.branch_a2)
    items = [i.text for i in todos.alerts_for(world.town_secretary) if i.kind == "组织关系转接"]
    assert items == ["报到者转入已超过 30 天，尚未线下报到"]
    transfers.record_checkin(actor=world.town_secretary, transfer=t, on=TODAY)
    assert [i for i in todos.alerts_for(world.town_secretary) if i.kind == "组织关系转接"] == []
    t.refresh_from_db()
    from tuanwu.membership.life_rules import blocks_degree_certificate

    assert t.checked_in_on == TODAY and blocks_degree_certificate(t.state) is False


# 少先队推优 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R2_2_pioneer_recommendation_opens_the_candidacy_once_14(world):
    young_birth = add_years(TODAY, -14) + datetime.timedelta(days=20)
    child = make_person(world, world.squadron, "小队员", birth=young_birth, id_number=make_id_number(young_birth),
                        political_status="pioneer")
    rec = pioneers.recommend(actor=world.counsellor, person=child, brigade=world.brigade, branch=world.class_branch,
                             recommended_on=TODAY, reason="优秀少先队员")
    assert rec.development_id is None
    before = (AuditEvent.objects.count(), PioneerRecommendation.objects.get(pk=rec.pk).development_id)
    with pytest.raises(DomainError) as info:
        pioneers.open_candidacy(actor=world.county_admin, recommendation=rec, on=TODAY)
    assert info.value.message == f"满 14 周岁后（{add_years(young_birth, 14):%Y-%m-%d} 起）方可转为入团积极分子候选"
    assert (AuditEvent.objects.count(), PioneerRecommendation.objects.get(pk=rec.pk).development_id) == before
    # A 14-year-old recommended by a user who manages the branch: the candidacy opens at once.
    old_birth = add_years(TODAY, -14) - datetime.timedelta(days=3)
    teen = make_person(world, world.squadron, "大队员", birth=old_birth, id_number=make_id_number(old_birth),
                       political_status="pioneer")
    rec2 = pioneers.recommend(actor=world.county_admin, person=teen, brigade=world.brigade, branch=world.class_branch,
                              recommended_on=TODAY)
    rec2.refresh_from_db()
    d = rec2.development
    assert (d.channel, d.stage, d.membership.branch_id, d.membership.person.unit_id) == (
        "pioneer_recommendation", "applicant", world.class_branch.pk, world.class_branch.pk)
    rows = pioneers.funnel(world.county_admin, [world.school], TODAY.year)
    assert (rows[0].recommended, rows[0].applicants) == (2, 1)
