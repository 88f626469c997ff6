"""Elections on the real database: set-up checks, double entry, rounds, closing, the hash chain,
re-opening, posts, and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.elections import actions
from tuanwu.elections.models import BallotEntry, Election, PaperBallot, Status, Winner
from tuanwu.elections.testing import branch_election, branch_meeting, enter_twice
from tuanwu.membership.actions import change_status
from tuanwu.organisations import actions as org_actions
from tuanwu.people.models import PostHolding
from tuanwu.people.testing import make_member

Y, N = "yes", "no"


def _ids(election):
    return [str(c.pk) for c in election.candidates.order_by("pk")]


def _open(world, election):
    rnd = actions.start_counting(actor=world.superuser, election=election)
    return rnd


# --- set-up -----------------------------------------------------------------------------------


def test_R7_5_election_refuses_too_few_candidates(world):
    meeting, people = branch_meeting(world, voters=6)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        actions.create_election(actor=world.superuser, meeting=meeting, office="committee_member", seats=5,
                                candidates=people[:5])
    assert err.value.message == "差额选举（候选人数不少于应选名额的 1.2 倍）：应选 5 名，候选人至少 6 名，现有 5 名"
    assert Election.objects.count() == 0 and AuditEvent.objects.count() == audits
    # 书记 may be 等额.
    election = actions.create_election(actor=world.superuser, meeting=meeting, office="secretary", seats=1,
                                       candidates=people[:1])
    assert (election.seats, election.threshold_base, election.quorum) == (1, "present", Decimal("0.8"))


def test_R7_5_ratio_is_read_from_the_county_settings(world):
    set_rule(actor=world.superuser, key="elections.competitive_ratio", county=world.county, raw_value="1.5", allow_past=True,
             effective_from=datetime.date(2025, 1, 1))
    meeting, people = branch_meeting(world, voters=8)
    with pytest.raises(DomainError, match="候选人至少 5 名，现有 4 名"):
        actions.create_election(actor=world.superuser, meeting=meeting, office="committee_member", seats=3,
                                candidates=people[:4])


def test_R7_3_probation_member_cannot_be_on_the_roll_call(world):
    member = make_member(world, world.branch_a1, "韩察看")
    change_status(actor=world.superuser, membership=member, to_status="probation", on=datetime.date(2024, 5, 1),
                  reason="违纪")
    meeting = actions.create_meeting(actor=world.superuser, unit=world.branch_a1, kind="members_meeting",
                                     title="甲村团支部团员大会", term_number=3, held_on=datetime.date(2025, 3, 1))
    with pytest.raises(DomainError, match="韩察看：受留团察看处分期间没有选举权"):
        actions.add_attendees(actor=world.superuser, meeting=meeting, people=[member.person])
    assert meeting.attendees.count() == 0


def test_R7_4_candidate_cannot_be_a_teller(world):
    election, people, _ = branch_election(world)
    with pytest.raises(DomainError, match="监票人、计票人不能是候选人"):
        actions.add_teller(actor=world.superuser, election=election, person=people[0], role="counter")
    assert election.tellers.count() == 2


def test_R7_13_no_alternates_in_a_branch(world):
    meeting, people = branch_meeting(world, voters=6)
    with pytest.raises(DomainError, match="基层团组织不设候补委员"):
        actions.create_election(actor=world.superuser, meeting=meeting, office="alternate_member", seats=1,
                                candidates=people[:2])


def test_R7_6_quorum_not_met_refuses_to_start_counting(world):
    election, _, _ = branch_election(world, voters=10, present=8)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        actions.start_counting(actor=world.superuser, election=election)
    assert err.value.message == "实到 8 人，未超过应到 10 人的 4/5，不能进行选举"
    election.refresh_from_db()
    assert (election.status, election.rounds.count(), AuditEvent.objects.count()) == (Status.SETUP, 0, audits)


def test_election_setup_denied_outside_and_without_permission(world):
    meeting, people = branch_meeting(world, world.branch_b1, voters=6)
    with pytest.raises(Http404):
        actions.create_election(actor=world.town_secretary, meeting=meeting, office="committee_member", seats=3,
                                candidates=people[:4])
    with pytest.raises(PermissionDenied):
        actions.create_election(actor=world.inspector, meeting=meeting, office="committee_member", seats=3,
                                candidates=people[:4])
    assert Election.objects.count() == 0


# --- counting ---------------------------------------------------------------------------------


def test_R7_7_double_entry_shows_disagreement_then_accepts(world):
    election, _, tellers = branch_election(world)
    a, b, c, d = _ids(election)
    rnd = _open(world, election)
    first = actions.enter_ballot(teller=tellers[0][0], round=rnd, paper_number=1, marks={a: Y, b: Y, c: N},
                                 write_ins=[])
    assert first == {"status": "waiting", "void_reason": "", "differences": []}
    second = actions.enter_ballot(teller=tellers[1][0], round=rnd, paper_number=1, marks={a: Y, b: N, c: N},
                                  write_ins=["赵六"])
    assert second == {"status": "disagreement", "void_reason": "", "differences": [b, "write_ins"]}
    assert actions.disagreements(rnd) == {1: [b, "write_ins"]}
    assert PaperBallot.objects.count() == 0
    # The second teller looks at the paper again and corrects their entry.
    third = actions.enter_ballot(teller=tellers[1][0], round=rnd, paper_number=1, marks={a: Y, b: Y, c: N},
                                 write_ins=[])
    assert third == {"status": "accepted", "void_reason": "", "differences": []}
    assert actions.disagreements(rnd) == {}
    assert list(PaperBallot.objects.values_list("number", "marks")) == [(1, {a: Y, b: Y, c: N})]


def test_R7_7_ballot_approving_more_than_seats_is_void_and_write_ins_count(world):
    election, _, tellers = branch_election(world, seats=3, candidates=4)
    a, b, c, d = _ids(election)
    rnd = _open(world, election)
    result = enter_twice(tellers, rnd, 1, {a: Y, b: Y, c: Y}, ["赵六"])
    assert result["status"] == "accepted"
    assert result["void_reason"] == "赞成 4 人，多于应选名额 3 名"


def _run_first_round(world, election, tellers, papers):
    rnd = _open(world, election)
    actions.record_reconciliation(actor=world.superuser, round=rnd, issued=len(papers), returned=len(papers))
    for number, (marks, write_ins) in enumerate(papers, start=1):
        enter_twice(tellers, rnd, number, marks, write_ins)
    return actions.count_round(actor=world.superuser, round=rnd)


def test_R7_9_R7_10_count_close_and_hash_chain(world):
    election, people, tellers = branch_election(world, seats=3, candidates=4, voters=10)
    a, b, c, d = _ids(election)
    papers = [({a: Y, b: Y, c: Y}, ())] * 6 + [({a: Y, b: Y, d: Y}, ())] * 3 + [({a: Y, b: Y, c: Y, d: Y}, ())]
    rnd = _run_first_round(world, election, tellers, papers)
    assert rnd.outcome["elected"] == [a, b, c]
    assert (rnd.outcome["valid"], rnd.outcome["void"], rnd.outcome["base"]) == (9, 1, 10)
    assert rnd.outcome["yes"] == {a: 9, b: 9, c: 6, d: 3}
    election = actions.close_election(actor=world.superuser, election=election)
    assert election.status == Status.CLOSED and len(election.result_hash) == 64
    assert sorted(Winner.objects.values_list("name", "votes")) == sorted(
        [(people[0].name, 9), (people[1].name, 9), (people[2].name, 6)])
    assert actions.verify_chain(election)
    # Tampering with a stored entry breaks the chain.
    entry = BallotEntry.objects.filter(round=rnd).first()
    BallotEntry.objects.filter(pk=entry.pk).update(marks={a: N})
    assert not actions.verify_chain(election)


def test_closed_election_is_immutable_until_reopened_with_a_reason(world):
    election, _, tellers = branch_election(world, seats=1, candidates=2, voters=6)
    a, b = _ids(election)
    rnd = _run_first_round(world, election, tellers, [({a: Y}, ())] * 5 + [({b: Y}, ())])
    election = actions.close_election(actor=world.superuser, election=election)
    old_hash = election.result_hash
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="选举已结束，结果不可更改"):
        actions.enter_ballot(teller=tellers[0][0], round=rnd, paper_number=7, marks={a: Y}, write_ins=[])
    with pytest.raises(DomainError, match="重新开启须填写原因"):
        actions.reopen_election(actor=world.superuser, election=election, reason=" ")
    assert AuditEvent.objects.count() == audits
    election = actions.reopen_election(actor=world.superuser, election=election, reason="第6号选票录入有误")
    assert election.status == Status.COUNTING and election.winners.count() == 0
    assert list(election.reopenings.values_list("reason", "previous_hash")) == [("第6号选票录入有误", old_hash)]
    actions.discard_entries(actor=world.superuser, round=rnd, paper_number=6)
    enter_twice(tellers, rnd, 6, {a: Y}, ())
    rnd.refresh_from_db()
    actions.count_round(actor=world.superuser, round=rnd)
    election = actions.close_election(actor=world.superuser, election=election)
    assert election.result_hash != old_hash and actions.verify_chain(election)
    assert election.winners.get().votes == 6


def test_R7_8_more_ballots_returned_than_issued_voids_the_election(world):
    election, _, tellers = branch_election(world)
    rnd = _open(world, election)
    actions.record_reconciliation(actor=world.superuser, round=rnd, issued=9, returned=10)
    rnd = actions.count_round(actor=world.superuser, round=rnd)
    election.refresh_from_db()
    assert election.status == Status.VOID
    assert election.void_reason == "收回选票 10 张，多于发出的 9 张，选举无效"
    assert actions.verify_chain(election)


def test_R7_9_threshold_base_due_versus_present(world):
    set_rule(actor=world.superuser, key="elections.threshold_base", county=world.county, raw_value="due", allow_past=True,
             effective_from=datetime.date(2025, 1, 1))
    election, _, tellers = branch_election(world, seats=1, candidates=2, voters=10, present=9)
    a, b = _ids(election)
    # 5 yes: more than half of 实到 9, not of 应到 10.
    rnd = _run_first_round(world, election, tellers, [({a: Y}, ())] * 5 + [({b: Y}, ())] * 4)
    assert (rnd.outcome["base"], rnd.outcome["elected"], rnd.outcome["shortfall"]) == (10, [], 1)


def test_R7_10_tie_at_the_cut_opens_a_revote_round(world):
    election, _, tellers = branch_election(world, seats=2, candidates=3, voters=10)
    a, b, c = _ids(election)
    papers = [({a: Y, b: Y}, ())] * 3 + [({a: Y, c: Y}, ())] * 3 + [({b: Y, c: Y}, ())] * 3 + [({a: Y}, ())]
    rnd = _run_first_round(world, election, tellers, papers)
    assert (rnd.outcome["elected"], rnd.outcome["tied"], rnd.outcome["tie_seats"]) == ([a], [b, c], 1)
    revote = actions.open_round(election)
    assert (revote.kind, revote.seats, {str(x.pk) for x in revote.candidates.all()}) == ("revote", 1, {b, c})
    with pytest.raises(DomainError, match="还有未完成的轮次"):
        actions.close_election(actor=world.superuser, election=election)
    actions.record_reconciliation(actor=world.superuser, round=revote, issued=10, returned=10)
    for n in range(1, 11):
        enter_twice(tellers, revote, n, {c: Y} if n <= 6 else {b: Y})
    actions.count_round(actor=world.superuser, round=revote)
    election = actions.close_election(actor=world.superuser, election=election)
    assert sorted((w.candidate_id, w.votes, w.round_number) for w in election.winners.all()) == sorted(
        [(int(a), 7, 1), (int(c), 6, 2)])


def test_R7_11_shortfall_opens_a_further_round(world):
    election, _, tellers = branch_election(world, seats=3, candidates=4, voters=10)
    a, b, c, d = _ids(election)
    papers = [({a: Y, b: Y}, ())] * 6 + [({c: Y, d: Y}, ())] * 4
    rnd = _run_first_round(world, election, tellers, papers)
    assert (rnd.outcome["elected"], rnd.outcome["shortfall"]) == ([a, b], 1)
    further = actions.open_round(election)
    assert (further.kind, further.seats, {str(x.pk) for x in further.candidates.all()}) == ("further", 1, {c, d})


def test_R7_15_alternates_ranked_and_R7_16_posts_installed(world):
    county_meeting, people = branch_meeting(world, world.branch_a1, voters=10)
    # A county congress (alternates allowed) with the same people standing in for delegates.
    congress = actions.create_meeting(actor=world.superuser, unit=world.county, kind="congress", title="第十四次团代会",
                                      term_number=14, held_on=datetime.date(2025, 3, 1))
    actions.add_attendees(actor=world.superuser, meeting=congress, people=people, elected_by=world.branch_a1)
    actions.record_roll_call(actor=world.superuser, meeting=congress, present_person_ids={p.pk for p in people})
    election = actions.create_election(actor=world.superuser, meeting=congress, office="alternate_member", seats=2,
                                       candidates=people[:3])
    tellers = [actions.add_teller(actor=world.superuser, election=election, person=people[-1], role="counter"),
               actions.add_teller(actor=world.superuser, election=election, person=people[-2], role="scrutineer")]
    a, b, c = _ids(election)
    # b (李华) and c (张伟) tie on 7: both surnames have 7 strokes, 李 starts with 横, 张 with 折.
    papers = [({a: Y, b: Y}, ())] * 2 + [({b: Y, c: Y}, ())] * 5 + [({a: Y, c: Y}, ())] * 2 + [({a: Y}, ())]
    rnd = _run_first_round(world, election, tellers, papers)
    assert rnd.outcome["yes"] == {a: 5, b: 7, c: 7}
    assert rnd.outcome["elected"] == [b, c]
    election = actions.close_election(actor=world.superuser, election=election)
    assert list(election.winners.order_by("rank").values_list("name", "rank")) == [("李华", 1), ("张伟", 2)]
    installed = actions.install_winners(actor=world.superuser, election=election)
    holdings = PostHolding.objects.filter(pk__in=[w.post_holding_id for w in installed]).order_by("note")
    assert [h.note for h in holdings] == ["第十四次团代会选举产生候补委员（第1名）；组成待批准",
                                          "第十四次团代会选举产生候补委员（第2名）；组成待批准"]
    with pytest.raises(DomainError, match="当选人已登记任职，不能重新开启"):
        actions.reopen_election(actor=world.superuser, election=election, reason="更正")


def test_R7_14_plenary_elects_from_the_new_committee_only(world):
    meeting, people = branch_meeting(world, world.branch_a1, voters=8)
    congress = actions.create_meeting(actor=world.superuser, unit=world.county, kind="congress", title="团代会",
                                      term_number=14, held_on=datetime.date(2025, 3, 1))
    actions.add_attendees(actor=world.superuser, meeting=congress, people=people)
    actions.record_roll_call(actor=world.superuser, meeting=congress, present_person_ids={p.pk for p in people})
    committee = actions.create_election(actor=world.superuser, meeting=congress, office="committee_member", seats=3,
                                        candidates=people[:4])
    tellers = [actions.add_teller(actor=world.superuser, election=committee, person=people[-1], role="counter"),
               actions.add_teller(actor=world.superuser, election=committee, person=people[-2], role="scrutineer")]
    a, b, c, d = _ids(committee)
    _run_first_round(world, committee, tellers, [({a: Y, b: Y, c: Y}, ())] * 8)
    actions.close_election(actor=world.superuser, election=committee)
    plenary = actions.create_meeting(actor=world.superuser, unit=world.county, kind="plenary", title="一届一次全委会",
                                     term_number=14, held_on=datetime.date(2025, 3, 1), congress=congress)
    with pytest.raises(DomainError, match="不是新当选的委员"):
        actions.add_attendees(actor=world.superuser, meeting=plenary, people=[people[3]])
    actions.add_attendees(actor=world.superuser, meeting=plenary, people=people[:3])
    with pytest.raises(DomainError, match="全委会只能从新当选的委员中选举"):
        actions.create_election(actor=world.superuser, meeting=plenary, office="secretary", seats=1,
                                candidates=[people[3]])
    secretary = actions.create_election(actor=world.superuser, meeting=plenary, office="secretary", seats=1,
                                        candidates=[people[0]])
    assert secretary.candidates.count() == 1


def test_tally_round_double_entered(world):
    election, _, tellers = branch_election(world, seats=1, candidates=2, voters=6)
    a, b = _ids(election)
    rnd = actions.start_counting(actor=world.superuser, election=election, method="tallies")
    actions.record_reconciliation(actor=world.superuser, round=rnd, issued=6, returned=6)
    counts = {a: {"yes": 4, "no": 1, "abstain": 0}, b: {"yes": 1, "no": 3, "abstain": 1}}
    assert actions.enter_tally(teller=tellers[0][0], round=rnd, counts=counts, write_ins={}, valid=5, void=1)[
        "status"] == "waiting"
    wrong = {**counts, b: {"yes": 2, "no": 2, "abstain": 1}}
    assert actions.enter_tally(teller=tellers[1][0], round=rnd, counts=wrong, write_ins={}, valid=5, void=1) == {
        "status": "disagreement", "void_reason": "", "differences": [b]}
    with pytest.raises(DomainError, match="两名计票人录入的计票结果尚未一致"):
        actions.count_round(actor=world.superuser, round=rnd)
    actions.enter_tally(teller=tellers[1][0], round=rnd, counts=counts, write_ins={}, valid=5, void=1)
    rnd = actions.count_round(actor=world.superuser, round=rnd)
    assert (rnd.outcome["elected"], rnd.outcome["yes"]) == ([a], {a: 4, b: 1})


def test_teller_code_valid_for_its_election_only_and_rate_limited(world):
    election, _, tellers = branch_election(world)
    teller, code = tellers[0]
    assert actions.teller_for_code(code=code.lower(), ip="10.0.0.1") == teller
    for _ in range(10):
        with pytest.raises(DomainError, match="计票编码无效"):
            actions.teller_for_code(code="WRONGCODE1", ip="10.0.0.2")
    with pytest.raises(DomainError, match="尝试次数过多"):
        actions.teller_for_code(code=code, ip="10.0.0.2")
    other, _, other_tellers = branch_election(world, world.branch_a2)
    rnd = actions.start_counting(actor=world.superuser, election=other)
    with pytest.raises(DomainError, match="该计票编码不能用于这次选举"):
        actions.enter_ballot(teller=teller, round=rnd, paper_number=1, marks={}, write_ins=[])


def test_R7_2_reschedule_with_two_approvals_moves_the_term_end(world):
    term = org_actions.start_term(actor=world.superuser, unit=world.branch_a1, started_on=datetime.date(2023, 3, 1),
                                  how_elected="members_meeting")
    assert term.planned_end_on == datetime.date(2026, 3, 1)
    with pytest.raises(DomainError, match="不能超过 6 个月"):
        actions.request_term_reschedule(actor=world.branch_secretary, term=term, new_date=datetime.date(2026, 10, 1),
                                        reason="农忙")
    item = actions.request_term_reschedule(actor=world.branch_secretary, term=term, new_date=datetime.date(2026, 6, 1),
                                           reason="春耕期间")
    with pytest.raises(Http404):  # the approval is recorded above the branch, outside its reach
        actions.approve_term_reschedule(actor=world.branch_secretary, reschedule=item, by="party",
                                        approved_on=datetime.date(2026, 1, 5), document="甲党发〔2026〕1号")
    actions.approve_term_reschedule(actor=world.town_secretary, reschedule=item, by="party",
                                    approved_on=datetime.date(2026, 1, 5), document="甲党发〔2026〕1号")
    term.refresh_from_db()
    assert term.planned_end_on == datetime.date(2026, 3, 1)
    item = actions.approve_term_reschedule(actor=world.town_secretary, reschedule=item, by="above",
                                           approved_on=datetime.date(2026, 1, 9), document="甲团发〔2026〕2号")
    term.refresh_from_db()
    assert (item.applied, term.planned_end_on) == (True, datetime.date(2026, 6, 1))


def test_R7_2_overdue_list_is_scoped(world):
    org_actions.start_term(actor=world.superuser, unit=world.branch_a1, started_on=datetime.date(2020, 3, 1),
                           how_elected="members_meeting")
    org_actions.start_term(actor=world.superuser, unit=world.branch_b1, started_on=datetime.date(2020, 3, 1),
                           how_elected="members_meeting")
    assert [t.unit.name for t in actions.overdue_terms(world.county_admin)] == ["甲村团支部", "丙村团支部"]
    assert [t.unit.name for t in actions.overdue_terms(world.town_secretary)] == ["甲村团支部"]
