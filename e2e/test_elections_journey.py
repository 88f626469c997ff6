"""Browser journey (issue 7): a branch secretary sets up a branch election, prints the ballots,
two tellers enter the ballots with their one-time codes (no account), a disagreement is shown and
resolved, the election is closed and the result sheet downloaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuanwu.elections.models import Election, Status
from tuanwu.people.testing import make_member
from tuanwu.testing.world import PASSWORD, build_world

OUT = Path(__file__).resolve().parent.parent / "test-results" / "elections"
NAMES = ["张伟", "王明", "李华", "刘洋", "陈静", "杨帆"]  # candidates: the first three; tellers: 刘洋, 陈静


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    for name in NAMES:
        make_member(world, world.branch_a1, name)
    return world


def _login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def _enter(page, paper: int, yes: list[str]):
    page.fill("input[name=paper_number]", str(paper))
    for name in ("王明", "李华", "张伟"):
        row = page.locator("fieldset.ballot-row", has_text=name)
        row.get_by_label("赞成" if name in yes else "反对").check()
    page.get_by_role("button", name="提交本张选票").click()


def test_branch_election_from_setup_to_result_sheet(live_server, live_world, page, browser, screenshots):
    world = live_world
    OUT.mkdir(parents=True, exist_ok=True)
    _login(page, live_server, world.branch_secretary)

    # Set up: the meeting, its roll call, the election.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="选举与换届").click()
    expect(page.locator("h1")).to_have_text("选举与换届")
    page.get_by_role("button", name="筹备").click()
    expect(page.locator("h1")).to_have_text("筹备选举会议：甲村团支部")
    page.fill("input[name=term_number]", "4")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("甲村团支部团员大会")
    for name in NAMES:
        page.locator("details.expander label", has_text=name).click()
    page.get_by_role("button", name="登记", exact=True).click()
    for name in NAMES:
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="保存点名结果").click()
    expect(page.locator("#roll-figures")).to_have_text("应到 6 人，实到 6 人")
    page.get_by_role("link", name="设立选举").click()
    page.select_option("select[name=office]", "committee_member")
    page.fill("input[name=seats]", "2")
    for name in ("张伟", "王明", "李华"):
        page.locator("label", has_text=name).first.click()
    page.get_by_role("button", name="设立选举").click()
    expect(page.locator("h1")).to_have_text("选举委员")
    # Candidates in 姓氏笔画 order: 王 (4) before 李 (7, 横) before 张 (7, 折).
    expect(page.locator(".candidate-list li")).to_have_text(["王明", "李华", "张伟"])

    # Two tellers; each code is shown once.
    codes = []
    for name, role in (("刘洋", "scrutineer"), ("陈静", "counter")):
        page.select_option("select[name=person]", label=name)
        page.select_option("select[name=role]", role)
        page.get_by_role("button", name="指定并生成计票编码").click()
        codes.append(page.locator("#new-code").inner_text().strip())
    assert all(re.fullmatch(r"[A-Z2-9]{10}", c) for c in codes)

    # Print the ballots.
    ballot = page.request.get(live_server.url + page.locator("#ballot-link").get_attribute("href"))
    assert ballot.headers["content-type"] == "application/pdf"
    (OUT / "journey-ballot.pdf").write_bytes(ballot.body())
    page.get_by_role("button", name="开始计票").click()
    page.locator("input[name=issued]").fill("6")
    page.locator("input[name=returned]").fill("6")
    page.get_by_role("button", name="保存清点结果").click()
    expect(page.locator(".round")).to_contain_text("发出选票 6 张，收回 6 张")
    screenshots(page, "election-setup")

    # Two tellers, each in their own browser, without an account.
    tellers = []
    for code in codes:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
        teller = context.new_page()
        teller.goto(live_server.url + reverse("elections:teller_login"))
        teller.fill("input[name=code]", code.lower())
        teller.get_by_role("button", name="进入录入").click()
        expect(teller.locator("h1")).to_have_text("甲村团支部团员大会 · 选举委员")
        tellers.append(teller)
    first, second = tellers
    _enter(first, 1, ["王明", "李华"])
    expect(first.locator("#entry-result")).to_have_text("第 1 号选票已录入，等待另一名计票人录入。")
    _enter(second, 1, ["王明", "张伟"])  # a slip: 张伟 instead of 李华
    expect(second.locator("#entry-result")).to_contain_text("与另一名计票人的录入不一致：李华、张伟")
    second.screenshot(path=str(OUT / "journey-disagreement-phone.png"), full_page=True)
    _enter(second, 1, ["王明", "李华"])  # looked at the paper again
    expect(second.locator("#entry-result")).to_have_text("第 1 号选票两人录入一致，已采用。")
    papers = {2: ["王明", "李华"], 3: ["王明", "张伟"], 4: ["王明", "李华"], 5: ["李华"], 6: ["王明", "李华", "张伟"]}
    for paper, yes in papers.items():
        _enter(first, paper, yes)
        expect(first.locator("#entry-result")).to_contain_text(f"第 {paper} 号选票")
        _enter(second, paper, yes)
        expect(second.locator("#entry-result")).to_contain_text(f"第 {paper} 号选票两人录入一致")
    expect(second.locator("#entry-result")).to_have_text("第 6 号选票两人录入一致，已采用；该票作废：赞成 3 人，多于应选名额 2 名。")
    expect(second.locator("#accepted-count")).to_have_text("6")

    # Count, close, download the result sheet.
    page.reload()
    page.get_by_role("button", name="本轮计票").click()
    expect(page.locator(".result-table")).to_contain_text("当选")
    page.get_by_role("button", name="结束选举").click()
    expect(page.locator("#election-status")).to_have_text("已结束")
    expect(page.locator(".winners")).to_have_text("当选（按姓氏笔画排列）：王明（4 票）、李华（4 票）")
    expect(page.get_by_text("校验通过")).to_be_visible()
    screenshots(page, "election-result")
    with page.expect_download() as info:
        page.locator("#result-pdf").click()
    path = OUT / "journey-result.pdf"
    info.value.save_as(str(path))
    assert path.read_bytes().startswith(b"%PDF")
    election = Election.objects.get()
    assert election.status == Status.CLOSED and len(election.result_hash) == 64
    # The codes stop working once the election is closed.
    first.goto(live_server.url + reverse("elections:teller_entry"))
    expect(first.locator("h1")).to_have_text("计票人录入")
