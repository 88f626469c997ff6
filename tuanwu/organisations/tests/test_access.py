"""The access layer on the named test world: who sees which unit, and what they may do there."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tuanwu.core.models import AuditEvent
from tuanwu.organisations import access, actions
from tuanwu.organisations.access import Decision, RecordClass
from tuanwu.organisations.models import Role, RoleGrant


def names(qs):
    return set(qs.values_list("name", flat=True))


COUNTY_SUBTREE = {
    "团测试县委", "甲镇团委", "甲村团支部", "乙村团支部", "乙镇团委", "丙村团支部", "第一中学", "第一中学团委",
    "高一(1)班团支部", "第一中学少先队大队", "一年级(1)中队",
}


def test_county_admin_sees_the_county_subtree_only(world):
    assert names(access.visible_units(world.county_admin)) == COUNTY_SUBTREE


def test_town_secretary_sees_own_township_subtree(world):
    assert names(access.visible_units(world.town_secretary)) == {"甲镇团委", "甲村团支部", "乙村团支部"}


def test_branch_secretary_sees_own_branch(world):
    assert names(access.visible_units(world.branch_secretary)) == {"甲村团支部"}


def test_counsellor_sees_brigade_and_squadrons(world):
    assert names(access.visible_units(world.counsellor)) == {"第一中学少先队大队", "一年级(1)中队"}


def test_party_reviewer_sees_units_led_by_their_party_organisation(world):
    assert names(access.visible_units(world.party_reviewer)) == {"甲镇党委", "甲镇团委", "甲村团支部", "乙村团支部"}
    assert not access.can(world.party_reviewer, access.CHANGE, world.town_a)
    assert access.can(world.party_reviewer, access.REVIEW, world.town_a)


def test_party_reviewer_covers_descendant_party_organisations(world):
    # A village party branch under 甲镇党委 that leads 乙镇's branch: the reviewer of 甲镇党委 sees it too.
    village_party = actions.create_unit(actor=world.superuser, parent=world.party_town_a, name="某村党支部",
                                        kind="party_branch")
    actions.update_unit(actor=world.superuser, unit=world.branch_b1, led_by=village_party)
    access.forget_scopes(world.party_reviewer)
    assert "丙村团支部" in names(access.visible_units(world.party_reviewer))


def test_outsider_sees_nothing(world):
    assert names(access.visible_units(world.outsider)) == set()
    assert access.decide(world.outsider, access.VIEW, world.county) == Decision.HIDDEN


def test_decisions_hidden_forbidden_allowed(world):
    assert access.decide(world.town_secretary, access.VIEW, world.town_b) == Decision.HIDDEN
    assert access.decide(world.inspector, access.CHANGE, world.town_a) == Decision.FORBIDDEN
    assert access.decide(world.town_secretary, access.CHANGE, world.branch_a1) == Decision.ALLOWED
    assert access.decide(world.branch_secretary, access.VIEW, world.town_a) == Decision.HIDDEN


def test_minor_records_only_for_counsellor_and_county_admin(world):
    squadron = world.squadron
    assert access.decide(world.counsellor, access.VIEW, squadron, RecordClass.MINOR) == Decision.ALLOWED
    assert access.decide(world.county_admin, access.VIEW, squadron, RecordClass.MINOR) == Decision.ALLOWED
    # The inspector sees the school's units but a child's record does not exist for them.
    assert access.decide(world.inspector, access.VIEW, squadron, RecordClass.ORDINARY) == Decision.ALLOWED
    assert access.decide(world.inspector, access.VIEW, squadron, RecordClass.MINOR) == Decision.HIDDEN
    assert access.decide(world.town_secretary, access.VIEW, squadron, RecordClass.MINOR) == Decision.HIDDEN


def test_self_record_visible_to_its_owner_only_for_viewing(world):
    unit = world.branch_b1
    owner = world.outsider
    assert access.decide(owner, access.VIEW, unit, RecordClass.SELF, owner_id=owner.pk) == Decision.ALLOWED
    assert access.decide(owner, access.CHANGE, unit, RecordClass.SELF, owner_id=owner.pk) == Decision.HIDDEN
    assert access.decide(world.branch_secretary, access.VIEW, unit, RecordClass.SELF, owner_id=owner.pk) == Decision.HIDDEN


def test_get_unit_or_404_raises_404_outside_and_403_without_permission(world):
    with pytest.raises(Http404):
        access.get_unit_or_404(world.town_secretary, world.town_b.pk)
    with pytest.raises(PermissionDenied):
        access.get_unit_or_404(world.inspector, world.town_a.pk, access.CHANGE)
    assert access.get_unit_or_404(world.town_secretary, world.branch_a2.pk, access.CHANGE) == world.branch_a2


def test_grant_dates_bound_access(world):
    today = timezone.localdate()
    grant = RoleGrant.objects.get(user=world.town_secretary)
    actions.end_grant(actor=world.county_admin, grant=grant, ends_on=today - datetime.timedelta(days=1))
    access.forget_scopes(world.town_secretary)
    assert names(access.visible_units(world.town_secretary)) == set()
    future = actions.grant_role(actor=world.county_admin, user=world.outsider, unit=world.town_b,
                                role=Role.UNIT_ADMIN, starts_on=today + datetime.timedelta(days=3))
    assert future.pk
    assert names(access.visible_units(world.outsider)) == set()


def test_handover_moves_access_to_the_successor(world):
    today = timezone.localdate()
    grant = RoleGrant.objects.get(user=world.branch_secretary)
    actions.hand_over(actor=world.town_secretary, grant=grant, new_user=world.outsider, on=today)
    access.forget_scopes(world.branch_secretary)
    assert names(access.visible_units(world.branch_secretary)) == set()
    assert names(access.visible_units(world.outsider)) == {"甲村团支部"}


def test_closed_unit_grants_lapse(world):
    actions.close_unit(actor=world.town_secretary, unit=world.branch_a1, closed_on=timezone.localdate(), reason="村合并")
    access.forget_scopes(world.branch_secretary)
    assert names(access.visible_units(world.branch_secretary)) == set()


@pytest.mark.parametrize(
    "grantor,role,unit,reason",
    [
        ("town_secretary", Role.COUNTY_ADMIN, "town_a", "县级管理员只能授予在团县委（或更高层级团委）上"),
        ("branch_secretary", Role.INSPECTOR, "branch_b1", "您无权在该组织授予角色"),
        ("inspector", Role.INSPECTOR, "town_a", "您无权在该组织授予角色"),
        ("town_secretary", Role.PARTY_REVIEWER, "branch_a1", "党组织评审只能授予在党组织上"),
        ("counsellor", Role.UNIT_ADMIN, "squadron", "您无权在该组织授予角色"),
        ("county_admin", Role.COUNSELLOR, "town_a", "少先队辅导员只能授予在学校或少先队组织上"),
    ],
)
def test_grant_refusals(world, grantor, role, unit, reason):
    assert access.grant_refusal(getattr(world, grantor), role, getattr(world, unit)) == reason


def test_grantor_grants_only_roles_no_higher_than_their_own(world):
    # A unit admin may grant unit admin below, not county admin anywhere.
    assert access.grant_refusal(world.town_secretary, Role.UNIT_ADMIN, world.branch_a2) is None
    assert access.grant_refusal(world.town_secretary, Role.INSPECTOR, world.branch_a2) is None
    # The county admin may give a county admin on the county.
    assert access.grant_refusal(world.county_admin, Role.COUNTY_ADMIN, world.county) is None


def test_refused_grant_writes_nothing(world):
    before_grants = RoleGrant.objects.count()
    before_audit = AuditEvent.objects.count()
    with pytest.raises(Http404):
        actions.grant_role(actor=world.branch_secretary, user=world.outsider, unit=world.branch_b1, role=Role.INSPECTOR)
    from tuanwu.core.errors import DomainError

    with pytest.raises(DomainError):
        actions.grant_role(actor=world.town_secretary, user=world.outsider, unit=world.town_a, role=Role.COUNTY_ADMIN)
    assert RoleGrant.objects.count() == before_grants
    assert AuditEvent.objects.count() == before_audit


def test_visible_units_is_one_query(world, django_assert_num_queries):
    access.scopes(world.town_secretary)  # grants are read once per request and cached
    with django_assert_num_queries(1):
        list(access.visible_units(world.town_secretary))


def test_subtree_query_uses_the_path_prefix(world):
    sql = str(world.town_a.subtree().query)
    assert "LIKE" in sql and "path" in sql
