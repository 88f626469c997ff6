"""The elections API: the whole flow from set-up to result, tellers by code without an account."""

from __future__ import annotations

import json

from django.test import Client

from tuanwu.accounts.actions import create_api_token
from tuanwu.core.models import AuditEvent
from tuanwu.elections.models import Election, Meeting
from tuanwu.elections.rules import stroke_order
from tuanwu.people.testing import make_member

BASE = "/api/v1/elections"


def _api(world, user=None):
    token = create_api_token(user=user or world.town_secretary, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(method, path, body=None):
        response = getattr(client, method)(BASE + path, data=json.dumps(body) if body is not None else None,
                                           content_type="application/json")
        return response.status_code, response.json()

    return call


def test_whole_flow_through_the_api(world):
    people = [make_member(world, world.branch_a1, n).person for n in ("王明", "李华", "张伟", "刘洋", "陈静", "杨帆")]
    call = _api(world)
    status, meeting = call("post", "/meetings", {"unit_id": world.branch_a1.pk, "kind": "members_meeting",
                                                 "title": "甲村团支部团员大会", "term_number": 4, "held_on": "2025-03-01"})
    assert status == 201
    mid = meeting["id"]
    assert call("post", f"/meetings/{mid}/attendees", {"person_ids": [p.pk for p in people]}) == (
        200, {"due": 6, "present": 0})
    assert call("post", f"/meetings/{mid}/roll-call", {"present_person_ids": [p.pk for p in people]}) == (
        200, {"due": 6, "present": 6})
    status, body = call("post", f"/meetings/{mid}/elections", {"office": "committee_member", "seats": 2,
                                                               "candidate_person_ids": [p.pk for p in people[:2]]})
    assert (status, body["detail"]) == (422, "差额选举（候选人数不少于应选名额的 1.2 倍）：应选 2 名，候选人至少 3 名，现有 2 名")
    status, election = call("post", f"/meetings/{mid}/elections", {"office": "committee_member", "seats": 2,
                                                                   "candidate_person_ids": [p.pk for p in people[:3]]})
    assert status == 201
    assert [c["name"] for c in election["candidates"]] == stroke_order(["王明", "李华", "张伟"]) == ["王明", "李华", "张伟"]
    eid = election["id"]
    status, body = call("post", f"/{eid}/tellers", {"person_id": people[0].pk, "role": "counter"})
    assert (status, body["detail"]) == (422, "监票人、计票人不能是候选人")
    codes = [call("post", f"/{eid}/tellers", {"person_id": p.pk, "role": "counter"})[1]["code"] for p in people[4:]]
    status, election = call("post", f"/{eid}/start", {"method": "ballots"})
    rid = election["rounds"][0]["id"]
    call("post", f"/rounds/{rid}/reconciliation", {"issued": 6, "returned": 6})
    cands = {c["name"]: str(c["id"]) for c in election["candidates"]}
    anonymous = Client()

    def enter(code, paper, marks):
        r = anonymous.post(BASE + "/teller/ballots", data=json.dumps(
            {"code": code, "round_id": rid, "paper_number": paper, "marks": marks, "write_ins": []}),
            content_type="application/json")
        return r.status_code, r.json()

    assert enter(codes[0], 1, {cands["王明"]: "yes"}) == (200, {"status": "waiting", "void_reason": "", "differences": []})
    assert enter(codes[1], 1, {cands["李华"]: "yes"}) == (
        200, {"status": "disagreement", "void_reason": "", "differences": sorted([cands["王明"], cands["李华"]], key=int)})
    status, detail = call("get", f"/{eid}")
    assert detail["rounds"][0]["disagreements"] == {"1": sorted([cands["王明"], cands["李华"]], key=int)}
    enter(codes[1], 1, {cands["王明"]: "yes"})
    for paper in range(2, 7):
        marks = {cands["王明"]: "yes", cands["张伟"]: "yes"} if paper < 6 else {cands["李华"]: "yes"}
        enter(codes[0], paper, marks)
        assert enter(codes[1], paper, marks)[1]["status"] == "accepted"
    status, election = call("post", f"/rounds/{rid}/count")
    assert election["rounds"][0]["outcome"]["elected"] == [cands["王明"], cands["张伟"]]
    status, election = call("post", f"/{eid}/close")
    assert (status, election["status"], election["chain_valid"]) == (200, "closed", True)
    assert [(w["name"], w["votes"]) for w in election["winners"]] == [("王明", 5), ("张伟", 4)]
    assert enter(codes[0], 7, {})[1]["detail"] == "计票编码无效，或该选举已结束"
    status, installed = call("post", f"/{eid}/install")
    assert status == 200 and len(installed) == 2


def test_api_scope_and_permission(world):
    make_member(world, world.branch_b1, "钱外")
    outside, inspector = _api(world), _api(world, world.inspector)
    meeting_count, audits = Meeting.objects.count(), AuditEvent.objects.count()
    assert outside("post", "/meetings", {"unit_id": world.branch_b1.pk, "kind": "members_meeting", "title": "x",
                                         "term_number": 1, "held_on": "2025-03-01"})[0] == 404
    assert inspector("post", "/meetings", {"unit_id": world.branch_a1.pk, "kind": "members_meeting", "title": "x",
                                           "term_number": 1, "held_on": "2025-03-01"})[0] == 403
    assert (Meeting.objects.count(), AuditEvent.objects.count(), Election.objects.count()) == (meeting_count, audits, 0)
