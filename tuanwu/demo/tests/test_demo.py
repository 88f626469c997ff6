"""The demo county: built through the actions, deterministic, idempotent, and its figures hold."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from tuanwu.accounts.models import User
from tuanwu.core.models import AuditEvent
from tuanwu.demo import data, figures, loader, registry
from tuanwu.organisations import actions, todos
from tuanwu.organisations.models import RoleGrant, Term, Unit


def _counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "terms": Term.objects.count(),
        "grants": RoleGrant.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_builds_the_county_once_and_a_second_run_changes_nothing(db, monkeypatch):
    monkeypatch.setattr(registry, "parts", lambda: [])  # the tree alone: each demo part tests its own load
    first = _load()
    assert "示例县已装载：346 个组织，125 个任期，126 项授权，126 个账号" in first
    after_first = _counts()
    # Audit: one row per unit, term, account and grant, plus the 13th term's end and the
    # handover's ended grant.
    assert after_first == {"units": 346, "terms": 125, "grants": 126, "users": 126,
                           "audit": 346 + 125 + 126 + 126 + 1 + 1}

    second = _load()
    assert "示例县已装载，本次未做任何改动。" in second
    assert _counts() == after_first
    # Both runs print the accounts table with the shared password.
    for out in (first, second):
        assert "tuanwu-demo-2023" in out
        for username, *_ in data.FEATURED_ACCOUNTS:
            assert f"\n{username} " in out


def test_demo_figures_all_hold(db):
    loader.load_demo()
    registry.load_parts(today=timezone.localdate(), actor=loader.system_actor())
    results = figures.figures()
    assert [f.line() for f in results if not f.ok] == []
    assert len(results) >= 21  # the tree's 21, then each demo part's


def test_demo_is_sample_data_and_made_through_the_actions(db):
    loader.load_demo()
    assert Unit.objects.filter(is_sample=False).count() == 0
    assert Term.objects.filter(is_sample=False).count() == 0
    assert User.objects.filter(is_sample=False).count() == 0
    # Each unit, term and grant has its audit row, written by the system actor from a command.
    assert AuditEvent.objects.filter(action="新建组织").count() == Unit.objects.count()
    assert AuditEvent.objects.filter(action="新一届任期").count() == Term.objects.count()
    assert AuditEvent.objects.filter(action="授予角色").count() == RoleGrant.objects.count()
    assert set(AuditEvent.objects.values_list("actor_label", "source").distinct()) == {("系统", "command")}


def test_demo_county_term_and_township_reminders(db):
    today = timezone.localdate()
    loader.load_demo(today=today)
    county = Unit.objects.get(name=data.COUNTY_NAME)
    assert list(county.terms.order_by("number").values_list("number", "started_on", "planned_end_on", "ended_on")) == [
        (13, datetime.date(2018, 3, 20), datetime.date(2023, 3, 20), datetime.date(2023, 2, 18)),
        (14, datetime.date(2023, 2, 18), datetime.date(2028, 2, 18), None),
    ]
    # Township terms are placed relative to the load date, so the reminders are live.
    ends = {
        t.unit.name: (t.planned_end_on - today).days
        for t in Term.objects.filter(unit__name__in=[f"{x.name}团委" for x in data.TOWNSHIPS], ended_on__isnull=True)
    }
    assert ends == {f"{x.name}团委": x.term_end_in_days for x in data.TOWNSHIPS}
    shuixigou = User.objects.get(username="shuixigou")
    alerts = [(i.unit_name, i.severity) for i in todos.term_alerts(shuixigou) if i.unit_name == "水西沟镇团委"]
    assert alerts == [("水西沟镇团委", "warning")]


def test_a_changed_county_makes_the_figures_fail(db, monkeypatch):
    monkeypatch.setattr(registry, "parts", lambda: [])  # the tree's figures only
    loader.load_demo()
    system = loader.system_actor()
    branch = Unit.objects.get(name="土圈村团支部")
    actions.close_unit(actor=system, unit=branch, closed_on=timezone.localdate(), reason="合并")
    failed = [f for f in figures.figures() if not f.ok]
    assert [f.label for f in failed] == ["县级管理员待办：缺少管理员的组织"]
    assert failed[0].actual == "乌拉泊村团支部、水西沟镇流动团员团支部"


def test_figures_on_an_empty_database_fail_without_crashing(db):
    results = figures.figures()
    assert [(f.ok, f.line()) for f in results] == [(False, "✗ 示例县级管理员账号 admin：期望 存在，实际 不存在")]


def test_demo_accounts_sign_in_with_the_shared_password(db, client):
    loader.load_demo()
    response = client.post("/accounts/login/", {"username": "shuixigou", "password": data.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(User.objects.get(username="shuixigou").pk)
    table = loader.accounts_table(everything=True)
    assert table.count("\n") >= 126
    assert "shuixigou01" in table and "yizhong01" in table
