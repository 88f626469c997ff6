"""Browser journey (issue 6): the volunteer office runs the placement for a cohort, overrides one
placement with a reason, and issues a recommendation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tuanwu.testing.world import PASSWORD, build_world


@pytest.fixture
def live_cohort(transactional_db):
    from tuanwu.accounts.models import User
    from tuanwu.core.rule_settings import set_rule
    from tuanwu.organisations import actions as org_actions
    from tuanwu.organisations.models import Role
    from tuanwu.volunteering import actions
    from tuanwu.volunteering.testing import (
        make_cohort,
        make_eligible_volunteer,
        make_post,
        make_service_unit,
        make_volunteer,
    )

    world = build_world()
    office = User.objects.create_user("vol_office", password=PASSWORD, full_name="西部计划项目办",
                                      must_change_password=False)
    org_actions.grant_role(actor=world.superuser, user=office, unit=world.county, role=Role.VOLUNTEER_OFFICE,
                           starts_on=datetime.date(2020, 1, 1))
    set_rule(actor=world.superuser, key="volunteers.document_prefix", raw_value="乌县团发", county=world.county,
             effective_from=datetime.date(2020, 1, 1), allow_past=True)
    cohort = make_cohort(world, year=timezone.localdate().year)
    town = make_service_unit(world)
    organ = make_service_unit(world, name="县委组织部", kind="county_organ")
    party = make_post(world, cohort, organ, "党建宣传", preferred_specialties=["汉语言文学"])
    grid = make_post(world, cohort, town, "综治网格", field="基层社会治理", capacity=2)
    rural = make_post(world, cohort, town, "乡村振兴专干", field="乡村振兴")
    a = make_volunteer(world, cohort, "甲一", major="汉语言文学", score=70)
    b = make_volunteer(world, cohort, "乙二", major="法学", score=90)
    actions.set_wishes(actor=world.superuser, volunteer=a, posts=[party, grid])
    actions.set_wishes(actor=world.superuser, volunteer=b, posts=[party, rural])
    senior = make_eligible_volunteer(world, make_cohort(world, year=2022), "王推荐")
    return world, office, cohort, {"a": a, "b": b, "senior": senior}, {"grid": grid}


def test_office_places_overrides_and_recommends(live_server, live_cohort, page, screenshots):
    world, office, cohort, people, posts = live_cohort
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", office.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    # Run the placement: both modes side by side, with quality figures and explanations.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="届次与志愿者").click()
    page.get_by_role("link", name=f"{cohort.year}年").click()
    page.get_by_role("link", name="岗位匹配").first.click()
    expect(page.locator("h1")).to_have_text(f"{cohort.year}年 岗位匹配")
    expect(page.locator("#quality")).to_contain_text("稳定匹配（延迟接受）")
    expect(page.get_by_text("第 1 志愿；专业匹配：汉语言文学 → 党建宣传").first).to_be_visible()
    screenshots(page, "volunteers-placement")
    page.get_by_role("button", name="采用稳定匹配").click()
    expect(page.locator(".msg-success")).to_contain_text("已按“稳定匹配（延迟接受）”安排岗位：安排 2 人")

    # Override 乙二 (placed in 乡村振兴专干, his second wish) into 综治网格, with a reason.
    page.get_by_role("link", name="乙二").click()
    expect(page.locator("#placement")).to_contain_text("乡村振兴专干")
    page.select_option("#override-form select[name=post]", str(posts["grid"].pk))
    page.fill("#override-form input[name=reason]", "本人熟悉法律，综治岗位急需")
    page.locator("#override-form button[type=submit]").click()
    expect(page.locator(".msg-success")).to_contain_text("原因已记录")
    expect(page.locator("#placement")).to_contain_text("人工调整：本人熟悉法律，综治岗位急需")
    screenshots(page, "volunteers-override")

    # Issue a recommendation for the eligible senior volunteer.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="推荐意见").click()
    page.get_by_role("link", name="出具推荐意见").first.click()
    page.select_option("#recommend-form select[name=channel]", "定向招聘")
    page.locator("#recommend-form button[type=submit]").click()
    year = timezone.localdate().year
    expect(page.locator("h1")).to_have_text(f"推荐意见 乌县团发〔{year}〕1号")
    expect(page.get_by_text("共青团测试县委员会关于推荐王推荐同志参加定向招聘的意见")).to_be_visible()
    screenshots(page, "volunteers-recommendation")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == f"乌县团发〔{year}〕1号.pdf"

    from tuanwu.core.models import AuditEvent
    from tuanwu.volunteering.models import Placement

    placement = Placement.objects.get(volunteer=people["b"])
    assert (placement.post_id, placement.override_reason) == (posts["grid"].pk, "本人熟悉法律，综治岗位急需")
    assert AuditEvent.objects.filter(action="人工调整岗位", actor=office).count() == 1
    assert AuditEvent.objects.filter(action="出具推荐意见", actor=office).count() == 1
