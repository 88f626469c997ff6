"""The membership-life API: every step is an operation; refusals are 422 with the Chinese reason
(or 403/404) and change nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tuanwu.accounts.actions import create_api_token
from tuanwu.core.models import AuditEvent
from tuanwu.membership.models import Development, Membership, Status, Transfer
from tuanwu.membership.tests.life_helpers import TODAY, Timeline, members, set_quota
from tuanwu.organisations.rules import add_months
from tuanwu.people.testing import make_id_number, make_member

D = datetime.timedelta


class Api:
    def __init__(self, user):
        _, raw = create_api_token(user=user, name="测试")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get("/api/v1/membership" + path, params, **self.headers)

    def post(self, path, body=None):
        return self.client.post("/api/v1/membership" + path, body or {}, content_type="application/json",
                                **self.headers)

    def put(self, path, body=None):
        return self.client.put("/api/v1/membership" + path, body or {}, content_type="application/json",
                               **self.headers)


def _iso(day):
    return day.isoformat()


@pytest.mark.django_db
def test_R2_8_api_develops_an_applicant_with_every_step_and_refusals_change_nothing(world):
    set_quota(world)
    t = Timeline()
    contacts = members(world)
    branch, town = Api(world.branch_secretary), Api(world.town_secretary)
    response = branch.post(f"/units/{world.branch_a1.pk}/applications", {
        "name": "接口申请", "id_number": make_id_number(datetime.date(TODAY.year - 17, 4, 4)),
        "applied_on": _iso(t.applied)})
    assert response.status_code == 201, response.json()
    dev_id = response.json()["id"]
    assert response.json()["next_steps"][0]["key"] == "talk"

    def step(api, name, **body):
        r = api.post(f"/developments/{dev_id}/steps/{name}", body)
        assert r.status_code == 200, (name, r.json())
        return r.json()

    step(branch, "talk", on=_iso(t.talk), talk_by="张书记")
    step(branch, "activist", on=_iso(t.activist), channel="member_recommendation", recommenders="赵团员")
    step(town, "file_activist", on=_iso(t.filed))
    step(branch, "contact", on=_iso(t.contact), contact_id=contacts[0].pk)
    before = (AuditEvent.objects.count(), Development.objects.get(pk=dev_id).stage)
    r = branch.post(f"/developments/{dev_id}/steps/candidate", {"on": _iso(t.candidate)})
    assert (r.status_code, r.json()["detail"]) == (422, "团课学时不足：已完成 0 学时，还差 8 学时（须线下、每学时不少于 45 分钟）")
    assert (AuditEvent.objects.count(), Development.objects.get(pk=dev_id).stage) == before
    for day in t.lessons:
        step(branch, "lesson", on=_iso(day), topic="团课", hours=2, minutes=100)
    step(branch, "candidate", on=_iso(t.candidate))
    step(branch, "notice_candidate", starts_on=_iso(t.candidate_notice))
    step(town, "prereview", on=_iso(t.prereview))
    step(town, "issue_form", on=_iso(t.form))
    step(branch, "introducers", on=_iso(t.introducers), introducer_1_id=contacts[1].pk, introducer_2_id=contacts[2].pk)
    r = branch.post(f"/developments/{dev_id}/steps/vote", {"on": _iso(t.vote), "voting_members": 10, "present": 5,
                                                          "yes": 5})
    assert (r.status_code, r.json()["detail"]) == (
        422, "到会有表决权团员 5 人，未超过应到 10 人的半数（至少 6 人），会议不能表决")
    step(branch, "vote", on=_iso(t.vote), voting_members=10, present=6, yes=4, no=2)
    step(branch, "notice_admission", starts_on=_iso(t.admission_notice))
    before = (AuditEvent.objects.count(), Development.objects.get(pk=dev_id).stage)
    r = branch.post(f"/developments/{dev_id}/steps/approve", {"on": _iso(t.approve)})
    assert (r.status_code, r.json()["detail"]) == (403, "此步骤由甲镇团委办理")
    assert (AuditEvent.objects.count(), Development.objects.get(pk=dev_id).stage) == before
    body = step(town, "approve", on=_iso(t.approve))
    assert (body["stage"], body["meeting_on"], body["development_number"]) == (
        "admitted", _iso(t.vote), f"{t.vote.year}01210001")
    assert Api(world.outsider).get(f"/developments/{dev_id}").status_code == 404


@pytest.mark.django_db
def test_R4_3_api_party_vote_on_the_due_base(world):
    m = make_member(world, world.branch_a1, "推优人")
    api = Api(world.branch_secretary)
    r = api.post(f"/memberships/{m.pk}/party-recommendations", {"kind": "to_activist",
                                                               "proposed_on": _iso(add_months(TODAY, -1))})
    assert r.status_code == 201
    rec = r.json()["id"]
    r = api.post(f"/party-recommendations/{rec}/meeting", {"meeting_on": _iso(TODAY), "due": 10, "present": 8,
                                                           "yes": 5, "no": 3, "abstain": 0})
    assert (r.status_code, r.json()["state"], r.json()["state_label"]) == (200, "failed", "团员大会未通过")


@pytest.mark.django_db
def test_R6_2_api_receiver_decides_and_sender_cannot(world):
    m = make_member(world, world.branch_b1, "丙村转出")
    transfer = Transfer.objects.create(membership=m, from_branch=world.branch_b1, to_unit=world.town_a,
                                       initiated_by="sender", destination="work", requested_on=TODAY)
    inspector = Api(world.inspector)
    before = AuditEvent.objects.count()
    r = inspector.post(f"/transfers/{transfer.pk}/decide", {"approve": True, "on": _iso(TODAY),
                                                                       "to_branch_id": world.branch_a2.pk})
    assert r.status_code == 403
    assert AuditEvent.objects.count() == before
    r = Api(world.town_secretary).post(f"/transfers/{transfer.pk}/decide", {"approve": True, "on": _iso(TODAY),
                                                                            "to_branch_id": world.branch_a2.pk})
    assert (r.status_code, r.json()["state"], r.json()["blocks_degree_certificate"]) == (200, "approved", False)
    assert Membership.objects.get(pk=m.pk).branch_id == world.branch_a2.pk


@pytest.mark.django_db
def test_R5_4_api_dues_account_and_payment(world):
    m = make_member(world, world.branch_a1, "交费人", joined_on=add_months(TODAY, -2))
    api = Api(world.branch_secretary)
    r = api.put(f"/memberships/{m.pk}/dues-account", {"category": "salaried", "monthly_wage": "5600"})
    assert r.status_code == 200
    r = api.post(f"/memberships/{m.pk}/dues-payments", {"months": [_iso(TODAY.replace(day=1))],
                                                         "paid_on": _iso(TODAY)})
    assert (r.status_code, r.json()[0]["amount"]) == (201, "11.00")
    lines = api.get(f"/units/{world.branch_a1.pk}/dues").json()
    assert [(x["person_name"], x["monthly"], x["owed_months"]) for x in lines] == [("交费人", "11.00", 2)]
    assert Membership.objects.get(pk=m.pk).status == Status.MEMBER
