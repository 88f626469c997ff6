"""Tree, term and grant actions on the real database: effects, refusals, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Term, Unit

D = datetime.date


def test_create_child_is_audited_with_after(world):
    before = AuditEvent.objects.count()
    unit = actions.create_unit(actor=world.town_secretary, parent=world.town_a, name="丁村团支部", kind="branch",
                               sector="rural")
    assert unit.path.startswith(world.town_a.path) and unit.depth == world.town_a.depth + 1
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor, event.object_id) == ("新建组织", world.town_secretary, str(unit.pk))
    assert event.after["name"] == "丁村团支部" and event.before is None
    assert event.unit_path == unit.path


def test_create_child_of_disallowed_kind_is_refused_and_writes_nothing(world):
    count, audits = Unit.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        actions.create_unit(actor=world.branch_secretary, parent=world.branch_a1, name="小组", kind="branch")
    assert err.value.message == "团支部下不能设立团支部（该类组织不设下级）"
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (count, audits)


def test_create_outside_scope_is_hidden(world):
    count = Unit.objects.count()
    with pytest.raises(Http404):
        actions.create_unit(actor=world.town_secretary, parent=world.town_b, name="X团支部", kind="branch")
    with pytest.raises(PermissionDenied):
        actions.create_unit(actor=world.inspector, parent=world.town_b, name="X团支部", kind="branch")
    assert Unit.objects.count() == count


def test_update_records_before_and_after_of_changed_fields_only(world):
    actions.update_unit(actor=world.town_secretary, unit=world.branch_a2, name="乙村团支部（新）", division_code="650121100201")
    event = AuditEvent.objects.latest("id")
    assert event.before == {"name": "乙村团支部", "division_code": ""}
    assert event.after == {"name": "乙村团支部（新）", "division_code": "650121100201"}


def test_move_takes_the_whole_subtree(world):
    extra = actions.create_unit(actor=world.county_admin, parent=world.town_a, name="甲镇团总支", kind="general_branch")
    leaf = actions.create_unit(actor=world.county_admin, parent=extra, name="总支下团支部", kind="branch")
    actions.move_unit(actor=world.county_admin, unit=extra, new_parent=world.town_b)
    extra.refresh_from_db()
    leaf.refresh_from_db()
    assert extra.path.startswith(world.town_b.path)
    assert leaf.path.startswith(extra.path)
    assert set(world.town_b.subtree().values_list("name", flat=True)) == {"乙镇团委", "丙村团支部", "甲镇团总支", "总支下团支部"}
    event = AuditEvent.objects.latest("id")
    assert event.action == "移动组织" and event.before["parent_name"] == "甲镇团委"
    assert event.after["parent_name"] == "乙镇团委" and event.after["units_moved"] == 2


def test_move_needs_manage_on_both_sides(world):
    path = world.branch_a1.path
    with pytest.raises(Http404):  # the town secretary cannot see 乙镇
        actions.move_unit(actor=world.town_secretary, unit=world.branch_a1, new_parent=world.town_b)
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.path == path


def test_move_into_own_subtree_is_refused(world):
    with pytest.raises(DomainError) as err:
        actions.move_unit(actor=world.county_admin, unit=world.town_a, new_parent=world.branch_a1)
    assert "自己或它的下级" in err.value.message


def test_close_keeps_the_unit_and_needs_children_closed_first(world):
    with pytest.raises(DomainError) as err:
        actions.close_unit(actor=world.county_admin, unit=world.town_a, closed_on=D(2026, 1, 1), reason="撤并")
    assert err.value.message.startswith("请先撤销或移走下级组织：")
    actions.close_unit(actor=world.town_secretary, unit=world.branch_a2, closed_on=D(2026, 1, 1), reason="撤并")
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.closed_on == D(2026, 1, 1) and not world.branch_a2.is_open
    assert Unit.objects.filter(pk=world.branch_a2.pk).exists()


def test_close_requires_a_reason(world):
    with pytest.raises(DomainError):
        actions.close_unit(actor=world.town_secretary, unit=world.branch_a2, closed_on=D(2026, 1, 1), reason=" ")


def test_R7_1_new_term_default_end_from_settings(world):
    term = actions.start_term(actor=world.town_secretary, unit=world.branch_a1, started_on=D(2024, 3, 1),
                              how_elected="members_meeting")
    assert (term.number, term.planned_end_on) == (1, D(2027, 3, 1))
    student = actions.start_term(actor=world.county_admin, unit=world.class_branch, started_on=D(2025, 9, 1),
                                 how_elected="members_meeting")
    assert student.planned_end_on == D(2026, 9, 1)
    committee = actions.start_term(actor=world.county_admin, unit=world.town_a, started_on=D(2022, 5, 1),
                                   how_elected="congress")
    assert committee.planned_end_on == D(2027, 5, 1)


def test_R7_1_changed_setting_applies_from_its_date_only(world):
    set_rule(actor=world.county_admin, key="terms.committee_years", raw_value="3", county=world.county,
             effective_from=D(2024, 1, 1), allow_past=True)
    old = actions.start_term(actor=world.county_admin, unit=world.town_a, started_on=D(2023, 6, 1), how_elected="congress")
    new = actions.start_term(actor=world.county_admin, unit=world.town_b, started_on=D(2024, 6, 1), how_elected="congress")
    assert old.planned_end_on == D(2028, 6, 1)
    assert new.planned_end_on == D(2027, 6, 1)


def test_new_term_closes_the_previous_one(world):
    first = actions.start_term(actor=world.town_secretary, unit=world.branch_a1, started_on=D(2021, 3, 1),
                               how_elected="members_meeting")
    second = actions.start_term(actor=world.town_secretary, unit=world.branch_a1, started_on=D(2024, 3, 5),
                                how_elected="members_meeting")
    first.refresh_from_db()
    assert first.ended_on == D(2024, 3, 5) and second.number == 2 and second.ended_on is None
    assert list(Term.objects.filter(unit=world.branch_a1).values_list("number", flat=True)) == [2, 1]


def test_term_for_a_unit_without_terms_is_refused(world):
    with pytest.raises(DomainError) as err:
        actions.start_term(actor=world.county_admin, unit=world.school, started_on=D(2024, 1, 1), how_elected="other")
    assert err.value.message == "学校不实行任期制"


def test_led_by_must_be_a_party_organisation(world):
    with pytest.raises(DomainError) as err:
        actions.update_unit(actor=world.county_admin, unit=world.town_b, led_by=world.town_a)
    assert err.value.message == "“上级党组织”必须是党组织"
