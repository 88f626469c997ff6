"""The election pages over HTTP: set-up, the tellers' code-guarded entry, close and downloads."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from tuanwu.core.models import AuditEvent
from tuanwu.elections import actions
from tuanwu.elections.models import Attendee, BallotEntry, Election, Meeting, PaperBallot, Status
from tuanwu.elections.testing import branch_election, branch_meeting
from tuanwu.people.testing import make_member


def test_secretary_sets_up_a_meeting_and_an_election(world, as_user):
    people = [make_member(world, world.branch_a1, n).person for n in ("王明", "李华", "张伟", "刘洋", "陈静")]
    client = as_user(world.branch_secretary)
    response = client.post(reverse("elections:meeting_create", args=[world.branch_a1.pk]), {
        "kind": "members_meeting", "title": "甲村团支部团员大会", "term_number": 4, "held_on": "2025-03-01"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("elections:meeting_detail", args=[meeting.pk])
    client.post(reverse("elections:meeting_attendees", args=[meeting.pk]), {"people": [p.pk for p in people]})
    assert meeting.attendees.count() == 5
    client.post(reverse("elections:meeting_roll_call", args=[meeting.pk]), {"present": [p.pk for p in people]})
    assert Attendee.objects.filter(meeting=meeting, present=True).count() == 5
    page = client.get(reverse("elections:meeting_detail", args=[meeting.pk])).content.decode()
    assert "应到 5 人，实到 5 人" in page
    response = client.post(reverse("elections:election_create", args=[meeting.pk]), {
        "office": "committee_member", "seats": 3, "candidates": [p.pk for p in people[:3]]})
    assert response.status_code == 200
    assert "应选 3 名，候选人至少 4 名，现有 3 名" in response.content.decode()
    response = client.post(reverse("elections:election_create", args=[meeting.pk]), {
        "office": "committee_member", "seats": 3, "candidates": [p.pk for p in people[:4]]})
    election = Election.objects.get()
    assert response["Location"] == reverse("elections:election_detail", args=[election.pk])
    page = client.get(response["Location"]).content.decode()
    # Candidates in 姓氏笔画 order: 王 (4) 刘 (6) 李 (7, 横) 张 (7, 折).
    assert [page.index(n) for n in ("王明", "刘洋", "李华", "张伟")] == sorted(page.index(n) for n in ("王明", "刘洋", "李华", "张伟"))


def test_teller_code_shown_once_and_used_without_an_account(world, as_user):
    election, people, _ = branch_election(world)
    admin = as_user(world.branch_secretary)
    response = admin.post(reverse("elections:teller_add", args=[election.pk]),
                          {"person": people[-3].pk, "role": "counter"})
    html = response.content.decode()
    start = html.index('id="new-code">') + len('id="new-code">')
    code = html[start:start + 10]
    assert len(code) == 10 and code.isalnum()
    assert code not in admin.get(reverse("elections:election_detail", args=[election.pk])).content.decode()
    actions.start_counting(actor=world.superuser, election=election)

    teller = Client()
    assert teller.get(reverse("elections:teller_entry"))["Location"] == reverse("elections:teller_login")
    wrong = teller.post(reverse("elections:teller_login"), {"code": "XXXXXXXXXX"})
    assert "计票编码无效，或该选举已结束" in wrong.content.decode()
    response = teller.post(reverse("elections:teller_login"), {"code": code})
    assert response["Location"] == reverse("elections:teller_entry")
    page = teller.get(reverse("elections:teller_entry")).content.decode()
    assert "计票人：" + people[-3].name in page
    candidate = election.candidates.order_by("pk").first()
    data = {"paper_number": 1, "write_ins": ""}
    data |= {f"mark_{c.pk}": "abstain" for c in election.candidates.all()}
    data[f"mark_{candidate.pk}"] = "yes"
    response = teller.post(reverse("elections:teller_entry"), data)
    assert "第 1 号选票已录入，等待另一名计票人录入" in response.content.decode()
    assert BallotEntry.objects.get().marks == {str(candidate.pk): "yes"}


def test_teller_entry_is_refused_after_the_election_closes(world):
    election, people, tellers = branch_election(world, seats=1, candidates=2, voters=6)
    teller = Client()
    teller.post(reverse("elections:teller_login"), {"code": tellers[0][1]})
    election.status, election.result_hash = Status.CLOSED, "x" * 64
    election.save(update_fields=["status", "result_hash"])
    assert teller.get(reverse("elections:teller_entry"))["Location"] == reverse("elections:teller_login")
    response = teller.post(reverse("elections:teller_login"), {"code": tellers[0][1]})
    assert "计票编码无效，或该选举已结束" in response.content.decode()


def test_inspector_cannot_change_anything(world, as_user):
    election, people, _ = branch_election(world)
    audits, entries = AuditEvent.objects.count(), BallotEntry.objects.count()
    client = as_user(world.inspector)
    assert client.get(reverse("elections:election_detail", args=[election.pk])).status_code == 200
    assert client.post(reverse("elections:election_start", args=[election.pk])).status_code == 403
    assert client.post(reverse("elections:teller_add", args=[election.pk]),
                       {"person": people[-3].pk, "role": "counter"}).status_code == 403
    election.refresh_from_db()
    assert (election.status, election.tellers.count()) == (Status.SETUP, 2)
    assert (AuditEvent.objects.count(), BallotEntry.objects.count()) == (audits, entries)


def test_roll_call_is_a_form_only_for_those_who_may_change_it(world, as_user):
    meeting, people = branch_meeting(world, voters=3)
    page, action = (reverse("elections:meeting_detail", args=[meeting.pk]),
                    reverse("elections:meeting_roll_call", args=[meeting.pk]))
    secretary = as_user(world.branch_secretary).get(page).content.decode()
    assert f'action="{action}"' in secretary and "保存点名结果" in secretary
    text = as_user(world.inspector).get(page).content.decode()
    # The inspector reads who was present (boxes disabled), without a form it cannot submit.
    assert people[0].name in text and "disabled" in text
    assert f'action="{action}"' not in text and "保存点名结果" not in text


def test_full_flow_over_http_and_downloads(world, as_user):
    election, people, tellers = branch_election(world, seats=1, candidates=2, voters=6)
    admin = as_user(world.branch_secretary)
    admin.post(reverse("elections:election_start", args=[election.pk]))
    rnd = election.rounds.get()
    admin.post(reverse("elections:round_reconcile", args=[rnd.pk]), {"issued": 6, "returned": 6})
    a, b = election.candidates.order_by("pk")
    for code in (tellers[0][1], tellers[1][1]):
        c = Client()
        c.post(reverse("elections:teller_login"), {"code": code})
        for n in range(1, 7):
            c.post(reverse("elections:teller_entry"), {"paper_number": n, f"mark_{a.pk}": "yes" if n < 6 else "no",
                                                        f"mark_{b.pk}": "abstain", "write_ins": ""})
    assert PaperBallot.objects.filter(round=rnd).count() == 6
    admin.post(reverse("elections:round_count", args=[rnd.pk]))
    admin.post(reverse("elections:election_close", args=[election.pk]))
    election.refresh_from_db()
    assert election.status == Status.CLOSED
    assert list(election.winners.values_list("name", "votes")) == [(a.name, 5)]
    pdf = admin.get(reverse("elections:result_pdf", args=[election.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = admin.get(reverse("elections:result_docx", args=[election.pk]))
    assert docx.content.startswith(b"PK")
    ballot = admin.get(reverse("elections:ballot_pdf", args=[election.pk]))
    assert ballot.content.startswith(b"%PDF")
    page = admin.get(reverse("elections:election_detail", args=[election.pk])).content.decode()
    assert "校验通过" in page and election.result_hash in page


def test_election_list_shows_overdue_terms_in_scope(world, as_user):
    from tuanwu.organisations import actions as org_actions

    org_actions.start_term(actor=world.superuser, unit=world.branch_a1, started_on=datetime.date(2020, 3, 1),
                           how_elected="members_meeting")
    org_actions.start_term(actor=world.superuser, unit=world.branch_b1, started_on=datetime.date(2020, 3, 1),
                           how_elected="members_meeting")
    branch_meeting(world, voters=3)
    page = as_user(world.town_secretary).get(reverse("elections:list")).content.decode()
    assert "甲村团支部" in page and "丙村团支部" not in page
    assert "任期已届满、尚未换届（1）" in page
    prepare = reverse("elections:meeting_create", args=[world.branch_a1.pk])
    assert prepare in page
    # The read-only inspector sees the overdue terms but no button into a form that refuses them.
    inspector = as_user(world.inspector)
    page = inspector.get(reverse("elections:list")).content.decode()
    assert "任期已届满、尚未换届（2）" in page and prepare not in page
    assert inspector.get(prepare).status_code == 403
