"""The registry's JSON API: persons (masked; audited reveal; minors hidden), post holdings,
memberships (status change, branch move), the members import and the export. Every refusal also
asserts that nothing changed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from tuanwu.accounts.actions import create_api_token
from tuanwu.core.models import AuditEvent, ImportJob
from tuanwu.membership.models import Membership, Status
from tuanwu.membership.testing import member_row, write_workbook
from tuanwu.people.models import Person, PostHolding
from tuanwu.people.testing import make_member, make_person

TODAY = timezone.localdate()
HIDDEN = {"detail": "未找到，或您无权查看"}


class Api:
    def __init__(self, user):
        _, raw = create_api_token(user=user, name="测试")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params, **self.headers)

    def post(self, path, body=None):
        return self.client.post("/api/v1" + path, body or {}, content_type="application/json", **self.headers)

    def upload(self, path, data):
        return self.client.post("/api/v1" + path, data, **self.headers)


@pytest.fixture
def api(world):
    users = [world.county_admin, world.town_secretary, world.branch_secretary, world.counsellor, world.inspector]
    clients = {user.pk: Api(user) for user in users}
    return lambda user: clients[user.pk]


@pytest.fixture
def people(world):
    zhang = make_member(world, world.branch_a1, "张三", phone="13900001111")
    pioneer = make_person(world, world.squadron, "小红", birth=datetime.date(TODAY.year - 9, 9, 1), gender="female",
                          id_number="", student_number="G650121201700001", political_status="pioneer",
                          actor=world.counsellor)
    return zhang, pioneer


@pytest.mark.django_db
def test_persons_are_masked_and_minors_hidden_from_a_township(world, people, api):
    zhang, pioneer = people
    response = api(world.town_secretary).get("/people/persons", q="zs")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [p["name"] for p in items] == ["张三"]
    number = zhang.person.clear_id_number()
    assert items[0]["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert items[0]["phone_masked"] == "139****1111"
    assert items[0]["membership"]["status"] == "member"
    assert number not in response.content.decode()
    assert api(world.town_secretary).get(f"/people/persons/{pioneer.pk}").json() == HIDDEN
    assert api(world.counsellor).get(f"/people/persons/{pioneer.pk}").json()["is_minor"] is True
    assert [p["name"] for p in api(world.counsellor).get("/people/persons").json()["items"]] == ["小红"]


@pytest.mark.django_db
def test_reveal_is_audited_and_refused_without_permission(world, people, api):
    zhang = people[0].person
    audits = AuditEvent.objects.count()
    refused = api(world.branch_secretary).post(f"/people/persons/{zhang.pk}/reveal", {"field": "id_number"})
    assert refused.status_code == 403
    assert AuditEvent.objects.count() == audits
    response = api(world.county_admin).post(f"/people/persons/{zhang.pk}/reveal", {"field": "id_number"})
    assert response.json() == {"field": "id_number", "value": zhang.clear_id_number()}
    event = AuditEvent.objects.get(pk__gt=0, action="查看完整身份证号", object_id=str(zhang.pk))
    assert event.actor == world.county_admin
    assert zhang.clear_id_number() not in repr(event.after)


@pytest.mark.django_db
def test_post_holdings_add_list_end(world, people, api):
    zhang = people[0].person
    created = api(world.branch_secretary).post(f"/people/persons/{zhang.pk}/posts", {
        "unit_id": world.branch_a1.pk, "position": "secretary", "started_on": "2024-03-01", "how_obtained": "elected"})
    assert created.status_code == 201, created.content
    holding = created.json()
    assert (holding["unit_name"], holding["position_label"], holding["ended_on"]) == ("甲村团支部", "书记", None)
    before = PostHolding.objects.count()
    outside = api(world.branch_secretary).post(f"/people/persons/{zhang.pk}/posts", {
        "unit_id": world.branch_b1.pk, "position": "secretary", "started_on": "2024-03-01", "how_obtained": "elected"})
    assert outside.json() == HIDDEN
    assert PostHolding.objects.count() == before
    ended = api(world.branch_secretary).post(f"/people/posts/{holding['id']}/end", {"ended_on": "2025-03-01"})
    assert ended.json()["ended_on"] == "2025-03-01"
    listed = api(world.inspector).get(f"/people/persons/{zhang.pk}/posts").json()
    assert [(h["position"], h["ended_on"]) for h in listed] == [("secretary", "2025-03-01")]


@pytest.mark.django_db
def test_membership_status_change_and_move(world, people, api):
    membership = people[0]
    audits = AuditEvent.objects.count()
    outsider_move = api(world.branch_secretary).post(f"/membership/memberships/{membership.pk}/move", {
        "to_branch_id": world.branch_a2.pk, "on": TODAY.isoformat()})
    assert outsider_move.json() == HIDDEN  # 乙村 is outside the 甲村 secretary's scope
    assert (Membership.objects.get(pk=membership.pk).branch_id, AuditEvent.objects.count()) == (
        world.branch_a1.pk, audits)
    moved = api(world.town_secretary).post(f"/membership/memberships/{membership.pk}/move", {
        "to_branch_id": world.branch_a2.pk, "on": TODAY.isoformat(), "reason": "工作调动"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["branch_name"] == "乙村团支部"
    illegal = api(world.town_secretary).post(f"/membership/memberships/{membership.pk}/status", {
        "to_status": "candidate", "on": TODAY.isoformat()})
    assert illegal.status_code == 422
    assert "不能从“团员”直接变更为“发展对象”" in illegal.json()["detail"]
    withdrawn = api(world.town_secretary).post(f"/membership/memberships/{membership.pk}/status", {
        "to_status": "withdrawn", "on": TODAY.isoformat(), "reason": "本人申请"})
    body = withdrawn.json()
    assert (body["status"], body["exit_reason"]) == ("withdrawn", "本人申请")
    assert [e["kind"] for e in body["events"]] == ["status", "move", "registered"]


@pytest.mark.django_db
def test_members_import_upload_check_commit(world, api, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(5)]
    bad = [dict(r) for r in rows]
    bad[2]["身份证号码"] = bad[2]["身份证号码"][:17] + ("1" if bad[2]["身份证号码"][17] == "0" else "0")
    path = write_workbook(tmp_path / "bad.xlsx", bad)
    with open(path, "rb") as fh:
        response = api(world.town_secretary).upload("/people/imports", {"unit_id": world.town_a.pk, "file": fh})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "invalid"
    assert job["errors"] == [{"row": 4, "column": "身份证号码", "letter": "E", "message": "身份证号码校验位不正确"}]
    assert api(world.town_secretary).post(f"/people/imports/{job['id']}/commit").status_code == 422
    assert Person.objects.count() == 0

    path = write_workbook(tmp_path / "good.xlsx", rows)
    with open(path, "rb") as fh:
        job = api(world.town_secretary).upload("/people/imports", {"unit_id": world.town_a.pk, "file": fh}).json()
    assert job["status"] == "ready"
    assert job["preview"]["counts"] == {"新登记人员": 5, "团员": 5}
    assert api(world.branch_secretary).get(f"/people/imports/{job['id']}").json() == HIDDEN
    done = api(world.town_secretary).post(f"/people/imports/{job['id']}/commit").json()
    assert (done["status"], done["result"]["people"]) == ("done", 5)
    assert Membership.objects.filter(status=Status.MEMBER, branch=world.branch_a1).count() == 5
    assert ImportJob.objects.get(pk=job["id"]).file_path == ""


@pytest.mark.django_db
def test_import_into_a_unit_outside_scope_is_hidden(world, api, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    path = write_workbook(tmp_path / "x.xlsx", [member_row(0, branch="丙村团支部", today=TODAY)])
    jobs = ImportJob.objects.count()
    with open(path, "rb") as fh:
        response = api(world.town_secretary).upload("/people/imports", {"unit_id": world.town_b.pk, "file": fh})
    assert response.json() == HIDDEN
    assert ImportJob.objects.count() == jobs


@pytest.mark.django_db
def test_export_through_the_api(world, people, api):
    response = api(world.town_secretary).get("/people/persons/export")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"
    assert api(world.town_secretary).get("/people/persons/export", full="true").status_code == 403
    assert io.BytesIO(content).getbuffer().nbytes > 1000
