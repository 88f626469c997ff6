"""Browser journey (issue 8): a county administrator records a seconded deputy secretary, tries to
second a full-time cadre without the county party committee's approval (refused, nothing
changes), then with it (accepted and audited)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuanwu.cadres import actions
from tuanwu.cadres.models import PostTerms, Secondment
from tuanwu.cadres.testing import make_cadre
from tuanwu.core.models import AuditEvent
from tuanwu.people.testing import make_person
from tuanwu.testing.world import PASSWORD, build_world


@pytest.fixture
def live_world(transactional_db):
    # live_server serves from another thread: the world must be committed, not in a test transaction.
    world = build_world()
    actions.set_staffing_quota(actor=world.superuser, unit=world.county, effective_from=datetime.date(2022, 1, 1),
                               full_time_posts=2, positions={"secretary": 1, "deputy_secretary": 3})
    make_cadre(world, world.county, "甲书记", kind="full_time", in_establishment=True)
    world.deputy = make_cadre(world, world.county, "乙副书记", position="deputy_secretary", kind="full_time",
                              in_establishment=True)
    world.secondee = make_person(world, world.county, "丁挂职")
    return world


def test_seconded_deputy_and_approval_gated_secondment(live_server, live_world, page, screenshots):
    world = live_world
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", world.county_admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    # The staffing page from the left navigation: the county's subtree.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="干部配备").click()
    page.wait_for_url(live_server.url + reverse("cadres:staffing", args=[world.county.pk]))
    expect(page.locator("h1")).to_have_text("干部配备：团测试县委")
    expect(page.locator("#establishment-use .value")).to_have_text("2 / 2")

    # Record a seconded deputy secretary: outside the establishment.
    page.get_by_role("link", name="登记团干部职务").click()
    page.select_option("select[name=person]", str(world.secondee.pk))
    page.select_option("select[name=position]", "deputy_secretary")
    page.fill("input[name=started_on]", "2023-03-01")
    page.check("input[name=kind][value=seconded]")
    page.fill("input[name=home_employer]", "县教育局")
    page.fill("input[name=planned_end_on]", "2025-03-01")
    page.fill("input[name=appointing_document]", "乌县党干〔2023〕11号")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".msg-success")).to_contain_text("丁挂职 任 团测试县委副书记（挂职）")
    expect(page.locator("#posts-by-kind [data-kind='挂职'] .value")).to_have_text("1")
    expect(page.locator("#establishment-use .value")).to_have_text("2 / 2")
    terms = PostTerms.objects.get(holding__person=world.secondee)
    assert (terms.kind, terms.in_establishment, terms.home_employer) == ("seconded", False, "县教育局")
    screenshots(page, "cadres-staffing")

    # Second the full-time deputy without approval: refused, nothing recorded.
    row = page.locator(f"tr[data-holding='{world.deputy.pk}']")
    row.get_by_role("link", name="借调/抽调").click()
    page.select_option("select[name=move]", "borrowed")
    page.fill("input[name=destination]", "县委办公室")
    page.fill("input[name=started_on]", "2023-06-01")
    audits = AuditEvent.objects.count()
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".errorlist")).to_contain_text("专职团干部借调、抽调或挂职外出须经县委批准")
    assert (Secondment.objects.count(), AuditEvent.objects.count()) == (0, audits)
    screenshots(page, "cadres-secondment-refused")

    # With the county party committee's approval: accepted and audited.
    page.fill("input[name=approval_number]", "乌县党干〔2023〕21号")
    page.fill("input[name=approval_date]", "2023-05-20")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".msg-success")).to_contain_text("已登记：乙副书记借调至县委办公室")
    expect(page.locator(f"tr[data-holding='{world.deputy.pk}'] .away")).to_contain_text("借调至县委办公室")
    secondment = Secondment.objects.get()
    assert (secondment.holding_id, secondment.approval_number) == (world.deputy.pk, "乌县党干〔2023〕21号")
    event = AuditEvent.objects.get(action="借调团干部")
    assert (event.actor_id, event.object_id) == (world.county_admin.pk, str(secondment.pk))
    screenshots(page, "cadres-secondment-approved")
