"""The upload reads only an .xlsx's first rows (core/sheet_peek.py): it must find the same sheet,
header and columns as calamine's full reading, and leave every refusal to calamine."""

from __future__ import annotations

import datetime

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuanwu.core import imports
from tuanwu.core.models import ImportJob
from tuanwu.core.sheet_peek import Unsupported, peek_sheets
from tuanwu.membership.testing import NATIONAL_HEADERS, member_row

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"


def _write(path, *, constant_memory=False, top=0, left=0, hidden_first=False, rich=False, data_first=False,
           chartsheet=False, rows=30):
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    if hidden_first:
        hidden = workbook.add_worksheet("说明")
        hidden.write(0, 0, "姓名")
        hidden.hide()
    if chartsheet:
        chart = workbook.add_chart({"type": "column"})
        chart.add_series({"values": "=团员!$A$1:$A$2"})
        workbook.add_chartsheet("图").set_chart(chart)
    sheet = workbook.add_worksheet("团员")
    bold = workbook.add_format({"bold": True})
    data = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(rows)]

    def write_data():
        for r, row in enumerate(data, start=top + 1):
            for c, header in enumerate(NATIONAL_HEADERS):
                value = row[header]
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, left + c, datetime.datetime.combine(value, datetime.time()))
                elif value not in ("", None):
                    sheet.write(r, left + c, value)

    if data_first and not constant_memory:
        write_data()  # shared strings of the data come before the header's
    for c, header in enumerate(NATIONAL_HEADERS):
        if rich and c == 1:
            sheet.write_rich_string(top, left + c, bold, header[:1], header[1:])
        else:
            sheet.write_string(top, left + c, header)
    if not data_first or constant_memory:
        write_data()
    workbook.close()
    return path


CASES = {
    "inline strings": {"constant_memory": True},
    "shared strings": {},
    "offset, hidden sheet first, rich text": {"top": 2, "left": 1, "hidden_first": True, "rich": True},
    "data strings before the header's": {"data_first": True},
    "a chart sheet first": {"chartsheet": True},
}


@pytest.mark.parametrize("case", CASES)
def test_the_peek_finds_what_calamine_finds(tmp_path, case):
    spec = imports.get_spec("members")
    path = _write(tmp_path / "a.xlsx", **CASES[case])
    quick = imports.locate_sheet(spec, path, sheets=peek_sheets(path, imports.HEADER_SCAN_ROWS + 5))
    full = imports.locate_sheet(spec, path)
    for attribute in ("sheet_name", "header_row", "headers", "mapping", "ignored", "problems"):
        assert getattr(quick, attribute) == getattr(full, attribute), attribute
    assert quick.rows.estimate() == full.rows.estimate() == 30
    assert bool(quick.rows) and bool(full.rows)


def test_an_upload_of_a_clean_xlsx_does_not_parse_the_whole_sheet(world, tmp_path, monkeypatch):
    path = _write(tmp_path / "a.xlsx", constant_memory=True, rows=40)
    monkeypatch.setattr(imports, "_open_sheets", lambda path: pytest.fail("calamine read the whole file"))
    job = imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                              uploaded_file=SimpleUploadedFile("a.xlsx", path.read_bytes()))
    assert job.total_rows == 40 and "身份证号码" not in job.ignored_columns
    assert set(job.headers.values()) >= {"name", "id_number", "branch"}


def test_refusals_and_unusual_files_still_get_calamines_reading(world, tmp_path):
    # Only a header: the peek cannot tell (data may start later), calamine refuses.
    workbook = xlsxwriter.Workbook(str(tmp_path / "h.xlsx"))
    sheet = workbook.add_worksheet()
    for c, header in enumerate(NATIONAL_HEADERS):
        sheet.write_string(0, c, header)
    workbook.close()
    with pytest.raises(imports.ImportFileError, match="只有表头"):
        imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                            uploaded_file=SimpleUploadedFile("h.xlsx", (tmp_path / "h.xlsx").read_bytes()))
    # Not a zip at all.
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(Unsupported):
        peek_sheets(tmp_path / "bad.xlsx", 10)
    with pytest.raises(imports.ImportFileError, match="无法读取该文件"):
        imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                            uploaded_file=SimpleUploadedFile("bad.xlsx", b"not a workbook"))
    assert not ImportJob.objects.exists()
