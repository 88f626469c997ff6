"""Streamed .xlsx exports with formula injection neutralised.

Rows are written with xlsxwriter in ``constant_memory`` mode into a temporary file, so an export
of a province-sized list keeps memory flat; the file is unlinked as soon as it is opened for the
response, so nothing is left behind even when the client disconnects mid-download.

Any text a spreadsheet program could read as a formula (starting with ``= + - @``, a tab or a
carriage return) gets a leading apostrophe and is written as a string cell: Excel, WPS and
LibreOffice never evaluate it, and a later save as CSV keeps it inert.
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Options every workbook we write uses: never turn text into formulas, links or numbers.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
}

# Rows looked at to size the columns before streaming the rest.
_WIDTH_SAMPLE_ROWS = 200
_MAX_WIDTH = 60


def neutralise(value):
    """Make ``value`` safe to place in a spreadsheet cell.

    Text that starts like a formula gets a leading apostrophe; other values are returned as they
    are (numbers, dates and booleans are never evaluated).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def display_width(text: str) -> int:
    """Column width in Excel character units: CJK and full-width characters take two."""
    width = 0
    for ch in text:
        width += 2 if ord(ch) > 0x2E7F else 1
    return width


@dataclass
class Formats:
    header: object
    date: object
    datetime: object
    wrap: object


def make_formats(workbook) -> Formats:
    return Formats(
        header=workbook.add_format({"bold": True, "bg_color": "#F0F2F4", "border": 1, "valign": "vcenter"}),
        date=workbook.add_format({"num_format": "yyyy-mm-dd"}),
        datetime=workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
    )


def cell_text(value) -> str:
    """How a value reads in a cell (used for widths and for previews)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else (
            value.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_cell(worksheet, row: int, col: int, value, formats: Formats, cell_format=None) -> None:
    """Write one value with the right cell type; text is always neutralised and stored as a string."""
    if value is None or value == "":
        if cell_format is not None:
            worksheet.write_blank(row, col, None, cell_format)
        return
    if isinstance(value, bool):
        worksheet.write_string(row, col, "是" if value else "否", cell_format)
    elif isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_current_timezone())
        worksheet.write_datetime(row, col, value, cell_format or formats.datetime)
    elif isinstance(value, datetime.date):
        worksheet.write_datetime(row, col, value, cell_format or formats.date)
    elif isinstance(value, int | float | decimal.Decimal):
        worksheet.write_number(row, col, float(value) if isinstance(value, decimal.Decimal) else value, cell_format)
    else:
        worksheet.write_string(row, col, neutralise(str(value)), cell_format)


def column_widths(headers: Sequence[str], sample: Iterable[Sequence]) -> list[int]:
    widths = [display_width(h) + 2 for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], min(_MAX_WIDTH, display_width(cell_text(value)) + 2))
    return [max(6, min(_MAX_WIDTH, w)) for w in widths]


# A column of long digit strings (ID numbers, phones, 团员编号, masked or not) is text-formatted:
# a number typed or pasted into it while someone edits the file stays text instead of becoming an
# Excel number that keeps 15 digits.
_LONG_DIGITS_RE = re.compile(r"^[0-9*]{10,}[0-9Xx*]$")


def _digit_text_columns(width: int, sample: Sequence[Sequence]) -> set[int]:
    found = set()
    for col in range(width):
        values = [row[col] for row in sample if col < len(row) and row[col] not in (None, "")]
        if values and all(isinstance(v, str) and _LONG_DIGITS_RE.match(v) for v in values):
            found.add(col)
    return found


def write_sheet(workbook, worksheet, headers: Sequence[str], rows: Iterable[Sequence], formats: Formats) -> int:
    """Header row (bold, frozen), sized columns, then every row; returns the number of data rows."""
    iterator = iter(rows)
    sample = list(islice(iterator, _WIDTH_SAMPLE_ROWS))
    text_columns = _digit_text_columns(len(headers), sample)
    text = workbook.add_format({"num_format": "@"}) if text_columns else None
    for i, width in enumerate(column_widths(headers, sample)):
        worksheet.set_column(i, i, width, text if i in text_columns else None)
    worksheet.freeze_panes(1, 0)
    for col, header in enumerate(headers):
        worksheet.write_string(0, col, neutralise(str(header)), formats.header)
    count = 0
    for chunk in (sample, iterator):
        for row in chunk:
            count += 1
            for col, value in enumerate(row):
                write_cell(worksheet, count, col, value, formats, text if col in text_columns else None)
    return count


def safe_sheet_name(name: str) -> str:
    # Excel refuses these characters and names longer than 31 characters.
    for ch in "[]:*?/\\":
        name = name.replace(ch, "_")
    return (name or "Sheet1")[:31]


def open_and_unlink(path: str):
    """Open for reading and remove the directory entry at once: the data lives until the
    response closes the handle, and no temp file outlives the request."""
    handle = open(path, "rb")  # closed by FileResponse
    os.unlink(path)
    return handle


def file_response(path: str, filename: str) -> FileResponse:
    response = FileResponse(
        open_and_unlink(path), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def temp_xlsx_path() -> str:
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="tuanwu-export-")
    os.close(fd)
    return path


@dataclass
class ExportRecord:
    """What an export is audited as when it is not about one record."""

    filename: str
    unit_path: str = ""
    pk: str = ""

    def __str__(self):
        return self.filename

    def audit_unit_path(self) -> str:
        return self.unit_path


def xlsx_response(filename: str, sheet_name: str, headers: list[str], rows: Iterable[Sequence], *, actor=None,
                  audit_action: str | None = None, audit_obj=None) -> FileResponse:
    """Write ``rows`` under ``headers`` into a one-sheet workbook and return it as a download.

    ``filename`` may be Chinese (sent as an RFC 5987 ``filename*``). With ``audit_action`` one
    audit row records who exported what and how many rows; ``audit_obj`` (a unit, say) is what
    the row is filed under, else an :class:`ExportRecord` named after the file.
    """
    path = temp_xlsx_path()
    try:
        workbook = xlsxwriter.Workbook(path, {**WORKBOOK_OPTIONS, "constant_memory": True})
        worksheet = workbook.add_worksheet(safe_sheet_name(sheet_name))
        count = write_sheet(workbook, worksheet, headers, rows, make_formats(workbook))
        workbook.close()
    except BaseException:
        if os.path.exists(path):
            os.unlink(path)
        raise
    if audit_action:
        from . import audit

        audit.record(
            actor=actor, action=audit_action, obj=audit_obj if audit_obj is not None else ExportRecord(filename),
            after={"file": filename, "sheet": sheet_name, "rows": count},
        )
    return file_response(path, filename)
