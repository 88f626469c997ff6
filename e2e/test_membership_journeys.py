"""Browser journeys of membership life (issue 4): a branch secretary develops one person from the
written application to member (the township secretary takes the committee's steps), and a
receiving township approves a transfer and assigns a branch."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import login
from tuanwu.membership.models import Development, Membership, Status, Transfer
from tuanwu.membership.tests.life_helpers import Timeline, members, set_quota
from tuanwu.organisations.rules import add_months
from tuanwu.people.testing import make_id_number
from tuanwu.testing.world import build_world

D = datetime.timedelta


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def take_step(page, key: str, fields: dict):
    """From the development page: open the step, fill the form, submit, back on the page."""
    page.locator(f"li[data-step='{key}'] a.btn").click()
    for name, value in fields.items():
        field = page.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    page.locator("form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已办理")


def test_secretary_develops_one_person_from_application_to_member(live_server, live_world, page, browser,
                                                                   browser_context_args, screenshots):
    world = live_world
    set_quota(world)
    t = Timeline()
    contacts = members(world)
    base = live_server.url
    login(page, base, world.branch_secretary)

    # The branch's pipeline page, from the left navigation's module page.
    page.goto(base + reverse("membership:pipeline", args=[world.branch_a1.pk]))
    page.get_by_role("link", name="登记入团申请").click()
    page.fill("[name=name]", "周入团")
    page.fill("[name=id_number]", make_id_number(datetime.date(2009, 5, 15)))
    page.fill("[name=applied_on]", t.applied.isoformat())
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("发展档案：周入团")
    expect(page.locator("#next-steps")).to_contain_text(f"与申请人谈话（应于 {add_months(t.applied, 1):%Y-%m-%d} 前）")

    take_step(page, "talk", {"talk_on": t.talk.isoformat(), "talk_by": "甲村支书"})
    take_step(page, "activist", {"on": t.activist.isoformat(), "channel": "member_recommendation",
                                 "recommenders": contacts[0].person.name})
    take_step(page, "contact", {"contact": contacts[0].pk, "on": t.contact.isoformat()})
    for i, day in enumerate(t.lessons, start=1):
        take_step(page, "lesson", {"on": day.isoformat(), "topic": f"团课第{i}讲", "hours": 2, "minutes": 100})

    # A guard refuses and says what is missing: the committee has not filed the 积极分子 yet.
    page.locator("li[data-step='candidate'] a.btn").click()
    page.fill("[name=on]", t.candidate.isoformat())
    page.locator("form button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("确定入团积极分子后尚未报上级团委备案")
    screenshots(page, "membership-guard")
    development = Development.objects.get(membership__person__name="周入团")
    assert development.stage == "activist"

    # The township secretary takes the committee's steps in their own browser.
    town_context = browser.new_context(**browser_context_args)
    town = town_context.new_page()
    login(town, base, world.town_secretary)
    dev_url = base + reverse("membership:development", args=[development.pk])
    town.goto(dev_url)
    take_step(town, "file_activist", {"on": t.filed.isoformat()})

    page.goto(dev_url)
    take_step(page, "candidate", {"on": t.candidate.isoformat()})
    take_step(page, "notice_candidate", {"starts_on": t.candidate_notice.isoformat(), "place": "村务公开栏"})
    town.goto(dev_url)
    take_step(town, "prereview", {"on": t.prereview.isoformat()})
    take_step(town, "issue_form", {"on": t.form.isoformat()})
    page.goto(dev_url)
    take_step(page, "introducers", {"introducer_1": contacts[1].pk, "introducer_2": contacts[2].pk,
                                    "on": t.introducers.isoformat()})
    take_step(page, "vote", {"meeting_on": t.vote.isoformat(), "voting_members": 10, "present": 8, "yes": 7,
                             "no": 1, "abstain": 0})
    take_step(page, "notice_admission", {"starts_on": t.admission_notice.isoformat()})
    expect(page.locator("li[data-step='approve']")).to_contain_text("由甲镇团委办理")
    town.goto(dev_url)
    take_step(town, "approve", {"on": t.approve.isoformat()})
    expect(town.locator("#next-steps")).to_contain_text(f"入团时间 {t.vote:%Y-%m-%d}")
    screenshots(town, "membership-admitted")
    town_context.close()

    m = Membership.objects.get(person__name="周入团")
    assert (m.status, m.joined_on, m.development_number) == (Status.MEMBER, t.vote, f"{t.vote.year}01210001")


def test_receiving_township_approves_a_transfer_and_assigns_a_branch(live_server, live_world, page, screenshots):
    world = live_world
    from tuanwu.membership import transfers
    from tuanwu.people.testing import make_member

    m = make_member(world, world.branch_b1, "丙村小李")
    transfers.request_transfer(actor=world.county_admin, membership=m, initiated_by="sender", destination="work",
                               to_unit=world.town_a, requested_on=timezone.localdate(), note="到甲镇工作")
    base = live_server.url
    login(page, base, world.town_secretary)
    page.goto(base + reverse("membership:transfers", args=[world.town_a.pk]))
    expect(page.locator("h1")).to_have_text("组织关系转接：甲镇团委")
    page.get_by_role("link", name="审批").click()
    expect(page.locator("h1")).to_have_text("组织关系转接：丙村小李")
    page.locator("[name=to_branch]").select_option(str(world.branch_a2.pk))
    page.locator("form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已同意转入")
    expect(page.locator("table").first).to_contain_text("已转入")
    screenshots(page, "membership-transfer")
    m.refresh_from_db()
    transfer = Transfer.objects.get(membership=m)
    assert (m.branch_id, transfer.state, transfer.to_branch_id) == (world.branch_a2.pk, "approved", world.branch_a2.pk)
