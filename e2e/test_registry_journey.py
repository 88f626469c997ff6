"""Browser journey (issue 3): a township secretary imports a member list with an error, downloads
the bad rows, fixes them, imports again; then finds a member by initials and opens the record."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from tuanwu.membership.testing import member_row, write_workbook
from tuanwu.people.models import Person
from tuanwu.testing.world import PASSWORD, build_world

TODAY = timezone.localdate()


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return build_world()


def test_import_with_errors_fix_import_again_then_search_by_initials(live_server, live_world, page, screenshots,
                                                                     tmp_path):
    world = live_world
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in (17, 18, 19)]  # 努尔兰•叶尔肯, 古丽娜尔・阿曼, 张三
    good_number = rows[1]["身份证号码"]
    rows[1]["身份证号码"] = good_number[:17] + ("1" if good_number[17] == "0" else "0")
    bad_file = write_workbook(tmp_path / "甲镇团员名册.xlsx", rows)

    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", world.town_secretary.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    # From the township's page, the import panel.
    page.goto(live_server.url + reverse("organisations:unit_detail", args=[world.town_a.pk]))
    page.get_by_role("link", name="团员导入").click()
    expect(page.locator("h1")).to_contain_text("团员导入")
    page.set_input_files("#id_file", bad_file)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("身份证号码校验位不正确")).to_be_visible()
    expect(page.get_by_text("没有写入任何数据")).to_be_visible()
    screenshots(page, "members-import-errors")
    assert Person.objects.count() == 0

    # The bad rows, as a workbook: only row 3, with its reason.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误行（.xlsx）").click()
    saved = tmp_path / "错误行.xlsx"
    download.value.save_as(saved)
    sheet = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert sheet[0][-2:] == ["错误说明", "原行号"]
    name = sheet[0].index("姓名")
    assert [(r[name], int(r[-1])) for r in sheet[1:]] == [("古丽娜尔・阿曼", 3)]  # as uploaded
    assert "身份证号码校验位不正确" in sheet[1][-2]

    # Fix the number and upload the corrected list.
    rows[1]["身份证号码"] = good_number
    fixed_file = write_workbook(tmp_path / "甲镇团员名册（改正）.xlsx", rows)
    page.get_by_role("link", name="上传改正后的文件").click()
    page.set_input_files("#id_file", fixed_file)
    page.get_by_role("button", name="上传并检查").click()
    confirm = page.get_by_role("button", name="确认导入 3 行")
    expect(confirm).to_be_visible()
    screenshots(page, "members-import-preview")
    confirm.click()
    expect(page.get_by_role("heading", name="导入完成")).to_be_visible()
    assert Person.objects.count() == 3

    # Search by initials and open the person: identifiers masked.
    page.get_by_role("navigation", name="模块").get_by_role("link", name="团员名册").click()
    page.fill("input[name=q]", "zs")
    page.get_by_role("button", name="查询").click()
    link = page.locator("table.people-table a", has_text="张三")
    expect(link).to_have_count(1)
    expect(page.locator("table.people-table tbody tr")).to_have_count(1)
    screenshots(page, "members-search")
    link.click()
    expect(page.locator("h1")).to_contain_text("张三")
    number = rows[2]["身份证号码"]
    expect(page.get_by_text(number[:6] + "********" + number[-4:])).to_be_visible()
    expect(page.get_by_text(number, exact=True)).to_have_count(0)
    screenshots(page, "members-person")
