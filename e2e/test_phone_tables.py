"""Tables on a phone (390 px): every table either becomes one card per row or scrolls sideways
inside its frame; none squeezes a column to a character or two a line, and no page scrolls
sideways as a whole. Long Uyghur and Kazakh names, long unit names and long titles are what
squeezed columns into unreadable towers before."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from e2e.conftest import PHONE, login
from tuanwu.activities.testing import activity, member
from tuanwu.cadres.testing import make_cadre
from tuanwu.elections.testing import branch_meeting
from tuanwu.organisations import actions as tree
from tuanwu.testing.world import build_world

# Cells with at least four characters that are narrower than 60 px and three lines tall or more.
SQUEEZED = """() => [...document.querySelectorAll('table td, table th')].filter(cell => {
    const box = cell.getBoundingClientRect(), text = cell.innerText.trim();
    return text.length >= 4 && box.width > 0 && box.width < 60 && box.height > 64;
}).map(cell => cell.innerText.trim().slice(0, 20) + ' (' + Math.round(cell.getBoundingClientRect().width) + ' px)')"""

# The first column names the row (a unit, a person): a long unit name must not stand five
# characters a line. Cards (stack-mobile) and number cells are not measured.
NARROW_FIRST = """() => [...document.querySelectorAll('table:not(.stack-mobile) tr > :first-child:not(.num)')].filter(cell => {
    const box = cell.getBoundingClientRect(), text = cell.innerText.trim();
    return text.length >= 8 && box.width > 0 && box.width < 120;
}).map(cell => cell.innerText.trim().slice(0, 20) + ' (' + Math.round(cell.getBoundingClientRect().width) + ' px)')"""


@pytest.fixture
def live_world(transactional_db):
    # live_server serves from another thread: the world must be committed, not in a test transaction.
    cache.clear()
    world = build_world()
    branch = tree.create_unit(actor=world.superuser, parent=world.town_a, name="乌鲁木齐县南山奶业有限公司团支部",
                              kind="branch", sector="enterprise")
    for name in ("古丽米拉·加尔肯", "阿斯哈尔·努尔兰", "巴合提·叶尔肯", "艾力·热合曼"):
        member(world, branch, name)
    world.activity = activity(world, branch, title="清明祭英烈红色主题实践（少先队与团员共同参与）")
    branch_meeting(world, branch, voters=4, names=["古丽米拉·加尔肯", "阿斯哈尔·努尔兰", "巴合提·叶尔肯", "艾力·热合曼"])
    make_cadre(world, branch, "阿依达娜·赛力克")
    return world


def test_tables_on_a_phone_stay_readable(live_server, live_world, page, screenshots):
    world = live_world
    page.set_viewport_size(PHONE)
    login(page, live_server.url, world.superuser)

    pages = {
        "activities": reverse("activities:list"),
        "activity": reverse("activities:detail", args=[world.activity.pk]),
        "stats": reverse("activities:stats", args=[world.county.pk]),
        "elections": reverse("elections:list"),
        "cadres": reverse("cadres:staffing", args=[world.town_a.pk]),
        "people": reverse("people:list"),
    }
    problems = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        assert page.locator("table").count() > 0, name
        squeezed = page.evaluate(SQUEEZED) + page.evaluate(NARROW_FIRST)
        width = page.evaluate("document.documentElement.scrollWidth")
        if squeezed or width > PHONE["width"]:
            problems[name] = (width, squeezed[:3])
    screenshots(page, "phone-tables-people")
    assert problems == {}


def test_import_problems_on_a_phone_show_each_message_whole(live_server, transactional_db, page, screenshots):
    """The problems of a refused import, on a phone: each message must be readable where it
    stands. As a three-column table, a message with a masked ID number (a run of twenty
    characters that does not wrap) pushed the message column past the screen's edge."""
    from tuanwu.core.models import ImportJob
    from tuanwu.people.idcard import already_registered

    cache.clear()
    world = build_world()
    messages = [already_registered("650121********6015"), "“乌鲁木齐县南山奶业有限公司团支部”不在您的管理范围内或不存在",
                "身份证号码校验位不正确"]
    job = ImportJob.objects.create(
        kind="members", unit=world.town_a, created_by=world.town_secretary, original_name="甲镇团员名册.xlsx",
        status=ImportJob.Status.INVALID, total_rows=3, processed_rows=3,
        errors=[{"row": 2, "column": "身份证号码", "letter": "E", "message": messages[0]},
                {"row": 3, "column": "所在团支部", "letter": "F", "message": messages[1]},
                {"row": 4, "column": "身份证号码", "letter": "E", "message": messages[2]}])
    page.set_viewport_size(PHONE)
    login(page, live_server.url, world.town_secretary)
    page.goto(live_server.url + reverse("core:import_detail", args=[job.pk]))
    frame = page.locator(".table-wrap").filter(has=page.locator("table.import-errors"))
    right = frame.evaluate("el => el.getBoundingClientRect().right")
    for message in messages:
        cell = page.locator("table.import-errors td", has_text=message)
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= right + 1, (message, box, right)
    assert frame.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshots(page, "phone-import-problems")
