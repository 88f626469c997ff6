"""Table-driven tests of the election rules (R7.2–R7.17) and hypothesis properties of counting."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuanwu.elections import rules
from tuanwu.elections.rules import Ballot, Mark, Office

D = datetime.date


# --- R7.2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,new,refusal", [
    ("branch", D(2025, 9, 1), None),  # 6 months early
    ("branch", D(2025, 8, 31), "提前或延期换届不能超过 6 个月"),
    ("branch", D(2026, 9, 1), None),  # 6 months late
    ("branch", D(2026, 9, 2), "提前或延期换届不能超过 6 个月"),
    ("general_branch", D(2026, 9, 2), "提前或延期换届不能超过 6 个月"),
    ("committee", D(2027, 3, 1), None),  # a year late
    ("committee", D(2027, 3, 2), "提前或延期换届不能超过 12 个月"),
    ("league_county", D(2025, 3, 1), None),
    ("branch", D(2026, 3, 1), "新的换届日期与应届满日期相同，无需报批"),
])
def test_R7_2_early_or_late_election_limits(kind, new, refusal):
    assert rules.reschedule_refusal(unit_kind=kind, planned_end=D(2026, 3, 1), new_date=new) == refusal


@pytest.mark.parametrize("party,above,approved", [
    (None, None, False), (D(2026, 1, 5), None, False), (None, D(2026, 1, 5), False), (D(2026, 1, 5), D(2026, 1, 9), True),
])
def test_R7_2_reschedule_needs_both_approvals(party, above, approved):
    assert rules.reschedule_approved(party_approved_on=party, above_approved_on=above) is approved


@pytest.mark.parametrize("today,stage", [
    (D(2025, 9, 30), None), (D(2025, 10, 1), "first"), (D(2026, 2, 28), "first"), (D(2026, 3, 1), "final"),
    (D(2026, 4, 1), "final"), (D(2026, 4, 2), "overdue"),
])
def test_R7_2_reminders_six_months_and_one_month_before(today, stage):
    assert rules.reminder_stage(due_on=D(2026, 4, 1), today=today, first_months=6, final_months=1) == stage


# --- R7.3, R7.4 -------------------------------------------------------------------------------


@pytest.mark.parametrize("status,party,post,refusal", [
    ("member", False, False, None),
    ("party_member_keeping", True, False, None),
    ("probation", False, True, "受留团察看处分期间没有选举权"),
    (None, True, True, None),  # party member assigned to a League post
    ("aged_out", True, True, None),
    (None, True, False, "不是团员，也不是担任团内职务的党员，没有选举权"),
    ("applicant", False, False, "不是团员，也不是担任团内职务的党员，没有选举权"),
    ("expelled", False, False, "不是团员，也不是担任团内职务的党员，没有选举权"),
])
def test_R7_3_electorate(status, party, post, refusal):
    assert rules.voter_refusal(membership_status=status, is_party_member=party, holds_league_post=post) == refusal


@pytest.mark.parametrize("voter,cast_by,helper,refusal", [
    (1, None, None, None),
    (1, 1, None, None),
    (1, 2, None, "不得委托他人投票"),
    (9, None, None, "选举人未到会，不得委托他人投票"),
    (1, None, 3, None),  # a non-candidate fills the ballot of a voter who cannot write
    (1, None, 5, "代写选票的人不能是候选人"),
])
def test_R7_3_no_proxy_voting(voter, cast_by, helper, refusal):
    got = rules.proxy_refusal(voter_id=voter, cast_by_id=cast_by, present_ids=[1, 2, 3], candidate_ids=[5, 6],
                              helper_id=helper)
    assert got == refusal


@pytest.mark.parametrize("tellers,refusal", [([1, 2], None), ([1, 5], "监票人、计票人不能是候选人"), ([], None)])
def test_R7_4_tellers_are_not_candidates(tellers, refusal):
    assert rules.teller_refusal(teller_ids=tellers, candidate_ids=[5, 6, 7]) == refusal


# --- R7.5, R7.6 -------------------------------------------------------------------------------


@pytest.mark.parametrize("seats,ratio,office,needed", [
    (21, Decimal("1.2"), Office.COMMITTEE, 26),  # 25.2 → 26
    (9, Decimal("1.2"), Office.ALTERNATE, 11),
    (5, Decimal("1.2"), Office.COMMITTEE, 6),
    (3, Decimal("1.2"), Office.DEPUTY, 3),  # 等额 allowed
    (1, Decimal("1.2"), Office.SECRETARY, 1),
    (10, Decimal("1.5"), Office.COMMITTEE, 15),
    (10, Decimal("1"), Office.COMMITTEE, 10),
])
def test_R7_5_minimum_candidates(seats, ratio, office, needed):
    assert rules.min_candidates(seats=seats, ratio=ratio, office=office) == needed


def test_R7_5_competitive_refusal_text():
    assert rules.competitive_refusal(candidates=25, seats=21, ratio=Decimal("1.2"), office=Office.COMMITTEE) == (
        "差额选举（候选人数不少于应选名额的 1.2 倍）：应选 21 名，候选人至少 26 名，现有 25 名")
    assert rules.competitive_refusal(candidates=26, seats=21, ratio=Decimal("1.2"), office=Office.COMMITTEE) is None
    assert rules.competitive_refusal(candidates=1, seats=1, ratio=Decimal("1.2"), office=Office.SECRETARY) is None
    assert rules.competitive_refusal(candidates=0, seats=1, ratio=Decimal("1.2"), office=Office.SECRETARY) == (
        "等额选举：应选 1 名，候选人至少 1 名，现有 0 名")


@pytest.mark.parametrize("due,present,quorum,met", [
    (101, 81, Decimal("0.8"), True),  # 80.8 → 81 is more
    (100, 80, Decimal("0.8"), False),  # exactly 4/5 is not more than 4/5
    (100, 81, Decimal("0.8"), True),
    (5, 4, Decimal("0.8"), False),
    (5, 5, Decimal("0.8"), True),
    (10, 6, Decimal("0.5"), True),
    (0, 0, Decimal("0.8"), False),
])
def test_R7_6_quorum(due, present, quorum, met):
    assert rules.quorum_met(due=due, present=present, quorum=quorum) is met


def test_R7_6_quorum_not_met_refuses_with_the_figures():
    assert rules.quorum_refusal(due=30, present=24, quorum=Decimal("0.8")) == "实到 24 人，未超过应到 30 人的 4/5，不能进行选举"
    assert rules.quorum_refusal(due=30, present=25, quorum=Decimal("0.8")) is None
    assert rules.quorum_refusal(due=30, present=31, quorum=Decimal("0.8")) == "实到人数 31 多于应到人数 30"


# --- R7.7, R7.8 -------------------------------------------------------------------------------

KEYS = ["a", "b", "c", "d"]


@pytest.mark.parametrize("marks,write_ins,seats,reason", [
    ({"a": Mark.YES, "b": Mark.YES, "c": Mark.NO}, (), 3, None),
    ({"a": Mark.YES, "b": Mark.YES, "c": Mark.YES}, (), 3, None),
    ({"a": Mark.YES, "b": Mark.YES, "c": Mark.YES, "d": Mark.YES}, (), 3, "赞成 4 人，多于应选名额 3 名"),
    ({"a": Mark.YES, "b": Mark.YES, "c": Mark.YES}, ("王五",), 3, "赞成 4 人，多于应选名额 3 名"),  # write-ins count
    ({"a": Mark.NO, "b": Mark.NO}, ("王五", "赵六"), 3, None),
    ({}, (), 3, None),  # a blank ballot is valid: all abstain
    ({"a": Mark.NO}, ("王五", "王五"), 3, "同一人在另选他人栏重复填写"),
])
def test_R7_7_ballot_validity(marks, write_ins, seats, reason):
    assert rules.ballot_void_reason(Ballot(marks, write_ins), seats=seats, candidate_keys=KEYS) == reason


def test_R7_7_unknown_marks_are_entry_errors_not_void_ballots():
    with pytest.raises(ValueError):
        rules.ballot_void_reason(Ballot({"zz": Mark.YES}), seats=3, candidate_keys=KEYS)
    with pytest.raises(ValueError):
        rules.ballot_void_reason(Ballot({"a": "maybe"}), seats=3, candidate_keys=KEYS)


def test_R7_7_tally_counts_marks_blank_as_abstain_and_write_ins():
    ballots = [
        Ballot({"a": Mark.YES, "b": Mark.NO}, ("王五",)),
        Ballot({"a": Mark.YES, "b": Mark.YES}),
        Ballot({"a": Mark.YES, "b": Mark.YES, "c": Mark.YES}),  # void for 2 seats
        Ballot({}, ("王五",)),
    ]
    t = rules.tally(ballots, seats=2, candidate_keys=["a", "b", "c"])
    assert (t.valid, t.void) == (3, 1)
    assert dict(t.yes) == {"a": 2, "b": 1, "另选:王五": 2}
    assert dict(t.no) == {"b": 1}
    assert dict(t.abstain) == {"a": 1, "b": 1, "c": 3}


@pytest.mark.parametrize("issued,returned,reason", [
    (101, 101, None), (101, 99, None), (101, 102, "收回选票 102 张，多于发出的 101 张，选举无效"),
])
def test_R7_8_more_returned_than_issued_voids_the_election(issued, returned, reason):
    assert rules.election_void_reason(issued=issued, returned=returned) == reason


# --- R7.9 – R7.11 -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind,due,present,base", [("present", 101, 95, 95), ("due", 101, 95, 101)])
def test_R7_9_threshold_base(kind, due, present, base):
    assert rules.threshold_base(base_kind=kind, due=due, present=present) == base


def test_R7_9_threshold_on_present_versus_due():
    # 应到 100, 实到 82: 45 yes passes half of 实到 (41) but not half of 应到 (50).
    yes = {"a": 45, "b": 60}
    on_present = rules.decide_round(yes=yes, seats=2, base=rules.threshold_base(base_kind="present", due=100, present=82))
    on_due = rules.decide_round(yes=yes, seats=2, base=rules.threshold_base(base_kind="due", due=100, present=82))
    assert on_present == rules.RoundOutcome(elected=("b", "a"))
    assert on_due == rules.RoundOutcome(elected=("b",), shortfall=1)


@pytest.mark.parametrize("yes,base,passes", [(41, 82, False), (42, 82, True), (41, 81, True), (40, 81, False)])
def test_R7_9_more_than_half_strictly(yes, base, passes):
    assert rules.passes_threshold(yes=yes, base=base) is passes


def test_R7_10_more_qualifying_than_seats_highest_win():
    out = rules.decide_round(yes={"a": 90, "b": 80, "c": 70, "d": 60, "e": 20}, seats=3, base=100)
    assert out == rules.RoundOutcome(elected=("a", "b", "c"))
    assert out.complete


def test_R7_10_tie_at_the_cut_goes_to_a_revote_among_the_tied():
    out = rules.decide_round(yes={"a": 90, "b": 70, "c": 70, "d": 70, "e": 60}, seats=3, base=100)
    assert out == rules.RoundOutcome(elected=("a",), tied=("b", "c", "d"), tie_seats=2)
    assert not out.complete


def test_R7_10_a_tie_that_fits_the_seats_is_no_tie():
    assert rules.decide_round(yes={"a": 90, "b": 70, "c": 70, "d": 55}, seats=3, base=100) == rules.RoundOutcome(
        elected=("a", "b", "c"))


def test_R7_11_shortfall_needs_a_further_round():
    out = rules.decide_round(yes={"a": 90, "b": 51, "c": 50, "d": 10}, seats=3, base=100)
    assert out == rules.RoundOutcome(elected=("a", "b"), shortfall=1)


# --- R7.12 ------------------------------------------------------------------------------------


def test_R7_12_stroke_table_values():
    assert rules.strokes_of("王") == (4, 1)
    assert rules.strokes_of("马") == (3, 5)
    assert rules.strokes_of("白") == (5, 3)
    assert rules.strokes_of("方") == (4, 4)
    assert rules.strokes_of("丁") == (2, 1)
    assert len(rules.stroke_table()) == 8105


@pytest.mark.parametrize("names,expected", [
    # stroke count of the surname first
    (["张三", "王五", "丁一"], ["丁一", "王五", "张三"]),
    # equal counts (4): first stroke 横(王) 竖(中) 撇(毛) 点(方) 折(尹)
    (["尹明", "方明", "毛明", "中明", "王明"], ["王明", "中明", "毛明", "方明", "尹明"]),
    # same surname: the next character decides
    (["王五", "王二", "王晓"], ["王二", "王五", "王晓"]),
    # a shorter name before a longer one with the same start; a dot in a transliterated name is ignored
    (["王小明", "王小"], ["王小", "王小明"]),
    (["阿不都·热合曼", "阿不"], ["阿不", "阿不都·热合曼"]),
    # the same surname stays together even if another surname has the same count and first stroke
    (["李四", "杨一", "李一"], ["李一", "李四", "杨一"]),
])
def test_R7_12_surname_stroke_order(names, expected):
    assert rules.stroke_order(names) == expected


def test_R7_12_order_is_independent_of_input_order():
    names = ["欧阳红", "王芳", "马丽", "艾力", "买买提", "古丽", "热依拉", "张伟", "刘洋", "丁宁"]
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    assert rules.stroke_order(names) == rules.stroke_order(shuffled)
    assert rules.stroke_order(names)[:3] == ["丁宁", "马丽", "王芳"]


# --- R7.13 – R7.17 ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind,refusal", [
    ("branch", "基层团组织不设候补委员"), ("committee", "基层团组织不设候补委员"), ("league_county", None),
])
def test_R7_13_no_alternates_at_basic_level(kind, refusal):
    assert rules.alternates_refusal(unit_kind=kind) == refusal


@pytest.mark.parametrize("kind,seats,standing,advice", [
    ("branch", 3, False, None), ("branch", 5, False, None), ("branch", 7, False, "委员会通常为 3–5 人，本次应选 7 人"),
    ("general_branch", 5, False, None), ("committee", 9, False, None), ("committee", 11, False, "委员会通常为 7–9 人，本次应选 11 人"),
    ("committee", 17, True, None), ("league_county", 21, False, None),
])
def test_R7_13_typical_sizes(kind, seats, standing, advice):
    assert rules.size_advice(unit_kind=kind, seats=seats, has_standing_committee=standing) == advice


@pytest.mark.parametrize("members,allowed", [(199, False), (200, True)])
def test_R7_13_members_congress_from_200_members(members, allowed):
    assert rules.members_congress_allowed(member_count=members) is allowed


@pytest.mark.parametrize("kind,office,plenary,refusal", [
    ("league_county", Office.COMMITTEE, False, None),
    ("league_county", Office.ALTERNATE, False, None),
    ("league_county", Office.STANDING, True, None),
    ("league_county", Office.SECRETARY, True, None),
    ("league_county", Office.SECRETARY, False, "书记由新一届委员会全体会议选举产生"),
    ("league_county", Office.COMMITTEE, True, "全体委员会议不选举委员"),
    ("branch", Office.ALTERNATE, False, "基层团组织不设候补委员"),
    ("branch", Office.SECRETARY, False, None),  # a branch meeting may elect its secretary directly
])
def test_R7_14_who_elects_which_office(kind, office, plenary, refusal):
    assert rules.office_refusal(unit_kind=kind, office=office, by_plenary=plenary) == refusal


def test_R7_14_plenary_elects_from_the_new_committee():
    assert rules.plenary_candidate_refusal(candidate_ids=[1, 2], committee_ids=[1, 2, 3]) is None
    assert rules.plenary_candidate_refusal(candidate_ids=[1, 9], committee_ids=[1, 2, 3]) == "全委会只能从新当选的委员中选举"


def test_R7_15_alternates_rank_by_votes_then_stroke_order():
    names = {"k1": "张三", "k2": "王五", "k3": "丁一", "k4": "马六"}
    yes = {"k1": 80, "k2": 70, "k3": 70, "k4": 90}
    assert rules.rank_alternates(yes=yes, elected=["k1", "k2", "k3", "k4"], name=names.__getitem__) == ["k4", "k1", "k3", "k2"]


@pytest.mark.parametrize("total,already,adding,refusal", [
    (21, 0, 7, None), (21, 5, 2, None), (21, 5, 3, "增选人数不能超过选举产生总数（21 名）的三分之一，即 7 名；已增选 5 名"),
    (5, 1, 1, "增选人数不能超过选举产生总数（5 名）的三分之一，即 1 名；已增选 1 名"),
])
def test_R7_16_by_elections_at_most_a_third(total, already, adding, refusal):
    assert rules.by_election_refusal(elected_total=total, already_added=already, adding=adding) == refusal


@pytest.mark.parametrize("party,above,status", [
    (None, None, "pending"), (D(2023, 3, 1), None, "partly_approved"), (D(2023, 3, 1), D(2023, 3, 5), "approved"),
])
def test_R7_16_composition_needs_two_approvals(party, above, status):
    assert rules.composition_status(party_approved_on=party, above_approved_on=above) == status


@pytest.mark.parametrize("last,today,overdue", [
    (None, D(2024, 2, 20), False), (None, D(2024, 2, 21), True), (D(2024, 1, 10), D(2025, 1, 10), False),
    (D(2024, 1, 10), D(2025, 1, 11), True),
])
def test_R7_16_plenary_at_least_yearly(last, today, overdue):
    assert rules.plenary_overdue(last_plenary_on=last, term_started_on=D(2023, 2, 20), today=today) is overdue


def test_R7_17_delegate_structure_against_targets():
    F = rules.DelegateFacts
    delegates = [F("female", "汉族", 25, True), F("female", "维吾尔族", 30, False), F("male", "哈萨克族", 27, True),
                 F("male", "汉族", 35, False)]
    figs = rules.delegate_structure(delegates, women_share=Decimal("0.4"), minority_share=Decimal("0.6"),
                                    frontline_share=0, young_share=Decimal("0.5"), young_max_age=28)
    assert [(f.key, f.count, f.total, f.met) for f in figs] == [
        ("women", 2, 4, True), ("minority", 2, 4, False), ("frontline", 2, 4, None), ("young", 2, 4, True)]
    assert figs[3].label == "28 周岁及以下"


# --- properties -------------------------------------------------------------------------------

CANDS = ["c0", "c1", "c2", "c3", "c4", "c5"]
marks = st.sampled_from([Mark.YES, Mark.NO, Mark.ABSTAIN])
ballot_st = st.builds(
    lambda ms, wi: Ballot(dict(zip(CANDS, ms, strict=True)), tuple(wi)),
    st.lists(marks, min_size=len(CANDS), max_size=len(CANDS)),
    st.lists(st.sampled_from(["王五", "赵六"]), max_size=2, unique=True),
)


def _count(ballots, seats, present):
    t = rules.tally(ballots, seats=seats, candidate_keys=CANDS)
    return t, rules.decide_round(yes={k: t.yes.get(k, 0) for k in [*CANDS, *t.yes]}, seats=seats, base=present)


@settings(max_examples=150, deadline=None)
@given(st.lists(ballot_st, max_size=40), st.integers(1, 4), st.randoms(use_true_random=False))
def test_R7_10_property_result_independent_of_entry_order(ballots, seats, rnd):
    shuffled = ballots[:]
    rnd.shuffle(shuffled)
    first, second = _count(ballots, seats, len(ballots)), _count(shuffled, seats, len(ballots))
    assert first[1] == second[1]
    assert (first[0].valid, first[0].void, first[0].yes) == (second[0].valid, second[0].void, second[0].yes)


@settings(max_examples=150, deadline=None)
@given(st.lists(ballot_st, max_size=40), st.integers(1, 4), st.integers(0, 10))
def test_R7_9_property_never_more_winners_than_seats_and_all_above_threshold(ballots, seats, absent_voters):
    present = len(ballots) + absent_voters  # people present who returned no ballot still count in the base
    t, out = _count(ballots, seats, present)
    assert len(out.elected) + out.tie_seats + out.shortfall == seats
    assert len(out.elected) <= seats
    for key in out.elected:
        assert 2 * t.yes[key] > present
    for key in out.tied:
        assert 2 * t.yes[key] > present
    assert len(out.tied) > out.tie_seats or not out.tied


@settings(max_examples=200, deadline=None)
@given(ballot_st, st.integers(0, len(CANDS) - 1), marks, st.booleans())
def test_R7_7_property_double_entry_catches_any_single_differing_mark(ballot, index, new_mark, touch_write_in):
    key = CANDS[index]
    if touch_write_in:
        changed = Ballot(dict(ballot.marks), (*ballot.write_ins, "孙七"))
        assert rules.ballot_differences(ballot, changed, candidate_keys=CANDS) == ["write_ins"]
    else:
        changed = Ballot({**ballot.marks, key: new_mark}, ballot.write_ins)
        expected = [] if ballot.marks[key] == new_mark else [key]
        assert rules.ballot_differences(ballot, changed, candidate_keys=CANDS) == expected
    assert rules.ballot_differences(ballot, ballot, candidate_keys=CANDS) == []
