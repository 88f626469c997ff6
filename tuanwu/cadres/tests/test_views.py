"""The staffing page, its forms, the roster export, the 任免审批表 and the API, over HTTP."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tuanwu.cadres import actions
from tuanwu.cadres.models import PostTerms, Secondment
from tuanwu.cadres.testing import make_cadre
from tuanwu.core.documents import docx_text
from tuanwu.core.models import AuditEvent
from tuanwu.people.testing import make_person

D = datetime.date


def committee(world):
    actions.set_staffing_quota(actor=world.county_admin, unit=world.county, effective_from=D(2022, 1, 1),
                               full_time_posts=2, positions={"secretary": 1, "deputy_secretary": 3})
    secretary = make_cadre(world, world.county, "甲书记", kind="full_time", in_establishment=True)
    deputy = make_cadre(world, world.county, "乙副书记", position="deputy_secretary", kind="full_time",
                        in_establishment=True)
    return secretary, deputy


def test_staffing_page_answers_the_four_questions_for_a_subtree(world, as_user):
    committee(world)
    make_cadre(world, world.town_a, "丙书记")
    over = make_cadre(world, world.county, "丁副书记", position="deputy_secretary", kind="full_time",
                      in_establishment=True)
    assert over.counts_against_establishment
    page = as_user(world.county_admin).get(reverse("cadres:staffing", args=[world.county.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="stat" data-kind="专职"><div class="value">3</div>' in html
    assert '<div class="stat" data-kind="兼职"><div class="value">1</div>' in html
    assert '<div class="value">3 / 2</div><div class="label">编制占用 / 核定专职编制</div>' in html
    assert "团测试县委超编 1 人：专职编制 2 个，占用 3 个" in html
    assert "丙书记" in html
    # The township secretary sees the township only; the county page is outside their subtree.
    town = as_user(world.town_secretary).get(reverse("cadres:staffing", args=[world.town_a.pk]))
    assert town.status_code == 200 and "丙书记" in town.content.decode() and "甲书记" not in town.content.decode()
    assert as_user(world.town_secretary).get(reverse("cadres:staffing", args=[world.county.pk])).status_code == 404
    assert as_user(world.county_admin).get(reverse("cadres:index")).url == reverse("cadres:staffing",
                                                                                   args=[world.county.pk])


def test_second_form_refuses_without_approval_then_accepts_with_it(world, as_user):
    _, deputy = committee(world)
    client = as_user(world.county_admin)
    url = reverse("cadres:second", args=[deputy.pk])
    data = {"move": "borrowed", "destination": "县委办公室", "started_on": "2023-06-01"}
    audits = AuditEvent.objects.count()
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "未经批准不能办理" in refused.content.decode()
    assert (AuditEvent.objects.count(), Secondment.objects.count()) == (audits, 0)
    accepted = client.post(url, {**data, "approval_number": "乌县党干〔2023〕21号", "approval_date": "2023-05-20"})
    assert accepted.status_code == 302
    secondment = Secondment.objects.get()
    assert (secondment.holding_id, secondment.approval_number) == (deputy.pk, "乌县党干〔2023〕21号")
    assert AuditEvent.objects.filter(action="借调团干部", object_id=str(secondment.pk)).count() == 1


def test_appoint_form_records_a_seconded_deputy_outside_the_establishment(world, as_user):
    person = make_person(world, world.county, "戊挂职")
    response = as_user(world.county_admin).post(reverse("cadres:appoint", args=[world.county.pk]), {
        "person": person.pk, "unit": world.county.pk, "position": "deputy_secretary", "started_on": "2023-03-01",
        "kind": "seconded", "home_employer": "县教育局", "planned_end_on": "2025-03-01",
        "appointing_document": "乌县团发〔2023〕5号",
    })
    assert response.status_code == 302
    terms = PostTerms.objects.get(holding__person=person)
    assert (terms.kind, terms.in_establishment, terms.home_employer, terms.holding.how_obtained) == (
        "seconded", False, "县教育局", "seconded")


def test_roster_export_and_appointment_form_are_audited(world, as_user):
    secretary, _ = committee(world)
    client = as_user(world.county_admin)
    response = client.get(reverse("cadres:roster_export") + f"?unit={world.county.pk}")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["组织", "职务", "姓名"]
    assert [(r[1], r[2], r[9], r[10]) for r in rows[1:]] == [("副书记", "乙副书记", "专职", "是"),
                                                              ("书记", "甲书记", "专职", "是")]
    assert AuditEvent.objects.filter(action="导出团干部名册").count() == 1
    assert client.get(reverse("cadres:roster_export") + "?unit=abc").status_code == 404
    assert as_user(world.town_secretary).get(reverse("cadres:roster_export") + f"?unit={world.county.pk}").status_code == 404

    actions.record_appraisal(actor=world.county_admin, person=secretary.holding.person, unit=world.county,
                             year=2023, grade="优秀")
    doc = client.get(reverse("cadres:appointment_form", args=[secretary.pk]))
    assert doc.status_code == 200
    assert doc["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    content = docx_text(doc.content)
    assert "干部任免审批表" in content
    assert "甲书记" in content and "团测试县委书记（专职）" in content and "2023 年度：优秀" in content
    assert "编制内" in content
    assert AuditEvent.objects.filter(action="导出干部任免审批表", object_id=str(secretary.pk)).count() == 1


def test_api_refuses_secondment_without_approval_with_422_and_changes_nothing(world, as_user):
    _, deputy = committee(world)
    client = as_user(world.county_admin)
    url = f"/api/v1/cadres/posts/{deputy.pk}/secondments"
    audits = AuditEvent.objects.count()
    refused = client.post(url, {"move": "drawn", "destination": "县委办公室", "started_on": "2023-06-01"},
                          content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "approval_number"
    assert (AuditEvent.objects.count(), Secondment.objects.count()) == (audits, 0)
    accepted = client.post(url, {"move": "drawn", "destination": "县委办公室", "started_on": "2023-06-01",
                                 "approval_number": "乌县党干〔2023〕21号", "approval_date": "2023-05-20"},
                           content_type="application/json")
    assert accepted.status_code == 201 and accepted.json()["approval_number"] == "乌县党干〔2023〕21号"
    staffing = client.get(f"/api/v1/cadres/units/{world.county.pk}/staffing").json()
    assert staffing["by_kind"] == {"专职": 2, "挂职": 0, "兼职": 0, "未登记类型": 0}
    assert (staffing["establishment_used"], staffing["establishment_quota"]) == (2, 2)
    roster = client.get(f"/api/v1/cadres/units/{world.county.pk}/roster").json()
    assert sorted((r["name"], r["away"]) for r in roster) == [("乙副书记", "抽调至县委办公室"), ("甲书记", "")]
    assert client.get(f"/api/v1/cadres/units/{world.town_a.pk}/roster").json() == []
    assert as_user(world.town_secretary).get(f"/api/v1/cadres/units/{world.county.pk}/roster").status_code == 404
    today = timezone.localdate()
    assert client.get(f"/api/v1/cadres/units/{world.county.pk}/training?year={today.year}").json()["cadres"] == 2


def test_second_form_records_a_move_found_without_approval_as_irregular(world, as_user):
    _, deputy = committee(world)
    url = reverse("cadres:second", args=[deputy.pk])
    data = {"move": "drawn", "destination": "县政府办公室", "started_on": "2023-03-01", "found_unapproved": "on"}
    missing_note = as_user(world.county_admin).post(url, data)
    assert "请说明情况（如：巡察发现）" in missing_note.content.decode() and Secondment.objects.count() == 0
    assert as_user(world.county_admin).post(url, {**data, "note": "巡察发现"}).status_code == 302
    page = as_user(world.county_admin).get(reverse("cadres:staffing", args=[world.county.pk])).content.decode()
    assert "自 2023-03-01 起抽调至县政府办公室，没有县委批准记录" in page
    assert "补录批准" in page
