"""The person list export: same filters as the list, masked numbers by default, full numbers only
with pii.reveal (each revealed record audited), minors hidden as on the page."""

from __future__ import annotations

import datetime
import tempfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tuanwu.core.models import AuditEvent
from tuanwu.people.exports import AUDIT_EXPORT, AUDIT_FULL, HEADERS
from tuanwu.people.testing import make_member, make_person

TODAY = timezone.localdate()


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def sheet_of(response) -> list[list]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        fh.write(b"".join(response.streaming_content))
        fh.flush()
        return CalamineWorkbook.from_path(fh.name).get_sheet_by_index(0).to_python()


@pytest.fixture
def people(world):
    a = make_member(world, world.branch_a1, "张三", phone="13900001111")
    b = make_member(world, world.branch_a2, "李四")
    c = make_person(world, world.branch_b1, "王五")
    pioneer = make_person(world, world.squadron, "小红", birth=datetime.date(TODAY.year - 9, 9, 1), gender="female",
                          id_number="", student_number="G650121201700001", political_status="pioneer",
                          actor=world.counsellor)
    return a.person, b.person, c, pioneer


@pytest.mark.django_db
def test_export_masks_numbers_keeps_filters_and_is_audited(world, people):
    zhang = people[0]
    audits = AuditEvent.objects.count()
    response = client_for(world.town_secretary).get(reverse("people:export"), {"sort": "name"})
    assert response.status_code == 200
    rows = sheet_of(response)
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == ["李四", "张三"]  # 甲镇 only; pinyin order
    row = rows[2]
    number = zhang.clear_id_number()
    assert row[5] == number[:6] + "********" + number[-4:]
    assert row[6] == "139****1111"
    assert row[9] == "团员"
    event = AuditEvent.objects.get(pk__gt=0, action=AUDIT_EXPORT)
    assert event.actor == world.town_secretary
    assert event.after["rows"] == 2
    assert AuditEvent.objects.count() == audits + 1
    filtered = sheet_of(client_for(world.town_secretary).get(reverse("people:export"), {"q": "zs"}))
    assert [r[0] for r in filtered[1:]] == ["张三"]


@pytest.mark.django_db
def test_full_numbers_need_pii_reveal_and_each_is_audited(world, people):
    audits = AuditEvent.objects.count()
    denied = client_for(world.town_secretary).get(reverse("people:export"), {"full": "1"})
    assert denied.status_code == 403
    assert AuditEvent.objects.count() == audits
    response = client_for(world.county_admin).get(reverse("people:export"), {"full": "1", "sort": "name"})
    assert response.status_code == 200
    rows = sheet_of(response)
    by_name = {r[0]: r for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == ["李四", "王五", "小红", "张三"]  # pinyin order
    assert by_name["张三"][5] == people[0].clear_id_number()
    assert by_name["张三"][6] == "13900001111"
    revealed = AuditEvent.objects.filter(action=AUDIT_FULL)
    assert revealed.count() == 4
    assert set(revealed.values_list("object_id", flat=True)) == {str(p.pk) for p in people}
    zhang = revealed.get(object_id=str(people[0].pk))
    assert zhang.after["phone"] == "139****1111"
    assert people[0].clear_id_number() not in repr(zhang.after)


@pytest.mark.django_db
def test_a_township_export_leaves_out_the_pioneer_the_counsellor_gets_her(world, people):
    county = sheet_of(client_for(world.inspector).get(reverse("people:export")))
    assert "小红" not in [r[0] for r in county[1:]]
    counsellor = sheet_of(client_for(world.counsellor).get(reverse("people:export")))
    assert [r[0] for r in counsellor[1:]] == ["小红"]
    assert counsellor[1][7] == "G650121201700001"


@pytest.mark.django_db
def test_export_has_a_fixed_query_count(world, people, django_assert_max_num_queries):
    for i in range(20):
        make_member(world, world.branch_a1, f"团员{i}")
    c = client_for(world.county_admin)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("people:export"))
        rows = sheet_of(response)
    assert len(rows) == 1 + 24


@pytest.mark.django_db
def test_the_list_offers_the_exports_it_may(world, people):
    page = client_for(world.town_secretary).get(reverse("people:list")).content.decode()
    assert "导出 Excel（号码脱敏）" in page
    assert "导出 Excel（完整号码）" not in page
    assert "导出 Excel（完整号码）" in client_for(world.county_admin).get(reverse("people:list")).content.decode()
    assert "导出 Excel" not in client_for(world.party_reviewer).get(reverse("people:list")).content.decode()
