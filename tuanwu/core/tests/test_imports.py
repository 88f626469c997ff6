"""The shared import pipeline: cell parsing, header matching, the template, housekeeping."""

from __future__ import annotations

import datetime
import functools
import io
import os
import re
import time
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tuanwu.core import imports
from tuanwu.core.imports import BOOL, CHOICE, DATE, INT, TEXT, Column
from tuanwu.core.models import ImportJob
from tuanwu.testing.xlsx import column_formats


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.mark.parametrize(("value", "expected"), [
    (datetime.date(2023, 1, 5), datetime.date(2023, 1, 5)),
    (datetime.datetime(2023, 1, 5, 8, 30), datetime.date(2023, 1, 5)),
    (44931.0, datetime.date(2023, 1, 5)),  # Excel serial
    (44931, datetime.date(2023, 1, 5)),
    ("2023-01-05", datetime.date(2023, 1, 5)),
    ("2023/1/5", datetime.date(2023, 1, 5)),
    ("2023.1.5", datetime.date(2023, 1, 5)),
    ("2023年1月5日", datetime.date(2023, 1, 5)),
    ("2023年1月5", datetime.date(2023, 1, 5)),
    ("２０２３－０１－０５", datetime.date(2023, 1, 5)),  # full-width digits and dash
    ("20230105", datetime.date(2023, 1, 5)),
    (20230105.0, datetime.date(2023, 1, 5)),
])
def test_dates_in_every_usual_form(value, expected):
    assert imports.parse_date(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("2023-13-01", "日期“2023-13-01”不存在"),
    ("明年春天", "日期格式不正确，请填写如 2023-01-05"),
    (-3, "日期格式不正确"),
])
def test_bad_dates(value, message):
    with pytest.raises(ValueError) as exc:
        imports.parse_date(value)
    assert str(exc.value) == message


def test_cells_by_type():
    kind = Column("kind", "类型", CHOICE, choices=(("branch", "团支部"), ("committee", "团委")),
                  choice_aliases=(("乡镇团委", "committee"),))
    assert imports.parse_cell(kind, " 团支部 ") == "branch"
    assert imports.parse_cell(kind, "乡镇团委") == "committee"
    assert imports.parse_cell(kind, "committee") == "committee"
    with pytest.raises(ValueError, match="^“团小组”不是可选值，可选：团支部、团委$"):
        imports.parse_cell(kind, "团小组")
    flag = Column("f", "标记", BOOL)
    assert [imports.parse_cell(flag, v) for v in ("是", "否", "Y", "n", True, 0.0, "√", "")] == [
        True, False, True, False, True, False, True, None]
    with pytest.raises(ValueError, match="^请填写“是”或“否”$"):
        imports.parse_cell(flag, "也许")
    number = Column("n", "人数", INT)
    assert [imports.parse_cell(number, v) for v in (12.0, 7, "３０", " 4 ")] == [12, 7, 30, 4]
    with pytest.raises(ValueError, match="^请填写整数$"):
        imports.parse_cell(number, "12.5")
    text = Column("t", "代码", TEXT, max_length=4)
    assert imports.parse_cell(text, 6501.0) == "6501"  # a number typed into a text column keeps its digits
    with pytest.raises(ValueError, match=r"^不能超过 4 个字（现有 5 个）$"):
        imports.parse_cell(text, "12345")
    assert imports.parse_cell(Column("d", "日期", DATE), "  ") is None


@pytest.mark.parametrize("value", [650121200501011000.0, 650121200501011234, 1e15, -1e16])
def test_a_number_of_16_digits_or_more_in_a_text_column_is_refused_with_why(value):
    """Excel keeps 15 significant digits of a number: an ID number typed into a number cell has
    lost its last digits, which no parsing can recover."""
    column = Column("id", "身份证号码", TEXT)
    with pytest.raises(ValueError, match="Excel 只保留数字的前 15 位.*设为“文本”格式"):
        imports.parse_cell(column, value)
    with pytest.raises(ValueError, match="Excel 只保留数字的前 15 位"):
        imports.cell_parser(column)(value)
    assert imports.parse_cell(column, 999999999999999.0) == "999999999999999"  # 15 digits survive
    assert imports.parse_cell(column, 13912345678) == "13912345678"


@pytest.mark.parametrize("value", ["6.50121E+17", "6.50121200501011e+17", "1E15", " 6.5E+17 "])
def test_a_long_number_written_in_scientific_notation_is_refused_with_why(value):
    """How Excel shows such a number and writes it into a .csv: the digits are gone too."""
    column = Column("id", "身份证号码", TEXT)
    for parse in (functools.partial(imports.parse_cell, column), imports.cell_parser(column)):
        with pytest.raises(ValueError, match="科学计数法.*后几位已经丢失"):
            parse(value)
    for kept in ("Eric", "1E+5", "6E", "E+17"):
        assert imports.parse_cell(column, kept) == imports.cell_parser(column)(kept) == kept


def test_the_templates_text_columns_are_text_formatted():
    """Typed into the template, an ID number keeps its 18 digits and “2019-05” stays a month."""
    path = imports.template_path(imports.get_spec("members"))
    try:
        formats = column_formats(path)
    finally:
        os.unlink(path)
    text_columns = {column for column, code in formats.items() if code == "@"}
    spec = imports.get_spec("members")
    expected = {i for i, col in enumerate(spec.columns, start=1) if col.type == TEXT}
    assert {spec.columns[i - 1].header for i in expected} >= {"身份证号码", "手机号码", "入团时间", "发展团员编号"}
    assert text_columns == expected


def test_a_columns_own_parser_answers_exactly_as_parse_cell():
    """validate() parses through cell_parser(col), which takes short paths: every answer and
    every refusal must be parse_cell's."""
    columns = [
        Column("kind", "类型", CHOICE, choices=(("branch", "团支部"), ("committee", "团委")),
               choice_aliases=(("乡镇团委", "committee"),)),
        Column("t", "代码", TEXT, max_length=4), Column("name", "姓名", TEXT),
        Column("n", "人数", INT), Column("f", "标记", BOOL), Column("d", "日期", DATE),
    ]
    cells = [None, "", "  ", "\u3000", " 团支部 ", "团支部", "乡镇团委", "committee", "团小组", "团小组", "12345",
             "１２３", " ab ", "6501", 6501.0, 3.5, 7, True, "是", "否", "2023-01-05", datetime.date(2023, 1, 5),
             "阿依古丽•吐尔逊", "Ａｂ", "x" * 70]

    def answer(func, value):
        try:
            return ("ok", func(value))
        except ValueError as exc:
            return ("refused", str(exc))

    for col in columns:
        parse = imports.cell_parser(col)
        for _ in range(2):  # the second round meets the choice memo
            for value in cells:
                assert answer(parse, value) == answer(functools.partial(imports.parse_cell, col), value), (col.key, value)


def test_header_matching_ignores_spaces_width_marks_and_notes():
    spec = imports.get_spec("units")
    assert imports.match_header(spec, "组织名称*") == "name"
    assert imports.match_header(spec, " 单位 名称 ") == "name"
    assert imports.match_header(spec, "＊上级团组织") == "parent"
    assert imports.match_header(spec, "成立日期（格式：2023-01-05）") == "founded_on"
    assert imports.match_header(spec, "联系电话") == "admin_phone"
    assert imports.match_header(spec, "备注") is None
    assert imports.match_header(spec, "组织\n名称") == "name"  # a header cell with a line break
    assert imports.match_header(spec, "上级组织：") == "parent"


def test_registry_finds_the_units_kind():
    assert {"units", "members"} <= {s.kind for s in imports.all_specs()}  # apps add their kinds
    assert imports.get_spec("units").title == "组织及管理员导入"
    assert imports.get_spec("nope") is None


def test_template_has_dropdowns_and_instructions(client, world):
    client.force_login(world.town_secretary)
    response = client.get(reverse("core:import_template", args=["units"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names == ["组织及管理员导入", "填写说明", "选项"]
    headers = workbook.get_sheet_by_name("组织及管理员导入").to_python()[0]
    assert headers == ["组织名称*", "组织类型*", "上级组织*", "领域", "行政区划代码", "成立日期", "学生团支部",
                       "流动团员团支部", "临时团支部", "管理员姓名", "管理员手机号", "管理员用户名"]
    guide = workbook.get_sheet_by_name("填写说明").to_python()
    assert guide[0][0] == "组织及管理员导入 · 填写说明"
    column_rows = {row[0]: row[1:5] for row in guide if row and row[0] in {"组织类型", "成立日期", "组织名称"}}
    assert column_rows["组织名称"][:1] == ["必填"]
    assert column_rows["成立日期"][:2] == ["选填", "日期，如 2023-01-05、2023/1/5、2023年1月5日 或 20230105"]
    assert column_rows["组织类型"][3] == "类别、组织类别、类型、组织类型名称"
    example_at = next(i for i, row in enumerate(guide) if row and str(row[0]).startswith("示例"))
    assert guide[example_at + 2][:3] == ["甲村团支部", "团支部", "甲镇团委"]
    options = workbook.get_sheet_by_name("选项").to_python()
    assert [row[0] for row in options][:4] == ["组织类型", "团省委", "团市委", "团县委"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = z.read("xl/workbook.xml").decode()
    validations = dict(re.findall(r'<dataValidation type="list"[^>]*sqref="([A-Z0-9:]+)"><formula1>([^<]+)<',
                                  sheet_xml))
    assert validations == {
        "B2:B2001": "'选项'!$A$2:$A$14", "D2:D2001": "'选项'!$B$2:$B$9", "G2:G2001": "'选项'!$C$2:$C$3",
        "H2:H2001": "'选项'!$D$2:$D$3", "I2:I2001": "'选项'!$E$2:$E$3",
    }
    assert 'name="选项" sheetId="3" state="hidden"' in workbook_xml
    assert client.get(reverse("core:import_template", args=["nope"])).status_code == 404


def test_filled_in_template_imports(world):
    from tuanwu.core import views_imports  # noqa: F401  (the template view and this share one builder)

    path = imports.template_path(imports.get_spec("units"))
    try:
        headers = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[0]
    finally:
        os.unlink(path)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("组织及管理员导入")
    ws.write_row(0, 0, headers)
    ws.write_row(1, 0, ["庚村团支部", "团支部", "甲镇团委"])
    wb.close()
    job = imports.save_upload(actor=world.town_secretary, unit=world.town_a, kind="units",
                              uploaded_file=SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
    job = imports.start_check(job)
    assert (job.status, job.errors, job.ignored_columns) == (ImportJob.Status.READY, [], [])


def _job(world, name="a.xlsx"):
    path = imports.upload_dir() / name
    path.write_bytes(b"x")
    return ImportJob.objects.create(kind="units", unit=world.town_a, created_by=world.town_secretary,
                                    original_name=name, file_path=str(path), status=ImportJob.Status.INVALID)


def test_purge_deletes_uploads_older_than_a_day(world):
    old, fresh = _job(world, "old.xlsx"), _job(world, "fresh.xlsx")
    day_ago = time.time() - 25 * 3600
    os.utime(old.file_path, (day_ago, day_ago))
    assert imports.purge_stale_uploads() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.file_path, os.path.exists(fresh.file_path)) == ("", True)
    call_command("purge_stale_uploads", "--hours", "0", stdout=io.StringIO())
    fresh.refresh_from_db()
    assert fresh.file_path == "" and list(imports.upload_dir().iterdir()) == []


def test_expired_file_cannot_be_committed(world):
    job = _job(world)
    job.status = ImportJob.Status.READY
    job.save()
    os.unlink(job.file_path)
    with pytest.raises(imports.DomainError, match="已过期清除"):
        imports.start_commit(job, world.town_secretary)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_commit_transaction_is_visible_outside(world):
    job = _job(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        progress = imports.Progress(job, 10)
        progress(5)
        progress.close()
        raise RuntimeError("roll back everything written on this connection")
    job.refresh_from_db()
    assert job.processed_rows == 5


def test_unit_page_panel_links_to_imports_and_export(world, rf):
    from tuanwu.core.views_imports import data_exchange_panel

    def panel(user, unit):
        request = rf.get("/")
        request.user = user
        return data_exchange_panel(request, unit)

    html = panel(world.town_secretary, world.town_a)
    assert f'href="/imports/new/{world.town_a.pk}/units/">组织及管理员导入</a>' in html
    assert f'href="/units/export.xlsx?subtree_of={world.town_a.pk}"' in html
    inspector = panel(world.inspector, world.county)
    assert "组织及管理员导入" not in inspector and "导出本组织及下级名单" in inspector
    assert panel(world.outsider, world.town_a) is None
    assert panel(world.party_reviewer, world.town_a) is None
