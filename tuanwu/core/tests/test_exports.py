"""The streamed .xlsx exporter."""

from __future__ import annotations

import datetime
import glob
import io
import os
import tempfile
import zipfile

from python_calamine import CalamineWorkbook

from tuanwu.core import exports
from tuanwu.core.models import AuditEvent


def read_back(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_neutralise():
    assert [exports.neutralise(v) for v in ("=1+1", "+86", "-5", "@SUM(A1)", "\tx", "\rx", "甲=乙", "", 5, None)] == [
        "'=1+1", "'+86", "'-5", "'@SUM(A1)", "'\tx", "'\rx", "甲=乙", "", 5, None]


def test_formula_injection_is_neutralised_and_values_keep_their_types():
    rows = [
        ['=HYPERLINK("http://evil.example","点我")', "+1+2", -3, datetime.date(2023, 1, 5), True, None],
        ["@cmd", "普通文字", 2.5, None, False, "-2"],
    ]
    response = exports.xlsx_response("测试.xlsx", "名单", ["名称", "备注", "数", "日期", "是否", "空"], rows)
    assert read_back(response) == [
        ["名称", "备注", "数", "日期", "是否", "空"],
        ['\'=HYPERLINK("http://evil.example","点我")', "'+1+2", -3.0, datetime.date(2023, 1, 5), "是", ""],
        ["'@cmd", "普通文字", 2.5, "", "否", "'-2"],
    ]


def test_columns_of_long_digit_strings_are_text_formatted(tmp_path):
    """Edited in Excel, an exported ID number or phone stays text (not a 15-digit number)."""
    from tuanwu.testing.xlsx import cell_format, column_formats

    rows = [["王伟", "650121200501011234", "650121********1234", "13912345678", 18, "202012345678"],
            ["李娜", "65012120050101123X", "", "", 20, ""]]
    response = exports.xlsx_response("a.xlsx", "S", ["姓名", "身份证号码", "脱敏", "手机", "年龄", "编号"], rows)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert {c: f for c, f in column_formats(path).items() if f == "@"} == {2: "@", 3: "@", 4: "@", 6: "@"}
    assert (cell_format(path, "B2"), cell_format(path, "A2"), cell_format(path, "E2")) == ("@", "General", "General")
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[2][1] == "65012120050101123X"


def test_no_formula_cells_are_written():
    response = exports.xlsx_response("a.xlsx", "S", ["公式"], [["=1+1"], ["=SUM(A1:A2)"]])
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_response_headers_bold_header_and_no_temp_file_left(db):  # close() signals request_finished, which touches connections
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "tuanwu-export-*")))
    response = exports.xlsx_response("组织名单_甲镇.xlsx", "组织名单", ["名称"], iter([["甲村团支部"]] * 3))
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%BB%84%E7%BB%87%E5%90%8D%E5%8D%95_%E7%94%B2%E9%95%87.xlsx")
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "tuanwu-export-*"))) == before
    data = b"".join(response.streaming_content)
    response.close()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<b/>" in styles
    assert '<col min="1" max="1" width="' in sheet and '<pane ySplit="1"' in sheet


def test_audited_export_records_what_and_how_many(world):
    before = AuditEvent.objects.count()
    exports.xlsx_response("名单.xlsx", "名单", ["名称"], [["甲"], ["乙"]], actor=world.county_admin,
                          audit_action="导出测试", audit_obj=world.county)
    event = AuditEvent.objects.get(pk__gt=0, action="导出测试")
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor, event.object_type, event.unit_path, event.after) == (
        world.county_admin, "organisations.Unit", world.county.path,
        {"file": "名单.xlsx", "sheet": "名单", "rows": 2})
    exports.xlsx_response("日志.xlsx", "日志", ["a"], [], actor=world.county_admin, audit_action="导出空表")
    event = AuditEvent.objects.get(action="导出空表")
    assert (event.object_type, event.object_repr, event.after["rows"]) == ("ExportRecord", "日志.xlsx", 0)


def test_unaudited_export_writes_nothing(db):
    exports.xlsx_response("a.xlsx", "S", ["x"], [[1]])
    assert AuditEvent.objects.count() == 0
