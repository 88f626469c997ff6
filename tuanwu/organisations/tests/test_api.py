"""The JSON API for units, terms and grants, through HTTP with personal tokens, on the named
test world. Each test says who may see what; every refusal also asserts nothing changed."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tuanwu.accounts.actions import create_api_token
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Role, RoleGrant, Term, Unit

D = datetime.date
COUNTY_UNITS = [
    "团测试县委", "甲镇团委", "甲村团支部", "乙村团支部", "乙镇团委", "丙村团支部", "第一中学", "第一中学团委",
    "高一(1)班团支部", "第一中学少先队大队", "一年级(1)中队",
]
HIDDEN = {"detail": "未找到，或您无权查看"}


class Api:
    """A test client speaking JSON to /api/v1 with one user's personal token."""

    def __init__(self, user):
        _, raw = create_api_token(user=user, name="测试")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, **self.headers)

    def post(self, path, body):
        return self.client.post("/api/v1" + path, body, content_type="application/json", **self.headers)

    def patch(self, path, body):
        return self.client.patch("/api/v1" + path, body, content_type="application/json", **self.headers)


@pytest.fixture
def api(world):
    """``api(world.town_secretary)`` → that user's client. Every world user's token is made up
    front, so creating one (an audited write) never lands inside a test's before/after count."""
    users = [world.county_admin, world.town_secretary, world.branch_secretary, world.counsellor,
             world.party_reviewer, world.inspector, world.outsider]
    clients = {user.pk: Api(user) for user in users}
    return lambda user: clients[user.pk]


def _names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def _unit_state(unit):
    unit = Unit.objects.get(pk=unit.pk)
    return (unit.name, unit.kind, unit.path, unit.division_code, unit.closed_on, unit.closed_reason)


# ---------------------------------------------------------------------------------------------
# Schema and docs


def test_openapi_lists_the_unit_endpoints_with_chinese_tags(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {
        "/api/v1/units", "/api/v1/units/{unit_id}", "/api/v1/units/{unit_id}/move", "/api/v1/units/{unit_id}/close",
        "/api/v1/units/{unit_id}/terms", "/api/v1/units/{unit_id}/grants", "/api/v1/grants/{grant_id}/end",
        "/api/v1/accounts/me", "/api/v1/accounts/tokens", "/api/v1/accounts/tokens/{token_id}/revoke",
    } <= set(paths)
    assert set(paths["/api/v1/units"]) == {"get", "post"}
    assert set(paths["/api/v1/units/{unit_id}"]) == {"get", "patch"}
    assert paths["/api/v1/units"]["get"]["summary"] == "组织列表"
    assert paths["/api/v1/units"]["get"]["operationId"] == "list_units"
    tags = {tag for ops in paths.values() for op in ops.values() for tag in op["tags"]}
    assert {"组织", "任期", "授权", "账号"} <= tags
    # Domain apps mount their own routers; every tag a user sees is Chinese.
    assert all(re.search(r"[\u4e00-\u9fff]", tag) for tag in tags)
    # Every operation documents its error answers, 422 included.
    for ops in paths.values():
        for op in ops.values():
            assert {"401", "403", "404", "422"} <= set(op["responses"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_docs_page_loads_its_assets_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in page
    assert '<link type="text/css" rel="stylesheet" href="/static/ninja/swagger-ui.css">' in page
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js", "/static/ninja/swagger-ui.css"):
        assert client.get(asset).status_code == 200, asset


# ---------------------------------------------------------------------------------------------
# Authentication


def test_without_credentials_the_api_answers_401_in_chinese(client, world):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录，或 API 令牌无效、已撤销"}
    assert response["WWW-Authenticate"] == "Bearer"
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer tw_not-a-token")
    assert response.status_code == 401


# ---------------------------------------------------------------------------------------------
# Listing and reading units


def test_town_secretary_lists_exactly_their_township_subtree(api, world):
    response = api(world.town_secretary).get("/units")
    assert _names(response) == ["甲镇团委", "甲村团支部", "乙村团支部"]
    assert response.json()["count"] == 3
    first = response.json()["items"][0]
    assert first == {
        "id": world.town_a.pk, "name": "甲镇团委", "kind": "committee", "kind_label": "团委", "sector": "rural",
        "sector_label": "农村", "parent_id": world.county.pk, "depth": 3, "children_count": 2,
        "division_code": "650121100", "division_code_confirmed": True, "founded_on": None, "is_student": False,
        "is_mobile": False, "is_temporary": False, "led_by_id": world.party_town_a.pk, "is_open": True,
        "closed_on": None, "closed_reason": "", "is_sample": False,
    }


def test_sibling_township_units_are_hidden_from_a_town_secretary(api, world):
    client = api(world.town_secretary)
    for unit in (world.town_b, world.branch_b1, world.county, world.party_town_a):
        response = client.get(f"/units/{unit.pk}")
        assert (response.status_code, response.json()) == (404, HIDDEN), unit.name
    # An id that exists nowhere reads exactly the same.
    assert client.get("/units/987654321").json() == HIDDEN
    response = client.get(f"/units/{world.branch_a2.pk}")
    assert (response.status_code, response.json()["name"]) == (200, "乙村团支部")


def test_county_admin_sees_every_unit_of_the_county_and_nothing_else(api, world):
    client = api(world.county_admin)
    assert _names(client.get("/units")) == COUNTY_UNITS
    assert client.get(f"/units/{world.city.pk}").status_code == 404
    assert client.get(f"/units/{world.party_root.pk}").status_code == 404


def test_subtree_filter_must_name_a_visible_unit(api, world):
    assert _names(api(world.county_admin).get("/units", subtree_of=world.town_b.pk)) == ["乙镇团委", "丙村团支部"]
    town = api(world.town_secretary)
    assert _names(town.get("/units", subtree_of=world.branch_a1.pk)) == ["甲村团支部"]
    for hidden in (world.town_b, world.county):
        response = town.get("/units", subtree_of=hidden.pk)
        assert (response.status_code, response.json()) == (404, HIDDEN)


def test_kind_and_closed_filters(api, world):
    client = api(world.county_admin)
    actions.close_unit(actor=world.county_admin, unit=world.branch_b1, closed_on=D(2024, 5, 1), reason="合并")
    assert _names(client.get("/units", kind="branch")) == ["甲村团支部", "乙村团支部", "高一(1)班团支部"]
    assert _names(client.get("/units", kind="branch", include_closed="true")) == [
        "甲村团支部", "乙村团支部", "丙村团支部", "高一(1)班团支部"
    ]
    response = client.get("/units", kind="not-a-kind")
    assert response.status_code == 422
    assert response.json()["detail"] == "提交的数据不符合要求：kind：不是允许的取值"


def test_unit_list_is_paginated(api, world):
    client = api(world.county_admin)
    page = client.get("/units", page_size=4, page=3).json()
    assert page["count"] == 11
    assert [u["name"] for u in page["items"]] == COUNTY_UNITS[8:]
    assert client.get("/units", page_size=201).status_code == 422


def test_unit_list_query_budget_does_not_grow_with_the_page(api, world, django_assert_num_queries):
    client = api(world.county_admin)
    # token lookup, token last-used stamp, the caller's grants, count, one page (parent ids inline)
    with django_assert_num_queries(5):
        assert client.get("/units").json()["count"] == 11


def test_outsider_sees_an_empty_list(api, world):
    response = api(world.outsider).get("/units")
    assert response.json() == {"items": [], "count": 0}
    assert api(world.outsider).get(f"/units/{world.branch_a1.pk}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Editing


def test_branch_secretary_edits_their_branch_and_the_audit_has_before_and_after(api, world):
    client = api(world.branch_secretary)
    audits = AuditEvent.objects.count()
    response = client.patch(f"/units/{world.branch_a1.pk}", {"name": "甲村团支部（改）", "division_code": "650121100001"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["division_code"]) == ("甲村团支部（改）", "650121100001")
    assert Unit.objects.get(pk=world.branch_a1.pk).name == "甲村团支部（改）"
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.source, event.object_id) == (
        "修改组织", world.branch_secretary, "api", str(world.branch_a1.pk)
    )
    assert event.before == {"name": "甲村团支部", "division_code": ""}
    assert event.after == {"name": "甲村团支部（改）", "division_code": "650121100001"}


def test_branch_secretary_cannot_edit_the_township_above(api, world):
    client = api(world.branch_secretary)
    audits, state = AuditEvent.objects.count(), _unit_state(world.town_a)
    response = client.patch(f"/units/{world.town_a.pk}", {"name": "篡改"})
    assert (response.status_code, response.json()) == (404, HIDDEN)
    assert (AuditEvent.objects.count(), _unit_state(world.town_a)) == (audits, state)


def test_inspector_sees_but_cannot_edit(api, world):
    client = api(world.inspector)
    audits, state = AuditEvent.objects.count(), _unit_state(world.branch_a1)
    assert client.get(f"/units/{world.branch_a1.pk}").status_code == 200
    response = client.patch(f"/units/{world.branch_a1.pk}", {"name": "篡改"})
    assert (response.status_code, response.json()) == (403, {"detail": "您可以查看，但无权进行此操作"})
    assert (AuditEvent.objects.count(), _unit_state(world.branch_a1)) == (audits, state)


def test_edit_refusals_are_422_with_the_field(api, world):
    client = api(world.town_secretary)
    audits, state = AuditEvent.objects.count(), _unit_state(world.town_a)
    response = client.patch(f"/units/{world.town_a.pk}", {"kind": "branch"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "下级组织“甲村团支部”不允许：团支部下不能设立团支部（该类组织不设下级）", "field": "kind"
    }
    response = client.patch(f"/units/{world.town_a.pk}", {"name": "   "})
    assert response.json() == {"detail": "请填写组织名称", "field": "name"}
    response = client.patch(f"/units/{world.town_a.pk}", {"name": None})
    assert response.json() == {"detail": "字段 name 不能为空", "field": "name"}
    response = client.patch(f"/units/{world.town_a.pk}", {"division_code": "12ab"})
    assert (response.status_code, response.json()["field"]) == (422, "division_code")
    assert (AuditEvent.objects.count(), _unit_state(world.town_a)) == (audits, state)


def test_empty_patch_changes_nothing_and_writes_no_audit(api, world):
    client = api(world.town_secretary)
    audits = AuditEvent.objects.count()
    response = client.patch(f"/units/{world.town_a.pk}", {})
    assert (response.status_code, response.json()["name"]) == (200, "甲镇团委")
    assert AuditEvent.objects.count() == audits


# ---------------------------------------------------------------------------------------------
# Creating


def test_town_secretary_creates_a_branch_in_their_township(api, world):
    client = api(world.town_secretary)
    audits = AuditEvent.objects.count()
    response = client.post("/units", {"parent_id": world.town_a.pk, "name": "丁村团支部", "kind": "branch",
                                      "sector": "rural", "founded_on": "2024-03-01"})
    assert response.status_code == 201
    body = response.json()
    unit = Unit.objects.get(pk=body["id"])
    assert (unit.name, unit.kind, unit.sector, unit.founded_on) == ("丁村团支部", "branch", "rural", D(2024, 3, 1))
    assert (body["parent_id"], body["depth"], body["kind_label"]) == (world.town_a.pk, 4, "团支部")
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.before, event.after["name"], event.source) == ("新建组织", None, "丁村团支部", "api")


def test_create_refusals(api, world):
    count, audits = Unit.objects.count(), AuditEvent.objects.count()
    town = api(world.town_secretary)
    response = town.post("/units", {"parent_id": world.town_b.pk, "name": "X团支部", "kind": "branch"})
    assert (response.status_code, response.json()) == (404, HIDDEN)
    response = town.post("/units", {"parent_id": world.branch_a1.pk, "name": "小组", "kind": "branch"})
    assert (response.status_code, response.json()) == (
        422, {"detail": "团支部下不能设立团支部（该类组织不设下级）", "field": "kind"}
    )
    # The party organisation leading a unit must be one the caller can see.
    response = town.post("/units", {"parent_id": world.town_a.pk, "name": "戊村团支部", "kind": "branch",
                                    "led_by_id": world.party_town_a.pk})
    assert response.json() == {"detail": "上级党组织不存在，或您无权查看", "field": "led_by_id"}
    response = api(world.inspector).post("/units", {"parent_id": world.town_a.pk, "name": "X团支部", "kind": "branch"})
    assert (response.status_code, response.json()) == (403, {"detail": "您可以查看，但无权进行此操作"})
    response = town.post("/units", {"parent_id": world.town_a.pk})
    assert response.status_code == 422
    assert response.json()["detail"] == "提交的数据不符合要求：name：必填；kind：必填"
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (count, audits)


# ---------------------------------------------------------------------------------------------
# Moving and closing


def test_move_takes_the_whole_subtree_into_the_new_scope(api, world):
    county = api(world.county_admin)
    response = county.post(f"/units/{world.town_b.pk}/move", {"new_parent_id": world.town_a.pk})
    assert response.status_code == 200
    assert (response.json()["parent_id"], response.json()["depth"]) == (world.town_a.pk, 4)
    town_b, branch_b1 = Unit.objects.get(pk=world.town_b.pk), Unit.objects.get(pk=world.branch_b1.pk)
    assert town_b.path.startswith(world.town_a.path) and branch_b1.path.startswith(town_b.path)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.before["parent_name"], event.after["parent_name"], event.after["units_moved"]) == (
        "移动组织", "团测试县委", "甲镇团委", 2
    )
    # The township's grant covers its new subtree at once.
    assert _names(api(world.town_secretary).get("/units")) == ["甲镇团委", "甲村团支部", "乙村团支部", "乙镇团委", "丙村团支部"]


def test_move_refusals_change_nothing(api, world):
    audits, state = AuditEvent.objects.count(), _unit_state(world.branch_a2)
    town = api(world.town_secretary)
    response = town.post(f"/units/{world.branch_a2.pk}/move", {"new_parent_id": world.town_b.pk})
    assert (response.status_code, response.json()) == (404, HIDDEN)
    # The branch secretary sees their branch but cannot move it: that is decided at the township.
    response = api(world.branch_secretary).post(f"/units/{world.branch_a1.pk}/move", {"new_parent_id": world.town_a.pk})
    assert (response.status_code, response.json()) == (403, {"detail": "移动组织需要其上级组织的管理权限"})
    response = api(world.county_admin).post(f"/units/{world.town_a.pk}/move", {"new_parent_id": world.branch_a2.pk})
    assert (response.status_code, response.json()) == (
        422, {"detail": "不能把组织移动到它自己或它的下级组织之下", "field": "new_parent_id"}
    )
    assert (AuditEvent.objects.count(), _unit_state(world.branch_a2), _unit_state(world.town_a)[2]) == (
        audits, state, world.town_a.path
    )


def test_close_with_open_children_is_refused(api, world):
    audits, state = AuditEvent.objects.count(), _unit_state(world.town_a)
    response = api(world.county_admin).post(f"/units/{world.town_a.pk}/close",
                                            {"closed_on": "2024-06-30", "reason": "撤并"})
    assert (response.status_code, response.json()) == (
        422, {"detail": "请先撤销或移走下级组织：甲村团支部、乙村团支部", "field": None}
    )
    assert (AuditEvent.objects.count(), _unit_state(world.town_a)) == (audits, state)


def test_close_a_branch_keeps_it_and_ends_its_grants(api, world):
    response = api(world.town_secretary).post(f"/units/{world.branch_a1.pk}/close",
                                              {"closed_on": "2024-06-30", "reason": "村改居"})
    assert response.status_code == 200
    assert (response.json()["is_open"], response.json()["closed_on"], response.json()["closed_reason"]) == (
        False, "2024-06-30", "村改居"
    )
    event = AuditEvent.objects.filter(action="撤销组织").latest("id")
    assert event.before == {"closed_on": None, "closed_reason": ""}
    assert event.after == {"closed_on": "2024-06-30", "closed_reason": "村改居"}
    assert RoleGrant.objects.get(user=world.branch_secretary).ends_on == D(2024, 6, 30)
    assert _names(api(world.town_secretary).get("/units")) == ["甲镇团委", "乙村团支部"]


def test_close_needs_the_parents_management_permission(api, world):
    audits, state = AuditEvent.objects.count(), _unit_state(world.branch_a1)
    response = api(world.branch_secretary).post(f"/units/{world.branch_a1.pk}/close",
                                                 {"closed_on": "2024-06-30", "reason": "x"})
    assert (response.status_code, response.json()) == (403, {"detail": "撤销组织需要其上级组织的管理权限"})
    response = api(world.inspector).post(f"/units/{world.branch_a1.pk}/close", {"closed_on": "2024-06-30", "reason": "x"})
    assert response.status_code == 403
    assert (AuditEvent.objects.count(), _unit_state(world.branch_a1)) == (audits, state)


# ---------------------------------------------------------------------------------------------
# Terms


def test_start_term_defaults_its_planned_end_from_the_countys_rule(api, world):
    set_rule(actor=world.county_admin, key="terms.branch_years", raw_value="2", county=world.county,
             effective_from=D(2020, 1, 1), allow_past=True)
    client = api(world.branch_secretary)
    response = client.post(f"/units/{world.branch_a1.pk}/terms",
                           {"started_on": "2023-04-01", "how_elected": "members_meeting"})
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("number", "started_on", "planned_end_on", "is_current", "how_elected_label")} == {
        "number": 1, "started_on": "2023-04-01", "planned_end_on": "2025-04-01", "is_current": True,
        "how_elected_label": "团员大会选举",
    }
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.after["planned_end_on"]) == ("新一届任期", "2025-04-01")
    response = client.post(f"/units/{world.branch_a1.pk}/terms",
                           {"started_on": "2025-03-20", "planned_end_on": "2028-03-20", "how_elected": "members_meeting"})
    assert response.status_code == 201
    listed = client.get(f"/units/{world.branch_a1.pk}/terms").json()
    assert [(t["number"], t["ended_on"], t["is_current"]) for t in listed] == [(2, None, True), (1, "2025-03-20", False)]


def test_term_refusals(api, world):
    terms, audits = Term.objects.count(), AuditEvent.objects.count()
    body = {"started_on": "2023-04-01", "how_elected": "members_meeting"}
    assert api(world.inspector).post(f"/units/{world.branch_a1.pk}/terms", body).status_code == 403
    assert api(world.town_secretary).post(f"/units/{world.branch_b1.pk}/terms", body).status_code == 404
    assert api(world.town_secretary).get(f"/units/{world.branch_b1.pk}/terms").status_code == 404
    response = api(world.town_secretary).post(
        f"/units/{world.branch_a1.pk}/terms", {**body, "planned_end_on": "2023-01-01"}
    )
    assert response.json() == {"detail": "应届满日期必须晚于任期开始日期", "field": "planned_end_on"}
    response = api(world.counsellor).post(f"/units/{world.brigade.pk}/terms", body)
    assert response.json() == {"detail": "少先队大队不实行任期制", "field": "started_on"}
    assert (Term.objects.count(), AuditEvent.objects.count()) == (terms, audits)


# ---------------------------------------------------------------------------------------------
# Grants


def test_town_secretary_grants_unit_admin_on_a_branch(api, world):
    town = api(world.town_secretary)
    response = town.post(f"/units/{world.branch_a2.pk}/grants",
                         {"username": "outsider", "role": "unit_admin", "starts_on": "2024-01-01"})
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("unit_name", "username", "role", "role_label", "starts_on", "ends_on", "is_active",
                                 "granted_by")} == {
        "unit_name": "乙村团支部", "username": "outsider", "role": "unit_admin", "role_label": "组织管理员",
        "starts_on": "2024-01-01", "ends_on": None, "is_active": True, "granted_by": "town_secretary",
    }
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.after["role"], event.after["user"]) == ("授予角色", "unit_admin", world.outsider.pk)
    assert _names(api(world.outsider).get("/units")) == ["乙村团支部"]
    listed = town.get(f"/units/{world.branch_a2.pk}/grants").json()
    assert [(g["username"], g["role"]) for g in listed] == [("outsider", "unit_admin")]


def test_town_secretary_cannot_grant_county_admin(api, world):
    grants, audits = RoleGrant.objects.count(), AuditEvent.objects.count()
    town = api(world.town_secretary)
    response = town.post(f"/units/{world.branch_a2.pk}/grants", {"username": "outsider", "role": "county_admin"})
    assert (response.status_code, response.json()) == (
        422, {"detail": "县级管理员只能授予在团县委（或更高层级团委）上", "field": "role"}
    )
    # On the county itself the township secretary sees nothing to grant on.
    response = town.post(f"/units/{world.county.pk}/grants", {"username": "outsider", "role": "county_admin"})
    assert (response.status_code, response.json()) == (404, HIDDEN)
    response = town.post(f"/units/{world.town_b.pk}/grants", {"username": "outsider", "role": "unit_admin"})
    assert response.status_code == 404
    response = api(world.inspector).post(f"/units/{world.branch_a2.pk}/grants", {"username": "outsider", "role": "inspector"})
    assert response.status_code == 403
    response = town.post(f"/units/{world.branch_a2.pk}/grants", {"username": "nobody", "role": "unit_admin"})
    assert response.json() == {"detail": "用户“nobody”不存在或已停用", "field": "username"}
    assert (RoleGrant.objects.count(), AuditEvent.objects.count()) == (grants, audits)


def test_end_grant_is_a_handover_that_keeps_the_record(api, world):
    grant = actions.grant_role(actor=world.town_secretary, user=world.outsider, unit=world.branch_a2,
                               role=Role.UNIT_ADMIN, starts_on=D(2024, 1, 1))
    today = timezone.localdate()
    response = api(world.town_secretary).post(f"/grants/{grant.pk}/end", {})
    assert (response.status_code, response.json()["ends_on"]) == (200, today.isoformat())
    grant.refresh_from_db()
    assert grant.ends_on == today
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.before, event.after) == ("结束授权", {"ends_on": None}, {"ends_on": today.isoformat()})
    # Ending it again at a later date would revive it: refused, nothing changes.
    audits = AuditEvent.objects.count()
    later = (today + datetime.timedelta(days=30)).isoformat()
    response = api(world.town_secretary).post(f"/grants/{grant.pk}/end", {"ends_on": later})
    assert response.json() == {"detail": f"该授权已于 {today.isoformat()} 结束，不能延长", "field": "ends_on"}
    grant.refresh_from_db()
    assert (grant.ends_on, AuditEvent.objects.count()) == (today, audits)


def test_end_grant_refusals_change_nothing(api, world):
    town_grant = RoleGrant.objects.get(user=world.town_secretary)
    audits = AuditEvent.objects.count()
    response = api(world.branch_secretary).post(f"/grants/{town_grant.pk}/end", {})
    assert (response.status_code, response.json()) == (404, HIDDEN)
    response = api(world.inspector).post(f"/grants/{town_grant.pk}/end", {})
    assert response.status_code == 403
    town_grant.refresh_from_db()
    assert (town_grant.ends_on, AuditEvent.objects.count()) == (None, audits)
