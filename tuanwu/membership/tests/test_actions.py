"""Membership actions on the real database: rules applied, history kept, access enforced."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.membership import actions
from tuanwu.membership.models import Membership, MembershipEvent, Status
from tuanwu.people.actions import add_post_holding
from tuanwu.people.models import Person
from tuanwu.people.testing import make_id_number, make_member, make_person

D = datetime.date
TODAY = timezone.localdate()


def _years_ago(years, month=1, day=10):
    return D(TODAY.year - years, month, day)


def _state(membership):
    membership.refresh_from_db()
    return (membership.status, membership.status_since, membership.branch_id, membership.exit_on,
            membership.exit_reason, membership.joined_on)


def _candidate(world, birth, name="陈发展", branch=None):
    branch = branch or world.branch_a1
    person = make_person(world, branch, name, birth=birth)
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=branch,
                                         status=Status.CANDIDATE, on=_years_ago(1))
    return membership


@pytest.mark.django_db
def test_register_member_creates_person_membership_history_and_audit(world):
    birth = _years_ago(20, 3, 1)
    before = AuditEvent.objects.count()
    membership = actions.register_member(
        actor=world.branch_secretary, branch=world.branch_a1,
        person_fields={"name": "马 · 阿里", "id_number": make_id_number(birth), "ethnicity": "回族"},
        status=Status.MEMBER, on=D(TODAY.year - 4, 5, 4), joined_on=D(TODAY.year - 4, 5, 4),
        development_number=f"{TODAY.year - 4}00001234", member_card_number="12345678",
    )
    assert membership.person.name == "马·阿里"
    assert membership.person.unit == world.branch_a1
    assert membership.person.political_status == "league_member"
    assert membership.status == Status.MEMBER
    assert list(membership.events.values_list("kind", "to_status")) == [("registered", "member")]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:]) == [
        "登记人员", "修改人员信息", "登记团籍",
    ]


@pytest.mark.django_db
def test_R1_1_join_refused_under_minimum_age_and_allowed_after_the_setting_changes(world):
    # 13 years and some months on the day of the branch meeting.
    birth = _years_ago(13, 1, 1)
    joined = D(TODAY.year, 1, 2) if TODAY >= D(TODAY.year, 1, 2) else TODAY
    membership = _candidate(world, birth)
    before = _state(membership)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=joined,
                              development_number=f"{joined.year}00000001")
    assert error.value.message == "入团时未满 14 周岁（13 周岁），不能入团"
    assert _state(membership) == before
    assert AuditEvent.objects.count() == audits

    set_rule(actor=world.county_admin, key="membership.min_join_age", raw_value="13", county=world.county,
             effective_from=D(TODAY.year - 1, 1, 1), allow_past=True)
    actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=joined,
                          development_number=f"{joined.year}00000001")
    membership.refresh_from_db()
    assert (membership.status, membership.joined_on) == (Status.MEMBER, joined)


@pytest.mark.django_db
def test_R1_1_min_age_setting_only_applies_from_its_date(world):
    set_rule(actor=world.county_admin, key="membership.min_join_age", raw_value="15", county=world.county,
             effective_from=D(2020, 1, 1), allow_past=True)
    person = make_person(world, world.branch_a1, "老记录", birth=D(2005, 6, 1))
    # Joined 2019 at 14: before the county raised the minimum to 15, so accepted.
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1,
                                         status=Status.MEMBER, on=D(2019, 6, 2), joined_on=D(2019, 6, 2),
                                         development_number="201900000007")
    assert membership.joined_on == D(2019, 6, 2)
    other = make_person(world, world.branch_a1, "新记录", birth=D(2007, 6, 1))
    with pytest.raises(DomainError) as error:
        actions.open_membership(actor=world.county_admin, person=other, branch=world.branch_a1, status=Status.MEMBER,
                                on=D(2021, 6, 2), joined_on=D(2021, 6, 2), development_number="202100000008")
    assert error.value.message == "入团时未满 15 周岁（14 周岁），不能入团"
    assert not Membership.objects.filter(person=other).exists()


@pytest.mark.django_db
def test_R1_2_illegal_transition_is_refused_and_changes_nothing(world):
    person = make_person(world, world.branch_a1, "申请人", birth=_years_ago(16))
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1,
                                         status=Status.APPLICANT, on=TODAY)
    before, audits, events = _state(membership), AuditEvent.objects.count(), MembershipEvent.objects.count()
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=TODAY)
    assert error.value.message == "不能从“入团申请人”直接变更为“团员”（可变更为：入团积极分子）"
    assert (_state(membership), AuditEvent.objects.count(), MembershipEvent.objects.count()) == (before, audits, events)


@pytest.mark.django_db
def test_R1_2_exit_records_date_and_reason_in_record_and_history(world):
    membership = make_member(world, world.branch_a1, "退团者", birth=_years_ago(22))
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.branch_secretary, membership=membership, to_status=Status.WITHDRAWN, on=TODAY)
    assert error.value.message == "办理“退团”须填写原因"
    actions.change_status(actor=world.branch_secretary, membership=membership, to_status=Status.WITHDRAWN, on=TODAY,
                          reason="本人书面申请，支部大会通过", document="甲村团支部〔2026〕1号")
    membership.refresh_from_db()
    assert (membership.status, membership.exit_on, membership.exit_reason) == (
        Status.WITHDRAWN, TODAY, "本人书面申请，支部大会通过")
    event = membership.events.first()
    assert (event.kind, event.from_status, event.to_status, event.on, event.reason, event.document,
            event.actor_id) == ("status", "member", "withdrawn", TODAY, "本人书面申请，支部大会通过",
                                "甲村团支部〔2026〕1号", world.branch_secretary.pk)


@pytest.mark.django_db
def test_R1_2_id_number_required_from_activist_on(world):
    person = make_person(world, world.branch_a1, "无证人", birth=_years_ago(15), student_number="G650121200001",
                         id_number="", gender="female")
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1,
                                         status=Status.APPLICANT, on=TODAY)
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.ACTIVIST, on=TODAY)
    assert error.value.message == "“入团积极分子”须先登记身份证号码"
    assert Membership.objects.get(pk=membership.pk).status == Status.APPLICANT


@pytest.mark.django_db
def test_R1_3_aged_out_needs_28_and_no_current_post(world):
    birth = _years_ago(29)
    membership = make_member(world, world.branch_a1, "老团员", birth=birth)
    young = make_member(world, world.branch_a1, "小团员", birth=_years_ago(20))
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=young, to_status=Status.AGED_OUT, on=TODAY,
                              reason="超龄")
    assert error.value.message == "未满 28 周岁，不能办理超龄离团"

    holding = add_post_holding(actor=world.county_admin, person=membership.person, unit=world.branch_a1,
                               position="secretary", started_on=_years_ago(2), how_obtained="elected")
    before = _state(membership)
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.AGED_OUT, on=TODAY,
                              reason="超龄")
    assert error.value.message == "该同志担任团内职务，年满 28 周岁后仍保留团籍"
    assert _state(membership) == before

    from tuanwu.people.actions import end_post_holding

    end_post_holding(actor=world.county_admin, holding=holding, ended_on=TODAY - datetime.timedelta(days=1))
    actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.AGED_OUT, on=TODAY,
                          reason="年满28周岁，未担任团内职务")
    membership.refresh_from_db()
    assert (membership.status, membership.exit_on) == (Status.AGED_OUT, TODAY)


@pytest.mark.django_db
def test_R1_4_party_member_keeps_membership_only_under_28_or_with_a_post(world):
    young = make_member(world, world.branch_a1, "青年党员", birth=_years_ago(25))
    actions.change_status(actor=world.county_admin, membership=young, to_status=Status.PARTY_MEMBER_KEEPING, on=TODAY,
                          reason="入党")
    assert Membership.objects.get(pk=young.pk).status == Status.PARTY_MEMBER_KEEPING

    older = make_member(world, world.branch_a1, "超龄党员", birth=_years_ago(29))
    before = _state(older)
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=older, to_status=Status.PARTY_MEMBER_KEEPING,
                              on=TODAY, reason="入党")
    assert error.value.message == "已满 28 周岁且未担任团内职务，入党后不再保留团籍，应办理超龄离团"
    assert _state(older) == before

    add_post_holding(actor=world.county_admin, person=older.person, unit=world.town_a, position="deputy_secretary",
                     started_on=_years_ago(1), how_obtained="elected")
    actions.change_status(actor=world.county_admin, membership=older, to_status=Status.PARTY_MEMBER_KEEPING, on=TODAY,
                          reason="入党")
    assert Membership.objects.get(pk=older.pk).status == Status.PARTY_MEMBER_KEEPING


@pytest.mark.django_db
def test_R2_14_development_number_checked_when_becoming_a_member(world):
    membership = _candidate(world, _years_ago(18))
    on = TODAY
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=on)
    assert error.value.message == f"{on.year} 年入团的团员须填写发展团员编号"
    with pytest.raises(DomainError) as error:
        actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=on,
                              development_number="201900000001")
    assert error.value.message == f"发展团员编号前 4 位应为入团年份（{on.year}），实为 2019"
    assert Membership.objects.get(pk=membership.pk).status == Status.CANDIDATE
    actions.change_status(actor=world.county_admin, membership=membership, to_status=Status.MEMBER, on=on,
                          development_number=f"{on.year}00000042")
    membership.refresh_from_db()
    assert (membership.status, membership.development_number, membership.joined_on) == (
        Status.MEMBER, f"{on.year}00000042", on)


@pytest.mark.django_db
def test_R2_14_xinjiang_requires_the_number_from_2016(world):
    person = make_person(world, world.branch_a1, "二〇一六", birth=D(2000, 3, 3))
    with pytest.raises(DomainError) as error:
        actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1, status=Status.MEMBER,
                                on=D(2016, 5, 4), joined_on=D(2016, 5, 4))
    assert error.value.message == "2016 年入团的团员须填写发展团员编号"
    membership = actions.open_membership(actor=world.county_admin, person=person, branch=world.branch_a1,
                                         status=Status.MEMBER, on=D(2015, 5, 4), joined_on=D(2015, 5, 4))
    assert membership.development_number == ""


@pytest.mark.django_db
def test_move_branch_moves_person_and_keeps_history(world):
    membership = make_member(world, world.branch_a1, "转出者")
    actions.move_branch(actor=world.town_secretary, membership=membership, to_branch=world.branch_a2, on=TODAY,
                        reason="工作调动")
    membership.refresh_from_db()
    assert membership.branch == world.branch_a2
    assert Person.objects.get(pk=membership.person_id).unit == world.branch_a2
    event = membership.events.first()
    assert (event.kind, event.from_branch_id, event.to_branch_id, event.reason) == (
        "move", world.branch_a1.pk, world.branch_a2.pk, "工作调动")


@pytest.mark.django_db
def test_branch_secretary_cannot_act_on_a_sibling_branch_and_nothing_changes(world):
    membership = make_member(world, world.branch_a2, "邻支部")
    before, audits = _state(membership), AuditEvent.objects.count()
    with pytest.raises(Http404):
        actions.change_status(actor=world.branch_secretary, membership=membership, to_status=Status.PROBATION, on=TODAY)
    with pytest.raises(Http404):
        actions.move_branch(actor=world.branch_secretary, membership=membership, to_branch=world.branch_a1, on=TODAY)
    assert (_state(membership), AuditEvent.objects.count()) == (before, audits)


@pytest.mark.django_db
def test_members_register_only_in_branches(world):
    with pytest.raises(DomainError) as error:
        actions.register_member(actor=world.county_admin, branch=world.town_a,
                                person_fields={"name": "错位", "id_number": make_id_number(_years_ago(20))},
                                status=Status.APPLICANT)
    assert error.value.message == "团员只能登记在团支部"
    assert not Person.objects.filter(name="错位").exists()


@pytest.mark.django_db
def test_division_code_from_units_already_loaded_is_the_one_read_from_the_database(world):
    """An import resolves its branches from the units ``prepare`` loaded (no query per branch):
    the county found is ``Unit.nearest_county``'s, and the division code is the nearest county's,
    else the nearest ancestor's (a county without a code, no county at all)."""
    from tuanwu.accounts.models import User
    from tuanwu.organisations import actions as unit_actions
    from tuanwu.organisations.models import Unit

    root = User.objects.filter(is_superuser=True).first()
    bare = unit_actions.create_unit(actor=root, parent=world.city, name="团无码县委", kind="league_county")
    under_bare = unit_actions.create_unit(actor=root, parent=bare, name="丙村团支部", kind="branch")
    loose = unit_actions.create_unit(actor=root, parent=world.city, name="市直团工委", kind="committee",
                                     division_code="650100")
    expected = {world.branch_a1: "650121", world.town_a: "650121", world.county: "650121", under_bare: "",
                bare: "", loose: "650100", world.city: ""}
    for unit, code in expected.items():
        unit = Unit.objects.get(pk=unit.pk)
        lineage = list(unit.ancestors_and_self())
        assert actions.nearest_county_in(lineage) == unit.nearest_county(), unit.name
        assert actions.division_code_in(lineage) == actions.county_division_code(unit) == code, unit.name
