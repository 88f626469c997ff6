"""Browser journey at a phone's width (issue 5): an organiser shows an activity's QR code; an
attendee checks in on their phone without logging in; the organiser's count updates by itself; a
second check-in is refused politely; a wrong name gets the same answer as a right name with a
wrong phone."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from e2e.conftest import PHONE
from tuanwu.activities import checkin
from tuanwu.activities.testing import activity, member
from tuanwu.testing.world import PASSWORD, build_world


@pytest.fixture
def live_world(transactional_db):
    # live_server serves from another thread: the world must be committed, not in a test transaction.
    cache.clear()
    return build_world()


def test_organiser_shows_qr_attendee_checks_in_count_updates(live_server, live_world, page, browser, screenshots):
    world = live_world
    member(world, world.branch_a1, "张青年", phone="13911112222")
    member(world, world.branch_a1, "李青年", phone="13933334444")
    act = activity(world, world.branch_a1, title="三月主题团日")

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", world.branch_secretary.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    page.goto(live_server.url + reverse("activities:detail", args=[act.pk]))
    page.get_by_role("link", name="出示签到二维码").click()
    expect(page.locator("h1")).to_have_text("扫码签到：三月主题团日")
    qr = page.get_by_test_id("qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] <= PHONE["width"]
    count = page.get_by_test_id("present-count")
    expect(count).to_have_text("0")
    link = page.get_by_test_id("checkin-link").get_attribute("href")
    assert link.startswith(live_server.url + "/activities/checkin/")
    screenshots(page, "activities-qr")
    page.set_viewport_size(PHONE)

    # The attendee's phone: a separate browser context, never logged in.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    attendee = phone.new_page()
    attendee.goto(link)
    expect(attendee.locator("h1")).to_have_text("签到：三月主题团日")

    def submit(name: str, last4: str) -> str:
        attendee.get_by_label("姓名").fill(name)
        attendee.get_by_label("手机号后四位").fill(last4)
        attendee.get_by_role("button", name="签到").click()
        result = attendee.get_by_test_id("checkin-result")
        expect(result).to_be_visible()
        return result.inner_text()

    wrong_phone = submit("张青年", "9999")
    wrong_name = submit("王不在", "9999")
    assert wrong_phone == wrong_name == checkin.NO_MATCH
    assert submit("张青年", "2222") == checkin.DONE
    screenshots(attendee, "activities-checkin")

    # The organiser's page polls the count (htmx, every 3 s): no reload needed.
    expect(count).to_have_text("1", timeout=10_000)

    assert submit("张青年", "2222") == checkin.ALREADY
    expect(page.get_by_test_id("present-count")).to_have_text("1")
    act.refresh_from_db()
    assert (act.present_roster, act.roster_count) == (1, 2)
    phone.close()
