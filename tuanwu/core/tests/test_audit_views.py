"""The audit trail browser and export: who sees which rows, filters, query budget, append-only."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tuanwu.core import audit
from tuanwu.core.models import AuditEvent, RuleSetting
from tuanwu.core.rule_settings import set_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Unit

AUDIT = reverse("core:audit")
EXPORT = reverse("core:audit_export")


def _page_events(response):
    """Every event id on all pages of a response's query (the page object knows the query)."""
    return sorted(e.pk for e in response.context["page"].paginator.object_list)


def _ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
class TestWhoSeesWhat:
    def test_county_admin_sees_the_whole_county_and_nothing_else(self, world, as_user):
        # An account-level event (no unit) and events outside the county (city, party tree).
        audit.record(actor=world.town_secretary, action="修改密码", obj=world.town_secretary,
                     after={"must_change_password": False})
        response = as_user(world.county_admin).get(AUDIT)
        assert response.status_code == 200
        expected = AuditEvent.objects.filter(unit_path__startswith=world.county.path)
        assert _page_events(response) == _ids(expected)
        assert response.context["page"].paginator.count == expected.count() > 10
        html = response.content.decode()
        for inside in ("丙村团支部", "一年级(1)中队", "甲镇团委"):
            assert inside in html
        for outside in ("中共测试县委", "团乌鲁木齐市委", "修改密码"):
            assert outside not in html.split("<tbody>")[1]

    def test_inspector_sees_the_same_rows_and_can_write_nothing(self, world, as_user):
        client = as_user(world.inspector)
        response = client.get(AUDIT)
        assert response.status_code == 200
        assert _page_events(response) == _ids(AuditEvent.objects.filter(unit_path__startswith=world.county.path))
        html = response.content.decode()
        # The only form that posts is the logout button: no edit or delete anywhere.
        assert html.count('method="post"') == 1 and f'action="{reverse("accounts:logout")}"' in html
        # And any write the inspector attempts is refused without effect.
        events, settings_rows, units = AuditEvent.objects.count(), RuleSetting.objects.count(), Unit.objects.count()
        assert client.post(AUDIT, {"action": "x"}).status_code in (200, 405)
        assert client.post(reverse("core:rule_edit", args=[world.county.pk, "terms.branch_years"]),
                           {"value": "4", "effective_from": timezone.localdate().isoformat()}).status_code == 403
        assert (AuditEvent.objects.count(), RuleSetting.objects.count(), Unit.objects.count()) == (
            events, settings_rows, units)

    def test_superuser_also_sees_account_level_events(self, world, as_user):
        event = audit.record(actor=world.town_secretary, action="修改密码", obj=world.town_secretary,
                             after={"must_change_password": False})
        response = as_user(world.superuser).get(AUDIT)
        assert event.pk in _page_events(response)
        assert response.context["page"].paginator.count == AuditEvent.objects.count()

    @pytest.mark.parametrize("who", ["town_secretary", "branch_secretary", "counsellor", "party_reviewer", "outsider"])
    def test_without_audit_view_it_is_403_for_page_and_export(self, world, as_user, who):
        client = as_user(getattr(world, who))
        events = AuditEvent.objects.count()
        for url in (AUDIT, EXPORT):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "只有县级管理员和巡察人员可以查看操作日志" in response.content.decode()
        assert AuditEvent.objects.count() == events

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(AUDIT)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
class TestFilters:
    def test_unit_subtree(self, world, as_user):
        response = as_user(world.county_admin).get(AUDIT, {"unit": world.town_b.pk})
        assert _page_events(response) == _ids(AuditEvent.objects.filter(unit_path__startswith=world.town_b.path))
        reprs = {e.object_repr for e in response.context["page"].paginator.object_list}
        assert any("丙村团支部" in r for r in reprs) and not any("甲" in r for r in reprs)

    def test_a_branch_may_be_named_even_if_not_offered(self, world, as_user):
        response = as_user(world.county_admin).get(AUDIT, {"unit": world.branch_b1.pk})
        assert response.context["form"].errors == {}
        assert _page_events(response) == _ids(AuditEvent.objects.filter(unit_path__startswith=world.branch_b1.path))

    def test_unit_outside_the_scope_is_refused_not_shown(self, world, as_user):
        response = as_user(world.county_admin).get(AUDIT, {"unit": world.party_town_a.pk})
        assert "unit" in response.context["form"].errors
        assert "甲镇党委" not in response.content.decode()
        # No rows beyond the county's either way.
        assert _page_events(response) == _ids(AuditEvent.objects.filter(unit_path__startswith=world.county.path))

    def test_actor_action_type_and_text(self, world, as_user):
        today = timezone.localdate()
        set_rule(actor=world.county_admin, key="terms.branch_years", raw_value="4", county=world.county,
                 effective_from=today)
        actions.update_unit(actor=world.county_admin, unit=world.branch_b1, name="丙村团支部（新）")
        client = as_user(world.inspector)

        by_actor = client.get(AUDIT, {"actor": "county_ad"})
        assert _page_events(by_actor) == _ids(AuditEvent.objects.filter(actor=world.county_admin))
        assert len(_page_events(by_actor)) == 2
        by_full_name = client.get(AUDIT, {"actor": "县管理"})
        assert _page_events(by_full_name) == _page_events(by_actor)

        by_action = client.get(AUDIT, {"action": "设置规则参数"})
        assert [e.action for e in by_action.context["page"]] == ["设置规则参数"]

        by_type = client.get(AUDIT, {"object_type": "organisations.RoleGrant"})
        assert _page_events(by_type) == _ids(AuditEvent.objects.filter(
            unit_path__startswith=world.county.path, object_type="organisations.RoleGrant"))
        assert len(_page_events(by_type)) == 5  # county admin, inspector, counsellor, township and village secretaries
        # A type that never occurs in the user's rows is not offered; asking for it is an error.
        unknown = client.get(AUDIT, {"object_type": "organisations.Term"})
        assert "object_type" in unknown.context["form"].errors
        by_type = client.get(AUDIT, {"object_type": "core.RuleSetting"})
        assert [e.object_type for e in by_type.context["page"]] == ["core.RuleSetting"]
        assert '<option value="core.RuleSetting" selected>规则参数</option>' in by_type.content.decode()

        by_text = client.get(AUDIT, {"text": "（新）"})
        events = list(by_text.context["page"])
        assert [(e.action, e.object_repr) for e in events] == [("修改组织", "丙村团支部（新）")]
        html = by_text.content.decode()
        assert '<span class="diff-field">名称</span>：<del>丙村团支部</del> → <ins>丙村团支部（新）</ins>' in html

    def test_date_range_in_local_days(self, world, as_user):
        client = as_user(world.county_admin)
        today = timezone.localdate()
        county_rows = _ids(AuditEvent.objects.filter(unit_path__startswith=world.county.path))
        assert _page_events(client.get(AUDIT, {"date_from": today.isoformat(), "date_to": today.isoformat()})) == county_rows
        tomorrow = today + datetime.timedelta(days=1)
        yesterday = today - datetime.timedelta(days=1)
        assert _page_events(client.get(AUDIT, {"date_from": tomorrow.isoformat()})) == []
        assert _page_events(client.get(AUDIT, {"date_to": yesterday.isoformat()})) == []
        reversed_range = client.get(AUDIT, {"date_from": today.isoformat(), "date_to": yesterday.isoformat()})
        assert "截止日期不能早于起始日期" in reversed_range.content.decode()

    def test_row_shows_local_time_actor_source_and_ip(self, world, as_user):
        client = as_user(world.county_admin)
        client.post(reverse("core:rule_edit", args=[world.county.pk, "terms.branch_years"]),
                    {"value": "4", "effective_from": timezone.localdate().isoformat()})
        event = AuditEvent.objects.latest("id")
        html = client.get(AUDIT, {"action": "设置规则参数"}).content.decode()
        local = timezone.localtime(event.at, timezone.get_default_timezone())
        assert local.utcoffset() == datetime.timedelta(hours=8)
        assert f'<td class="nowrap" data-label="时间">{local:%Y-%m-%d %H:%M:%S}</td>' in html
        assert "county_admin<div class=\"muted small\">县管理员</div>" in html
        assert '网页<div class="muted small">127.0.0.1</div>' in html


@pytest.mark.django_db
def test_pagination_and_query_budget(world, as_user, django_assert_max_num_queries):
    county = world.county
    items = [(world.branch_a1, {"name": f"旧{i}"}, {"name": f"新{i}"}) for i in range(130)]
    audit.record_many(actor=world.county_admin, action="批量修改", items=items)
    client = as_user(world.county_admin)
    total = AuditEvent.objects.filter(unit_path__startswith=county.path).count()
    pages = -(-total // 50)
    # The number of queries does not depend on the number of rows shown.
    with django_assert_max_num_queries(12):
        first = client.get(AUDIT)
    assert first.status_code == 200
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == pages
    assert f"第 1 / {pages} 页" in first.content.decode()
    with django_assert_max_num_queries(12):
        last = client.get(AUDIT, {"page": pages, "action": "批量修改"})
    assert len(last.context["rows"]) == 130 - 50 * 2
    assert 'href="?page=2&amp;action=%E6%89%B9%E9%87%8F%E4%BF%AE%E6%94%B9"' in last.content.decode()


def _read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_name("操作日志").to_python()


@pytest.mark.django_db
def test_export_has_the_filtered_rows_and_is_audited(world, as_user):
    client = as_user(world.inspector)
    response = client.get(EXPORT, {"unit": world.town_b.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _read_xlsx(response)
    assert rows[0] == ["时间", "操作人", "姓名", "途径", "来源 IP", "操作", "对象类型", "对象", "修改内容"]
    expected = list(AuditEvent.objects.filter(unit_path__startswith=world.town_b.path).exclude(action="导出操作日志"))
    assert [(r[1], r[5], r[7]) for r in rows[1:]] == [(e.actor_label, e.action, e.object_repr) for e in expected]
    assert len(expected) == 2  # 乙镇团委 and 丙村团支部 created; nobody holds a role there
    assert [r[6] for r in rows[1:]] == ["组织", "组织"]
    assert any("名称：乙镇团委" in r[8].split("\n") for r in rows[1:])
    # The export itself is audited, filed under the exported unit, so the county sees it.
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.unit_path) == ("导出操作日志", world.inspector.pk, world.town_b.path)
    assert event.after["rows"] == len(expected)


@pytest.mark.django_db
def test_export_neutralises_formulas(world, as_user):
    actions.update_unit(actor=world.county_admin, unit=world.branch_b1, name="=HYPERLINK(\"http://x\")")
    response = as_user(world.county_admin).get(EXPORT, {"text": "HYPERLINK"})
    rows = _read_xlsx(response)
    assert [r[7] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")"]


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_or_deleted(world):
    event = AuditEvent.objects.filter(unit_path__startswith=world.county.path).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="篡改")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        event.action = "篡改"
        event.save()
    event.refresh_from_db()
    assert event.action != "篡改"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_a_user_named_in_the_trail_cannot_be_deleted(world):
    """The actor columns carry no database constraint (bulk writes would pay a key check per
    row); the ORM's PROTECT still keeps every actor the trail names."""
    from django.db.models import ProtectedError

    actor = AuditEvent.objects.filter(actor__isnull=False).first().actor
    with pytest.raises(ProtectedError), transaction.atomic():
        actor.delete()
    assert type(actor).objects.filter(pk=actor.pk).exists()


@pytest.mark.django_db
def test_changes_read_in_the_models_field_order(world):
    """jsonb stores keys shortest first; the trail shows a person's fields as the form has them,
    with the masked extras after the model's own fields, all named in Chinese."""
    from tuanwu.core import queries
    from tuanwu.people.testing import make_person

    make_person(world, world.branch_a1, "顺序", phone="13912345678")
    event = AuditEvent.objects.filter(object_type="people.Person").latest("id")
    fields = [c.field for c in queries.audit_changes(event)]
    assert fields.index("姓名") < fields.index("性别") < fields.index("民族") < fields.index("出生日期") \
        < fields.index("所在组织") < fields.index("创建时间")
    assert set(fields[-3:]) == {"身份证号码", "手机号码", "监护人电话"}


@pytest.mark.django_db
def test_every_key_in_the_trail_has_a_chinese_name(world, tmp_path, settings):
    """Snapshots carry keys besides model fields (masked numbers, files, counts): none may reach
    the page as an English identifier. Exercised with a members import, which writes most kinds."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuanwu.core import imports, queries
    from tuanwu.membership.testing import member_row, write_workbook

    settings.UPLOAD_DIR = tmp_path / "uploads"
    rows = [member_row(i, branch="甲村团支部", today=timezone.localdate()) for i in range(3)]
    path = write_workbook(tmp_path / "m.xlsx", rows)
    job = imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                              uploaded_file=SimpleUploadedFile("m.xlsx", open(path, "rb").read()))
    imports.commit_job(imports.check_job(job), world.county_admin)
    english = {(e.object_type, c.field) for e in AuditEvent.objects.all() for c in queries.audit_changes(e)
               if c.field.isascii()}
    assert english == set()


@pytest.mark.django_db
def test_a_snapshot_key_named_like_a_reverse_relation_is_shown_not_crashed_on(world, as_user):
    """An election's audit row carries "candidates" and "winners", which are also the names of
    reverse relations on Election: the trail used to fail on them (no primary_key, no verbose
    name) and the audit page answered 500."""
    from tuanwu.core import queries

    event = AuditEvent.objects.create(actor=world.county_admin, action="创建选举", object_type="elections.Election",
                                      object_id="1", object_repr="测试选举", unit_path=world.county.path,
                                      after={"candidates": ["张三", "李四"], "winners": ["张三"]})
    assert [(c.field, c.after) for c in queries.audit_changes(event)] == [
        ("候选人", '["张三", "李四"]'), ("当选人", '["张三"]')]
    assert as_user(world.county_admin).get(reverse("core:audit"), {"text": "测试选举"}).status_code == 200
