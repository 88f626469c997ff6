"""Review and registration (R3) and 推优入党 (R4) on the real database, including the letter."""

import datetime
import io
import subprocess
import tempfile

import pytest
from django.core.exceptions import PermissionDenied

from tuanwu.core import documents
from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.membership import actions, party, review
from tuanwu.membership.models import (
    PartyRecommendation,
    Registration,
    ReviewGrade,
    ReviewSession,
    Status,
)
from tuanwu.membership.tests.life_helpers import TODAY
from tuanwu.organisations.rules import add_months
from tuanwu.people.testing import make_member

D = datetime.date
YEAR = TODAY.year


def _branch(world, n=5, branch=None):
    branch = branch or world.branch_a1
    names = ["甲一", "甲二", "甲三", "甲四", "甲五", "甲六", "甲七", "甲八", "甲九", "甲十"]
    return [make_member(world, branch, names[i]) for i in range(n)]


def _grades(ms, *grades):
    return {m.pk: g for m, g in zip(ms, grades, strict=True)}


def _counts():
    return (AuditEvent.objects.count(), ReviewSession.objects.count(), ReviewGrade.objects.count(),
            Registration.objects.count(), PartyRecommendation.objects.count())


def _past(day, month=1):
    return D(YEAR - 1, month, day)


# R3 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R3_1_review_needs_more_than_two_thirds_present(world):
    ms = _branch(world, 5)
    before = _counts()
    with pytest.raises(DomainError) as info:
        review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=YEAR - 1, held_on=_past(20, 12),
                           present=3, grades=_grades(ms, *["good"] * 5))
    assert info.value.message == "到会 3 人，未超过应到 5 人的三分之二（至少 4 人），评议无效"
    assert _counts() == before
    session = review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=YEAR - 1,
                                 held_on=_past(20, 12), present=4, grades=_grades(ms, *["good"] * 5))
    assert (session.members_due, session.present, session.grades.count()) == (5, 4, 5)


@pytest.mark.django_db
def test_R3_2_excellent_cap_is_a_setting_and_grades_are_approved_above(world):
    ms = _branch(world, 5)
    grades = _grades(ms, "excellent", "excellent", "good", "basic", "good")
    before = _counts()
    with pytest.raises(DomainError) as info:
        review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=YEAR - 1, held_on=_past(20, 12),
                           present=5, grades=grades)
    assert info.value.message == "“优秀”2 名，超过评议人数 5 名的 30%（最多 1 名）"
    assert _counts() == before
    set_rule(actor=world.superuser, key="review.excellent_cap", raw_value="0.4", county=world.county,
             effective_from=D(YEAR - 2, 1, 1), allow_past=True)
    session = review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=YEAR - 1,
                                 held_on=_past(20, 12), present=5, grades=grades)
    with pytest.raises(PermissionDenied):
        review.approve_review(actor=world.branch_secretary, session=session, on=_past(28, 12))
    review.approve_review(actor=world.town_secretary, session=session, on=_past(28, 12))
    session.refresh_from_db()
    assert (session.approved_on, session.approved_by_unit_id) == (_past(28, 12), world.town_a.pk)


@pytest.mark.django_db
def test_R3_3_failed_member_reassessed_after_three_to_six_months_then_persuaded(world):
    ms = _branch(world, 3)
    held = add_months(TODAY, -4)
    session = review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=held.year, held_on=held,
                                 present=3, grades=_grades(ms, "good", "failed", "failed"))
    g1, g2 = ReviewGrade.objects.filter(session=session, grade="failed").order_by("pk")
    with pytest.raises(DomainError) as info:
        review.reassess(actor=world.branch_secretary, grade=g1, on=add_months(held, 3) - datetime.timedelta(days=1),
                        new_grade="basic")
    assert info.value.message == f"整改期不少于 3 个月：{add_months(held, 3):%Y-%m-%d} 起方可复评"
    review.reassess(actor=world.branch_secretary, grade=g1, on=TODAY, new_grade="basic")
    review.reassess(actor=world.branch_secretary, grade=g2, on=TODAY, new_grade="failed")
    g1.refresh_from_db()
    g2.refresh_from_db()
    assert (g1.effective_grade, g1.persuaded_on, g2.effective_grade, g2.persuaded_on) == ("basic", None, "failed", TODAY)


def _approved_review(world, ms, grades, year=YEAR - 1):
    session = review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=year,
                                 held_on=D(year, 12, 20), present=len(ms), grades=_grades(ms, *grades))
    return review.approve_review(actor=world.town_secretary, session=session, on=D(year, 12, 28))


def _window_all_year(world):
    for key, value in (("registration.month_start", 1), ("registration.month_end", 12)):
        set_rule(actor=world.superuser, key=key, raw_value=value, county=world.county, effective_from=D(YEAR - 2, 1, 1),
                 allow_past=True)


@pytest.mark.django_db
def test_R3_4_party_members_keeping_membership_are_registered_not_reviewed(world):
    _window_all_year(world)
    ms = _branch(world, 3)
    actions.change_status(actor=world.county_admin, membership=ms[2], to_status=Status.PARTY_MEMBER_KEEPING,
                          on=D(YEAR - 1, 6, 1))
    assert sorted(m.pk for m in review.reviewable(world.branch_a1)) == sorted([ms[0].pk, ms[1].pk])
    _approved_review(world, ms[:2], ["good", "good"])
    row = review.register(actor=world.branch_secretary, membership=ms[2], year=YEAR, on=TODAY)
    assert (row.outcome, row.year) == ("registered", YEAR)


@pytest.mark.django_db
def test_R3_5_only_basic_or_better_register_inside_the_configured_months(world):
    ms = _branch(world, 3)
    _approved_review(world, ms, ["good", "basic", "failed"])
    # Default window is January–March; the test date is outside it unless the county widens it.
    if not 1 <= TODAY.month <= 3:
        before = _counts()
        with pytest.raises(DomainError) as info:
            review.register(actor=world.branch_secretary, membership=ms[0], year=YEAR, on=TODAY)
        assert info.value.message == "团籍注册时间为每年 1–3 月"
        assert _counts() == before
    _window_all_year(world)
    done, refused = review.register_branch(actor=world.branch_secretary, branch=world.branch_a1, year=YEAR, on=TODAY)
    assert sorted(r.membership_id for r in done) == sorted([ms[0].pk, ms[1].pk])
    assert [(m.pk, reason) for m, reason in refused] == [(ms[2].pk, "评议等次为“不合格”，基本合格及以上方可注册")]
    with pytest.raises(DomainError) as info:
        review.register(actor=world.branch_secretary, membership=ms[0], year=YEAR, on=TODAY)
    assert info.value.message == f"{YEAR} 年度已注册"


@pytest.mark.django_db
def test_R3_6_deferral_three_to_six_months_then_registered_and_the_year_flag(world):
    ms = _branch(world, 2)
    _approved_review(world, ms, ["good", "good"])
    before = _counts()
    with pytest.raises(DomainError) as info:
        review.defer_registration(actor=world.branch_secretary, membership=ms[0], year=YEAR, on=add_months(TODAY, -4),
                                  until=add_months(TODAY, -2), reason="未参加组织生活")
    assert info.value.message.startswith("暂缓注册期限为 3–6 个月")
    assert _counts() == before
    review.defer_registration(actor=world.branch_secretary, membership=ms[0], year=YEAR, on=add_months(TODAY, -4),
                              until=add_months(TODAY, -1), reason="未参加组织生活")
    ms[0].refresh_from_db()
    assert ms[0].status == Status.REGISTRATION_DEFERRED
    review.register(actor=world.branch_secretary, membership=ms[0], year=YEAR, on=TODAY)
    ms[0].refresh_from_db()
    assert ms[0].status == Status.MEMBER
    # R3.6 flag: the other member joined years ago and has never been registered.
    flagged = [m.pk for m in review.unregistered_members(world.branch_secretary, TODAY)]
    assert flagged == [ms[1].pk]


# R4 --------------------------------------------------------------------------------------------


def _proposed(world, kind="to_activist", **extra):
    ms = _branch(world, 4)
    rec = party.propose(actor=world.branch_secretary, membership=ms[0], kind=kind, proposed_on=add_months(TODAY, -2),
                        **extra)
    return rec, ms


@pytest.mark.django_db
def test_R4_1_two_kinds_and_the_second_needs_a_party_activist(world):
    ms = _branch(world, 2)
    before = _counts()
    with pytest.raises(DomainError) as info:
        party.propose(actor=world.branch_secretary, membership=ms[0], kind="to_candidate", proposed_on=TODAY)
    assert info.value.message == "推荐为党员发展对象人选，须先是入党积极分子：请填写确定为入党积极分子的日期"
    assert _counts() == before
    rec = party.propose(actor=world.branch_secretary, membership=ms[0], kind="to_candidate", proposed_on=TODAY,
                        party_activist_on=add_months(TODAY, -12))
    assert rec.get_kind_display() == "推荐入党积极分子作为党员发展对象人选"


@pytest.mark.django_db
def test_R4_2_members_meeting_quorum_and_anonymous_counts_only(world):
    rec, _ = _proposed(world)
    before = _counts()
    with pytest.raises(DomainError) as info:
        party.record_meeting(actor=world.branch_secretary, recommendation=rec, meeting_on=add_months(TODAY, -1),
                             due=10, present=5, yes=5, no=0, abstain=0)
    assert info.value.message == "到会 5 人，未超过应到 10 人的半数，不能进行推优表决"
    assert _counts() == before
    # Anonymous: the record holds counts, no voter.
    field_names = {f.name for f in PartyRecommendation._meta.get_fields()}
    assert not any("voter" in name or "ballot" in name for name in field_names)


@pytest.mark.django_db
def test_R4_3_passes_only_with_more_than_half_of_those_due(world):
    rec, _ = _proposed(world)
    rec = party.record_meeting(actor=world.branch_secretary, recommendation=rec, meeting_on=add_months(TODAY, -1),
                               due=10, present=8, yes=5, no=3, abstain=0)
    assert rec.state == "failed"  # 5 of 8 present would pass an admission vote; 5 of 10 due does not
    rec2, _ = _proposed(world)
    rec2 = party.record_meeting(actor=world.branch_secretary, recommendation=rec2, meeting_on=add_months(TODAY, -1),
                                due=10, present=8, yes=6, no=2, abstain=0)
    assert rec2.state == "passed"


def _reviewed(world, months_ago=2):
    rec, ms = _proposed(world)
    meeting = add_months(TODAY, -months_ago) + datetime.timedelta(days=3)
    party.record_meeting(actor=world.branch_secretary, recommendation=rec, meeting_on=meeting, due=10, present=8,
                         yes=7, no=1, abstain=0)
    party.post_notice(actor=world.branch_secretary, recommendation=rec, starts_on=meeting + datetime.timedelta(days=1))
    return rec, ms, meeting


@pytest.mark.django_db
def test_R4_4_notice_review_validity_setting_and_the_letter(world):
    rec, ms, meeting = _reviewed(world)
    rec.refresh_from_db()
    with pytest.raises(DomainError) as info:
        party.review(actor=world.town_secretary, recommendation=rec, on=rec.notice_ends_on)
    assert info.value.message.startswith(f"推优结果公示期至 {rec.notice_ends_on:%Y-%m-%d}")
    with pytest.raises(PermissionDenied):
        party.review(actor=world.branch_secretary, recommendation=rec, on=TODAY)
    set_rule(actor=world.superuser, key="party_recommendation.validity_months", raw_value=6, county=world.county,
             effective_from=D(YEAR - 2, 1, 1), allow_past=True)
    rec = party.review(actor=world.town_secretary, recommendation=rec, on=TODAY)
    assert (rec.state, rec.party_organisation, rec.valid_until) == (
        "reviewed", "甲镇党委", add_months(TODAY, 6) - datetime.timedelta(days=1))
    assert party.is_valid_on(rec, TODAY) and not party.is_valid_on(rec, add_months(TODAY, 6))

    # The Word letter names the person, branch, counts, committee and date.
    text = documents.docx_text(party.letter_docx(rec))
    for needle in (ms[0].person.name, "甲村团支部", "应到会有表决权的团员10人，实到8人；赞成7票，反对1票，弃权0票",
                   "甲镇团委", documents.chinese_date(TODAY), "甲镇党委："):
        assert needle in text
    # The PDF, converted with pdftotext, says the same (CJK fonts embedded).
    pdf = party.letter_pdf(rec)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True).stdout.decode()
    flat = "".join(out.split())
    for needle in (ms[0].person.name, "甲村团支部", "实到8人", "赞成7票", "反对1票", "弃权0票", "甲镇团委",
                   documents.chinese_date(TODAY)):
        assert needle in flat, needle
    assert io.BytesIO(pdf).read(4) == b"%PDF"


@pytest.mark.django_db
def test_R4_letter_refused_before_review(world):
    rec, _ = _proposed(world)
    with pytest.raises(DomainError) as info:
        party.letter_docx(rec)
    assert info.value.message == "团委审查同意后才能出具推荐意见"
    with pytest.raises(DomainError):
        party.letter_pdf(rec)
