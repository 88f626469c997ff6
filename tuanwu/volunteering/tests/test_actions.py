"""Actions and pages of 西部计划 on the real database, with the test world's users."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.organisations import actions as org_actions
from tuanwu.organisations.models import Role
from tuanwu.volunteering import actions, queries
from tuanwu.volunteering.models import Placement, Recommendation, Volunteer
from tuanwu.volunteering.testing import (
    make_cohort,
    make_eligible_volunteer,
    make_post,
    make_service_unit,
    make_volunteer,
    serve_years,
)


@pytest.fixture
def office(world):
    """A 西部计划项目办 user on the test county."""
    from tuanwu.accounts.models import User

    user = User.objects.create_user("vol_office", password="x-1234567-一二", full_name="项目办", must_change_password=False)
    org_actions.grant_role(actor=world.superuser, user=user, unit=world.county, role=Role.VOLUNTEER_OFFICE,
                           starts_on=datetime.date(2020, 1, 1))
    return user


@pytest.fixture
def small_cohort(world):
    """Three volunteers, three posts: the two modes disagree (see the test below)."""
    cohort = make_cohort(world)
    town = make_service_unit(world)
    organ = make_service_unit(world, name="县委组织部", kind="county_organ")
    party = make_post(world, cohort, organ, "党建宣传", preferred_specialties=["汉语言文学"])
    rural = make_post(world, cohort, town, "乡村振兴专干", field="乡村振兴", required_specialties=["农学"])
    grid = make_post(world, cohort, town, "综治网格", field="基层社会治理")
    a = make_volunteer(world, cohort, "甲一", major="汉语言文学", score=70)
    b = make_volunteer(world, cohort, "乙二", major="法学", score=90)
    c = make_volunteer(world, cohort, "丙三", major="农学", score=60)
    actions.set_wishes(actor=world.superuser, volunteer=a, posts=[party, grid])
    actions.set_wishes(actor=world.superuser, volunteer=b, posts=[party, grid])
    # 丙三 ranks the rural post second; its first wish needs 汉语言文学 only as a preference.
    actions.set_wishes(actor=world.superuser, volunteer=c, posts=[grid, rural])
    return cohort, {"party": party, "rural": rural, "grid": grid}, {"a": a, "b": b, "c": c}


def test_placement_stable_mode_saves_explained_rows_and_audits(world, office, small_cohort):
    cohort, posts, people = small_cohort
    solution = actions.apply_placement(actor=office, cohort=cohort, mode="stable")
    placed = {p.volunteer.person.name: (p.post.title, p.wish_rank, p.explanation)
              for p in Placement.objects.select_related("volunteer__person", "post")}
    # 党建宣传 prefers 汉语言文学 (specialty first): 甲一 wins it over the higher-scoring 乙二.
    assert placed == {
        "甲一": ("党建宣传", 1, "第 1 志愿；专业匹配：汉语言文学 → 党建宣传"),
        "乙二": ("综治网格", 2, "第 2 志愿；岗位未设专业偏好"),
        "丙三": ("乡村振兴专干", 2, "第 2 志愿；岗位未设专业偏好"),
    }
    assert (solution.quality.placed, solution.quality.first_wish, solution.quality.top3) == (3, 1, 3)
    assert AuditEvent.objects.filter(action="岗位安排（稳定匹配（延迟接受））").count() == 3


def test_placement_override_needs_reason_and_capacity(world, office, small_cohort):
    cohort, posts, people = small_cohort
    actions.apply_placement(actor=office, cohort=cohort, mode="stable")
    b = people["b"]
    before = (AuditEvent.objects.count(), Placement.objects.get(volunteer=b).post_id)
    with pytest.raises(DomainError, match="请填写调整原因"):
        actions.override_placement(actor=office, volunteer=b, post=posts["party"], reason="  ")
    with pytest.raises(DomainError, match="名额已满"):
        actions.override_placement(actor=office, volunteer=b, post=posts["party"], reason="工作需要")
    with pytest.raises(DomainError, match="不符合岗位的必备条件"):
        actions.override_placement(actor=office, volunteer=b, post=posts["rural"], reason="工作需要")
    assert (AuditEvent.objects.count(), Placement.objects.get(volunteer=b).post_id) == before



def test_placement_override_records_reason(world, office, small_cohort):
    cohort, posts, people = small_cohort
    grid2 = make_post(world, cohort, posts["grid"].service_unit, "综治网格二", field="基层社会治理")
    actions.apply_placement(actor=office, cohort=cohort, mode="stable")
    placement = actions.override_placement(actor=office, volunteer=people["b"], post=grid2, reason="照顾家庭困难")
    assert (placement.mode, placement.override_reason, placement.wish_rank) == ("manual", "照顾家庭困难", None)
    assert placement.explanation == "人工调整：照顾家庭困难（非志愿岗位；岗位未设专业偏好）"
    event = AuditEvent.objects.get(action="人工调整岗位")
    assert (event.actor, event.after["override_reason"], event.after["post"]) == (office, "照顾家庭困难", grid2.pk)


def test_placement_refused_to_inspector_and_outsider_changes_nothing(world, small_cohort):
    cohort, _, _ = small_cohort
    count = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        actions.apply_placement(actor=world.inspector, cohort=cohort, mode="stable")
    with pytest.raises(Http404):
        actions.apply_placement(actor=world.town_secretary, cohort=cohort, mode="stable")
    assert (AuditEvent.objects.count(), Placement.objects.count()) == (count, 0)


def test_compare_page_shows_both_modes(world, office, small_cohort, as_user):
    cohort, _, _ = small_cohort
    response = as_user(office).get(reverse("volunteering:cohort_placement", args=[cohort.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "稳定匹配（延迟接受）" in html and "总体匹配度最高" in html
    assert "第 1 志愿；专业匹配：汉语言文学 → 党建宣传" in html
    response = as_user(office).post(reverse("volunteering:cohort_placement_apply", args=[cohort.pk]),
                                     {"mode": "optimal"})
    assert response.status_code == 302
    assert set(Placement.objects.values_list("mode", flat=True)) == {"optimal"}


def test_R9_1_sign_agreements_and_renewal_status(world):
    cohort = make_cohort(world, year=2021)
    volunteer = make_volunteer(world, cohort)
    first = actions.sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=datetime.date(2021, 8, 1))
    assert (first.year_number, first.ends_on) == (1, datetime.date(2022, 7, 31))
    actions.sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=datetime.date(2022, 8, 1))
    volunteer.refresh_from_db()
    assert volunteer.status == "renewed"
    actions.sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=datetime.date(2023, 8, 1))
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="服务期最长 3 年"):
        actions.sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=datetime.date(2024, 8, 1))
    assert (AuditEvent.objects.count(), volunteer.agreements.count()) == (count, 3)


def test_R9_3_old_programme_name_is_mapped_and_kept(world):
    cohort = make_cohort(world)
    volunteer = make_volunteer(world, cohort, programme="服务三农")
    assert (volunteer.programme, volunteer.programme_as_registered) == ("服务乡村建设", "服务三农")
    with pytest.raises(DomainError, match="不是现行或曾用的专项名称"):
        make_volunteer(world, cohort, programme="党建")


def test_R9_4_grade_scale_is_configurable(world):
    cohort = make_cohort(world, year=2021)
    volunteer = make_volunteer(world, cohort)
    serve_years(world, volunteer, 1)
    with pytest.raises(DomainError, match="考核等次只能是：优秀、合格、基本合格、不合格"):
        actions.record_assessment(actor=world.superuser, volunteer=volunteer, kind="yearly", year_number=1,
                                  grade="良好", assessed_on=datetime.date(2022, 7, 1))
    set_rule(actor=world.superuser, key="volunteers.grade_scale", raw_value="优秀、良好、合格、不合格",
             county=world.county, effective_from=datetime.date(2022, 1, 1), allow_past=True)
    assessment = actions.record_assessment(actor=world.superuser, volunteer=volunteer, kind="yearly", year_number=1,
                                           grade="良好", assessed_on=datetime.date(2022, 7, 1))
    assert assessment.grade == "良好"


def test_R9_5_R9_6_eligibility_and_numbered_recommendation(world, office):
    set_rule(actor=world.superuser, key="volunteers.document_prefix", raw_value="乌县团发", county=world.county,
             effective_from=datetime.date(2020, 1, 1), allow_past=True)
    cohort = make_cohort(world, year=2022)
    volunteer = make_eligible_volunteer(world, cohort, "王推荐")
    result = queries.eligibility(volunteer)
    assert (result.bonus, result.recommend) == (True, True)
    on = datetime.date(2026, 5, 12)
    rec = actions.issue_recommendation(actor=office, county=world.county, volunteer=volunteer, channel="考核纳编",
                                       addressee="中共测试县委组织部", on=on)
    assert rec.document_number == "乌县团发〔2026〕1号"
    assert rec.title == "共青团测试县委员会关于推荐王推荐同志参加考核纳编的意见"
    second = actions.issue_recommendation(actor=office, county=world.county, volunteer=volunteer, channel="定向招聘",
                                          addressee="县人社局", on=on)
    assert second.document_number == "乌县团发〔2026〕2号"
    plain = make_volunteer(world, cohort, "李一年")
    serve_years(world, plain, 1)
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="已就“考核纳编”推荐过该同志"):
        actions.issue_recommendation(actor=office, county=world.county, volunteer=volunteer, channel="考核纳编",
                                     addressee="x", on=on)
    with pytest.raises(DomainError, match="不符合推荐条件：服务满 1 年，不足 2 年"):
        actions.issue_recommendation(actor=office, county=world.county, volunteer=plain, channel="招聘加分",
                                     addressee="x", on=on)
    assert (AuditEvent.objects.count(), Recommendation.objects.count()) == (count, 2)


def test_R9_7_cadre_recommendation_uses_the_cadres_query(world, office):
    from tuanwu.volunteering import queries as q

    assert q.cadres_available()
    # No non-establishment cadre in the test world: nobody is eligible and a request is refused.
    assert q.eligible_cadres(world.county) == []
    from tuanwu.people.testing import make_person

    person = make_person(world, world.branch_a1, "张干部")
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="不符合编外团干部推荐条件"):
        actions.issue_recommendation(actor=office, county=world.county, cadre=person, channel="定向招聘",
                                     addressee="x")
    assert AuditEvent.objects.count() == count


def test_R9_8_retention_by_cohort(world):
    cohort = make_cohort(world, year=2021)
    outcomes = ["stayed_employer", "stayed_other", "left", ""]
    for outcome in outcomes:
        volunteer = make_volunteer(world, cohort)
        agreements = serve_years(world, volunteer, 1)
        actions.end_service(actor=world.superuser, volunteer=volunteer, on=agreements[-1].ends_on, outcome=outcome)
    early = make_volunteer(world, cohort)
    serve_years(world, early, 1)
    actions.end_service(actor=world.superuser, volunteer=early, on=datetime.date(2022, 1, 1), early=True,
                        outcome="stayed_other")
    [(found, retention)] = queries.retention_by_cohort(world.county_admin)
    assert (found, retention.completed, retention.stayed, retention.percent_text) == (cohort, 4, 2, "50.0%")
    assert queries.retention_by_cohort(world.town_secretary) == []


def test_R9_9_safety_report_todo_until_reported(world, office):
    from tuanwu.volunteering import todos
    from tuanwu.volunteering.rules import previous_month

    today = timezone.localdate()
    cohort = make_cohort(world, year=today.year - 1)
    volunteer = make_volunteer(world, cohort)
    actions.sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=today - datetime.timedelta(days=30))
    missing = queries.missing_safety_months(cohort, today)
    assert missing[-1] == previous_month(today)
    items = list(todos.alerts_for(office))
    assert len(items) == 1 and items[0].kind == "西部计划安全报告" and items[0].text.startswith(f"{cohort.year}年西部计划志愿者缺少月度安全报告")
    assert list(todos.alerts_for(world.town_secretary)) == []
    for month in missing:
        actions.submit_safety_report(actor=office, cohort=cohort, month=month, incidents=0)
    assert queries.missing_safety_months(cohort, today) == []
    with pytest.raises(DomainError, match="有安全事件时请填写情况说明"):
        actions.submit_safety_report(actor=office, cohort=cohort, month=today, incidents=1)


def test_mentor_one_per_volunteer_and_load(world):
    old = make_cohort(world, year=2021)
    senior = make_volunteer(world, old, "老志愿")
    cohort = make_cohort(world, year=2022)
    volunteer = make_volunteer(world, cohort, "新志愿")
    other = make_volunteer(world, cohort, "同届")
    with pytest.raises(DomainError, match="往届志愿者导师应是更早届次的志愿者"):
        actions.assign_mentor(actor=world.superuser, volunteer=volunteer, mentor=other.person, kind="senior")
    actions.assign_mentor(actor=world.superuser, volunteer=volunteer, mentor=senior.person, kind="senior")
    actions.assign_mentor(actor=world.superuser, volunteer=other, mentor=senior.person, kind="senior")
    actions.log_mentoring(actor=world.superuser, volunteer=volunteer, on=datetime.date(2022, 9, 1), content="带教")
    assert [(m["mentor__name"], m["n"]) for m in queries.mentor_load(cohort)] == [("老志愿", 2)]
    assert Volunteer.objects.get(pk=volunteer.pk).mentoring_logs.get().mentor == senior.person


def test_self_service_shows_own_record_only(world, client):
    from tuanwu.accounts.models import User

    user = User.objects.create_user("vol_self", password="x-1234567-一二", full_name="志愿者本人",
                                    must_change_password=False)
    cohort = make_cohort(world)
    mine = make_volunteer(world, cohort, "本人", user=user)
    other = make_volunteer(world, cohort, "别人")
    client.force_login(user)
    response = client.get(reverse("volunteering:my_service"))
    assert response.status_code == 200 and "我的志愿服务" in response.content.decode()
    assert client.get(reverse("volunteering:volunteer_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("volunteering:volunteer_detail", args=[other.pk])).status_code == 404
