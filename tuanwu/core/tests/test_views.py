"""Home, the to-do page and the error pages, seen by the named test world's users."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tuanwu.accounts.models import User
from tuanwu.core import todos
from tuanwu.core.models import AuditEvent, RuleSetting
from tuanwu.core.rule_settings import set_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Role, Term
from tuanwu.organisations.rules import add_months, add_years
from tuanwu.testing.world import PASSWORD

NO_ADMIN_TEXT = "该组织没有在任的组织管理员，请为书记或联络员开通账号"


def _term_ending(world, unit, planned_end):
    return actions.start_term(
        actor=world.superuser, unit=unit, started_on=add_years(planned_end, -3), planned_end_on=planned_end,
        how_elected=Term.HowElected.MEMBERS_MEETING,
    )


def _reminder_text(term, today):
    days = (term.planned_end_on - today).days
    return f"第{term.number}届任期将于 {term.planned_end_on:%Y-%m-%d} 届满（还有 {days} 天），请筹备换届"


def _sibling_secretary(world):
    user = User.objects.create_user("town_b_secretary", password=PASSWORD, full_name="乙镇书记",
                                    must_change_password=False)
    actions.grant_role(actor=world.superuser, user=user, unit=world.town_b, role=Role.UNIT_ADMIN,
                       starts_on=datetime.date(2020, 1, 1))
    return user


@pytest.mark.django_db
class TestHome:
    def test_town_secretary_sees_own_role_figures_and_todos(self, world, as_user):
        response = as_user(world.town_secretary).get(reverse("core:home"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "甲镇书记，您好" in html
        assert "组织管理员" in html
        assert f'href="{reverse("organisations:unit_detail", args=[world.town_a.pk])}">甲镇团委</a>' in html
        # 甲镇团委, 甲村团支部, 乙村团支部: three units, two branches; 乙村团支部 has no administrator.
        assert response.context["figures"] == {"units": 3, "branches": 2}
        assert response.context["todo_count"] == 1
        assert NO_ADMIN_TEXT in html
        assert "乙镇团委" not in html and "丙村团支部" not in html
        # No audit or rule settings link for a township secretary.
        assert reverse("core:audit") + '"' not in html.split('class="quick-links"')[1]
        assert "您还没有被授予任何组织的角色" not in html

    def test_county_admin_sees_the_county(self, world, as_user):
        response = as_user(world.county_admin).get(reverse("core:home"))
        assert response.status_code == 200
        # County, 2 townships, 3 village branches, school, school committee, class branch, brigade, squadron.
        assert response.context["figures"] == {"units": 11, "branches": 4}
        quick = response.content.decode().split('class="quick-links"')[1]
        assert reverse("core:audit") in quick and reverse("core:rules_home") in quick

    def test_shortcuts_reach_each_area_the_user_may_open(self, world, as_user):
        def quick(user):
            html = as_user(user).get(reverse("core:home")).content.decode()
            return html.split('class="quick-links"')[1].split("</div>")[0]

        everyday = [reverse(name) for name in ("core:todos", "people:list", "membership:home", "activities:list",
                                               "activities:study_home", "elections:list", "cadres:index")]
        secretary = quick(world.branch_secretary)
        assert all(f'href="{url}"' in secretary for url in everyday)
        # Areas the secretary's pages would refuse are not offered, nor the account pages.
        for name in ("core:audit", "core:rules_home", "volunteering:cohort_list", "accounts:tokens"):
            assert f'href="{reverse(name)}"' not in secretary
        # Every shortcut answers the user who is offered it.
        client = as_user(world.branch_secretary)
        for url in re.findall(r'href="([^"]+)"', secretary):
            assert client.get(url, follow=True).status_code == 200, url
        admin = quick(world.county_admin)
        assert f'href="{reverse("core:audit")}"' in admin and f'href="{reverse("core:rules_home")}"' in admin

    def test_user_without_grants_gets_the_friendly_note(self, world, as_user):
        response = as_user(world.outsider).get(reverse("core:home"))
        assert response.status_code == 200
        assert "您还没有被授予任何组织的角色，请联系上级管理员" in response.content.decode()
        assert response.context["figures"] == {"units": 0, "branches": 0}
        assert response.context["todo_count"] == 0


@pytest.mark.django_db
class TestTodos:
    def test_term_reminder_shows_to_its_township_not_to_the_sibling(self, world, as_user):
        today = timezone.localdate()
        term = _term_ending(world, world.branch_a1, add_months(today, 5))
        text = _reminder_text(term, today)

        response = as_user(world.town_secretary).get(reverse("core:todos"))
        assert response.status_code == 200
        html = response.content.decode()
        assert text in html
        assert f'href="{reverse("organisations:unit_detail", args=[world.branch_a1.pk])}"' in html
        assert term.planned_end_on.strftime("%Y-%m-%d") in html
        items = [i for s in response.context["sections"] for i in s["items"]]
        assert [(i.unit_name, i.kind, i.severity, i.text) for i in items] == [
            ("甲村团支部", "换届提醒", "warning", text),
            ("乙村团支部", "缺少管理员", "info", NO_ADMIN_TEXT),
        ]

        sibling = _sibling_secretary(world)
        other = as_user(sibling).get(reverse("core:todos"))
        assert other.status_code == 200
        assert text not in other.content.decode()
        assert all(i.unit_name != "甲村团支部" for s in other.context["sections"] for i in s["items"])

    def test_filter_by_kind(self, world, as_user):
        today = timezone.localdate()
        term = _term_ending(world, world.branch_a1, add_months(today, 5))
        client = as_user(world.town_secretary)
        response = client.get(reverse("core:todos"), {"kind": "换届提醒"})
        html = response.content.decode()
        assert _reminder_text(term, today) in html and NO_ADMIN_TEXT not in html
        assert response.context["todo_count"] == 2 and response.context["shown_count"] == 1
        unknown = client.get(reverse("core:todos"), {"kind": "不存在"})
        assert unknown.context["shown_count"] == 2

    def test_overdue_term_is_urgent(self, world, as_user):
        today = timezone.localdate()
        term = actions.start_term(
            actor=world.superuser, unit=world.branch_a1, started_on=today - datetime.timedelta(days=1200),
            planned_end_on=today - datetime.timedelta(days=10), how_elected=Term.HowElected.MEMBERS_MEETING,
        )
        response = as_user(world.town_secretary).get(reverse("core:todos"))
        first = response.context["sections"][0]
        assert (first["severity_label"], first["kind"]) == ("紧急", "换届提醒")
        assert first["items"][0].text == f"第1届任期已于 {term.planned_end_on:%Y-%m-%d} 届满，尚未换届"

    def test_R7_2_reminder_appears_exactly_within_reminder_months(self, world, as_user):
        today = timezone.localdate()
        inside = _term_ending(world, world.branch_a1, add_months(today, 6))  # on the boundary: due
        outside = _term_ending(world, world.branch_a2, add_months(today, 6) + datetime.timedelta(days=1))

        def reminded():
            return sorted(i.unit_name for i in todos.alerts_for(world.county_admin) if i.kind == "换届提醒")

        assert reminded() == ["甲村团支部"]
        # The county shortens the lead time to 3 months from today: neither is due yet.
        set_rule(actor=world.county_admin, key="terms.reminder_months", raw_value="3", county=world.county,
                 effective_from=today)
        assert reminded() == []
        # ... and lengthens it to 7: both are due, and the page says so.
        set_rule(actor=world.county_admin, key="terms.reminder_months", raw_value="7", county=world.county,
                 effective_from=today)
        assert reminded() == ["乙村团支部", "甲村团支部"]
        html = as_user(world.town_secretary).get(reverse("core:todos")).content.decode()
        assert _reminder_text(inside, today) in html and _reminder_text(outside, today) in html


@pytest.mark.django_db
class TestErrorPages:
    def test_404_in_chinese_for_a_user_outside(self, world, as_user):
        response = as_user(world.town_secretary).get(reverse("core:rules", args=[world.county.pk]))
        assert response.status_code == 404
        assert "未找到该页面，或您无权查看。" in response.content.decode()

    def test_404_for_anonymous_on_unknown_url(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到该页面，或您无权查看。" in html and reverse("accounts:login") in html

    def test_403_in_chinese_with_the_reason(self, world, as_user):
        response = as_user(world.town_secretary).get(reverse("core:audit"))
        assert response.status_code == 403
        html = response.content.decode()
        assert "您可以查看该内容，但没有进行此操作的权限。" in html
        assert "只有县级管理员和巡察人员可以查看操作日志" in html

    def test_403_page_renders_for_anonymous(self, rf):
        from django.contrib.auth.models import AnonymousUser

        from tuanwu.core.views import permission_denied

        request = rf.get("/x/")
        request.user = AnonymousUser()
        response = permission_denied(request, Exception("internal detail"))
        assert response.status_code == 403
        html = response.content.decode()
        assert "您可以查看该内容，但没有进行此操作的权限。" in html and "internal detail" not in html


@pytest.mark.django_db
def test_health_is_public(client):
    response = client.get(reverse("core:health"))
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_pages_write_nothing_on_get(world, as_user):
    events, settings_rows = AuditEvent.objects.count(), RuleSetting.objects.count()
    client = as_user(world.county_admin)
    for name, args in [("core:home", []), ("core:todos", []), ("core:audit", []), ("core:rules", [world.county.pk]),
                       ("core:rule_edit", [world.county.pk, "terms.branch_years"])]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert (AuditEvent.objects.count(), RuleSetting.objects.count()) == (events, settings_rows)

