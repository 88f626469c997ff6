"""Cadre actions, the staffing query and the irregular-case to-do items on the real database."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from tuanwu.cadres import actions, queries
from tuanwu.cadres.models import PostTerms, Secondment
from tuanwu.cadres.testing import make_cadre
from tuanwu.core import todos
from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import set_rule
from tuanwu.people.actions import end_post_holding
from tuanwu.people.testing import make_person

D = datetime.date
START = D(2022, 3, 1)


def county_committee(world):
    """The article's county committee: "一正一副" = 2 full-time posts, plus a part-time and a
    seconded 副书记 outside the establishment."""
    actions.set_staffing_quota(actor=world.county_admin, unit=world.county, effective_from=D(2022, 1, 1),
                               full_time_posts=2, positions={"secretary": 1, "deputy_secretary": 3})
    secretary = make_cadre(world, world.county, "甲书记", kind="full_time", in_establishment=True)
    deputy = make_cadre(world, world.county, "乙副书记", position="deputy_secretary", kind="full_time",
                        in_establishment=True)
    part_time = make_cadre(world, world.county, "丙副书记", position="deputy_secretary", kind="part_time")
    seconded = make_cadre(world, world.county, "丁副书记", position="deputy_secretary", kind="seconded",
                          home_employer="县教育局", planned_end_on=D(2024, 3, 1))
    return secretary, deputy, part_time, seconded


def todo_kinds(user):
    return sorted((i.kind, i.unit_name) for i in todos.alerts_for(user) if i.kind in queries.IRREGULAR_KINDS)


def test_R8_2_establishment_counting_excludes_part_time_and_seconded_posts(world):
    county_committee(world)
    result = queries.staffing(world.county, timezone.localdate(), user=world.county_admin)
    row = result.unit(world.county.pk)
    assert (row.full_time_quota, row.used, row.over) == (2, 2, 0)
    assert result.by_kind == {"专职": 2, "挂职": 1, "兼职": 1, "未登记类型": 0}
    assert [(p.label, p.holders, p.quota) for p in row.positions] == [("书记", 1, 1), ("副书记", 3, 3)]
    assert row.vacancies == []
    assert result.irregular == []
    assert todo_kinds(world.county_admin) == []


def test_R8_2_over_quota_raises_its_todo_item(world):
    county_committee(world)
    make_cadre(world, world.county, "戊副书记", position="deputy_secretary", kind="full_time", in_establishment=True)
    # A further part-time deputy never uses the establishment.
    make_cadre(world, world.county, "己委员", position="committee_member", kind="part_time")
    row = queries.staffing(world.county, timezone.localdate()).unit(world.county.pk)
    assert (row.used, row.over) == (3, 1)
    items = [i for i in todos.alerts_for(world.county_admin) if i.kind == "超编"]
    assert [(i.unit_name, i.text, i.severity) for i in items] == [
        ("团测试县委", "团测试县委超编 1 人：专职编制 2 个，占用 3 个", "danger")]
    # The township secretary does not see the county's staffing.
    assert todo_kinds(world.town_secretary) == []


def test_R8_2_vacancy_in_a_secretary_post_raises_its_todo_item(world):
    terms = make_cadre(world, world.town_a, "庚书记", kind="part_time")
    assert todo_kinds(world.town_secretary) == []
    end_post_holding(actor=world.county_admin, holding=terms.holding, ended_on=timezone.localdate() - datetime.timedelta(days=1))
    assert todo_kinds(world.town_secretary) == [("书记空缺", "甲镇团委")]
    assert todo_kinds(world.county_admin) == [("书记空缺", "甲镇团委")]
    row = queries.staffing(world.town_a, timezone.localdate()).unit(world.town_a.pk)
    assert row.vacancies == [("书记", 1)]
    # A quota naming a 书记 makes the post exist even where no one ever held it.
    actions.set_staffing_quota(actor=world.county_admin, unit=world.town_b, effective_from=D(2022, 1, 1),
                               full_time_posts=0, positions={"secretary": 1})
    assert todo_kinds(world.county_admin) == [("书记空缺", "乙镇团委"), ("书记空缺", "甲镇团委")]


def test_R8_1_secondment_shorter_than_the_minimum_raises_its_todo_item(world):
    make_cadre(world, world.county, "辛副书记", position="deputy_secretary", kind="seconded", home_employer="县财政局",
               started_on=START, planned_end_on=D(2023, 3, 1))
    items = [i for i in todos.alerts_for(world.county_admin) if i.kind == "挂职期限不足"]
    assert [i.text for i in items] == [
        "辛副书记（团测试县委副书记）挂职 2022-03-01 至 2023-03-01，短于规定的 2 年"]
    # The county sets one year, from before the appointment: the same 挂职 is now long enough.
    set_rule(actor=world.superuser, key="cadres.secondment_min_years", raw_value="1", county=world.county,
             effective_from=D(2022, 1, 1), allow_past=True)
    assert todo_kinds(world.county_admin) == []


def test_R8_4_cadre_over_the_age_ceiling_raises_its_todo_item(world):
    today = timezone.localdate()
    older = make_cadre(world, world.town_a, "壬书记", birth=D(today.year - 40, 1, 1))
    make_cadre(world, world.town_a, "癸副书记", position="deputy_secretary", birth=D(today.year - 30, 1, 1))
    assert todo_kinds(world.county_admin) == []  # default 0: no ceiling
    set_rule(actor=world.superuser, key="cadres.age_ceiling", raw_value="35", county=world.county,
             effective_from=D(2020, 1, 1), allow_past=True)
    items = [i for i in todos.alerts_for(world.town_secretary) if i.kind == "超龄团干部"]
    assert [i.text for i in items] == [
        f"壬书记（甲镇团委书记）现年 {older.holding.person.age} 周岁，超过团干部年龄上限 35 周岁"]


def test_R8_3_secondment_without_approval_is_refused_and_changes_nothing(world):
    _, deputy, _, _ = county_committee(world)
    audits, terms_before = AuditEvent.objects.count(), PostTerms.objects.filter(pk=deputy.pk).values().get()
    with pytest.raises(DomainError) as refused:
        actions.second_cadre(actor=world.county_admin, holding=deputy.holding, move="borrowed",
                             destination="县委办公室", started_on=D(2023, 6, 1))
    assert refused.value.message == "专职团干部借调、抽调或挂职外出须经县委批准：请填写县委批准文号和批准日期，未经批准不能办理"
    assert refused.value.field == "approval_number"
    with pytest.raises(DomainError) as late:
        actions.second_cadre(actor=world.county_admin, holding=deputy.holding, move="drawn", destination="县委办公室",
                             started_on=D(2023, 6, 1), approval_number="乌县党干〔2023〕21号",
                             approval_date=D(2023, 6, 5))
    assert late.value.message == "县委批准日期不能晚于借调开始日期：须先批准、后借调"
    assert AuditEvent.objects.count() == audits
    assert Secondment.objects.count() == 0
    assert PostTerms.objects.filter(pk=deputy.pk).values().get() == terms_before
    assert todo_kinds(world.county_admin) == []


def test_R8_3_secondment_with_approval_is_accepted_audited_and_kept_as_history(world):
    _, deputy, part_time, _ = county_committee(world)
    secondment = actions.second_cadre(
        actor=world.county_admin, holding=deputy.holding, move="borrowed", destination="县委办公室",
        started_on=D(2023, 6, 1), planned_end_on=D(2023, 12, 31), approval_number="乌县党干〔2023〕21号",
        approval_date=D(2023, 5, 20))
    event = AuditEvent.objects.get(action="借调团干部")
    assert (event.actor, event.object_id) == (world.county_admin, str(secondment.pk))
    assert event.after["approval_number"] == "乌县党干〔2023〕21号"
    assert (secondment.cadre_kind, secondment.has_approval) == ("full_time", True)
    # A second move while the first is open is refused; ending it keeps it as history.
    with pytest.raises(DomainError, match="尚未结束"):
        actions.second_cadre(actor=world.county_admin, holding=deputy.holding, move="drawn", destination="县纪委",
                             started_on=D(2023, 7, 1), approval_number="x", approval_date=D(2023, 6, 1))
    actions.end_secondment(actor=world.county_admin, secondment=secondment, ended_on=D(2023, 12, 31))
    assert list(deputy.holding.secondments.values_list("destination", "ended_on")) == [("县委办公室", D(2023, 12, 31))]
    # R8.3 is about full-time cadres: a part-time one may be borrowed without the county's approval.
    borrowed = actions.second_cadre(actor=world.county_admin, holding=part_time.holding, move="borrowed",
                                    destination="县团校", started_on=D(2023, 6, 1))
    assert borrowed.has_approval is False
    assert todo_kinds(world.county_admin) == []


def test_R8_3_secondment_found_without_approval_raises_its_todo_item_until_approved(world):
    _, deputy, _, _ = county_committee(world)
    found = actions.record_unapproved_secondment(
        actor=world.county_admin, holding=deputy.holding, move="drawn",
        destination="县政府办公室", started_on=D(2023, 3, 1), note="巡察发现")
    items = [i for i in todos.alerts_for(world.county_admin) if i.kind == "未经批准借调"]
    assert [i.text for i in items] == [
        "专职团干部乙副书记（团测试县委副书记）自 2023-03-01 起抽调至县政府办公室，没有县委批准记录"]
    actions.approve_secondment(actor=world.county_admin, secondment=found, approval_number="乌县党干〔2023〕30号",
                               approval_date=D(2023, 4, 1))
    assert todo_kinds(world.county_admin) == []
    assert AuditEvent.objects.filter(action="补录县委批准", object_id=str(found.pk)).count() == 1


def test_R8_1_only_full_time_posts_use_the_establishment_refusal_changes_nothing(world):
    person = make_person(world, world.county, "子副书记")
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        actions.appoint_cadre(actor=world.county_admin, person=person, unit=world.county, position="deputy_secretary",
                              started_on=START, kind="part_time", in_establishment=True)
    assert refused.value.message == "兼职团干部不占编制：只有专职岗位可以计入编制"
    assert AuditEvent.objects.count() == audits
    assert person.post_holdings.count() == 0


def test_township_secretary_cannot_second_a_county_cadre(world):
    _, deputy, _, _ = county_committee(world)
    audits = AuditEvent.objects.count()
    with pytest.raises(Http404):
        actions.second_cadre(actor=world.town_secretary, holding=deputy.holding, move="borrowed", destination="x",
                             started_on=D(2023, 6, 1), approval_number="x", approval_date=D(2023, 5, 1))
    assert (AuditEvent.objects.count(), Secondment.objects.count()) == (audits, 0)


def test_non_establishment_cadres_eligible_for_R9_7(world):
    today = timezone.localdate()
    long_ago = D(today.year - 3, 1, 1)
    excellent = make_cadre(world, world.town_a, "优秀兼职", started_on=long_ago)
    merely_good = make_cadre(world, world.branch_a1, "称职兼职", started_on=long_ago)
    recent = make_cadre(world, world.branch_a2, "新任兼职", started_on=today - datetime.timedelta(days=200))
    in_est = make_cadre(world, world.county, "编制内专职", kind="full_time", in_establishment=True, started_on=long_ago)
    for terms, grade in ((excellent, "优秀"), (merely_good, "称职"), (recent, "优秀"), (in_est, "优秀")):
        actions.record_appraisal(actor=world.county_admin, person=terms.holding.person, unit=terms.holding.unit,
                                 year=today.year - 1 if terms is not recent else today.year, grade=grade)
    found = queries.non_establishment_cadres_eligible(world.county, today, 2)
    assert [p.name for p in found] == ["优秀兼职"]
    assert found[0].excellent_year == today.year - 1
    assert found[0].league_work_days == (today - long_ago).days
    assert [h.pk for h in found[0].cadre_posts] == [excellent.pk]
    assert [p.name for p in queries.non_establishment_cadres_eligible(world.town_b, today, 2)] == []
    assert sorted(p.name for p in queries.non_establishment_cadres_eligible(world.county, today, 0)) == [
        "优秀兼职", "新任兼职"]


def test_training_courses_hours_and_yearly_figures(world):
    secretary, deputy, _, _ = county_committee(world)
    course = actions.create_training_course(actor=world.county_admin, unit=world.county, title="全县团干部培训班",
                                            started_on=D(2023, 4, 10), ended_on=D(2023, 4, 12), hours="24")
    actions.record_attendance(actor=world.county_admin, course=course, person=secretary.holding.person)
    actions.record_attendance(actor=world.county_admin, course=course, person=deputy.holding.person, hours="16")
    with pytest.raises(DomainError, match="不能超过培训总学时"):
        actions.record_attendance(actor=world.county_admin, course=course, person=make_person(world, world.county, "丑"),
                                  hours="30")
    figures = queries.training_figures(world.county, 2023, timezone.localdate())
    assert (figures.courses, figures.person_times, figures.people, figures.hours) == (1, 2, 2, Decimal("40.0"))
    assert (figures.cadres, figures.cadres_trained, figures.cadres_trained_share) == (4, 2, "50%")
    assert queries.training_hours([secretary.holding.person_id], 2023) == {secretary.holding.person_id: Decimal("24.0")}


def test_the_to_do_list_and_the_staffing_page_find_the_same_irregular_cases(world):
    today = timezone.localdate()
    _, deputy, _, _ = county_committee(world)
    make_cadre(world, world.county, "寅副书记", position="deputy_secretary", kind="full_time", in_establishment=True)
    make_cadre(world, world.county, "卯委员", position="committee_member", kind="seconded", home_employer="县财政局",
               planned_end_on=D(2022, 9, 1))
    make_cadre(world, world.town_a, "辰书记", birth=D(today.year - 45, 1, 1))
    set_rule(actor=world.superuser, key="cadres.age_ceiling", raw_value="40", county=world.county,
             effective_from=D(2020, 1, 1), allow_past=True)
    gone = make_cadre(world, world.town_b, "巳书记")
    end_post_holding(actor=world.county_admin, holding=gone.holding, ended_on=today - datetime.timedelta(days=3))
    actions.record_unapproved_secondment(actor=world.county_admin, holding=deputy.holding, move="borrowed",
                                         destination="县委组织部", started_on=D(2023, 3, 1), note="巡察发现")
    page = {(i.kind, i.unit.name, i.text) for i in queries.staffing(world.county, today, user=world.county_admin).irregular}
    listed = {(i.kind, i.unit_name, i.text) for i in todos.alerts_for(world.county_admin)
              if i.kind in queries.IRREGULAR_KINDS}
    assert page == listed
    assert sorted(kind for kind, _, _ in listed) == sorted(queries.IRREGULAR_KINDS)
