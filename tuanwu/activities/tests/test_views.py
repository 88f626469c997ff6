"""Pages through the test client: the QR page and the public check-in, statistics with the
article preset and the .xlsx export, the theme board and its to-do items."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tuanwu.activities import actions, checkin
from tuanwu.activities.models import Attendance, MonthlyTheme
from tuanwu.activities.testing import activity, member, png_bytes
from tuanwu.core import todos
from tuanwu.core.models import AuditEvent

D = datetime.date


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _checkin_url(act):
    return reverse("activities:checkin", args=[checkin.make_token(act)])


def test_qr_page_shows_an_svg_qr_code_and_the_live_count(world, as_user):
    member(world, world.branch_a1, "扫码人", phone="13900001234")
    act = activity(world, world.branch_a1)
    page = as_user(world.branch_secretary).get(reverse("activities:qr", args=[act.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data:image/svg+xml" in html and "hx-trigger=\"every 3s\"" in html
    count = as_user(world.branch_secretary).get(reverse("activities:qr_count", args=[act.pk]))
    assert '<div class="value" data-testid="present-count">0</div>' in count.content.decode()


def test_public_check_in_without_login_and_second_time_refused_politely(world, client):
    member(world, world.branch_a1, "扫码人", phone="13900001234")
    act = activity(world, world.branch_a1)
    url = _checkin_url(act)
    assert client.get(url).status_code == 200
    first = client.post(url, {"name": "扫码人", "last4": "1234"})
    assert checkin.DONE in first.content.decode()
    second = client.post(url, {"name": "扫码人", "last4": "1234"})
    assert second.status_code == 200 and checkin.ALREADY in second.content.decode()
    act.refresh_from_db()
    assert act.present_roster == 1


def test_a_wrong_name_gets_exactly_the_answer_of_a_right_name_with_a_wrong_phone(world, client):
    member(world, world.branch_a1, "扫码人", phone="13900001234")
    act = activity(world, world.branch_a1)
    url = _checkin_url(act)
    audits = AuditEvent.objects.count()
    wrong_phone = client.post(url, {"name": "扫码人", "last4": "9999"})
    wrong_name = client.post(url, {"name": "不存在", "last4": "9999"})
    assert wrong_phone.status_code == wrong_name.status_code == 200

    def answer(response):
        html = response.content.decode()
        start = html.index('data-testid="checkin-result"')
        return html[start:html.index("</p>", start)]

    assert answer(wrong_phone) == answer(wrong_name)
    assert checkin.NO_MATCH in answer(wrong_name)
    assert AuditEvent.objects.count() == audits
    assert not Attendance.objects.filter(activity=act, status="present").exists()


def test_check_in_is_rate_limited_per_address(world, client):
    member(world, world.branch_a1, "扫码人", phone="13900001234")
    act = activity(world, world.branch_a1)
    url = _checkin_url(act)
    for _ in range(checkin.PER_IP):
        client.post(url, {"name": "乱猜", "last4": "0000"})
    limited = client.post(url, {"name": "扫码人", "last4": "1234"})
    assert limited.status_code == 429 and checkin.LIMITED in limited.content.decode()
    act.refresh_from_db()
    assert act.present_roster == 0


def test_forged_or_renewed_tokens_are_refused(world, client):
    act = activity(world, world.branch_a1)
    old = _checkin_url(act)
    assert client.get(old[:-1] + "x/").status_code == 410
    actions.renew_checkin(actor=world.superuser, activity=act)
    assert client.get(old).status_code == 410
    act.refresh_from_db()
    assert client.get(_checkin_url(act)).status_code == 200


def test_bulk_marking_from_the_page(world, as_user):
    for name in ("一", "二", "三"):
        member(world, world.branch_a1, name)
    act = activity(world, world.branch_a1)
    one = Attendance.objects.get(activity=act, person__name="一")
    c = as_user(world.branch_secretary)
    c.post(reverse("activities:attendance", args=[act.pk]), {f"status_{one.pk}": "excused"})
    c.post(reverse("activities:attendance", args=[act.pk]), {"bulk": "present"})
    act.refresh_from_db()
    assert (act.present_roster, act.excused_count, act.not_recorded_count) == (2, 1, 0)


def test_attendance_is_a_form_only_for_those_who_may_change_it(world, as_user):
    member(world, world.branch_a1, "一")
    act = activity(world, world.branch_a1)
    page, action = reverse("activities:detail", args=[act.pk]), reverse("activities:attendance", args=[act.pk])
    secretary = as_user(world.branch_secretary).get(page).content.decode()
    assert f'action="{action}"' in secretary and "保存出勤" in secretary
    inspector = as_user(world.inspector).get(page)
    assert inspector.status_code == 200
    text = inspector.content.decode()
    # The read-only inspector reads the same table, without a form that has nothing to submit.
    assert "一" in text and "名单内" in text
    assert f'action="{action}"' not in text and "保存出勤" not in text


def test_photo_served_only_through_the_access_layer(world, as_user):
    act = activity(world, world.branch_a1)
    photo = actions.add_photo(actor=world.superuser, activity=act, data=png_bytes())
    url = reverse("activities:photo", args=[photo.pk])
    assert as_user(world.branch_secretary).get(url)["Content-Type"] == "image/png"
    assert as_user(world.outsider).get(url).status_code == 404


def test_stats_page_opens_on_this_year_and_counts_any_period_and_exports(world, as_user):
    member(world, world.branch_a1, "甲")
    act = activity(world, world.branch_a1, day=D(2023, 3, 10))
    actions.mark_attendance(actor=world.superuser, activity=act,
                            marks={r.pk: "present" for r in Attendance.objects.filter(activity=act)})
    c = as_user(world.county_admin)
    today = timezone.localdate()
    page = c.get(reverse("activities:stats", args=[world.county.pk])).content.decode()
    assert f"{today.year}-01-01 至 {today.isoformat()}" in page
    assert "2023" not in page.split('data-testid="stats-source"')[1].split("</p>")[0]
    # Whether a period is read from the monthly aggregates or from raw rows, the figure is the same.
    for start, end in (("2023-01-01", "2023-04-27"), ("2023-03-01", "2023-03-31")):
        html = c.get(reverse("activities:stats", args=[world.county.pk]), {"start": start, "end": end}).content.decode()
        assert '<div class="value" data-testid="person-times">1</div>' in html
        assert "汇总表" not in html and "原始记录" not in html
    export = c.get(reverse("activities:stats_export", args=[world.county.pk]), {"start": "2023-01-01", "end": "2023-04-27"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0) \
        .to_python()
    assert rows[0][:5] == ["组织", "活动类型", "场次", "人次", "人数"]
    assert rows[1][:5] == ["团测试县委", "主题团日", 1, 1, 1]


def test_theme_board_page_and_to_do_items(world, as_user):
    today = timezone.localdate()
    theme = actions.publish_theme(actor=world.county_admin, county=world.county, month=today.replace(day=1),
                                  theme="青春心向党", window_start=today.replace(day=1),
                                  window_end=today + datetime.timedelta(days=3), content="学习、讨论、报送")
    page = as_user(world.county_admin).get(reverse("activities:themes", args=[world.county.pk]))
    assert "青春心向党" in page.content.decode() and "待开展" in page.content.decode()
    items = [i for i in todos.alerts_for(world.branch_secretary) if i.kind == "主题团（队）日"]
    assert [(i.unit_name, i.severity) for i in items] == [("甲村团支部", "warning")]
    summary = [i for i in todos.alerts_for(world.county_admin) if i.kind == "主题团（队）日"]
    assert [i.text for i in summary] == [f"{theme.month:%Y年%m月}主题团日“青春心向党”：0 个未开展，4 个待开展"]


def test_theme_publish_refused_to_a_township_secretary(world, as_user):
    audits = AuditEvent.objects.count()
    response = as_user(world.town_secretary).post(reverse("activities:themes", args=[world.town_a.pk]), {
        "month": "2023-03-01", "theme": "x", "window_start": "2023-03-01", "window_end": "2023-03-05",
        "content": "y"})
    assert response.status_code == 200
    assert "发布月度主题（" not in response.content.decode()
    assert not MonthlyTheme.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_every_table_exports_to_xlsx(world, as_user):
    member(world, world.branch_a1, "甲")
    act = activity(world, world.branch_a1)
    actions.publish_theme(actor=world.county_admin, county=world.county, month=D(2023, 3, 1), theme="学习",
                          window_start=D(2023, 3, 5), window_end=D(2023, 3, 15), content="学习")
    c = as_user(world.county_admin)
    for url in (reverse("activities:list") + "?export=1", reverse("activities:detail", args=[act.pk]) + "?export=1",
                reverse("activities:themes", args=[world.county.pk]) + "?export=1",
                reverse("activities:compliance", args=[world.county.pk]) + "?year=2023&export=1",
                reverse("activities:study_export", args=[world.branch_a1.pk]) + "?what=individuals"):
        response = c.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(
        c.get(reverse("activities:detail", args=[act.pk]) + "?export=1").streaming_content))).get_sheet_by_index(0)
    assert sheet.to_python() == [["姓名", "名单", "出勤", "方式"], ["甲", "名单内", "未记录", "roster"]]
    audits = AuditEvent.objects.count()
    refused = as_user(world.party_reviewer).get(reverse("activities:themes", args=[world.town_a.pk]) + "?export=1")
    assert refused.status_code == 403
    assert AuditEvent.objects.count() == audits
