"""The unit list export (organisations:unit_export), the first use of the exporter."""

from __future__ import annotations

import datetime
import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from tuanwu.core.models import AuditEvent
from tuanwu.organisations import actions
from tuanwu.organisations.models import Unit

URL = reverse("organisations:unit_export")
HEADERS = ["名称", "类型", "领域", "上级组织", "完整路径", "行政区划代码", "成立日期", "状态", "示例数据"]


def read_back(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_town_secretary_exports_their_township(world, as_user):
    actions.update_unit(actor=world.superuser, unit=world.branch_a2, founded_on=datetime.date(2018, 5, 4))
    # Closed directly: this test is about the export, not about closing.
    Unit.objects.filter(pk=world.branch_a2.pk).update(closed_on=datetime.date(2024, 1, 1), closed_reason="合并")
    actions.create_unit(actor=world.superuser, parent=world.town_a, name="=cmd|' /C calc'!A0", kind="branch")
    before = AuditEvent.objects.count()
    response = as_user(world.town_secretary).get(URL)
    assert response.status_code == 200
    assert read_back(response) == [
        HEADERS,
        ["甲镇团委", "团委", "农村", "团测试县委", "团乌鲁木齐市委 / 团测试县委 / 甲镇团委", "650121100", "", "正常", "否"],
        ["甲村团支部", "团支部", "农村", "甲镇团委", "团乌鲁木齐市委 / 团测试县委 / 甲镇团委 / 甲村团支部", "", "",
         "正常", "否"],
        ["乙村团支部", "团支部", "农村", "甲镇团委", "团乌鲁木齐市委 / 团测试县委 / 甲镇团委 / 乙村团支部", "",
         datetime.date(2018, 5, 4), "已撤销", "否"],
        ["'=cmd|' /C calc'!A0", "团支部", "", "甲镇团委",
         "团乌鲁木齐市委 / 团测试县委 / 甲镇团委 / =cmd|' /C calc'!A0", "", "", "正常", "否"],
    ]
    event = AuditEvent.objects.get(pk__gt=0, action="导出组织名单")
    assert AuditEvent.objects.count() == before + 1
    assert event.after["rows"] == 4 and event.actor == world.town_secretary


def test_subtree_filter_and_access(world, as_user):
    client = as_user(world.county_admin)
    rows = read_back(client.get(URL, {"subtree_of": world.school.pk}))
    assert [r[0] for r in rows[1:]] == ["第一中学", "第一中学团委", "高一(1)班团支部", "第一中学少先队大队", "一年级(1)中队"]
    event = AuditEvent.objects.get(action="导出组织名单")
    assert (event.object_type, event.object_id, event.after["rows"]) == ("organisations.Unit", str(world.school.pk), 5)
    before = AuditEvent.objects.count()
    # Outside the user's subtree: 404; no export permission there: 404 as well (nothing visible).
    assert as_user(world.town_secretary).get(URL, {"subtree_of": world.town_b.pk}).status_code == 404
    assert as_user(world.town_secretary).get(URL, {"subtree_of": "x"}).status_code == 404
    # The party reviewer sees the township but may not export it.
    assert as_user(world.party_reviewer).get(URL, {"subtree_of": world.town_a.pk}).status_code == 403
    # With no export permission anywhere the list is empty.
    assert read_back(as_user(world.outsider).get(URL)) == [HEADERS]
    assert AuditEvent.objects.count() == before + 1
    assert client.get(URL).status_code == 200


def test_export_query_count_does_not_grow_with_rows(world, as_user, django_assert_max_num_queries):
    client = as_user(world.county_admin)
    for i in range(30):
        actions.create_unit(actor=world.superuser, parent=world.town_b, name=f"新村{i}团支部", kind="branch")
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(read_back(response)) == 1 + 11 + 30
