"""The user's own account pages: login, lockout, logout, password change, API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuanwu.accounts import actions
from tuanwu.accounts.models import ApiToken, User
from tuanwu.core.models import AuditEvent
from tuanwu.testing.world import PASSWORD

LOGIN = reverse("accounts:login")
LOCKED_TEXT = "登录失败次数过多，账号已临时锁定 15 分钟，请稍后再试或联系管理员重置密码"


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
class TestLogin:
    def test_login_page_is_chinese(self, client):
        response = client.get(LOGIN)
        assert response.status_code == 200
        html = response.content.decode()
        assert "用户名" in html and "密码" in html and "登录" in html

    def test_success_redirects_home_and_logs_in(self, world, client):
        response = client.post(LOGIN, {"username": "town_secretary", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("core:home")
        assert _logged_in_user_id(client) == str(world.town_secretary.pk)

    @pytest.mark.parametrize("username,password", [("town_secretary", "wrong-password"), ("nobody", PASSWORD)])
    def test_failure_says_the_same_for_wrong_name_or_password(self, world, client, username, password):
        response = client.post(LOGIN, {"username": username, "password": password})
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
        assert _logged_in_user_id(client) is None

    def test_lockout_after_five_failures_refuses_even_the_right_password(self, world, client):
        for attempt in range(1, 5):
            response = client.post(LOGIN, {"username": "town_secretary", "password": f"wrong-{attempt}"})
            assert response.status_code == 200, attempt
            assert "用户名或密码不正确" in response.content.decode()
        fifth = client.post(LOGIN, {"username": "town_secretary", "password": "wrong-5"})
        assert fifth.status_code == 429
        assert LOCKED_TEXT in fifth.content.decode()
        right = client.post(LOGIN, {"username": "town_secretary", "password": PASSWORD})
        assert right.status_code == 429
        assert LOCKED_TEXT in right.content.decode()
        assert _logged_in_user_id(client) is None
        # Lockout is per user name: another secretary behind the same address still logs in.
        other = Client()
        assert other.post(LOGIN, {"username": "branch_secretary", "password": PASSWORD}).status_code == 302

    @pytest.mark.parametrize("target", ["https://evil.example/steal", "//evil.example/", "http://evil.example"])
    def test_next_to_another_site_is_ignored(self, world, client, target):
        response = client.post(f"{LOGIN}?next={target}", {"username": "town_secretary", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("core:home")

    def test_next_on_this_site_is_honoured(self, world, client):
        response = client.post(LOGIN, {"username": "town_secretary", "password": PASSWORD, "next": "/todos/"})
        assert response.status_code == 302
        assert response["Location"] == "/todos/"

    def test_protected_page_sends_anonymous_to_login_with_next(self, client):
        response = client.get(reverse("core:todos"))
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/todos/"


@pytest.mark.django_db
class TestLogout:
    def test_get_shows_a_confirmation_and_keeps_the_session(self, world, as_user):
        client = as_user(world.town_secretary)
        response = client.get(reverse("accounts:logout"))
        assert response.status_code == 200
        assert "确定要退出登录吗" in response.content.decode()
        assert _logged_in_user_id(client) == str(world.town_secretary.pk)

    def test_post_logs_out(self, world, as_user):
        client = as_user(world.town_secretary)
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert response["Location"] == LOGIN
        assert _logged_in_user_id(client) is None


NEW_PASSWORD = "Qingnian-2025-新密码"


@pytest.mark.django_db
class TestPasswordChange:
    def _first_login_user(self):
        return User.objects.create_user("new_secretary", password="Initial-pass-789", full_name="新书记")

    def test_initial_password_forces_the_password_page_until_changed(self, world):
        user = self._first_login_user()
        assert user.must_change_password is True
        client = Client()
        assert client.post(LOGIN, {"username": "new_secretary", "password": "Initial-pass-789"}).status_code == 302
        for name in ("core:home", "core:todos", "accounts:tokens", "organisations:tree"):
            response = client.get(reverse(name))
            assert response.status_code == 302, name
            assert response["Location"] == reverse("accounts:password_change")
        page = client.get(reverse("accounts:password_change"))
        assert page.status_code == 200
        assert "首次登录请先修改初始密码" in page.content.decode()

        events_before = AuditEvent.objects.count()
        response = client.post(reverse("accounts:password_change"), {
            "old_password": "Initial-pass-789", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })
        assert response.status_code == 302
        assert response["Location"] == reverse("core:home")
        # Same session, now free to go anywhere.
        home = client.get(reverse("core:home"))
        assert home.status_code == 200
        assert "密码已修改" in home.content.decode()
        assert client.get(reverse("core:todos")).status_code == 200
        user.refresh_from_db()
        assert user.must_change_password is False
        assert user.check_password(NEW_PASSWORD)
        # Audited, without the password or its hash.
        assert AuditEvent.objects.count() == events_before + 1
        event = AuditEvent.objects.latest("id")
        assert (event.action, event.actor_id, event.object_id) == ("修改密码", user.pk, str(user.pk))
        assert event.after == {"must_change_password": False}
        assert event.before is None
        stored = str(event.before) + str(event.after) + event.object_repr
        assert "password" not in stored.replace("must_change_password", "")
        assert user.password not in stored and NEW_PASSWORD not in stored

    @pytest.mark.parametrize("data,field_message", [
        ({"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, "原密码不正确"),
        ({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
         "两次输入的新密码不一致"),
        ({"old_password": PASSWORD, "new_password1": "Ab1-short", "new_password2": "Ab1-short"},
         "密码太短，至少需要 10 个字符。"),
        ({"old_password": PASSWORD, "new_password1": "12345678901234", "new_password2": "12345678901234"},
         "密码只包含数字。"),
        ({"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
         "这个密码太常见了。"),
        ({"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}, "新密码不能与原密码相同"),
    ])
    def test_refusals_in_chinese_change_nothing(self, world, as_user, data, field_message):
        client = as_user(world.town_secretary)
        events_before = AuditEvent.objects.count()
        hash_before = User.objects.get(pk=world.town_secretary.pk).password
        response = client.post(reverse("accounts:password_change"), data)
        assert response.status_code == 200
        assert field_message in response.content.decode()
        assert AuditEvent.objects.count() == events_before
        assert User.objects.get(pk=world.town_secretary.pk).password == hash_before


@pytest.mark.django_db
class TestTokens:
    def test_create_shows_the_raw_token_once(self, world, as_user):
        client = as_user(world.town_secretary)
        events_before = AuditEvent.objects.count()
        response = client.post(reverse("accounts:tokens"), {"name": "同步脚本"})
        assert response.status_code == 200
        token = ApiToken.objects.get(user=world.town_secretary)
        html = response.content.decode()
        raw = html.split('class="secret-once">')[1].split("<")[0]
        assert raw.startswith("tw_") and ApiToken.hash(raw) == token.digest
        assert f'data-copy="{raw}"' in html
        assert (token.name, token.prefix) == ("同步脚本", raw[:10])
        assert AuditEvent.objects.count() == events_before + 1
        event = AuditEvent.objects.latest("id")
        assert event.action == "创建 API 令牌" and "digest" not in event.after
        # The list shows it afterwards, never the raw value.
        listing = client.get(reverse("accounts:tokens")).content.decode()
        assert "同步脚本" in listing and token.prefix in listing and raw not in listing and "有效" in listing

    def test_empty_purpose_is_refused(self, world, as_user):
        client = as_user(world.town_secretary)
        response = client.post(reverse("accounts:tokens"), {"name": ""})
        assert response.status_code == 200
        assert ApiToken.objects.count() == 0

    def test_revoke_own_token(self, world, as_user):
        token, _raw = actions.create_api_token(user=world.town_secretary, name="旧脚本")
        client = as_user(world.town_secretary)
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:tokens")
        token.refresh_from_db()
        assert token.revoked_at is not None
        event = AuditEvent.objects.latest("id")
        assert event.action == "撤销 API 令牌"
        assert event.before == {"revoked_at": None} and event.after["revoked_at"] is not None
        assert "已撤销" in client.get(reverse("accounts:tokens")).content.decode()

    def test_another_users_token_is_not_found_and_unchanged(self, world, as_user):
        token, _raw = actions.create_api_token(user=world.county_admin, name="县里的脚本")
        events_before = AuditEvent.objects.count()
        client = as_user(world.town_secretary)
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
        assert AuditEvent.objects.count() == events_before
        assert "县里的脚本" not in client.get(reverse("accounts:tokens")).content.decode()

    def test_revoke_needs_post(self, world, as_user):
        token, _raw = actions.create_api_token(user=world.town_secretary, name="脚本")
        response = as_user(world.town_secretary).get(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 405
        token.refresh_from_db()
        assert token.revoked_at is None
