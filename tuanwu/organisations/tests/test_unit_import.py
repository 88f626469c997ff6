"""Importing units and their administrators into a subtree (import kind "units")."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tuanwu.accounts.models import User
from tuanwu.core import imports
from tuanwu.core.models import AuditEvent, ImportJob
from tuanwu.organisations.models import Role, RoleGrant, Unit

HEADERS = ["组织名称*", "组织类型*", "上级组织*", "领域", "行政区划代码", "成立日期", "学生团支部", "流动团员团支部",
           "临时团支部", "管理员姓名", "管理员手机号", "管理员用户名"]
# The same columns as a real-world file might word them, plus a column the pipeline does not know.
ALIAS_HEADERS = ["单位名称", "组织类别", "所属上级", "领域", "区划代码", "建立时间", "学生团支部", "流动团员团支部",
                 "临时 团支部", "书记姓名", "联系电话", "用户名", "备注"]

GOOD_ROWS = [
    ["丁村团支部", "团支部", "甲镇团委", "", 650121100203, datetime.date(2019, 5, 4), "否", "否", "否",
     "王五", 13900001111, "dingcun_ww"],
    ["甲镇机关团总支", "团总支", "甲镇团委", "机关", "", "2020/3/1", "", "", "", "", "", ""],
    ["机关一支部", "团支部", "甲镇团委/甲镇机关团总支", "", "", "2021年7月1日", "", "是", "", "赵六", "", ""],
    ["戊村团支部", "团支部", "甲镇团委", "", "", 43000, "", "", "", "", "", ""],
]


def xlsx_bytes(rows, sheet="Sheet1") -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    ws = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


def upload(rows, name="组织.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows))


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def check(world, rows, actor=None, unit=None):
    actor = actor or world.town_secretary
    job = imports.save_upload(actor=actor, unit=unit or world.town_a, kind="units", uploaded_file=upload(rows))
    return imports.start_check(job)


def triples(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_alias_headers_are_recognised_and_unknown_columns_ignored(world):
    job = check(world, [ALIAS_HEADERS, [*GOOD_ROWS[0], "村委会推荐"]])
    assert job.status == ImportJob.Status.READY
    assert job.errors == []
    assert job.ignored_columns == ["备注"]
    assert job.headers == {"0": "name", "1": "kind", "2": "parent", "3": "sector", "4": "division_code",
                           "5": "founded_on", "6": "is_student", "7": "is_mobile", "8": "is_temporary",
                           "9": "admin_name", "10": "admin_phone", "11": "admin_username"}
    assert job.preview["rows"] == [["2", "丁村团支部", "团支部", "甲镇团委", "农村",
                                    "650121100203", "2019-05-04", "", "王五", "139000*1111", "dingcun_ww"]]
    assert job.preview["counts"] == {"新建组织": 1, "新建管理员账号": 1}


def test_header_row_below_a_title_and_missing_required_columns(world):
    job = check(world, [["甲镇团组织统计表"], [], ["单位名称", "领域"], ["丁村团支部", "农村"]])
    assert job.status == ImportJob.Status.INVALID
    assert triples(job) == [(3, "", "缺少必填列：组织类型、上级组织")]


def test_table_away_from_a1_keeps_excel_row_numbers_and_column_letters(world):
    # Two empty columns and a title above: calamine hands over rows without the leading empty
    # columns; the pipeline puts them back so errors name the cells the user sees.
    rows = [["", "", "甲镇团组织统计表"], [], ["", "", *HEADERS], ["", "", "", "团支部", "甲镇团委"]]
    job = check(world, rows)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["letter"], e["message"]) for e in job.errors] == [(4, "C", "请填写组织名称")]


BAD_ROWS = [
    # 2: name missing; bool not yes/no
    ["", "团支部", "甲镇团委", "", "", "", "也许", "", "", "", "", ""],
    # 3: unknown kind; date that does not exist
    ["庚村团支部", "团小组", "甲镇团委", "", "", "2023-02-30", "", "", "", "", "", ""],
    # 4: parent in a sibling township (outside the secretary's subtree)
    ["辛村团支部", "团支部", "丙村团支部", "", "", "", "", "", "", "", "", ""],
    # 5: a branch under a branch
    ["壬组", "团支部", "甲村团支部", "", "", "", "", "", "", "", "", ""],
    # 6: a name already under the parent in the database; bad division code
    ["甲村团支部", "团支部", "甲镇团委", "", "12345", "", "", "", "", "", "", ""],
    # 7: fine on its own
    ["丁村团支部", "团支部", "甲镇团委", "", "", "", "", "", "", "王五", 13900001111, "dingcun_ww"],
    # 8: the same name again in the file; username taken in the file; short phone
    ["丁村团支部", "团支部", "甲镇团委", "", "", "", "", "", "", "王六", 1390000111, "DingCun_WW"],
    # 9: phone and username without a name; username taken in the database
    ["癸村团支部", "团支部", "甲镇团委", "", "", "", "", "", "", "", 13900002222, "county_admin"],
    # 10: invalid username; parent that is a later-failing row (row 4)
    ["子组", "团支部", "辛村团支部", "", "", "", "", "", "", "钱七", "", "钱七"],
]


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(world):
    units_before, audit_before, users_before = Unit.objects.count(), AuditEvent.objects.count(), User.objects.count()
    job = check(world, [HEADERS, *BAD_ROWS])
    assert job.status == ImportJob.Status.INVALID
    kinds = "团省委、团市委、团县委、团委、团工委、团总支、团支部、学校、少先队大队、少先队中队、党委、党总支、党支部"
    assert triples(job) == [
        (2, "组织名称*", "请填写组织名称"),
        (2, "学生团支部", "请填写“是”或“否”"),
        (3, "组织类型*", f"“团小组”不是可选值，可选：{kinds}"),
        (3, "成立日期", "日期“2023-02-30”不存在"),
        (4, "上级组织*", "上级组织“丙村团支部”不在您的管理范围内或不存在"),
        (5, "组织类型*", "团支部下不能设立团支部（该类组织不设下级）"),
        (6, "组织名称*", "“甲镇团委”下已有名为“甲村团支部”的组织"),
        (6, "行政区划代码", "行政区划代码应为 6–12 位数字"),
        (8, "组织名称*", "与第 7 行重复：同一上级组织下不能有两个“丁村团支部”"),
        (8, "管理员手机号", "手机号应为以 1 开头的 11 位数字"),
        (8, "管理员用户名", "用户名“DingCun_WW”与第 7 行重复"),
        (9, "管理员姓名", "填写了管理员手机号或用户名时，请填写管理员姓名"),
        (9, "管理员用户名", "用户名“county_admin”已被使用"),
        (10, "上级组织*", "上级组织“辛村团支部”所在的第 4 行有错误，请先改正该行"),
        (10, "管理员用户名", "用户名只能由英文字母、数字和 _ . - @ + 组成，长度 3–30 位"),
    ]
    assert [e["letter"] for e in job.errors[:2]] == ["A", "G"]
    assert job.preview == {}
    assert (Unit.objects.count(), AuditEvent.objects.count(), User.objects.count()) == (
        units_before, audit_before, users_before)
    # Committing an invalid job is refused and writes nothing either.
    with pytest.raises(imports.DomainError, match="状态是“有错误”"):
        imports.start_commit(job, world.town_secretary)
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units_before, audit_before)


def test_corrected_file_imports_units_accounts_and_grants(world):
    audit_before = AuditEvent.objects.count()
    job = check(world, [HEADERS, *GOOD_ROWS])
    assert job.status == ImportJob.Status.READY, job.errors
    path = job.file_path
    job = imports.start_commit(job, world.town_secretary)
    assert job.status == ImportJob.Status.DONE
    town = Unit.objects.get(pk=world.town_a.pk)
    created = {u.name: u for u in Unit.objects.filter(path__startswith=town.path, depth=town.depth + 1)}
    assert set(created) == {"甲村团支部", "乙村团支部", "丁村团支部", "甲镇机关团总支", "戊村团支部"}
    ding = created["丁村团支部"]
    assert (ding.kind, ding.sector, ding.division_code, ding.founded_on) == (
        "branch", "rural", "650121100203", datetime.date(2019, 5, 4))
    assert created["甲镇机关团总支"].sector == "government"
    assert created["戊村团支部"].founded_on == datetime.date(2017, 9, 22)  # Excel serial 43000
    child = Unit.objects.get(name="机关一支部")
    assert Unit.objects.get_parent(child) == created["甲镇机关团总支"]
    assert (child.sector, child.is_mobile, child.founded_on) == ("government", True, datetime.date(2021, 7, 1))

    wang = User.objects.get(username="dingcun_ww")
    assert (wang.full_name, wang.phone, wang.must_change_password, wang.has_usable_password()) == (
        "王五", "13900001111", True, False)
    zhao = User.objects.get(full_name="赵六")
    assert zhao.username == f"unit{child.pk}"
    assert set(RoleGrant.objects.filter(user__in=[wang, zhao]).values_list("user__username", "unit__name", "role")) == {
        ("dingcun_ww", "丁村团支部", Role.UNIT_ADMIN), (f"unit{child.pk}", "机关一支部", Role.UNIT_ADMIN)}
    assert job.result["usernames"] == ["dingcun_ww", f"unit{child.pk}"]
    assert (job.result["units"], job.result["accounts"], job.result["secrets_issued"]) == (4, 2, False)
    assert job.file_path == "" and not __import__("os").path.exists(path)

    events = AuditEvent.objects.filter(pk__gt=0).order_by("id")[audit_before:]
    actions = [e.action for e in events]
    assert actions.count("新建组织") == 4
    assert actions.count("授予角色") == 2
    assert actions.count("新建账号（导入）") == 2
    assert actions[-1] == "导入：组织及管理员导入"
    assert all(e.source == "import" and e.actor == world.town_secretary for e in events)
    account_events = [e for e in events if e.action == "新建账号（导入）"]
    assert account_events[0].batch == account_events[1].batch is not None
    assert account_events[0].after["phone"] == "139000*1111"

    # The initial passwords are issued once, to the importer only, and never stored.
    with pytest.raises(imports.DomainError, match="只有执行导入的人"):
        imports.get_spec("units").issue_secrets(job, world.county_admin)
    secrets = imports.get_spec("units").issue_secrets(job, world.town_secretary)
    assert [(s["username"], s["unit"]) for s in secrets] == [("dingcun_ww", "丁村团支部"),
                                                               (f"unit{child.pk}", "机关一支部")]
    wang.refresh_from_db()
    assert wang.check_password(secrets[0]["password"])
    job.refresh_from_db()
    assert secrets[0]["password"] not in str(job.result)
    with pytest.raises(imports.DomainError, match="已经显示过一次"):
        imports.get_spec("units").issue_secrets(job, world.town_secretary)


def test_commit_revalidates_and_writes_nothing_when_the_tree_changed(world):
    from tuanwu.organisations import actions

    job = check(world, [HEADERS, *GOOD_ROWS])
    assert job.status == ImportJob.Status.READY
    actions.create_unit(actor=world.superuser, parent=world.town_a, name="戊村团支部", kind="branch")
    units_before, audit_before = Unit.objects.count(), AuditEvent.objects.count()
    job = imports.start_commit(job, world.town_secretary)
    assert job.status == ImportJob.Status.INVALID
    assert triples(job) == [(5, "组织名称*", "“甲镇团委”下已有名为“戊村团支部”的组织")]
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units_before, audit_before)


def test_parent_resolution_with_duplicate_names_needs_a_path(world):
    # 甲村团支部 exists only under 甲镇团委 in the county admin's subtree, but 团总支 names repeat.
    rows = [HEADERS,
            ["联合团总支", "团总支", "甲镇团委", "", "", "", "", "", "", "", "", ""],
            ["联合团总支", "团总支", "乙镇团委", "", "", "", "", "", "", "", "", ""],
            ["一支部", "团支部", "联合团总支", "", "", "", "", "", "", "", "", ""],
            ["二支部", "团支部", "乙镇团委/联合团总支", "", "", "", "", "", "", "", "", ""]]
    job = check(world, rows, actor=world.county_admin, unit=world.county)
    assert triples(job) == [(4, "上级组织*", "上级组织“联合团总支”有 2 个同名组织，请写出路径，如“甲镇团委/联合团总支”")]


def test_town_secretary_imports_branches_but_not_into_a_sibling(world, as_user):
    client = as_user(world.town_secretary)
    url = reverse("core:import_upload", args=[world.town_a.pk, "units"])
    assert client.get(url).status_code == 200
    audit_before, jobs_before = AuditEvent.objects.count(), ImportJob.objects.count()
    sibling = reverse("core:import_upload", args=[world.town_b.pk, "units"])
    response = client.post(sibling, {"file": upload([HEADERS, GOOD_ROWS[0]])})
    assert response.status_code == 404
    branch_client = as_user(world.branch_secretary)
    response = branch_client.post(reverse("core:import_upload", args=[world.branch_a2.pk, "units"]),
                                  {"file": upload([HEADERS, GOOD_ROWS[0]])})
    assert response.status_code == 404
    # The inspector sees the county but may not import (403).
    response = as_user(world.inspector).post(url, {"file": upload([HEADERS, GOOD_ROWS[0]])})
    assert response.status_code == 403
    assert (AuditEvent.objects.count(), ImportJob.objects.count()) == (audit_before, jobs_before)


def test_job_pages_are_scoped_to_the_unit(world, as_user):
    job = check(world, [HEADERS, *BAD_ROWS])
    urls = [reverse("core:import_detail", args=[job.pk]), reverse("core:import_progress", args=[job.pk]),
            reverse("core:import_errors", args=[job.pk])]
    for url in urls:
        assert as_user(world.outsider).get(url).status_code == 404
        assert as_user(world.branch_secretary).get(url).status_code == 404
        assert as_user(world.inspector).get(url).status_code == 403
        assert as_user(world.county_admin).get(url).status_code == 200
    audit_before = AuditEvent.objects.count()
    assert as_user(world.branch_secretary).post(reverse("core:import_commit", args=[job.pk])).status_code == 404
    assert AuditEvent.objects.count() == audit_before


def test_http_flow_errors_then_corrected_upload_then_commit(world, as_user):
    client = as_user(world.town_secretary)
    url = reverse("core:import_upload", args=[world.town_a.pk, "units"])
    units_before, audit_before = Unit.objects.count(), AuditEvent.objects.count()

    response = client.post(url, {"file": upload([HEADERS, *BAD_ROWS])})
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    page = client.get(response["Location"]).content.decode()
    assert "检查发现 15 个问题，涉及 8 行" in page
    assert ('<td class="num nowrap err-where cell-title">第 4 行</td><td class="nowrap err-where">C 列 上级组织*</td>'
            '<td class="err-message">上级组织“丙村团支部”不在您的管理范围内或不存在</td>') in page
    response = client.post(reverse("core:import_commit", args=[job.pk]))
    assert response.status_code == 302
    assert "状态是“有错误”，不能导入" in client.get(response["Location"]).content.decode()
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units_before, audit_before)

    response = client.post(url, {"file": upload([ALIAS_HEADERS, *[[*r, ""] for r in GOOD_ROWS]])})
    job = ImportJob.objects.latest("id")
    page = client.get(response["Location"]).content.decode()
    assert "全部 4 行检查通过" in page and "以下列未能识别，已忽略：备注" in page
    assert client.get(reverse("core:import_commit", args=[job.pk])).status_code == 405
    response = client.post(reverse("core:import_commit", args=[job.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "初始密码只显示这一次" in page and "dingcun_ww" in page
    assert 'href="data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,' in page
    assert Unit.objects.count() == units_before + 4
    wang = User.objects.get(username="dingcun_ww")
    password = page.split("dingcun_ww</td><td><span class=\"secret-once\">")[1].split("<")[0]
    assert wang.check_password(password)
    # Reloading the page does not show the passwords again.
    again = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert password not in again and "初始密码已显示过" in again
    assert "新建组织 4 个，管理员账号" in again


def test_bad_rows_workbook_marks_the_faulty_cells(world, as_user):
    import re
    import zipfile

    job = check(world, [HEADERS, *BAD_ROWS[:3]])
    response = as_user(world.town_secretary).get(reverse("core:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0] == [*HEADERS, "错误说明", "原行号"]
    assert [row[0] for row in sheet[1:]] == ["", "庚村团支部", "辛村团支部"]
    assert sheet[1][-2:] == ["组织名称*：请填写组织名称；学生团支部：请填写“是”或“否”", 2.0]
    assert sheet[3][-2:] == ["上级组织*：上级组织“丙村团支部”不在您的管理范围内或不存在", 4.0]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        comments = z.read("xl/comments1.xml").decode()
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    refs = re.findall(r'<comment ref="([A-Z]+\d+)"', comments)
    assert refs == ["A2", "G2", "B3", "F3", "C4"]
    assert "上级组织“丙村团支部”不在您的管理范围内或不存在" in comments
    # The faulty cells share a style whose fill is red; the others do not.
    style_of = dict(re.findall(r'<c r="([A-Z]+\d+)" s="(\d+)"', sheet_xml))
    red = {style_of[r] for r in refs}
    assert len(red) == 1 or red == {style_of["A2"], style_of["F3"]}
    assert style_of.get("A4") not in red
    fills = re.findall(r"<fill>(.*?)</fill>", styles)
    xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1].split("</cellXfs>")[0])
    fill_id = int(re.search(r'fillId="(\d+)"', xfs[int(style_of["C4"])]).group(1))
    assert 'rgb="FFFFC7CE"' in fills[fill_id]


def test_background_path_reports_progress(world, settings, monkeypatch):
    settings.TUANWU_IMPORT_BACKGROUND_ROWS = 3
    seen = []
    original = imports.Progress.__call__

    def spy(self, n, force=False):
        seen.append(n)
        return original(self, n, force)

    monkeypatch.setattr(imports.Progress, "__call__", spy)
    job = imports.save_upload(actor=world.town_secretary, unit=world.town_a, kind="units",
                              uploaded_file=upload([HEADERS, *GOOD_ROWS]))
    assert imports.runs_in_background(job)
    job = imports.start_check(job)  # ImmediateBackend runs the task inline
    assert job.status == ImportJob.Status.READY
    assert (job.processed_rows, job.total_rows) == (4, 4)
    assert seen == [1, 2, 3, 4]
    seen.clear()
    job = imports.start_commit(job, world.town_secretary)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.processed_rows, job.result["units"]) == (4, 4)
    assert seen == [1, 2, 3, 4, 4]


def test_upload_validation_messages(world):
    def refused(file):
        with pytest.raises(imports.ImportFileError) as exc:
            imports.save_upload(actor=world.town_secretary, unit=world.town_a, kind="units", uploaded_file=file)
        return exc.value.message

    assert refused(SimpleUploadedFile("a.txt", b"a,b")) == "只能上传 Excel（.xlsx、.xls）、.ods 或 .csv 表格文件"
    assert refused(SimpleUploadedFile("a.xlsx", b"not a zip")) == (
        "无法读取该文件，请确认它是 Excel（.xlsx/.xls）或 .ods 表格且没有损坏")
    assert refused(SimpleUploadedFile("a.xlsx", xlsx_bytes([HEADERS]))) == "表格里只有表头，没有数据行"
    assert refused(SimpleUploadedFile("a.xlsx", xlsx_bytes([["甲", "乙"], ["1", "2"]]))).startswith("没有找到表头")
    assert ImportJob.objects.count() == 0
