"""HTTP tests of the tree browser, the unit page and the unit/term forms.

Who is who (tuanwu/testing/world.py): the township secretary administers 甲镇团委 (and so its two
village branches); 乙镇团委 is a sibling township they cannot see (404); the inspector sees the
whole county but may change nothing (403).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuanwu.core.models import AuditEvent
from tuanwu.organisations import actions
from tuanwu.organisations.models import Term, Unit


def url(name, *args):
    return reverse(f"organisations:{name}", args=args)


def fragment_nodes(response) -> list[tuple[str, str]]:
    """(name, counts text) of each node in a tree fragment (partials render without context)."""
    html = response.content.decode()
    found = re.findall(r'<a class="unit-name"[^>]*>([^<]+)</a>\s*<span class="kind">[^<]*</span>\s*'
                       r'(?:<span class="counts">([^<]*)</span>)?', html)
    return [(name, counts) for name, counts in found]


def unit_state(unit: Unit) -> tuple:
    unit = Unit.objects.get(pk=unit.pk)
    return (unit.name, unit.kind, unit.path, unit.closed_on, unit.closed_reason, unit.sector, unit.division_code)


# ---------------------------------------------------------------------------------------------
# Tree browser


def test_tree_requires_login(client, world):
    response = client.get(url("tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_tree_starts_at_the_users_top_visible_unit(world, as_user):
    response = as_user(world.town_secretary).get(url("tree"))
    assert response.status_code == 200
    assert [n.name for n in response.context["nodes"]] == ["甲镇团委"]
    node = response.context["nodes"][0]
    assert (node.open_children, node.branch_count, node.has_children) == (2, 2, True)
    html = response.content.decode()
    assert "乙镇团委" not in html and "团测试县委" not in html
    # Children load lazily, on the first opening of the node.
    assert f'hx-get="{url("unit_children", world.town_a.pk)}"' in html


def test_tree_for_county_admin_counts_per_level(world, as_user):
    response = as_user(world.county_admin).get(url("tree"))
    nodes = response.context["nodes"]
    assert [(n.name, n.open_children, n.branch_count) for n in nodes] == [("团测试县委", 3, 4)]


def test_party_reviewer_tree_has_two_tops(world, as_user):
    response = as_user(world.party_reviewer).get(url("tree"))
    assert sorted(n.name for n in response.context["nodes"]) == ["甲镇党委", "甲镇团委"]


def test_outsider_sees_an_empty_tree(world, as_user):
    response = as_user(world.outsider).get(url("tree"))
    assert response.status_code == 200
    assert response.context["nodes"] == []
    assert "您目前没有可查看的组织" in response.content.decode()


def test_children_partial(world, as_user):
    response = as_user(world.county_admin).get(url("unit_children", world.county.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert fragment_nodes(response) == [
        ("甲镇团委", "下级 2 · 团支部 2"), ("乙镇团委", "下级 1 · 团支部 1"), ("第一中学", "下级 2 · 团支部 1"),
    ]
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    assert "甲镇团委" in html


def test_children_statuses(world, as_user):
    assert as_user(world.town_secretary).get(url("unit_children", world.town_a.pk)).status_code == 200
    assert as_user(world.town_secretary).get(url("unit_children", world.town_b.pk)).status_code == 404
    assert as_user(world.outsider).get(url("unit_children", world.county.pk)).status_code == 404


def test_closed_units_hidden_unless_asked(world, as_user):
    actions.close_unit(actor=world.superuser, unit=world.branch_a2, closed_on=timezone.localdate(), reason="合并")
    client = as_user(world.town_secretary)
    shown = client.get(url("unit_children", world.town_a.pk))
    assert fragment_nodes(shown) == [("甲村团支部", "")]
    with_closed = client.get(url("unit_children", world.town_a.pk) + "?closed=1")
    assert fragment_nodes(with_closed) == [("甲村团支部", ""), ("乙村团支部", "")]
    assert "已撤销" in with_closed.content.decode()
    top = client.get(url("tree")).context["nodes"][0]
    assert (top.open_children, top.branch_count) == (1, 1)


def test_search_within_visible_units(world, as_user):
    response = as_user(world.town_secretary).get(url("tree"), {"q": "村团支部"})
    assert response.status_code == 200
    assert [(u.name, u.parent_name) for u in response.context["results"]] == [
        ("甲村团支部", "甲镇团委"), ("乙村团支部", "甲镇团委"),
    ]
    assert "丙村团支部" not in response.content.decode()


def test_search_is_capped_at_50(world, as_user):
    for i in range(55):
        actions.create_unit(actor=world.superuser, parent=world.town_a, name=f"新建{i}团支部", kind="branch")
    response = as_user(world.town_secretary).get(url("tree"), {"q": "新建"})
    assert len(response.context["results"]) == 50
    assert response.context["truncated"] is True


def test_tree_query_budget_does_not_grow_with_units(world, as_user, django_assert_max_num_queries):
    client = as_user(world.county_admin)
    client.get(url("tree"))  # warm the session
    budget = 10
    pages = [url("tree"), url("unit_children", world.county.pk), url("unit_children", world.town_a.pk)]

    def count_queries():
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(budget):
                assert client.get(page).status_code == 200
            counts.append(len(queries.captured_queries))
        return counts

    small = count_queries()
    for i in range(30):
        actions.create_unit(actor=world.superuser, parent=world.town_a, name=f"加{i}团支部", kind="branch")
        actions.create_unit(actor=world.superuser, parent=world.town_b, name=f"增{i}团支部", kind="branch")
    assert count_queries() == small
    assert client.get(url("tree")).context["nodes"][0].branch_count == 64
    response = client.get(url("unit_children", world.county.pk))
    assert [counts for _, counts in fragment_nodes(response)] == [
        "下级 32 · 团支部 32", "下级 31 · 团支部 31", "下级 2 · 团支部 1",
    ]
    assert len(fragment_nodes(client.get(url("unit_children", world.town_a.pk)))) == 32


# ---------------------------------------------------------------------------------------------
# Unit page


def test_unit_detail_query_count_does_not_grow_with_subunits(world, as_user):
    client = as_user(world.county_admin)
    client.get(url("unit_detail", world.town_a.pk))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("unit_detail", world.town_a.pk)).status_code == 200
        return len(queries.captured_queries)

    small = count()
    for i in range(30):
        actions.create_unit(actor=world.superuser, parent=world.town_a, name=f"加{i}团支部", kind="branch")
    assert count() == small
    assert len(client.get(url("unit_detail", world.town_a.pk)).context["children"]) == 32


def test_unit_detail_statuses(world, as_user):
    assert as_user(world.town_secretary).get(url("unit_detail", world.town_a.pk)).status_code == 200
    assert as_user(world.town_secretary).get(url("unit_detail", world.branch_a1.pk)).status_code == 200
    assert as_user(world.town_secretary).get(url("unit_detail", world.town_b.pk)).status_code == 404
    assert as_user(world.town_secretary).get(url("unit_detail", world.branch_b1.pk)).status_code == 404
    assert as_user(world.outsider).get(url("unit_detail", world.county.pk)).status_code == 404
    assert as_user(world.inspector).get(url("unit_detail", world.town_b.pk)).status_code == 200


def test_unit_detail_content_for_town_secretary(world, as_user):
    response = as_user(world.town_secretary).get(url("unit_detail", world.town_a.pk))
    html = response.content.decode()
    # The county is above the secretary's scope: it is neither in the breadcrumb nor linked.
    assert [u.name for u in response.context["breadcrumb"]] == ["甲镇团委"]
    assert response.context["parent"] is None
    assert "甲镇党委" in html  # led_by, as text
    assert [c.name for c in response.context["children"]] == ["甲村团支部", "乙村团支部"]
    assert [(g.user.username, g.role) for g in response.context["grants"]] == [("town_secretary", "unit_admin")]
    can = response.context["can"]
    assert can == {
        "edit": True, "create_child": True, "move": False, "close": False, "term": True, "grants": True,
        "import": True, "export": True,
    }
    assert url("unit_edit", world.town_a.pk) in html
    assert url("unit_move", world.town_a.pk) not in html
    assert reverse("core:import_upload", args=[world.town_a.pk, "units"]) in html
    assert f'{url("unit_export")}?subtree_of={world.town_a.pk}' in html


def test_unit_detail_for_inspector_shows_no_write_buttons(world, as_user):
    response = as_user(world.inspector).get(url("unit_detail", world.town_a.pk))
    can = response.context["can"]
    assert can == {
        "edit": False, "create_child": False, "move": False, "close": False, "term": False, "grants": False,
        "import": False, "export": True,
    }
    html = response.content.decode()
    assert url("unit_edit", world.town_a.pk) not in html
    assert [u.name for u in response.context["breadcrumb"]] == ["团测试县委", "甲镇团委"]


def test_unit_detail_terms_with_badges(world, as_user):
    today = timezone.localdate()
    actions.start_term(actor=world.superuser, unit=world.branch_a1, number=1, started_on=datetime.date(2018, 1, 1),
                       planned_end_on=datetime.date(2021, 1, 1), how_elected="members_meeting")
    actions.start_term(actor=world.superuser, unit=world.branch_a1, number=2, started_on=datetime.date(2021, 1, 1),
                       planned_end_on=today - datetime.timedelta(days=3), how_elected="members_meeting")
    actions.start_term(actor=world.superuser, unit=world.branch_a2, number=1,
                       started_on=today - datetime.timedelta(days=900),
                       planned_end_on=today + datetime.timedelta(days=60), how_elected="members_meeting")
    actions.start_term(actor=world.superuser, unit=world.town_a, number=1, started_on=today,
                       how_elected="congress")
    client = as_user(world.town_secretary)
    terms = client.get(url("unit_detail", world.branch_a1.pk)).context["terms"]
    assert [(t.number, t.badge) for t in terms] == [(2, ("已超期", "danger")), (1, None)]
    terms = client.get(url("unit_detail", world.branch_a2.pk)).context["terms"]
    assert [(t.number, t.badge) for t in terms] == [(1, ("即将届满", "warning"))]
    response = client.get(url("unit_detail", world.town_a.pk))
    assert [(t.number, t.badge) for t in response.context["terms"]] == [(1, None)]
    assert "代表大会选举" in response.content.decode()


def test_unit_detail_marks_unconfirmed_division_code(world, as_user):
    actions.update_unit(actor=world.superuser, unit=world.town_b, division_code="650121200",
                        division_code_confirmed=False)
    html = as_user(world.county_admin).get(url("unit_detail", world.town_b.pk)).content.decode()
    assert "未核实" in html
    html = as_user(world.county_admin).get(url("unit_detail", world.town_a.pk)).content.decode()
    assert "未核实" not in html


# ---------------------------------------------------------------------------------------------
# Edit


def test_edit_statuses_and_refusals_change_nothing(world, as_user):
    before_events = AuditEvent.objects.count()
    before = unit_state(world.town_a)
    data = {"name": "改名", "kind": "committee"}
    assert as_user(world.inspector).get(url("unit_edit", world.town_a.pk)).status_code == 403
    assert as_user(world.inspector).post(url("unit_edit", world.town_a.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("unit_edit", world.town_b.pk), data).status_code == 404
    assert as_user(world.branch_secretary).post(url("unit_edit", world.town_a.pk), data).status_code == 404
    assert AuditEvent.objects.count() == before_events
    assert unit_state(world.town_a) == before
    assert unit_state(world.town_b)[0] == "乙镇团委"


def test_edit_saves_through_the_action_with_audit(world, as_user):
    client = as_user(world.town_secretary)
    assert client.get(url("unit_edit", world.town_a.pk)).status_code == 200
    response = client.post(url("unit_edit", world.town_a.pk), {
        "name": "甲镇团委（新）", "kind": "committee", "sector": "rural", "division_code": "650121101",
        "division_code_confirmed": "on", "founded_on": "1990-05-04",
    })
    assert response.status_code == 302
    assert response["Location"] == url("unit_detail", world.town_a.pk)
    unit = Unit.objects.get(pk=world.town_a.pk)
    assert (unit.name, unit.division_code, unit.founded_on) == ("甲镇团委（新）", "650121101", datetime.date(1990, 5, 4))
    event = AuditEvent.objects.filter(action="修改组织", object_id=str(unit.pk)).get()
    assert event.before == {"name": "甲镇团委", "division_code": "650121100", "founded_on": None}
    assert event.after == {"name": "甲镇团委（新）", "division_code": "650121101", "founded_on": "1990-05-04"}
    assert event.actor == world.town_secretary
    followed = client.get(response["Location"])
    assert "已保存“甲镇团委（新）”的修改" in followed.content.decode()


def test_edit_field_errors_in_chinese(world, as_user):
    before_events = AuditEvent.objects.count()
    response = as_user(world.town_secretary).post(url("unit_edit", world.town_a.pk), {
        "name": "甲镇团委", "kind": "school", "division_code": "12ab",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["division_code"] == ["行政区划代码应为 6 至 12 位数字"]
    # Valid code, disallowed kind: the action's rule message lands on the kind field.
    response = as_user(world.town_secretary).post(url("unit_edit", world.town_a.pk), {
        "name": "甲镇团委", "kind": "pioneer_brigade",
    })
    assert response.context["form"].errors["kind"] == ["团县委下不能设立少先队大队（可设立：团委、团工委、团总支、团支部、学校）"]
    assert AuditEvent.objects.count() == before_events
    assert Unit.objects.get(pk=world.town_a.pk).kind == "committee"


# ---------------------------------------------------------------------------------------------
# Create child


def test_create_child(world, as_user):
    client = as_user(world.town_secretary)
    response = client.get(url("unit_create", world.town_a.pk))
    assert response.status_code == 200
    offered = [value for value, _ in response.context["form"].fields["kind"].widget.choices if value]
    assert offered == ["committee", "general_branch", "branch"]
    response = client.post(url("unit_create", world.town_a.pk), {"name": "丁村团支部", "kind": "branch", "sector": "rural"})
    assert response.status_code == 302
    child = Unit.objects.get(name="丁村团支部")
    assert response["Location"] == url("unit_detail", child.pk)
    assert child.path.startswith(world.town_a.path) and child.depth == world.town_a.depth + 1
    event = AuditEvent.objects.get(action="新建组织", object_id=str(child.pk))
    assert event.after["name"] == "丁村团支部" and event.after["kind"] == "branch"
    assert event.actor == world.town_secretary


def test_create_child_with_disallowed_kind_shows_chinese_error(world, as_user):
    before_events, before_count = AuditEvent.objects.count(), Unit.objects.count()
    response = as_user(world.town_secretary).post(url("unit_create", world.town_a.pk), {"name": "某学校", "kind": "school"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["团委下不能设立学校（可设立：团委、团总支、团支部）"]
    assert "团委下不能设立学校" in response.content.decode()
    assert (AuditEvent.objects.count(), Unit.objects.count()) == (before_events, before_count)


def test_create_child_statuses(world, as_user):
    before_events, before_count = AuditEvent.objects.count(), Unit.objects.count()
    data = {"name": "X团支部", "kind": "branch"}
    assert as_user(world.inspector).post(url("unit_create", world.town_a.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("unit_create", world.town_b.pk), data).status_code == 404
    assert as_user(world.counsellor).post(url("unit_create", world.brigade.pk), data).status_code == 403
    assert (AuditEvent.objects.count(), Unit.objects.count()) == (before_events, before_count)


def test_create_child_under_a_branch_is_blocked(world, as_user):
    response = as_user(world.branch_secretary).post(url("unit_create", world.branch_a1.pk), {"name": "X", "kind": "branch"})
    assert response.status_code == 200
    assert response.context["blocked"] == "团支部不设下级组织"
    assert not Unit.objects.filter(name="X").exists()


# ---------------------------------------------------------------------------------------------
# Move


def test_move_with_subtree(world, as_user):
    client = as_user(world.county_admin)
    response = client.get(url("unit_move", world.town_a.pk))
    assert response.status_code == 200
    assert ("随之移动", "3 个组织（含本组织及全部下级）") in response.context["facts"]
    targets = list(response.context["form"].fields["new_parent"].queryset.values_list("name", flat=True))
    assert targets == ["乙镇团委", "第一中学", "第一中学团委"]
    response = client.post(url("unit_move", world.town_a.pk), {"new_parent": world.town_b.pk})
    assert response.status_code == 302
    town_b = Unit.objects.get(pk=world.town_b.pk)
    for unit in (world.town_a, world.branch_a1, world.branch_a2):
        moved = Unit.objects.get(pk=unit.pk)
        assert moved.path.startswith(town_b.path)
    assert Unit.objects.get(pk=world.branch_a1.pk).depth == town_b.depth + 2
    event = AuditEvent.objects.get(action="移动组织", object_id=str(world.town_a.pk))
    assert event.before["parent"] == world.county.pk
    assert event.after["parent"] == world.town_b.pk and event.after["units_moved"] == 3


def test_move_refusals_change_nothing(world, as_user):
    before_events = AuditEvent.objects.count()
    paths = {u.pk: u.path for u in Unit.objects.all()}
    data = {"new_parent": world.town_b.pk}
    # The township secretary administers 甲镇团委 but not the county that holds it.
    assert as_user(world.town_secretary).get(url("unit_move", world.town_a.pk)).status_code == 403
    assert as_user(world.town_secretary).post(url("unit_move", world.town_a.pk), data).status_code == 403
    assert as_user(world.inspector).post(url("unit_move", world.town_a.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("unit_move", world.branch_b1.pk), data).status_code == 404
    # A target outside the user's manageable units is not a valid choice.
    response = as_user(world.town_secretary).post(url("unit_move", world.branch_a1.pk), {"new_parent": world.town_b.pk})
    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    assert AuditEvent.objects.count() == before_events
    assert {u.pk: u.path for u in Unit.objects.all()} == paths


# ---------------------------------------------------------------------------------------------
# Close


def test_close_branch(world, as_user):
    client = as_user(world.town_secretary)
    assert client.get(url("unit_close", world.branch_a2.pk)).status_code == 200
    response = client.post(url("unit_close", world.branch_a2.pk),
                           {"closed_on": "2024-06-30", "reason": "并入甲村团支部", "confirm": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(pk=world.branch_a2.pk)
    assert (unit.closed_on, unit.closed_reason) == (datetime.date(2024, 6, 30), "并入甲村团支部")
    event = AuditEvent.objects.get(action="撤销组织", object_id=str(unit.pk))
    assert event.before == {"closed_on": None, "closed_reason": ""}
    assert event.after == {"closed_on": "2024-06-30", "closed_reason": "并入甲村团支部"}


def test_close_needs_confirmation(world, as_user):
    response = as_user(world.town_secretary).post(url("unit_close", world.branch_a2.pk),
                                                  {"closed_on": "2024-06-30", "reason": "并入"})
    assert response.context["form"].errors["confirm"] == ["请勾选确认"]
    assert Unit.objects.get(pk=world.branch_a2.pk).closed_on is None


def test_close_with_open_children_is_refused(world, as_user):
    before_events = AuditEvent.objects.count()
    before = unit_state(world.town_a)
    response = as_user(world.county_admin).post(url("unit_close", world.town_a.pk),
                                                {"closed_on": "2024-06-30", "reason": "撤并", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["请先撤销或移走下级组织：甲村团支部、乙村团支部"]
    assert AuditEvent.objects.count() == before_events
    assert unit_state(world.town_a) == before


def test_close_statuses(world, as_user):
    before_events = AuditEvent.objects.count()
    data = {"closed_on": "2024-06-30", "reason": "撤并", "confirm": "on"}
    assert as_user(world.town_secretary).post(url("unit_close", world.town_a.pk), data).status_code == 403
    assert as_user(world.inspector).post(url("unit_close", world.branch_a2.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("unit_close", world.branch_b1.pk), data).status_code == 404
    assert AuditEvent.objects.count() == before_events
    assert Unit.objects.filter(closed_on__isnull=False).count() == 0


# ---------------------------------------------------------------------------------------------
# Terms


def test_new_term_defaults_from_rules(world, as_user):
    client = as_user(world.town_secretary)
    response = client.get(url("term_create", world.branch_a1.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["number"] == 1
    assert "留空则按规则参数自动计算" in response.content.decode()
    response = client.post(url("term_create", world.branch_a1.pk),
                           {"number": "1", "started_on": "2024-03-01", "how_elected": "members_meeting"})
    assert response.status_code == 302
    term = Term.objects.get(unit=world.branch_a1)
    assert (term.number, term.started_on, term.planned_end_on) == (1, datetime.date(2024, 3, 1), datetime.date(2027, 3, 1))
    event = AuditEvent.objects.get(action="新一届任期", object_id=str(term.pk))
    assert event.after["planned_end_on"] == "2027-03-01"
    # The next term defaults to number 2 and ends the open one.
    assert client.get(url("term_create", world.branch_a1.pk)).context["form"].initial["number"] == 2
    client.post(url("term_create", world.branch_a1.pk),
                {"number": "2", "started_on": "2025-03-01", "planned_end_on": "2028-02-28", "how_elected": "members_meeting"})
    assert list(Term.objects.filter(unit=world.branch_a1).order_by("number").values_list("number", "ended_on")) == [
        (1, datetime.date(2025, 3, 1)), (2, None),
    ]


def test_new_term_errors_and_statuses(world, as_user):
    before_events = AuditEvent.objects.count()
    data = {"number": "1", "started_on": "2024-03-01", "planned_end_on": "2024-01-01", "how_elected": "members_meeting"}
    response = as_user(world.town_secretary).post(url("term_create", world.branch_a1.pk), data)
    assert response.context["form"].errors["planned_end_on"] == ["应届满日期必须晚于任期开始日期"]
    assert as_user(world.inspector).post(url("term_create", world.branch_a1.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("term_create", world.branch_b1.pk), data).status_code == 404
    assert AuditEvent.objects.count() == before_events
    assert Term.objects.count() == 0


@pytest.mark.parametrize("name", ["unit_edit", "unit_create", "unit_move", "unit_close", "term_create"])
def test_forms_require_login(client, world, name):
    response = client.post(url(name, world.town_a.pk), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_branch_page_offers_no_subunit_actions(world, as_user):
    response = as_user(world.branch_secretary).get(url("unit_detail", world.branch_a1.pk))
    assert response.status_code == 200
    can = response.context["can"]
    assert (can["edit"], can["term"], can["grants"], can["create_child"], can["import"], can["move"]) == (
        True, True, True, False, False, False,
    )
    assert response.context["may_have_children"] is False
    assert "下级组织</h2>" not in response.content.decode()
