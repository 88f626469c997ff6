"""Rule settings: effective dates, the settings pages, who may change them, and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tuanwu.core import queries
from tuanwu.core.models import AuditEvent, RuleSetting
from tuanwu.core.rule_settings import REGISTRY, get_rule, set_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Term
from tuanwu.organisations.rules import add_years

KEY = "terms.branch_years"


def _edit_url(unit, key=KEY):
    return reverse("core:rule_edit", args=[unit.pk, key])


def _snapshot():
    return AuditEvent.objects.count(), list(RuleSetting.objects.values_list("key", "county_id", "effective_from", "value"))


@pytest.mark.django_db
def test_R7_1_term_length_follows_the_setting_in_force_at_the_term_start(world):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert get_rule(KEY, world.branch_a1) == 3
    set_rule(actor=world.county_admin, key=KEY, raw_value="2", county=world.county, effective_from=today,
             note="县委文件")
    # A term started before the change keeps the old length; one started today takes the new one.
    before = actions.start_term(actor=world.town_secretary, unit=world.branch_a1, started_on=yesterday,
                                how_elected=Term.HowElected.MEMBERS_MEETING)
    after = actions.start_term(actor=world.town_secretary, unit=world.branch_a2, started_on=today,
                               how_elected=Term.HowElected.MEMBERS_MEETING)
    assert before.planned_end_on == add_years(yesterday, 3)
    assert after.planned_end_on == add_years(today, 2)
    # Another county's branches are untouched by this county's setting.
    other_county = actions.create_unit(actor=world.superuser, parent=world.city, name="团邻县委", kind="league_county")
    other_branch = actions.create_unit(actor=world.superuser, parent=other_county, name="邻县团支部", kind="branch")
    assert get_rule(KEY, other_branch) == 3
    # Student branches have their own length (1 year) and are not affected.
    assert actions.default_planned_end(world.class_branch, today) == add_years(today, 1)


@pytest.mark.django_db
class TestRulePages:
    def test_rules_home_redirects_the_county_admin_to_their_county(self, world, as_user):
        response = as_user(world.county_admin).get(reverse("core:rules_home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("core:rules", args=[world.county.pk])

    def test_rules_home_lists_several_counties(self, world, as_user):
        other = actions.create_unit(actor=world.superuser, parent=world.city, name="团邻县委", kind="league_county")
        response = as_user(world.superuser).get(reverse("core:rules_home"))
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("core:rules", args=[world.county.pk]) in html and reverse("core:rules", args=[other.pk]) in html

    @pytest.mark.parametrize("who", ["town_secretary", "inspector", "outsider", "counsellor"])
    def test_rules_home_without_the_permission_is_403(self, world, as_user, who):
        response = as_user(getattr(world, who)).get(reverse("core:rules_home"))
        assert response.status_code == 403
        assert "规则参数由团县委的县级管理员设置，您没有这项权限" in response.content.decode()

    @pytest.mark.parametrize(("who", "rules", "audit"), [
        ("county_admin", True, True), ("town_secretary", False, False), ("branch_secretary", False, False),
        ("outsider", False, False),
    ])
    def test_navigation_offers_rules_and_audit_only_to_those_let_in(self, world, as_user, who, rules, audit):
        client = as_user(getattr(world, who))
        nav = client.get(reverse("core:home")).content.decode().split("<main")[0]
        assert (f'href="{reverse("core:rules_home")}"' in nav, f'href="{reverse("core:audit")}"' in nav) == (rules, audit)
        assert client.get(reverse("core:rules_home")).status_code == (302 if rules else 403)
        assert client.get(reverse("core:audit")).status_code == (200 if audit else 403)

    def test_page_lists_every_declared_setting_with_markers(self, world, as_user):
        response = as_user(world.county_admin).get(reverse("core:rules", args=[world.county.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        for rule in REGISTRY.values():
            assert f'id="{rule.key}"' in html, rule.key
            assert _edit_url(world.county, rule.key) in html
        unconfirmed = sum(1 for r in REGISTRY.values() if not r.confirmed)
        assert html.count('title="各地做法不一，请按本县实际设置">按本地设置</span>') == unconfirmed
        groups = response.context["groups"]
        assert list(groups) == list(dict.fromkeys(r.group for r in REGISTRY.values()))
        row = next(r for r in groups["选举与任期"] if r.rule.key == KEY)
        assert (row.rule.rule_id, row.current_display, row.default_display, row.source) == ("R7.1", "3年", "3年", "default")

    def test_set_through_the_page_is_audited_and_dated(self, world, as_user):
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        client = as_user(world.county_admin)
        events_before = AuditEvent.objects.count()
        response = client.post(_edit_url(world.county), {
            "value": "4", "effective_from": today.isoformat(), "note": "依据县委组织部文件调整",
        })
        assert response.status_code == 302
        assert response["Location"] == reverse("core:rules", args=[world.county.pk]) + f"#{KEY}"
        row = RuleSetting.objects.get(key=KEY)
        assert (row.county_id, row.value, row.effective_from, row.note, row.created_by_id) == (
            world.county.pk, 4, today, "依据县委组织部文件调整", world.county_admin.pk)
        # Today and later read the new value, earlier dates the old one, for every unit below.
        assert get_rule(KEY, world.branch_b1) == 4
        assert get_rule(KEY, world.branch_b1, on=yesterday) == 3
        # Audited with before → after.
        assert AuditEvent.objects.count() == events_before + 1
        event = AuditEvent.objects.latest("id")
        assert (event.action, event.actor_id, event.source, event.source_ip) == (
            "设置规则参数", world.county_admin.pk, "web", "127.0.0.1")
        assert event.unit_path == world.county.path
        assert event.before == {"value": 3}
        assert (event.after["key"], event.after["value"], event.after["effective_from"]) == (KEY, 4, today.isoformat())
        page = client.get(response["Location"])
        html = page.content.decode()
        assert f"已设置“团支部、团总支任期”：自 {today:%Y-%m-%d} 起为 4年" in html
        assert f"4年，自 {today:%Y-%m-%d} 起" in html and "依据县委组织部文件调整" in html
        # The audit browser shows the change as old → new.
        audit_html = client.get(reverse("core:audit"), {"action": "设置规则参数"}).content.decode()
        assert '<span class="diff-field">取值</span>：<del>3</del> → <ins>4</ins>' in audit_html

    def test_second_change_the_same_day_updates_that_days_value(self, world, as_user):
        today = timezone.localdate()
        client = as_user(world.county_admin)
        for value in ("4", "5"):
            assert client.post(_edit_url(world.county), {"value": value, "effective_from": today.isoformat()}).status_code == 302
        assert list(RuleSetting.objects.values_list("value", flat=True)) == [5]
        event = AuditEvent.objects.latest("id")
        assert (event.before, event.after) == ({"value": 4}, {"value": 5})

    def test_future_date_keeps_today_on_the_old_value(self, world, as_user):
        today = timezone.localdate()
        later = today + datetime.timedelta(days=30)
        client = as_user(world.county_admin)
        response = client.post(_edit_url(world.county), {"value": "2", "effective_from": later.isoformat()})
        assert response.status_code == 302
        assert get_rule(KEY, world.branch_a1) == 3
        assert get_rule(KEY, world.branch_a1, on=later) == 2
        html = client.get(reverse("core:rules", args=[world.county.pk])).content.decode()
        assert f'2年，自 {later:%Y-%m-%d} 起 <span class="badge badge-info">待生效</span>' in html

    def test_back_dating_is_refused_in_chinese_and_writes_nothing(self, world, as_user):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        before = _snapshot()
        response = as_user(world.county_admin).post(_edit_url(world.county), {
            "value": "4", "effective_from": yesterday.isoformat(),
        })
        assert response.status_code == 200
        assert "生效日期不能早于今天：过去的统计结果不应被改写" in response.content.decode()
        assert _snapshot() == before

    @pytest.mark.parametrize("value,message", [
        ("9", "“团支部、团总支任期”不能大于 5"),
        ("0", "“团支部、团总支任期”不能小于 1"),
        ("三", "“团支部、团总支任期”应为整数"),
    ])
    def test_bad_values_are_refused_and_write_nothing(self, world, as_user, value, message):
        before = _snapshot()
        response = as_user(world.county_admin).post(_edit_url(world.county), {
            "value": value, "effective_from": timezone.localdate().isoformat(),
        })
        assert response.status_code == 200
        assert message in response.content.decode()
        assert _snapshot() == before

    def test_choice_setting_uses_a_select(self, world, as_user):
        client = as_user(world.county_admin)
        url = _edit_url(world.county, "elections.threshold_base")
        html = client.get(url).content.decode()
        assert '<select name="value"' in html and '<option value="present" selected>实到人数</option>' in html
        assert "各地做法不一，请按本县实际设置" in html
        today = timezone.localdate()
        assert client.post(url, {"value": "due", "effective_from": today.isoformat()}).status_code == 302
        assert get_rule("elections.threshold_base", world.branch_a1) == "due"
        refused = client.post(url, {"value": "other", "effective_from": today.isoformat()})
        assert refused.status_code == 200 and get_rule("elections.threshold_base", world.branch_a1) == "due"

    def test_edit_form_defaults_to_today_and_the_current_value(self, world, as_user):
        response = as_user(world.county_admin).get(_edit_url(world.county))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'name="effective_from" value="{timezone.localdate():%Y-%m-%d}"' in html
        assert 'name="value" value="3"' in html

    # Access: the county page is inside the inspector's scope (403) and outside a township
    # secretary's or an outsider's (404).
    @pytest.mark.parametrize("who,status", [
        ("inspector", 403), ("town_secretary", 404), ("outsider", 404), ("party_reviewer", 404), ("county_admin", 200),
    ])
    def test_who_may_open_the_county_rules(self, world, as_user, who, status):
        client = as_user(getattr(world, who))
        assert client.get(reverse("core:rules", args=[world.county.pk])).status_code == status
        assert client.get(_edit_url(world.county)).status_code == status

    @pytest.mark.parametrize("who,status", [("inspector", 403), ("town_secretary", 404), ("outsider", 404)])
    def test_refused_writes_change_nothing(self, world, as_user, who, status):
        before = _snapshot()
        response = as_user(getattr(world, who)).post(_edit_url(world.county), {
            "value": "4", "effective_from": timezone.localdate().isoformat(),
        })
        assert response.status_code == status
        assert _snapshot() == before

    def test_town_secretary_on_own_township_is_403(self, world, as_user):
        # Visible to them, but they lack rules.manage.
        response = as_user(world.town_secretary).get(reverse("core:rules", args=[world.town_a.pk]))
        assert response.status_code == 403
        assert "您可以查看该内容，但没有进行此操作的权限。" in response.content.decode()

    def test_only_a_county_has_settings(self, world, as_user):
        client = as_user(world.county_admin)
        assert client.get(reverse("core:rules", args=[world.town_a.pk])).status_code == 404
        assert client.get(_edit_url(world.town_a)).status_code == 404

    def test_unknown_key_is_404_and_writes_nothing(self, world, as_user):
        before = _snapshot()
        client = as_user(world.county_admin)
        assert client.get(_edit_url(world.county, "no.such.rule")).status_code == 404
        assert client.post(_edit_url(world.county, "no.such.rule"), {"value": "1"}).status_code == 404
        assert _snapshot() == before


@pytest.mark.django_db
def test_overview_reads_every_value_as_get_rule_does(world):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=10)
    set_rule(actor=world.superuser, key="terms.committee_years", raw_value="4", county=None, effective_from=today)
    set_rule(actor=world.superuser, key="terms.reminder_months", raw_value="8", county=None, effective_from=today)
    set_rule(actor=world.county_admin, key="terms.reminder_months", raw_value="5", county=world.county, effective_from=today)
    set_rule(actor=world.county_admin, key="dues.basic_amount", raw_value="0.5", county=world.county, effective_from=later)
    set_rule(actor=world.county_admin, key="study.branch_meeting_months", raw_value="2", county=world.county,
             effective_from=datetime.date(2021, 1, 1), allow_past=True)
    for on in (today, later):
        groups = queries.rules_overview(world.county, on=on)
        values = {row.rule.key: row.current for rows in groups.values() for row in rows}
        assert set(values) == set(REGISTRY)
        assert values == {key: get_rule(key, world.county, on=on) for key in REGISTRY}, on
    groups = queries.rules_overview(world.county)
    sources = {row.rule.key: row.source for rows in groups.values() for row in rows}
    assert (sources["terms.committee_years"], sources["terms.reminder_months"], sources["dues.basic_amount"]) == (
        "platform", "county", "default")


@pytest.mark.django_db
def test_rules_page_query_count_does_not_grow_with_settings(world, as_user, django_assert_max_num_queries):
    client = as_user(world.county_admin)
    today = timezone.localdate()
    for key in list(REGISTRY)[:10]:
        rule = REGISTRY[key]
        raw = rule.default if rule.kind != "decimal" else str(rule.default)
        set_rule(actor=world.county_admin, key=key, raw_value=raw, county=world.county, effective_from=today)
    # Session, user, unit, grants, one query for every setting, the nav badge's to-dos.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("core:rules", args=[world.county.pk])).status_code == 200
