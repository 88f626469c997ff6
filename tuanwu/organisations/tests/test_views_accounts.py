"""HTTP tests of grants, opening accounts, handovers and password resets.

The township secretary administers 甲镇团委 and may grant roles no higher than 组织管理员 inside
it; 乙镇团委 (and grants on it) do not exist for them (404); the inspector sees the county but
manages no grants (403).
"""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuanwu.accounts.models import User
from tuanwu.core.models import AuditEvent
from tuanwu.organisations import actions
from tuanwu.organisations.models import Role, RoleGrant
from tuanwu.testing.world import PASSWORD


def url(name, *args):
    return reverse(f"organisations:{name}", args=args)


def grant_of(user, unit) -> RoleGrant:
    return RoleGrant.objects.get(user=user, unit=unit)


def shown_password(response) -> str:
    match = re.search(r'data-testid="initial-password">([^<]+)<', response.content.decode())
    assert match, "the page shows no password"
    return match.group(1)


def real_login(username, password) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


# ---------------------------------------------------------------------------------------------
# Grants page


def test_grants_page_statuses(world, as_user):
    assert as_user(world.town_secretary).get(url("grants", world.town_a.pk)).status_code == 200
    assert as_user(world.town_secretary).get(url("grants", world.branch_a1.pk)).status_code == 200
    assert as_user(world.inspector).get(url("grants", world.town_a.pk)).status_code == 403
    assert as_user(world.branch_secretary).get(url("grants", world.town_a.pk)).status_code == 404
    assert as_user(world.town_secretary).get(url("grants", world.town_b.pk)).status_code == 404
    assert as_user(world.outsider).get(url("grants", world.county.pk)).status_code == 404


def test_grants_page_lists_current_and_ended(world, as_user):
    actions.hand_over(actor=world.superuser, grant=grant_of(world.branch_secretary, world.branch_a1),
                      new_user=world.outsider, on=datetime.date(2024, 1, 1))
    response = as_user(world.town_secretary).get(url("grants", world.branch_a1.pk))
    assert [(g.user.username, g.manageable) for g in response.context["current"]] == [("outsider", True)]
    assert [(g.user.username, g.ends_on) for g in response.context["ended"]] == [
        ("branch_secretary", datetime.date(2023, 12, 31)),
    ]
    # Roles offered: only those the secretary may grant on a branch (none above their own).
    offered = [value for value, _ in response.context["form"].fields["role"].choices if value]
    assert offered == [Role.UNIT_ADMIN, Role.VOLUNTEER_OFFICE, Role.INSPECTOR]


def test_grant_role_to_existing_user(world, as_user):
    client = as_user(world.town_secretary)
    response = client.post(url("grants", world.branch_a2.pk), {
        "username": "outsider", "role": Role.UNIT_ADMIN, "starts_on": "2024-05-01", "ends_on": "",
    })
    assert response.status_code == 302
    assert response["Location"] == url("grants", world.branch_a2.pk)
    grant = RoleGrant.objects.get(user=world.outsider)
    assert (grant.unit_id, grant.role, grant.starts_on, grant.ends_on, grant.granted_by_id) == (
        world.branch_a2.pk, Role.UNIT_ADMIN, datetime.date(2024, 5, 1), None, world.town_secretary.pk,
    )
    event = AuditEvent.objects.get(action="授予角色", object_id=str(grant.pk))
    assert event.before is None
    assert event.after["role"] == Role.UNIT_ADMIN and event.after["user"] == world.outsider.pk
    assert "已授予 无关人员（outsider）“组织管理员”角色" in client.get(response["Location"]).content.decode()


def test_grant_refusals_change_nothing(world, as_user):
    before = (AuditEvent.objects.count(), RoleGrant.objects.count())
    client = as_user(world.town_secretary)
    # A role above the secretary's own is not offered, and a forged post is refused.
    response = client.post(url("grants", world.town_a.pk), {
        "username": "outsider", "role": Role.COUNTY_ADMIN, "starts_on": "2024-05-01",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == ["选择一个有效的选项。 county_admin 不在可用的选项中。"]
    response = client.post(url("grants", world.town_a.pk), {"username": "nobody", "role": Role.UNIT_ADMIN,
                                                             "starts_on": "2024-05-01"})
    assert response.context["form"].errors["username"] == ["没有用户名为“nobody”的有效账号"]
    response = client.post(url("grants", world.town_a.pk), {"username": "outsider", "role": Role.UNIT_ADMIN,
                                                             "starts_on": "2024-05-01", "ends_on": "2024-04-01"})
    assert response.context["form"].errors["ends_on"] == ["结束日期不能早于开始日期"]
    data = {"username": "outsider", "role": Role.INSPECTOR, "starts_on": "2024-05-01"}
    assert as_user(world.inspector).post(url("grants", world.town_a.pk), data).status_code == 403
    assert client.post(url("grants", world.town_b.pk), data).status_code == 404
    assert (AuditEvent.objects.count(), RoleGrant.objects.count()) == before


# ---------------------------------------------------------------------------------------------
# Opening an account


def test_account_create_shows_password_once_and_forces_change(world, as_user):
    client = as_user(world.town_secretary)
    assert client.get(url("account_create", world.branch_a2.pk)).status_code == 200
    response = client.post(url("account_create", world.branch_a2.pk), {
        "username": "yicun_shuji", "full_name": "乙村书记", "phone": "13800001234", "role": Role.UNIT_ADMIN,
    })
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    assert len(password) == 12
    user = User.objects.get(username="yicun_shuji")
    assert (user.full_name, user.phone, user.must_change_password) == ("乙村书记", "13800001234", True)
    assert user.check_password(password)
    assert password not in user.password
    grant = RoleGrant.objects.get(user=user)
    assert (grant.unit_id, grant.role, grant.granted_by_id) == (world.branch_a2.pk, Role.UNIT_ADMIN, world.town_secretary.pk)
    # Audited, with the phone masked and no trace of the password.
    event = AuditEvent.objects.get(action="开通账号", object_id=str(user.pk))
    assert event.after["username"] == "yicun_shuji" and event.after["phone"] == "138000*1234"
    assert "password" not in event.after
    assert not any(password in str(e.before) + str(e.after) for e in AuditEvent.objects.all())
    assert AuditEvent.objects.filter(action="授予角色", object_id=str(grant.pk)).count() == 1
    # The password is not left in the messages for a later page.
    assert password not in client.get(url("grants", world.branch_a2.pk)).content.decode()

    new_client, login = real_login("yicun_shuji", password)
    assert login.status_code == 302
    forced = new_client.get(url("tree"))
    assert forced.status_code == 302
    assert forced["Location"] == reverse("accounts:password_change")


def test_account_create_errors_in_chinese(world, as_user):
    before = (AuditEvent.objects.count(), User.objects.count(), RoleGrant.objects.count())
    client = as_user(world.town_secretary)
    response = client.post(url("account_create", world.branch_a2.pk), {
        "username": "town_secretary", "full_name": "重名", "role": Role.UNIT_ADMIN,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["用户名“town_secretary”已被使用"]
    response = client.post(url("account_create", world.branch_a2.pk), {
        "username": "有 空格", "full_name": "某", "role": Role.UNIT_ADMIN,
    })
    assert response.context["form"].errors["username"] == ["用户名只能由 3–30 位字母、数字或 _ . @ - 组成"]
    response = client.post(url("account_create", world.branch_a2.pk), {"username": "abc", "role": Role.UNIT_ADMIN})
    assert response.context["form"].errors["full_name"] == ["这个字段是必填项。"]
    assert (AuditEvent.objects.count(), User.objects.count(), RoleGrant.objects.count()) == before


def test_account_create_statuses(world, as_user):
    before = (AuditEvent.objects.count(), User.objects.count())
    data = {"username": "someone", "full_name": "某人", "role": Role.INSPECTOR}
    assert as_user(world.inspector).post(url("account_create", world.town_a.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("account_create", world.town_b.pk), data).status_code == 404
    assert as_user(world.counsellor).post(url("account_create", world.brigade.pk), data).status_code == 403
    assert (AuditEvent.objects.count(), User.objects.count()) == before


# ---------------------------------------------------------------------------------------------
# Ending a grant and handing over


def test_end_grant(world, as_user):
    grant = grant_of(world.branch_secretary, world.branch_a1)
    client = as_user(world.town_secretary)
    assert client.get(url("grant_end", grant.pk)).status_code == 200
    response = client.post(url("grant_end", grant.pk), {"on": "2024-06-30", "successor": ""})
    assert response.status_code == 302
    assert response["Location"] == url("grants", world.branch_a1.pk)
    grant.refresh_from_db()
    assert grant.ends_on == datetime.date(2024, 6, 30)
    event = AuditEvent.objects.get(action="结束授权", object_id=str(grant.pk))
    assert (event.before, event.after) == ({"ends_on": None}, {"ends_on": "2024-06-30"})
    # The former secretary no longer sees the branch.
    assert as_user(User.objects.get(pk=world.branch_secretary.pk)).get(
        url("unit_detail", world.branch_a1.pk)).status_code == 404


def test_hand_over_to_successor(world, as_user):
    grant = grant_of(world.branch_secretary, world.branch_a1)
    today = timezone.localdate()
    response = as_user(world.town_secretary).post(url("grant_end", grant.pk),
                                                  {"on": today.isoformat(), "successor": "outsider"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ends_on == today - datetime.timedelta(days=1)
    new = RoleGrant.objects.get(user=world.outsider)
    assert (new.unit_id, new.role, new.starts_on, new.ends_on) == (world.branch_a1.pk, Role.UNIT_ADMIN, today, None)
    assert AuditEvent.objects.filter(action="授予角色", object_id=str(new.pk)).count() == 1
    assert as_user(world.outsider).get(url("unit_detail", world.branch_a1.pk)).status_code == 200


def test_end_grant_refusals_change_nothing(world, as_user):
    grant = grant_of(world.branch_secretary, world.branch_a1)
    county_grant = grant_of(world.county_admin, world.county)
    before = AuditEvent.objects.count()
    data = {"on": "2024-06-30", "successor": ""}
    assert as_user(world.inspector).post(url("grant_end", grant.pk), data).status_code == 403
    assert as_user(world.town_secretary).post(url("grant_end", county_grant.pk), data).status_code == 404
    assert as_user(world.branch_secretary).post(url("grant_end", grant_of(world.town_secretary, world.town_a).pk),
                                               data).status_code == 404
    response = as_user(world.town_secretary).post(url("grant_end", grant.pk), {"on": "2024-06-30", "successor": "ghost"})
    assert response.context["form"].errors["successor"] == ["没有用户名为“ghost”的有效账号"]
    assert AuditEvent.objects.count() == before
    grant.refresh_from_db()
    county_grant.refresh_from_db()
    assert (grant.ends_on, county_grant.ends_on) == (None, None)


# ---------------------------------------------------------------------------------------------
# Password reset


def test_password_reset(world, as_user):
    grant = grant_of(world.branch_secretary, world.branch_a1)
    client = as_user(world.town_secretary)
    assert client.get(url("password_reset", grant.pk)).status_code == 200
    response = client.post(url("password_reset", grant.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    target = User.objects.get(pk=world.branch_secretary.pk)
    assert target.must_change_password is True
    assert target.check_password(password) and not target.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="重置密码", object_id=str(target.pk))
    assert event.before == {"password": "（原密码）", "must_change_password": False}
    assert event.after == {"password": "（新初始密码，不记录）", "must_change_password": True}
    assert password not in str(event.before) + str(event.after)
    assert real_login("branch_secretary", PASSWORD)[1].status_code == 200  # old password refused
    new_client, login = real_login("branch_secretary", password)
    assert login.status_code == 302
    assert new_client.get(url("tree"))["Location"] == reverse("accounts:password_change")


def test_password_reset_refused_for_a_user_with_a_higher_role_elsewhere(world, as_user):
    # The branch secretary also inspects the whole county: a township administrator may not take
    # over that account.
    actions.grant_role(actor=world.superuser, user=world.branch_secretary, unit=world.county, role=Role.INSPECTOR,
                       starts_on=datetime.date(2020, 1, 1))
    grant = grant_of(world.branch_secretary, world.branch_a1)
    hashed = User.objects.get(pk=world.branch_secretary.pk).password
    before = AuditEvent.objects.count()
    response = as_user(world.town_secretary).post(url("password_reset", grant.pk))
    assert response.status_code == 200
    assert response.context["blocked"] == "该用户还在“团测试县委”担任只读/巡察，您无权重置其密码"
    assert AuditEvent.objects.count() == before
    assert User.objects.get(pk=world.branch_secretary.pk).password == hashed


def test_password_reset_statuses(world, as_user):
    grant = grant_of(world.branch_secretary, world.branch_a1)
    hashed = User.objects.get(pk=world.branch_secretary.pk).password
    before = AuditEvent.objects.count()
    assert as_user(world.inspector).post(url("password_reset", grant.pk)).status_code == 403
    assert as_user(world.town_secretary).post(url("password_reset", grant_of(world.county_admin, world.county).pk)
                                              ).status_code == 404
    assert as_user(world.outsider).post(url("password_reset", grant.pk)).status_code == 404
    assert AuditEvent.objects.count() == before
    assert User.objects.get(pk=world.branch_secretary.pk).password == hashed
