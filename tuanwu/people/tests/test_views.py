"""Registry pages through the test client: who sees whom, masking, the audited reveal, search,
filters and the list's query budget."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuanwu.core.models import AuditEvent
from tuanwu.membership.models import Status
from tuanwu.people.models import Person
from tuanwu.people.testing import make_id_number, make_member, make_person

TODAY = timezone.localdate()


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def list_names(user, **params):
    response = client_for(user).get(reverse("people:list"), params)
    assert response.status_code == 200
    return [p.name for p in response.context["people"]]


@pytest.fixture
def pioneer(world):
    # Under 14 today, in the school's squadron, known by a 学籍号 only.
    return make_person(world, world.squadron, "小红", birth=datetime.date(TODAY.year - 9, 9, 1), gender="female",
                       id_number="", student_number="G650121201700001", political_status="pioneer",
                       guardian_name="李母", guardian_phone="13511112222", actor=world.counsellor)


@pytest.mark.django_db
def test_township_admin_cannot_see_a_pioneer_but_the_counsellor_can(world, pioneer):
    url = reverse("people:detail", args=[pioneer.pk])
    assert client_for(world.town_secretary).get(url).status_code == 404
    assert client_for(world.county_admin).get(url).status_code == 200
    response = client_for(world.counsellor).get(url)
    assert response.status_code == 200
    assert "小红" in response.content.decode()
    assert "135****2222" in response.content.decode()
    assert list_names(world.counsellor) == ["小红"]
    # The school's League committee sits beside the brigade: the pioneer is not in its subtree
    # either, and a county inspector (no minor.view) does not see her.
    assert "小红" not in list_names(world.inspector)
    assert "小红" not in list_names(world.town_secretary)


@pytest.mark.django_db
def test_pioneer_becomes_visible_to_others_from_the_14th_birthday(world):
    birth = datetime.date(TODAY.year - 14, TODAY.month, TODAY.day) if not (TODAY.month == 2 and TODAY.day == 29) \
        else datetime.date(TODAY.year - 14, 2, 28)
    person = make_person(world, world.class_branch, "刚满十四", birth=birth)
    assert person.access_record_class().value == "ordinary"
    assert "刚满十四" in list_names(world.inspector)


@pytest.mark.django_db
def test_branch_secretary_sees_masked_numbers_and_cannot_reveal(world):
    birth = datetime.date(2000, 1, 2)
    number = make_id_number(birth)
    person = make_person(world, world.branch_a1, "张三", birth=birth, id_number=number, phone="13800131234")
    c = client_for(world.branch_secretary)
    page = c.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert number[:6] + "********" + number[-4:] in page
    assert "138****1234" in page
    assert number not in page and "13800131234" not in page
    assert "显示完整号码" not in page
    audits = AuditEvent.objects.count()
    response = c.post(reverse("people:reveal", args=[person.pk]), {"field": "id_number"})
    assert response.status_code == 403
    assert number not in response.content.decode()
    assert AuditEvent.objects.count() == audits
    listing = c.get(reverse("people:list")).content.decode()
    assert number[:6] + "********" + number[-4:] in listing and number not in listing


@pytest.mark.django_db
def test_county_admin_reveal_is_audited(world):
    birth = datetime.date(1999, 12, 1)
    number = make_id_number(birth)
    person = make_person(world, world.branch_a1, "李四", birth=birth, id_number=number, phone="13800131234")
    c = client_for(world.county_admin)
    assert "显示完整号码" in c.get(reverse("people:detail", args=[person.pk])).content.decode()
    audits = AuditEvent.objects.count()
    response = c.post(reverse("people:reveal", args=[person.pk]), {"field": "id_number"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode() == f'<span class="revealed">{number}</span>'
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.object_type, event.object_id, event.after) == (
        "查看完整身份证号", world.county_admin.pk, "people.Person", str(person.pk),
        {"field": "id_number", "masked": number[:6] + "********" + number[-4:]},
    )
    assert event.unit_path == world.branch_a1.path
    assert client_for(world.county_admin).get(reverse("people:reveal", args=[person.pk])).status_code == 405


@pytest.mark.django_db
def test_search_by_initials_readings_last4_and_phone(world):
    zhang = make_person(world, world.branch_a1, "张三", birth=datetime.date(2000, 1, 1), phone="13800131234")
    shan = make_person(world, world.branch_a2, "单雄", birth=datetime.date(2001, 2, 2), phone="13955556666")
    zeng = make_person(world, world.branch_b1, "曾解", birth=datetime.date(2002, 3, 3))
    make_person(world, world.branch_b1, "李张三", birth=datetime.date(2003, 4, 4))
    u = world.county_admin
    assert list_names(u, q="zs") == ["张三"]
    assert list_names(u, q="zhang san") == ["张三"]
    assert list_names(u, q="shanxiong") == ["单雄"]
    assert list_names(u, q="danxiong") == ["单雄"]
    assert list_names(u, q="sx") == ["单雄"]
    assert list_names(u, q="zengjie") == ["曾解"] == list_names(u, q="cengxie")
    assert sorted(list_names(u, q="张三")) == ["张三", "李张三"]
    last4 = zeng.clear_id_number()[-4:]
    assert "曾解" in list_names(u, q=last4)
    assert list_names(u, q="6666") == ["单雄"]  # phone last 4
    assert list_names(u, q="13800131234") == ["张三"]  # full phone through the blind index
    assert list_names(u, q=shan.clear_id_number()) == ["单雄"]  # full ID through the blind index
    # Search never widens the scope.
    assert list_names(world.town_secretary, q="zengjie") == []
    assert zhang.pk


@pytest.mark.django_db
def test_filters_status_subtree_age_gender_ethnicity(world):
    make_member(world, world.branch_a1, "甲团员", birth=datetime.date(TODAY.year - 20, 1, 1))
    make_member(world, world.branch_b1, "丙团员", birth=datetime.date(TODAY.year - 25, 1, 1), gender="female",
                ethnicity="哈萨克族")
    make_person(world, world.branch_a2, "乙群众", birth=datetime.date(TODAY.year - 30, 1, 1))
    u = world.county_admin
    assert sorted(list_names(u, status=Status.MEMBER)) == ["丙团员", "甲团员"]
    assert list_names(u, status="none") == ["乙群众"]
    assert sorted(list_names(u, unit=world.town_a.pk)) == ["乙群众", "甲团员"]
    assert list_names(u, age_min=24, age_max=26) == ["丙团员"]
    assert list_names(u, gender="female") == ["丙团员"]
    assert list_names(u, ethnicity="哈萨克族") == ["丙团员"]
    assert list_names(u, sort="-age") == ["乙群众", "丙团员", "甲团员"]
    response = client_for(u).get(reverse("people:list"), {"age_min": 30, "age_max": 20})
    assert "年龄上限不能小于下限" in response.content.decode()


def _count_queries(django_assert_max_num_queries, client, url, budget):
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_list_query_budget_does_not_grow_with_results(world, django_assert_max_num_queries):
    c = client_for(world.county_admin)
    url = reverse("people:list") + "?q=&sort=name"
    for i in range(3):
        make_member(world, world.branch_a1, f"成员{i}")
    small = _count_queries(django_assert_max_num_queries, c, url, 12)
    for i in range(3, 60):
        make_member(world, world.branch_a2 if i % 2 else world.branch_a1, f"成员{i}")
    big = _count_queries(django_assert_max_num_queries, c, url, 12)
    assert len(small.context["people"]) == 3 and len(big.context["people"]) == 50
    assert big.context["page"].paginator.count == 60


@pytest.mark.django_db
def test_create_form_reports_id_errors_in_chinese_and_writes_nothing(world):
    c = client_for(world.branch_secretary)
    url = reverse("people:create", args=[world.branch_a1.pk])
    number = make_id_number(datetime.date(2000, 5, 6))
    bad_check = number[:17] + ("0" if number[17] != "0" else "1")
    before = (Person.objects.count(), AuditEvent.objects.count())
    response = c.post(url, {"name": "王五", "id_number": bad_check, "ethnicity": "汉族", "political_status": "masses"})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号码校验位不正确"]
    response = c.post(url, {"name": "王五", "id_number": number, "birth_date": "2000-05-07", "ethnicity": "汉族",
                            "political_status": "masses"})
    assert response.context["form"].errors["birth_date"] == ["出生日期与身份证号码不一致"]
    assert (Person.objects.count(), AuditEvent.objects.count()) == before
    response = c.post(url, {"name": "王五", "id_number": number, "birth_date": "2000-05-06", "ethnicity": "汉族",
                            "political_status": "masses", "phone": "13800001111"})
    person = Person.objects.get(name="王五")
    assert response.status_code == 302 and response["Location"] == reverse("people:detail", args=[person.pk])
    assert (person.birth_date, person.gender, person.clear_id_number()) == (datetime.date(2000, 5, 6), "male", number)


@pytest.mark.django_db
def test_duplicate_id_is_refused_without_naming_the_other_record(world):
    number = make_id_number(datetime.date(2000, 5, 6))
    make_person(world, world.branch_b1, "别处的人", birth=datetime.date(2000, 5, 6), id_number=number)
    c = client_for(world.branch_secretary)
    response = c.post(reverse("people:create", args=[world.branch_a1.pk]),
                      {"name": "王六", "id_number": number, "ethnicity": "汉族", "political_status": "masses"})
    assert response.context["form"].errors["id_number"] == [
        "该身份证号码已在系统中登记，不能重复登记；如本人是从其他团组织转来，请通过“组织关系转接”办理转入"]
    assert "别处的人" not in response.content.decode()


@pytest.mark.django_db
def test_register_member_and_change_status_through_the_pages(world):
    c = client_for(world.branch_secretary)
    birth = datetime.date(TODAY.year - 17, 1, 1)
    response = c.post(reverse("membership:register", args=[world.branch_a1.pk]), {
        "name": "入团人", "id_number": make_id_number(birth), "ethnicity": "汉族", "political_status": "masses",
        "status": "candidate", "on": TODAY.isoformat(),
    })
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(name="入团人")
    membership = person.membership
    response = c.post(reverse("membership:status", args=[membership.pk]), {
        "to_status": "member", "on": TODAY.isoformat(), "development_number": "201700000001",
    })
    assert response.context["form"].errors["development_number"] == [
        f"发展团员编号前 4 位应为入团年份（{TODAY.year}），实为 2017"]
    response = c.post(reverse("membership:status", args=[membership.pk]), {
        "to_status": "member", "on": TODAY.isoformat(), "development_number": f"{TODAY.year}00000001",
    })
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.joined_on) == ("member", TODAY)
    page = c.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "发展对象 → 团员" in page
