"""The caller's own account through the API: who am I, personal tokens, and the two ways in
(a token, or the logged-in session with CSRF)."""

from django.test import Client

from tuanwu.accounts.actions import create_api_token, revoke_api_token
from tuanwu.accounts.models import ApiToken
from tuanwu.core.models import AuditEvent


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_me_lists_the_callers_active_grants(client, world):
    _, raw = create_api_token(user=world.town_secretary, name="脚本")
    response = client.get("/api/v1/accounts/me", **_bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "id": world.town_secretary.pk, "username": "town_secretary", "full_name": "甲镇书记", "is_superuser": False,
        "grants": [{
            "id": world.town_secretary.grants.get().pk, "unit_id": world.town_a.pk, "unit_name": "甲镇团委",
            "role": "unit_admin", "role_label": "组织管理员", "starts_on": "2020-01-01", "ends_on": None,
        }],
    }
    _, raw = create_api_token(user=world.outsider, name="脚本")
    assert client.get("/api/v1/accounts/me", **_bearer(raw)).json()["grants"] == []


def test_create_token_shows_it_once_and_it_works(client, world):
    _, raw = create_api_token(user=world.town_secretary, name="第一个")
    audits = AuditEvent.objects.count()
    response = client.post("/api/v1/accounts/tokens", {"name": "数据同步"}, content_type="application/json", **_bearer(raw))
    assert response.status_code == 201
    body = response.json()
    new_raw = body["token"]
    assert new_raw.startswith("tw_") and body["prefix"] == new_raw[:10]
    assert (body["name"], body["is_active"], body["revoked_at"]) == ("数据同步", True, None)
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == ApiToken.hash(new_raw) and new_raw not in (stored.prefix, stored.name)
    event = AuditEvent.objects.latest("id")
    assert (AuditEvent.objects.count(), event.action, event.source) == (audits + 1, "创建 API 令牌", "api")
    assert "digest" not in event.after
    # The new token authenticates; the listing never shows a full token again.
    listed = client.get("/api/v1/accounts/tokens", **_bearer(new_raw)).json()
    assert [(t["name"], t["is_active"]) for t in listed] == [("数据同步", True), ("第一个", True)]
    assert all("token" not in t for t in listed)
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None


def test_token_name_is_required(client, world):
    _, raw = create_api_token(user=world.town_secretary, name="第一个")
    count, audits = ApiToken.objects.count(), AuditEvent.objects.count()
    response = client.post("/api/v1/accounts/tokens", {"name": "  "}, content_type="application/json", **_bearer(raw))
    assert (response.status_code, response.json()) == (422, {"detail": "请填写令牌用途", "field": "name"})
    response = client.post("/api/v1/accounts/tokens", {}, content_type="application/json", **_bearer(raw))
    assert (response.status_code, response.json()["detail"]) == (422, "提交的数据不符合要求：name：必填")
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == (count, audits)


def test_a_user_sees_only_their_own_tokens(client, world):
    _, mine = create_api_token(user=world.town_secretary, name="我的")
    create_api_token(user=world.county_admin, name="县里的")
    listed = client.get("/api/v1/accounts/tokens", **_bearer(mine)).json()
    assert [t["name"] for t in listed] == ["我的"]


def test_revoked_token_is_refused_with_401(client, world):
    token, raw = create_api_token(user=world.town_secretary, name="旧脚本")
    _, other = create_api_token(user=world.town_secretary, name="新脚本")
    audits = AuditEvent.objects.count()
    response = client.post(f"/api/v1/accounts/tokens/{token.pk}/revoke", **_bearer(other))
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    event = AuditEvent.objects.latest("id")
    assert (AuditEvent.objects.count(), event.action, event.before) == (audits + 1, "撤销 API 令牌", {"revoked_at": None})
    response = client.get("/api/v1/units", **_bearer(raw))
    assert (response.status_code, response.json()) == (401, {"detail": "未登录，或 API 令牌无效、已撤销"})


def test_a_token_cannot_revoke_another_users_token(client, world):
    victim, victim_raw = create_api_token(user=world.county_admin, name="县里的")
    _, raw = create_api_token(user=world.town_secretary, name="我的")
    audits = AuditEvent.objects.count()
    response = client.post(f"/api/v1/accounts/tokens/{victim.pk}/revoke", **_bearer(raw))
    assert (response.status_code, response.json()) == (404, {"detail": "未找到，或您无权查看"})
    assert ApiToken.objects.get(pk=victim.pk).revoked_at is None
    assert AuditEvent.objects.count() == audits
    assert client.get("/api/v1/accounts/me", **_bearer(victim_raw)).status_code == 200


def test_inactive_users_tokens_stop_working(client, world):
    _, raw = create_api_token(user=world.town_secretary, name="脚本")
    world.town_secretary.is_active = False
    world.town_secretary.save(update_fields=["is_active"])
    assert client.get("/api/v1/accounts/me", **_bearer(raw)).status_code == 401


def test_a_user_holding_an_initial_password_cannot_use_the_api(client, world):
    _, raw = create_api_token(user=world.town_secretary, name="脚本")
    world.town_secretary.must_change_password = True
    world.town_secretary.save(update_fields=["must_change_password"])
    response = client.get("/api/v1/units", **_bearer(raw))
    assert (response.status_code, response.json()) == (403, {"detail": "请先登录网页修改初始密码，然后再使用接口"})
    session = Client()
    session.force_login(world.town_secretary)
    assert session.get("/api/v1/units").status_code == 403


# ---------------------------------------------------------------------------------------------
# Session authentication and CSRF


def _session_client(user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    return c


def test_the_logged_in_session_reads_the_api(world):
    c = _session_client(world.town_secretary)
    response = c.get("/api/v1/units")
    assert [u["name"] for u in response.json()["items"]] == ["甲镇团委", "甲村团支部", "乙村团支部"]


def test_session_writes_need_the_csrf_token(world):
    c = _session_client(world.town_secretary)
    count, audits = ApiToken.objects.count(), AuditEvent.objects.count()
    response = c.post("/api/v1/accounts/tokens", {"name": "浏览器"}, content_type="application/json")
    assert (response.status_code, response.json()) == (403, {"detail": "CSRF 校验失败，请刷新页面后重试"})
    response = c.patch(f"/api/v1/units/{world.branch_a1.pk}", {"name": "篡改"}, content_type="application/json")
    assert response.status_code == 403
    assert world.branch_a1.__class__.objects.get(pk=world.branch_a1.pk).name == "甲村团支部"
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == (count, audits)
    # The docs page hands out the token (and sets the cookie) the way the browser would get it.
    assert c.get("/api/v1/docs").status_code == 200
    csrf = c.cookies["csrftoken"].value
    response = c.post("/api/v1/accounts/tokens", {"name": "浏览器"}, content_type="application/json",
                      HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201


def test_token_writes_need_no_csrf_token(world):
    _, raw = create_api_token(user=world.town_secretary, name="脚本")
    c = Client(enforce_csrf_checks=True)
    response = c.post("/api/v1/accounts/tokens", {"name": "另一个"}, content_type="application/json", **_bearer(raw))
    assert response.status_code == 201


def test_revoking_twice_is_harmless(world):
    token, _ = create_api_token(user=world.town_secretary, name="脚本")
    revoke_api_token(user=world.town_secretary, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    _, raw = create_api_token(user=world.town_secretary, name="另一个")
    audits = AuditEvent.objects.count()
    response = Client().post(f"/api/v1/accounts/tokens/{token.pk}/revoke", **_bearer(raw))
    assert response.status_code == 200
    assert (ApiToken.objects.get(pk=token.pk).revoked_at, AuditEvent.objects.count()) == (first, audits)
