"""Browser journey: a township secretary logs in, browses the tree, opens a branch, and is refused
a sibling township's branch (issue 2, item 13)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuanwu.testing.world import PASSWORD, build_world


@pytest.fixture
def live_world(transactional_db):
    # live_server serves from another thread: the world must be committed, not in a test transaction.
    return build_world()


def test_township_secretary_browses_tree_and_is_refused_sibling(live_server, live_world, page, screenshots):
    world = live_world
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", world.town_secretary.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    # Browse the tree from the left navigation.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="组织架构").click()
    expect(page.locator("h1")).to_have_text("组织架构")
    town = page.locator(f"li.tree-item[data-unit='{world.town_a.pk}']")
    expect(town.locator("a.unit-name")).to_have_text("甲镇团委")
    expect(town.locator(".counts")).to_have_text("下级 2 · 团支部 2")
    # The sibling township and the county above are not in this secretary's tree at all.
    expect(page.get_by_text("乙镇团委")).to_have_count(0)
    expect(page.get_by_text("团测试县委")).to_have_count(0)

    # Expand 甲镇团委: its branches arrive through htmx on the first opening.
    branch_link = page.locator("a.unit-name", has_text="甲村团支部")
    expect(branch_link).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith(reverse("organisations:unit_children", args=[world.town_a.pk]))):
        town.locator("summary").click(position={"x": 8, "y": 10})
    expect(branch_link).to_be_visible()
    expect(page.locator("a.unit-name", has_text="乙村团支部")).to_be_visible()
    screenshots(page, "tree")

    # Open the branch.
    branch_link.click()
    page.wait_for_url(live_server.url + reverse("organisations:unit_detail", args=[world.branch_a1.pk]))
    expect(page.locator("h1")).to_have_text("甲村团支部")
    expect(page.locator(".breadcrumb")).to_contain_text("甲镇团委")
    expect(page.get_by_role("link", name="编辑")).to_be_visible()
    screenshots(page, "unit")

    # A sibling township's branch, typed into the address bar: the Chinese 404 page.
    response = page.goto(live_server.url + reverse("organisations:unit_detail", args=[world.branch_b1.pk]))
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到（404）")
    expect(page.get_by_text("丙村团支部")).to_have_count(0)
    screenshots(page, "refused-sibling")
