"""The spreadsheet import pipeline shared by every import kind.

An app describes one kind of import with an :class:`ImportSpec` (columns, a row validator and a
commit function) and registers it with :func:`register`; the pipeline does the rest:

    upload → read (python-calamine) → map headers (aliases) → validate every row, collecting all
    errors as (Excel row, column, message) → INVALID (nothing written, a bad-rows workbook) or
    READY (a preview) → commit in one transaction, audited → the uploaded file is deleted.

Files with more than ``settings.TUANWU_IMPORT_BACKGROUND_ROWS`` rows are checked and committed by
the background worker (:mod:`tuanwu.core.tasks`), which updates ``processed_rows`` for the
progress bar. State lives in :class:`tuanwu.core.models.ImportJob`; see docs/imports.md.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import audit, companion, context, exports
from .errors import DomainError
from .models import ImportJob

logger = logging.getLogger(__name__)

TEXT, DATE, INT, CHOICE, BOOL = "text", "date", "int", "choice", "bool"
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")
FILE_TYPES = "Excel（.xlsx、.xls）、.ods 或 .csv 表格文件"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STALE_AFTER = datetime.timedelta(hours=24)
PREVIEW_ROWS = 20
HEADER_SCAN_ROWS = 10
RUNNING = (ImportJob.Status.CHECKING, ImportJob.Status.COMMITTING)
SYSTEM_ERROR = "处理时发生系统错误，没有写入任何数据。请稍后重试，或联系平台管理员"

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "t", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "f", "不是"}


class ImportFileError(DomainError):
    """The uploaded file cannot be taken at all (type, size, unreadable, no header)."""


# ---------------------------------------------------------------------------------------------
# Specs


@dataclass(frozen=True)
class Column:
    """One column of an import kind.

    ``choices`` are ``(value, Chinese label)`` pairs; cells may hold the label, the value or one
    of ``choice_aliases`` (label → value). ``masked`` columns (phone numbers) are masked in the
    stored preview. ``example`` fills the template's example row.
    """

    key: str
    header: str
    type: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    choice_aliases: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    help: str = ""
    example: Any = ""
    masked: bool = False
    width: int | None = None

    @property
    def template_header(self) -> str:
        return self.header + ("*" if self.required else "")

    def choice_label(self, value) -> str:
        for v, label in self.choices:
            if v == value:
                return label
        return "" if value is None else str(value)

    def format_hint(self) -> str:
        if self.type == DATE:
            return "日期，如 2023-01-05、2023/1/5、2023年1月5日 或 20230105"
        if self.type == INT:
            return "整数"
        if self.type == BOOL:
            return "填“是”或“否”，不填视为“否”"
        if self.type == CHOICE:
            return "从下拉列表选择：" + "、".join(label for _, label in self.choices)
        return "文字" + (f"，不超过 {self.max_length} 个字" if self.max_length else "")


@dataclass
class Row:
    """One data row of the uploaded sheet: cleaned values and its errors."""

    number: int  # the Excel row number (1-based), as the user sees it
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # the validator's notes for commit

    def error(self, key: str | None, message: str) -> None:
        self.errors.append((key, message))

    def has_error(self, key: str) -> bool:
        return bool(self.errors) and any(k == key for k, _ in self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportContext:
    """What hooks get: the job, who is acting, the target unit, and a scratch ``state``."""

    job: ImportJob
    actor: Any
    unit: Any
    spec: ImportSpec
    state: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[int], None] = lambda n: None


@dataclass
class Staging:
    """Optional for streaming kinds: keep the check's prepared rows in the database so that the
    commit moves them with INSERT … SELECT instead of reading and validating the file again.

    - ``stage(ctx, rows)`` stores one clean batch during the check (ciphertexts and masked
      values only, like the registry itself);
    - ``discard(job)`` forgets a job's staged rows; ``count(job)`` counts them;
    - ``fingerprint(ctx) -> str`` sums up what validation read besides the file, the tree and
      the registry (rule settings, say): the staged rows are used only if it, the day and the
      number of staged rows are unchanged at the commit; otherwise the commit reads the file;
    - ``commit(ctx) -> (result, problems)`` re-checks what may have changed since the check (the
      tree, the committer's permissions, duplicates against the registry) in a few queries and
      writes everything if nothing did; ``problems`` are (row number, column key, message), and
      when there are any nothing is written;
    - ``finish(ctx, keep)`` (optional) is called once after a check's last batch, whatever the
      outcome and before the staged rows are counted or discarded: ``stage`` may hand work to
      another process, and this waits for it (raising its failure); ``keep`` is False when the
      check failed or found errors, so that work need not be stored at all. It may return
      problems (row number, column key, message) that the staging found in the rows it stored
      (duplicates against the registry, looked up once for all of them instead of batch by
      batch); they join the check's errors, and then nothing stays staged.
    """

    stage: Callable[[ImportContext, list[Row]], None]
    discard: Callable[[ImportJob], None]
    count: Callable[[ImportJob], int]
    fingerprint: Callable[[ImportContext], str]
    commit: Callable[[ImportContext], tuple[dict, list[tuple[int, str | None, str]]]]
    finish: Callable[[ImportContext, bool], list[tuple[int, str | None, str]] | None] | None = None


@dataclass
class ImportSpec:
    """One kind of import.

    - ``prepare(ctx)`` loads lookups once (into ``ctx.state``) before rows are validated;
    - ``validate_row(ctx, row)`` adds cross-field and database errors with ``row.error(key, msg)``;
      rows arrive in file order, so a row may refer to earlier rows;
    - ``validate_batch(ctx, rows)`` (optional) runs after ``validate_row`` on each run of up to
      ``batch_rows`` rows, for database checks done with one query per batch instead of per row
      (duplicates against the registry, say);
    - ``commit(ctx, rows) -> dict`` writes everything (the pipeline wraps it in one transaction)
      and returns the job's result (counts, usernames — never secrets);
    - ``preview_row(ctx, row) -> list`` gives the preview cells under ``preview_headers``;
    - ``summarise(ctx, rows) -> dict[str, int]`` gives the counts shown with the preview;
    - ``describe_result(result) -> str`` (optional) says in one sentence what the commit did;
    - ``issue_secrets(job, actor) -> list[dict]`` (optional) sets and returns initial passwords
      once after commit; they are shown to the importer and never stored.

    With ``streaming`` the rows never sit in memory all at once: the check keeps the preview's
    rows and sums ``summarise`` over each batch, and the commit validates a batch, then hands
    it to ``commit`` (whose integer results are summed), still inside one transaction and
    still checking every row: after the first error nothing more is written and the whole
    transaction is rolled back. ``commit`` and ``summarise`` must then work batch by batch.
    A streaming kind may also give ``staging`` (see :class:`Staging`).
    """

    kind: str
    title: str
    columns: list[Column]
    commit: Callable[[ImportContext, list[Row]], dict]
    validate_row: Callable[[ImportContext, Row], None] | None = None
    validate_batch: Callable[[ImportContext, list[Row]], None] | None = None
    batch_rows: int = 2000
    streaming: bool = False
    prepare: Callable[[ImportContext], None] | None = None
    preview_headers: list[str] | None = None
    preview_row: Callable[[ImportContext, Row], list] | None = None
    summarise: Callable[[ImportContext, list[Row]], dict[str, int]] | None = None
    issue_secrets: Callable[[ImportJob, Any], list[dict]] | None = None
    secret_headers: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()
    description: str = ""
    staging: Staging | None = None
    # The finished job's result in one Chinese sentence for its page ("新登记人员 50 人…").
    describe_result: Callable[[dict], str] | None = None

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


_registry: dict[str, ImportSpec] = {}
_discovered = False


def register(spec: ImportSpec) -> ImportSpec:
    """Make an import kind available (call at import time of the app's ``imports`` module)."""
    _registry[spec.kind] = spec
    return spec


def _discover() -> None:
    # Apps declare their kinds in `<app>/imports.py`; loading them lazily keeps core from
    # importing the apps (imports flow one way: core ← apps).
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("imports")


def get_spec(kind: str) -> ImportSpec | None:
    _discover()
    return _registry.get(kind)


def all_specs() -> list[ImportSpec]:
    _discover()
    return sorted(_registry.values(), key=lambda s: s.kind)


# ---------------------------------------------------------------------------------------------
# Headers


def normalise_header(text) -> str:
    """Compare headers the way a person would: ignore spaces and line breaks, full-width forms,
    “*” marks, a trailing colon (“姓名：”) and case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"[\s*※]+", "", text)
    return text.strip().lower().rstrip(":")


def _without_note(norm: str) -> str:
    # "成立日期(格式:2023-01-05)" → "成立日期": templates in the wild append notes in brackets.
    return re.sub(r"[(\[【].*?[)\]】]$", "", norm)


def header_index(spec: ImportSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.header, col.key, *col.aliases):
            index.setdefault(normalise_header(name), col.key)
    return index


def match_header(spec: ImportSpec, text, index: dict[str, str] | None = None) -> str | None:
    index = index if index is not None else header_index(spec)
    norm = normalise_header(text)
    if not norm:
        return None
    return index.get(norm) or index.get(_without_note(norm))


@dataclass
class SheetData:
    sheet_name: str
    header_row: int  # 1-based
    headers: list[str]  # the file's own header texts, by column position
    mapping: dict[int, str]  # column position → spec key
    ignored: list[str]
    problems: list[str]  # header problems that stop the import (missing required, duplicates)
    rows: Iterable[tuple[int, list]]  # (Excel row number, cells) of the data rows: a SheetRows


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class SheetRows:
    """A worksheet's rows from A1 as Python lists, made one at a time from calamine's compact
    cells: 100,000 rows × 29 columns as Python objects all at once cost ~300 MB."""

    def __init__(self, sheet, first: int = 0):
        self._sheet = sheet
        self._pad = [""] * (sheet.start[1] if sheet.start else 0)  # iter_rows skips empty leading columns
        self._first = first  # rows before this index are skipped (the header and above)
        self._count: int | None = None
        self._merges = _vertical_merges(sheet)
        self.skipped: list[tuple[int, str]] = []  # filled by each iteration (see __iter__)

    def all(self) -> Iterator[tuple[int, list]]:
        """(0-based row index, cells) for every row, blank ones included. A cell merged down over
        several rows (a 所在团支部 merged over its members, as rosters are often laid out) reads
        as its value on each of those rows, not as blanks below the first."""
        if self._sheet.start is None:
            return
        merges, active = self._merges, []  # active: (first column, last column, last row, value)
        for r, row in enumerate(self._sheet.iter_rows()):
            cells = self._pad + row if self._pad else row
            if active:
                active = [m for m in active if m[2] >= r]
                for c0, c1, _, value in active:
                    if len(cells) <= c1:
                        cells = cells + [""] * (c1 + 1 - len(cells))
                    for c in range(c0, c1 + 1):
                        if _is_blank(cells[c]):
                            cells[c] = value
            for c0, c1, r1 in merges.get(r, ()):
                active.append((c0, c1, r1, cells[c0] if c0 < len(cells) else ""))
            yield r, cells

    def data_rows(self, first: int) -> SheetRows:
        return SheetRows(self._sheet, first)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cells) of the non-blank rows from ``first`` on. Total and sign-off
        lines (合计…, 填表人：…) are not data: they are left out and listed in ``skipped`` as
        (row number, the word that marked them)."""
        self.skipped = []
        for r, cells in self.all():
            if r >= self._first and not all(_is_blank(c) for c in cells):
                marker = _footer_marker(cells)
                if marker:
                    self.skipped.append((r + 1, marker))
                    continue
                yield r + 1, cells

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self)
        return self._count

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def estimate(self) -> int:
        """The number of data rows without reading them (blank rows inside the used range
        count): enough for the upload's progress bar; the check counts them exactly."""
        if self._sheet.start is None:
            return 0
        return max(0, self._sheet.start[0] + self._sheet.height - self._first)


class CsvSheet:
    """A .csv file read like a calamine worksheet (``start``, ``height``, ``iter_rows``), row by
    row from the file each time, so a large one is never whole in memory.

    Every cell is text, as written: an ID number keeps its 18 digits (a CSV is what people save
    when Excel has mangled them), dates and numbers are parsed by the columns as typed text.
    Encoding: UTF-8 (with or without the BOM Excel's “CSV UTF-8” writes), else GB18030, which is
    what Excel and WPS on Chinese Windows write as plain “CSV” (a superset of GBK and GB2312).
    Comma-separated; tab-separated when the first line has tabs and no comma."""

    def __init__(self, path):
        self.path = str(path)
        with open(self.path, "rb") as fh:
            data = fh.read()
        if b"\0" in data:
            raise ImportFileError("无法读取该 CSV 文件：其中有非文本内容，请确认它是表格另存的 .csv 文件")
        try:
            data.decode("utf-8")
            self.encoding = "utf-8-sig"
        except UnicodeDecodeError:
            try:
                data.decode("gb18030")
            except UnicodeDecodeError:
                raise ImportFileError("无法识别 CSV 文件的文字编码，请在 Excel 中另存为 .xlsx 后上传") from None
            self.encoding = "gb18030"
        first = data.split(b"\n", 1)[0]
        self.delimiter = "\t" if b"\t" in first and b"," not in first else ","
        self.height = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) if data.strip() else 0
        self.start = (0, 0) if self.height else None

    def iter_rows(self):
        import csv

        with open(self.path, encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            try:
                for row in reader:
                    yield [_csv_cell(cell) for cell in row]
            except csv.Error as exc:
                raise ImportFileError(f"CSV 文件第 {reader.line_num} 行无法读取（{exc}），请在 Excel 中另存为 .xlsx 后上传") \
                    from exc


# Words that open the total and sign-off lines of a roster (合计 50 人；填表人：…；注：…). Only the
# word is kept (the rest of such a line may carry a name and a phone number).
FOOTER_MARKERS = ("合计", "总计", "小计", "共计", "填表人", "填报人", "制表人", "审核人", "负责人签字", "单位盖章",
                  "盖章", "填表日期", "制表日期", "填报日期", "注：", "注:", "备注：", "备注:", "说明：", "说明:")


# Normalised prefix → the marker as shown (“注：”, not the “注:” NFKC makes of it).
_FOOTER_PREFIXES = {unicodedata.normalize("NFKC", m): m for m in reversed(FOOTER_MARKERS)}
_FOOTER_FIRST = frozenset(m[0] for m in _FOOTER_PREFIXES)


def _footer_marker(cells: list) -> str | None:
    """The marker word when a row is a total or sign-off line: its first filled cell opens with
    one of FOOTER_MARKERS and it fills at most three cells (a data row fills more). Cheap for
    data rows: most are decided by the type or first character of their first cell."""
    first = next((c for c in cells if not _is_blank(c)), None)
    if not isinstance(first, str) or first.lstrip()[0] not in _FOOTER_FIRST:
        return None
    if sum(1 for c in cells if not _is_blank(c)) > 3:
        return None
    # NFKC turns the full-width colon of “注：” into “:”.
    text = unicodedata.normalize("NFKC", first).strip().replace(" ", "")
    return next((shown for prefix, shown in _FOOTER_PREFIXES.items() if text.startswith(prefix)), None)


# How systems keep long numbers as text in a CSV: ="650121…" (a formula Excel shows as its text)
# or a leading apostrophe. Only digit strings are unwrapped: other text is kept as written.
_CSV_FORMULA_TEXT_RE = re.compile(r'^="([0-9]+[Xx]?)"$')
_CSV_APOSTROPHE_RE = re.compile(r"^['‘’`]([0-9]+[Xx]?)$")


def _csv_cell(cell: str) -> str:
    if cell and cell[0] in "='‘’`":
        m = _CSV_FORMULA_TEXT_RE.match(cell.strip()) or _CSV_APOSTROPHE_RE.match(cell.strip())
        if m:
            return m.group(1)
    return cell


def _vertical_merges(sheet) -> dict[int, list[tuple[int, int, int]]]:
    """{first row: [(first column, last column, last row)]} of the merged ranges that span
    several rows (0-based, as iter_rows counts them). Merges within one row (a title across
    columns) are left alone. Formats without merge information give none."""
    try:
        ranges = getattr(sheet, "merged_cell_ranges", None) or []
    except Exception:  # a reader that cannot tell: read the cells as they are
        return {}
    found: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if r1 > r0:
            found.setdefault(r0, []).append((c0, c1, r1))
    return found


def _open_sheets(path) -> list[tuple[str, SheetRows]]:
    """Every visible worksheet, lazily (a .csv is one sheet). Raises ImportFileError in Chinese."""
    from python_calamine import CalamineWorkbook, PasswordError

    if str(path).lower().endswith(".csv"):
        return [("表格", SheetRows(CsvSheet(path)))]

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise ImportFileError("文件设置了密码，请取消密码保护后再上传") from exc
    except Exception as exc:  # calamine raises several error types for damaged files
        raise ImportFileError("无法读取该文件，请确认它是 Excel（.xlsx/.xls）或 .ods 表格且没有损坏") from exc
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                try:
                    sheets.append((meta.name, SheetRows(workbook.get_sheet_by_name(meta.name))))
                except Exception as exc:
                    raise ImportFileError(f"无法读取工作表“{meta.name}”，文件可能已损坏") from exc
    finally:
        workbook.close()  # each sheet keeps its own cells
    return sheets


def locate_sheet(spec: ImportSpec, path, sheets: list | None = None) -> SheetData:
    """Find the sheet and header row that best match the spec, and map its columns. ``sheets``:
    already opened (the upload passes the first rows only, see ``sheet_peek``)."""
    if sheets is None:
        sheets = _open_sheets(path)
    index = header_index(spec)
    required = {c.key for c in spec.columns if c.required}
    best = None  # (matched count, -sheet position, sheet name, header row index, header cells, rows)
    complete: list[tuple[str, SheetRows, int]] = []  # sheets whose header has every required column
    for position, (name, rows) in enumerate(sheets):
        whole = None
        for r, cells in itertools.islice(rows.all(), HEADER_SCAN_ROWS):
            keys = {match_header(spec, c, index) for c in cells} - {None}
            matched = len(keys)
            if matched and (best is None or matched > best[0]):
                best = (matched, position, name, r, cells, rows)
            if whole is None and required <= keys:
                whole = r
        if whole is not None:
            complete.append((name, rows, whole))
    if best is None:
        if not any(any(not _is_blank(c) for c in row) for _, rows in sheets for _, row in rows.all()):
            raise ImportFileError("文件中没有数据")
        expected = "、".join(c.header for c in spec.columns[:3])
        raise ImportFileError(f"没有找到表头：表格第一行应是列名，如“{expected}”。可下载模板对照填写")
    _, _, name, header_r, header_cells, rows = best
    headers = ["" if _is_blank(c) else str(c).strip() for c in header_cells]
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for i, text in enumerate(headers):
        if not text:
            continue
        key = match_header(spec, text, index)
        if key is None:
            ignored.append(text)
        elif key in seen:
            problems.append(f"“{text}”与“{seen[key]}”是同一列（{spec.column(key).header}），请只保留一列")
        else:
            seen[key] = text
            mapping[i] = key
    missing = [c.header for c in spec.columns if c.required and c.key not in seen]
    if missing:
        problems.insert(0, "缺少必填列：" + "、".join(missing))
    # Another sheet laid out for this import and holding rows (one sheet per branch, say) would
    # be silently left out: refuse, and name the sheets.
    others = [other for other, other_rows, r in complete if other != name and other_rows.data_rows(r + 1)]
    if others:
        listed = "、".join(f"“{other}”" for other in others[:5]) + (f" 等 {len(others)} 个" if len(others) > 5 else "")
        problems.append(f"除“{name}”外，工作表{listed}也有{spec.title}的数据：一次只导入一个工作表。"
                        f"请把它们合并到一个工作表，或分别存成单独的文件上传")
    data = rows.data_rows(header_r + 1)
    return SheetData(name, header_r + 1, headers, mapping, ignored, problems, data)


# ---------------------------------------------------------------------------------------------
# Cell values

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# An ID number typed into a cell with Excel's default format becomes a number, and Excel keeps
# 15 significant digits: 650121200501011234 is stored as 650121200501011000 (shown 6.50121E+17).
# The lost digits cannot be recovered, so a text column refuses any number of 16 digits or more
# and says why, instead of a misleading “check digit wrong”.
LONG_NUMBER = 10**15
LONG_NUMBER_LOST = ("这一格是 Excel 的数字格式，Excel 只保留数字的前 15 位，后面几位已变成 0，无法还原；"
                    "请把这一列设为“文本”格式，重新填写或粘贴号码")
# The same number as text, the way Excel shows it and writes it into a .csv: 6.50121E+17.
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d(?:\.\d+)?[Ee]\+?(\d+)$")
SCIENTIFIC_LOST = ("这一格是科学计数法写的数字（如 6.50121E+17），号码的后几位已经丢失，无法还原；"
                   "请在原表中把这一列设为“文本”格式，重新填写或粘贴号码")


def _refuse_lost_digits(text: str) -> None:
    """A text cell that is a long number in scientific notation: its digits are gone."""
    if "E" in text or "e" in text:
        m = _SCIENTIFIC_RE.match(text)
        if m and int(m.group(1)) >= 15:
            raise ValueError(SCIENTIFIC_LOST)


def _integral_text(value) -> str:
    """Numbers typed into text columns (区划代码, 手机号) come back as floats; keep the digits."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        # ASCII is unchanged by NFKC; most cells (numbers, codes, dates) are ASCII.
        return value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    return str(value).strip()


def parse_date(value) -> datetime.date:
    """A date from a calamine cell: a date, an Excel serial, or text in the usual Chinese forms."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 21001231:
            value = str(number)
        elif 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=number)
        else:
            raise ValueError("日期格式不正确")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            try:
                return datetime.date(y, mo, d)
            except ValueError:
                raise ValueError(f"日期“{text}”不存在") from None
    raise ValueError("日期格式不正确，请填写如 2023-01-05")


def parse_cell(col: Column, value):
    """Clean one cell for ``col``; raises ValueError with a Chinese message. Blank → None."""
    if _is_blank(value):
        return None
    if col.type == DATE:
        return parse_date(value)
    if col.type == INT:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = _integral_text(value)
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        raise ValueError("请填写整数")
    if col.type == BOOL:
        if isinstance(value, bool):
            return value
        word = normalise_header(_integral_text(value))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("请填写“是”或“否”")
    if col.type == CHOICE:
        # A choice column holds a handful of distinct cells: each is matched once per column.
        index, memo = _choice_index(col), _CHOICE_MEMOS[id(col)]
        key = (type(value), value)
        if key not in memo:
            if len(memo) > 10_000:
                memo.clear()
            text = _integral_text(value)
            found = index.get(normalise_header(text))
            if found is None:
                options = "、".join(label for _, label in col.choices)
                found = ValueError(f"“{text}”不是可选值，可选：{options}")
            memo[key] = found
        found = memo[key]
        if isinstance(found, ValueError):
            raise ValueError(*found.args)
        return found
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= LONG_NUMBER:
        raise ValueError(LONG_NUMBER_LOST)
    text = _integral_text(value)
    _refuse_lost_digits(text)
    if col.max_length and len(text) > col.max_length:
        raise ValueError(f"不能超过 {col.max_length} 个字（现有 {len(text)} 个）")
    return text


def cell_parser(col: Column) -> Callable[[Any], Any]:
    """``parse_cell`` for one column with the per-column decisions taken once: a 100,000-row
    file has millions of cells. Text and known choice cells take a short path; everything else
    (and every refusal) goes through ``parse_cell`` itself."""
    if col.type == TEXT:
        limit = col.max_length

        def parse_text(value):
            if type(value) is not str:
                if type(value) is datetime.date and not (limit and limit < 10):
                    return value.isoformat()  # a date cell in a text column: its ISO text
                return parse_cell(col, value)
            if value.isascii():
                text = value.strip()
                if not text:
                    return None
                _refuse_lost_digits(text)
            elif not value.strip():
                return None
            else:
                text = unicodedata.normalize("NFKC", value).strip()
            if limit and len(text) > limit:
                return parse_cell(col, value)  # raises with the message
            return text

        return parse_text
    if col.type == CHOICE:
        _choice_index(col)
        memo = _CHOICE_MEMOS[id(col)]

        def parse_choice(value):
            found = memo.get((type(value), value))
            if found is None or isinstance(found, ValueError):
                return parse_cell(col, value)  # a first sight, a blank or a refusal
            return found

        return parse_choice
    return lambda value: parse_cell(col, value)


_CHOICE_INDEXES: dict[int, tuple[Column, dict[str, str]]] = {}
_CHOICE_MEMOS: dict[int, dict[tuple, str | ValueError]] = {}  # cell → value or refusal, per column


def _choice_index(col: Column) -> dict[str, str]:
    """Normalised label, value and alias → value, once per column (not once per cell)."""
    cached = _CHOICE_INDEXES.get(id(col))
    if cached is not None and cached[0] is col:
        return cached[1]
    index: dict[str, str] = {}
    for v, label in col.choices:
        index.setdefault(normalise_header(label), v)
        index.setdefault(normalise_header(v), v)
    for alias, v in col.choice_aliases:
        index.setdefault(normalise_header(alias), v)
    _CHOICE_INDEXES[id(col)] = (col, index)
    _CHOICE_MEMOS[id(col)] = {}
    return index


def display_value(col: Column, value) -> str:
    if value is None:
        return ""
    if col.type == CHOICE:
        return col.choice_label(value)
    if col.masked and value:
        return audit.mask_value(value)
    return exports.cell_text(value)


# ---------------------------------------------------------------------------------------------
# Uploads


def upload_dir() -> Path:
    path = Path(settings.UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def max_upload_bytes() -> int:
    return int(getattr(settings, "TUANWU_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _delete_file(path: str) -> None:
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def save_upload(*, actor, unit, kind: str, uploaded_file) -> ImportJob:
    """Store an upload under UPLOAD_DIR and open a job for it, after checking type, size and that
    the sheet has a recognisable header. Raises ImportFileError (Chinese) and keeps nothing."""
    spec = get_spec(kind)
    if spec is None:
        raise ImportFileError("未知的导入类型")
    name = os.path.basename(uploaded_file.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError(f"只能上传 {FILE_TYPES}")
    limit = max_upload_bytes()
    if uploaded_file.size > limit:
        raise ImportFileError(f"文件太大（{uploaded_file.size / 1048576:.1f} MB），请不要超过 {limit // 1048576} MB")
    if uploaded_file.size == 0:
        raise ImportFileError("文件是空的")
    # Cheap enough to do on every upload, so stale files go even where no cron job runs.
    purge_stale_uploads()
    path = upload_dir() / f"{uuid.uuid4().hex}{ext}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    try:
        sheet = _locate_quickly(spec, path) or locate_sheet(spec, path)
    except ImportFileError:
        _delete_file(str(path))
        raise
    if not sheet.rows and not sheet.problems:
        _delete_file(str(path))
        raise ImportFileError("表格里只有表头，没有数据行")
    return ImportJob.objects.create(
        kind=kind, unit=unit, created_by=actor, original_name=name[:255], file_path=str(path),
        total_rows=sheet.rows.estimate(), headers={str(i): k for i, k in sheet.mapping.items()},
        ignored_columns=sheet.ignored,
    )


def _locate_quickly(spec: ImportSpec, path) -> SheetData | None:
    """The header from an .xlsx's first rows only (the check reads the whole file anyway).
    None — read it all with calamine — unless the answer is a clean accept: every refusal and
    every file the peek does not understand gets calamine's full reading and its messages."""
    from .sheet_peek import Unsupported, peek_sheets

    if not str(path).lower().endswith(".xlsx"):
        return None
    try:
        sheet = locate_sheet(spec, path, sheets=peek_sheets(path, HEADER_SCAN_ROWS + 5))
    except (Unsupported, ImportFileError):
        return None
    return sheet if not sheet.problems and sheet.rows else None


def result_text(job: ImportJob) -> str:
    """What a finished import did, for its page."""
    spec = get_spec(job.kind)
    if spec and spec.describe_result:
        return spec.describe_result(job.result or {})
    return f"已导入 {job.total_rows} 行"


def runs_in_background(job: ImportJob) -> bool:
    return job.total_rows > settings.TUANWU_IMPORT_BACKGROUND_ROWS


# ---------------------------------------------------------------------------------------------
# Progress


class Progress:
    """Writes ``processed_rows`` every few rows.

    Inside the commit's transaction an ordinary UPDATE would stay invisible to the page polling
    for progress (and would lock the job row), so there the count goes through a second,
    autocommitting connection.
    """

    def __init__(self, job: ImportJob, total: int):
        self.job_id = job.pk
        self.step = max(1, total // 50)
        self.last = 0
        self._conn = None

    def __call__(self, n: int, force: bool = False) -> None:
        if not force and n - self.last < self.step:
            return
        self.last = n
        if connection.in_atomic_block:
            if self._conn is None:
                self._conn = connections.create_connection("default")
            with self._conn.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s",
                               [n, self.job_id])
        else:
            ImportJob.objects.filter(pk=self.job_id).update(processed_rows=n)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass
class CheckOutcome:
    rows: list[Row]  # every row, unless validated with ``on_batch``
    errors: list[dict]
    sheet: SheetData | None  # None for a staged commit, which does not read the file
    count: int = 0  # data rows read
    skipped: list = field(default_factory=list)  # (row number, marker) of total and sign-off lines


def _error(row_number: int, header: str, letter: str, message: str) -> dict:
    return {"row": row_number, "column": header, "letter": letter, "message": message}


def validate(ctx: ImportContext, progress: Callable[[int], None] | None = None,
             on_batch: Callable[[list[Row], bool], None] | None = None) -> CheckOutcome:
    """Read the job's file and validate every row, collecting every error.

    Without ``on_batch`` the outcome holds every row. With it, each batch of up to
    ``spec.batch_rows`` validated rows goes to ``on_batch(rows, clean_so_far)`` and is then let
    go (``clean_so_far``: no row up to and including this batch has an error)."""
    spec = ctx.spec
    job = ctx.job
    if not job.file_path or not os.path.exists(job.file_path):
        raise ImportFileError("上传的文件已过期清除（超过 24 小时），请重新上传")
    sheet = locate_sheet(spec, job.file_path)
    errors: list[dict] = [_error(sheet.header_row, "", "", p) for p in sheet.problems]
    if errors:
        return CheckOutcome([], errors, sheet)
    position = {key: i for i, key in sheet.mapping.items()}
    # Per cell, only what the loop needs (a 100,000-row file has millions of cells): columns
    # absent from the file start as None in every row and are not visited.
    absent = {col.key: None for col in spec.columns if col.key not in position}
    columns = [(col.key, position[col.key], cell_parser(col), f"请填写{col.header}" if col.required else None)
               for col in spec.columns if col.key in position]
    if spec.prepare:
        spec.prepare(ctx)
    rows: list[Row] = []
    batch: list[Row] = []
    count = 0

    def collect(batch: list[Row]) -> None:
        if spec.validate_batch and batch:
            # Whether the rows before this batch were all clean: then a clean batch is staged.
            ctx.state["clean_so_far"] = not errors
            spec.validate_batch(ctx, batch)
        for row in batch:
            for key, message in row.errors:
                if key is not None and key in position:
                    i = position[key]
                    errors.append(_error(row.number, sheet.headers[i], column_letter(i), message))
                else:
                    errors.append(_error(row.number, spec.column(key).header if key else "", "", message))
        if on_batch is None:
            rows.extend(batch)
        elif batch:
            on_batch(batch, not errors)

    # Rows come one at a time from the sheet, so the file's cells as Python objects and the
    # parsed rows are never both whole in memory.
    for number, cells in sheet.rows:
        width = len(cells)
        row = Row(number=number, values=dict(absent))
        values = row.values
        for key, i, parse, required in columns:
            try:
                values[key] = value = parse(cells[i] if i < width else None)
            except ValueError as exc:
                values[key] = None
                row.error(key, str(exc))
                continue
            if required and value is None:
                row.error(key, required)
        if spec.validate_row:
            spec.validate_row(ctx, row)
        batch.append(row)
        count += 1
        if len(batch) >= spec.batch_rows:
            collect(batch)
            batch = []
        if progress:
            progress(count)
    collect(batch)
    skipped = list(sheet.rows.skipped)
    # The cells now live on as parsed rows: free them before a commit allocates its own objects.
    sheet.rows = []
    for memo in _CHOICE_MEMOS.values():
        memo.clear()  # cells of this file are not kept beyond its check
    return CheckOutcome(rows, errors, sheet, count, skipped)


def _preview(ctx: ImportContext, rows: list[Row], counts: dict[str, int] | None = None) -> dict:
    """The first rows as the user will see them, and the counts (``counts`` when summed batch by
    batch already)."""
    spec = ctx.spec
    headers = spec.preview_headers or ["行号", *(c.header for c in spec.columns)]
    sample = []
    for row in rows[:PREVIEW_ROWS]:
        if spec.preview_row:
            cells = spec.preview_row(ctx, row)
        else:
            cells = [row.number, *(display_value(c, row.values.get(c.key)) for c in spec.columns)]
        sample.append([exports.cell_text(c) for c in cells])
    if counts is None:
        counts = spec.summarise(ctx, rows) if spec.summarise else {"数据行": len(rows)}
    # jsonb keeps keys in its own order (shortest first): the order the counts were given in is
    # stored beside them, so the page shows the total first.
    return {"headers": headers, "rows": sample, "counts": counts, "order": list(counts)}


def _add_counts(total: dict, part: dict) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value if isinstance(value, int) else value


def check_job(job: ImportJob) -> ImportJob:
    """Validate the job's file and record the outcome: INVALID with every error, or READY with a
    preview. Writes nothing but the job itself."""
    spec = get_spec(job.kind)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, processed_rows=0)
    progress = Progress(job, job.total_rows)
    ctx = ImportContext(job=job, actor=job.created_by, unit=job.unit, spec=spec, progress=progress)
    kept: list[Row] = []  # streaming: the preview's rows only
    counts: dict[str, int] = {}
    staging = spec.staging if spec.streaming else None
    if staging:
        # validate_batch may leave checks of a batch it knows will be staged to the staging.
        ctx.state["stages_clean_batches"] = True
        staging.discard(job)  # rows of an earlier check of this job
        # Taken before the rows are read: a rule changed during the check changes it.
        fingerprint = _fingerprint(ctx)

    def keep(batch: list[Row], clean: bool) -> None:
        if clean:
            kept.extend(batch[:PREVIEW_ROWS - len(kept)])
            _add_counts(counts, spec.summarise(ctx, batch) if spec.summarise else {"数据行": len(batch)})
            if staging:
                staging.stage(ctx, batch)

    def finish_staging(keep: bool) -> list[tuple[int, str | None, str]]:
        if staging and staging.finish:
            return staging.finish(ctx, keep) or []
        return []

    try:
        try:
            outcome = validate(ctx, progress, on_batch=keep if spec.streaming else None)
        except BaseException:
            # The check's own failure is what the user is told; the staging's is only logged.
            try:
                finish_staging(False)
            except Exception:
                logger.exception("staging failed too (job %s)", job.pk)
            raise
        problems = finish_staging(not outcome.errors)
        if problems:
            outcome.errors = _with_problems(outcome.errors, problems, outcome.sheet)
    except ImportFileError as exc:
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.FAILED, errors=[_error(0, "", "", exc.message)], staging={})
    except Exception:
        logger.exception("import check failed (job %s)", job.pk)
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.FAILED, errors=[_error(0, "", "", SYSTEM_ERROR)], staging={})
    finally:
        progress.close()
    if spec.streaming:
        outcome.rows = kept
    fields = {
        "total_rows": outcome.count or job.total_rows,
        "processed_rows": outcome.count,
        "headers": {str(i): k for i, k in outcome.sheet.mapping.items()},
        "ignored_columns": outcome.sheet.ignored,
        "errors": outcome.errors,
    }
    if outcome.errors:
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.INVALID, preview={}, staging={}, **fields)
    if staging:
        sheet = outcome.sheet
        fields["staging"] = {
            "rows": outcome.count, "fingerprint": fingerprint,
            "columns": {key: [sheet.headers[i], column_letter(i)] for i, key in sheet.mapping.items()},
        }
    preview = _preview(ctx, outcome.rows, counts if spec.streaming else None)
    preview["skipped"] = outcome.skipped[:50]  # shown on the preview: rows left out as totals or sign-off lines
    return _finish(job, status=ImportJob.Status.READY, preview=preview, **fields)


def _with_problems(errors: list[dict], problems: list[tuple[int, str | None, str]], sheet: SheetData) -> list[dict]:
    """The check's errors with the staging's problems, in row order (a row's own errors first)."""
    headers = {key: (sheet.headers[i], column_letter(i)) for i, key in sheet.mapping.items()}
    added = [_error(row, *(headers.get(key) or ("", "")), message) for row, key, message in problems]
    return sorted(errors + added, key=lambda error: error["row"])


def _fingerprint(ctx: ImportContext) -> str:
    """The day and the kind's own fingerprint: ages and “not after today” depend on the day."""
    return f"{timezone.localdate().isoformat()}|{ctx.spec.staging.fingerprint(ctx)}"


def _discard_staged(job: ImportJob) -> None:
    spec = get_spec(job.kind)
    if spec and spec.staging:
        spec.staging.discard(job)


def _staged_usable(ctx: ImportContext) -> bool:
    """Whether the commit may write the check's staged rows instead of reading the file."""
    staging, info = ctx.spec.staging, ctx.job.staging or {}
    if not staging or not ctx.spec.streaming or not info:
        return False
    return info.get("fingerprint") == _fingerprint(ctx) and staging.count(ctx.job) == info.get("rows")


def _finish(job: ImportJob, **fields) -> ImportJob:
    for key, value in fields.items():
        setattr(job, key, value)
    job.save(update_fields=list(fields))
    return job


def start_check(job: ImportJob) -> ImportJob:
    """Check now, or hand a large file to the background worker."""
    if runs_in_background(job):
        from .tasks import check_import

        _finish(job, status=ImportJob.Status.CHECKING, processed_rows=0)
        check_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    return check_job(job)


# ---------------------------------------------------------------------------------------------
# Committing


def _claim_for_commit(job: ImportJob) -> ImportJob:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.READY:
            raise DomainError(f"该导入任务的状态是“{locked.get_status_display()}”，不能导入")
        if not locked.file_path or not os.path.exists(locked.file_path):
            raise DomainError("上传的文件已过期清除（超过 24 小时），请重新上传")
        locked.status = ImportJob.Status.COMMITTING
        locked.processed_rows = 0
        locked.save(update_fields=["status", "processed_rows"])
    return locked


def commit_job(job: ImportJob, actor) -> ImportJob:
    """Write the whole file or nothing. Rows are validated again inside the transaction (the
    tree may have changed since the preview); any error leaves the database untouched and the
    job INVALID. The uploaded file is deleted once the data is in."""
    job = _claim_for_commit(job)
    return run_commit(job, actor)


def run_commit(job: ImportJob, actor) -> ImportJob:
    """The commit itself, for a job already claimed (status COMMITTING)."""
    spec = get_spec(job.kind)
    progress = Progress(job, job.total_rows)
    ctx = ImportContext(job=job, actor=actor, unit=job.unit, spec=spec, progress=progress)
    started = time.monotonic()
    try:
        companion.settle_orphans()  # left by a process that died mid-commit: housekeeping only
    except Exception:
        logger.exception("could not settle orphaned companion transactions")
    try:
        with context.origin("import", context.current_origin().ip), transaction.atomic():
            # One import into a subtree at a time: two files naming the same new unit would
            # otherwise both pass the duplicate check.
            type(job.unit).objects.select_for_update().filter(pk=job.unit_id).first()
            if _staged_usable(ctx):
                result, problems = spec.staging.commit(ctx)
                if problems:
                    raise _Rejected(_staged_errors(job, problems))
                outcome = CheckOutcome([], [], None, job.staging["rows"])
            elif spec.streaming:
                result: dict = {}
                done = [0]

                def write(batch: list[Row], clean: bool) -> None:
                    # Every row is still checked after an error, but nothing more is written:
                    # the transaction is rolled back below.
                    if clean:
                        _add_counts(result, spec.commit(ctx, batch))
                        done[0] += len(batch)
                        progress(done[0])

                outcome = validate(ctx, on_batch=write)
            else:
                outcome = validate(ctx)
            if outcome.errors:
                raise _Rejected(outcome)
            if not spec.streaming:
                result = spec.commit(ctx, outcome.rows)
            _discard_staged(job)
            progress(outcome.count, force=True)
            audit.record(
                actor=actor, action=f"导入：{spec.title}", obj=job,
                after={"file": job.original_name, "rows": outcome.count, **{
                    k: v for k, v in result.items() if isinstance(v, int | str)}},
            )
    except _Rejected as rejected:
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.INVALID, errors=rejected.outcome.errors, preview={},
                       processed_rows=0, staging={})
    except ImportFileError as exc:
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.FAILED, errors=[_error(0, "", "", exc.message)], staging={})
    except DomainError as exc:
        # A refusal from an action (permission, tree rule) that validation did not foresee.
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.FAILED, errors=[_error(0, "", "", exc.message)],
                       processed_rows=0, staging={})
    except Exception:
        logger.exception("import commit failed (job %s)", job.pk)
        _discard_staged(job)
        return _finish(job, status=ImportJob.Status.FAILED, errors=[_error(0, "", "", SYSTEM_ERROR)],
                       processed_rows=0, staging={})
    finally:
        # The transaction has ended: a companion's prepared work (the staged audit trail)
        # follows it, committed or rolled back.
        companion.settle_pending()
        progress.close()
    _delete_file(job.file_path)
    result["seconds"] = round(time.monotonic() - started, 2)
    return _finish(job, status=ImportJob.Status.DONE, result=result, file_path="", finished_at=timezone.now(),
                   processed_rows=job.total_rows, staging={})


def _staged_errors(job: ImportJob, problems: list[tuple[int, str | None, str]]) -> CheckOutcome:
    """The staged commit's refusals in the check's form: row, the file's header, its letter."""
    columns = job.staging.get("columns", {})
    spec = get_spec(job.kind)
    errors = []
    for row, key, message in sorted(problems, key=lambda p: p[0]):
        header, letter = columns.get(key) or ((spec.column(key).header if key else ""), "")
        errors.append(_error(row, header, letter, message))
    return CheckOutcome([], errors, None)


class _Rejected(Exception):
    def __init__(self, outcome: CheckOutcome):
        super().__init__("rejected")
        self.outcome = outcome


def start_commit(job: ImportJob, actor) -> ImportJob:
    """Commit now, or hand a large file to the background worker."""
    job = _claim_for_commit(job)
    if runs_in_background(job):
        from .tasks import commit_import

        commit_import.enqueue(job.pk, actor.pk)
        job.refresh_from_db()
        return job
    return run_commit(job, actor)


def fail_job(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, errors=[_error(0, "", "", message)]
    )


# ---------------------------------------------------------------------------------------------
# Workbooks: the bad rows, the template


def errors_workbook_path(job: ImportJob) -> str:
    """A workbook of the rows with errors, every column as uploaded, faulty cells filled red with
    the message as a cell comment, and 错误说明 / 原行号 columns. Built from the uploaded file, so
    no personal data has to be kept in the database."""
    spec = get_spec(job.kind)
    if not job.file_path or not os.path.exists(job.file_path):
        raise ImportFileError("上传的文件已过期清除（超过 24 小时），请重新上传后再下载")
    sheet = locate_sheet(spec, job.file_path)
    by_row: dict[int, list[dict]] = {}
    for err in job.errors:
        by_row.setdefault(err["row"], []).append(err)
    letters = {column_letter(i): i for i in range(len(sheet.headers))}
    path = exports.temp_xlsx_path()
    workbook = xlsxwriter.Workbook(path, exports.WORKBOOK_OPTIONS)
    formats = exports.make_formats(workbook)
    bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"})
    bad_date = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1,
                                    "border_color": "#C00000", "num_format": "yyyy-mm-dd"})
    note = workbook.add_format({"font_color": "#9C0006", "text_wrap": True, "valign": "top"})
    # The columns read as text (ID numbers, phones, 入团年月 …) are text-formatted here too, cell by
    # cell (a cell's own format overrides its column's): a number retyped into this file while
    # fixing it must not become an Excel number again (see LONG_NUMBER_LOST).
    text_format = workbook.add_format({"num_format": "@"})
    bad_text = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1,
                                    "border_color": "#C00000", "num_format": "@"})
    text_columns = {i for i, key in sheet.mapping.items() if spec.column(key).type == TEXT}
    ws = workbook.add_worksheet(exports.safe_sheet_name(sheet.sheet_name or "错误行"))
    headers = [*sheet.headers, "错误说明", "原行号"]
    widths = exports.column_widths(headers, [])
    for i, w in enumerate(widths):
        ws.set_column(i, i, w, text_format if i in text_columns else None)
    ws.set_column(len(sheet.headers), len(sheet.headers), 50)
    for c, text in enumerate(headers):
        ws.write_string(0, c, exports.neutralise(text), formats.header)
    ws.freeze_panes(1, 0)
    header_errors = [e for e in job.errors if e["row"] in (0, sheet.header_row)]
    out = 1
    for number, cells in sheet.rows:
        errs = by_row.get(number)
        if not errs:
            continue
        faulty: dict[int, list[str]] = {}
        for e in errs:
            if e.get("letter") in letters:
                faulty.setdefault(letters[e["letter"]], []).append(e["message"])
        for c in range(len(sheet.headers)):
            value = cells[c] if c < len(cells) else None
            is_text = c in text_columns and not isinstance(value, datetime.date)
            if c in faulty:
                fmt = bad_date if isinstance(value, datetime.date) else bad_text if is_text else bad
                if _is_blank(value):
                    ws.write_blank(out, c, None, bad_text if c in text_columns else bad)
                else:
                    exports.write_cell(ws, out, c, value, formats, fmt)
                ws.write_comment(out, c, "\n".join(faulty[c]), {"author": "团务", "x_scale": 2, "y_scale": 1.5})
            elif is_text:
                exports.write_cell(ws, out, c, value, formats, text_format)  # blanks too: they may be filled in
            else:
                exports.write_cell(ws, out, c, value, formats)
        explanation = "；".join(
            (f"{e['column']}：" if e["column"] else "") + e["message"] for e in errs
        )
        ws.write_string(out, len(sheet.headers), exports.neutralise(explanation), note)
        ws.write_number(out, len(sheet.headers) + 1, number)
        out += 1
    if header_errors:
        ws.write_string(out + 1, 0, "表头问题：" + "；".join(e["message"] for e in header_errors), note)
    workbook.close()
    return path


def template_path(spec: ImportSpec, rows_with_dropdowns: int = 2000) -> str:
    """The downloadable template: the data sheet (Chinese headers, required ones marked “*”,
    dropdowns for choice and yes/no columns), a 填写说明 sheet with every column explained and an
    example row, and a hidden 选项 sheet holding the dropdown lists."""
    path = exports.temp_xlsx_path()
    workbook = xlsxwriter.Workbook(path, exports.WORKBOOK_OPTIONS)
    formats = exports.make_formats(workbook)
    required = workbook.add_format({"bold": True, "bg_color": "#FDECEC", "font_color": "#C8161D", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    text_format = workbook.add_format({"num_format": "@"})
    data = workbook.add_worksheet(exports.safe_sheet_name(spec.title))
    guide = workbook.add_worksheet("填写说明")
    options = workbook.add_worksheet("选项")

    option_col = 0
    for c, col in enumerate(spec.columns):
        data.write_string(0, c, col.template_header, required if col.required else formats.header)
        data.set_column(c, c, col.width or max(12, exports.display_width(col.template_header) + 4))
        if col.type in (CHOICE, BOOL):
            labels = [label for _, label in col.choices] if col.type == CHOICE else ["是", "否"]
            options.write_string(0, option_col, col.header)
            for r, label in enumerate(labels, start=1):
                options.write_string(r, option_col, label)
            letter = column_letter(option_col)
            data.data_validation(1, c, rows_with_dropdowns, c, {
                "validate": "list",
                "source": f"='选项'!${letter}$2:${letter}${len(labels) + 1}",
                "error_type": "warning",
                "error_title": "请从下拉列表选择",
                "error_message": f"“{col.header}”请从下拉列表中选择",
            })
            option_col += 1
        elif col.type == DATE:
            data.set_column(c, c, max(14, exports.display_width(col.template_header) + 4), formats.date)
        elif col.type == TEXT:
            # Text format (“@”): typed ID numbers keep all 18 digits and a typed “2019-05” stays
            # the month it says instead of becoming a date.
            data.set_column(c, c, col.width or max(12, exports.display_width(col.template_header) + 4), text_format)
    data.freeze_panes(1, 0)
    options.hide()

    guide.set_column(0, 0, 18)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 2, 48)
    guide.set_column(3, 3, 40)
    guide.set_column(4, 4, 36)
    guide.write_string(0, 0, f"{spec.title} · 填写说明", title)
    r = 2
    lines = [
        f"1. 在“{data.get_name()}”工作表中从第 2 行起每行填写一条；列名带“*”的必须填写。",
        "2. 列的顺序可以调整，多余的列会被忽略；列名也可以用下表“也可识别的列名”中的写法。",
        "3. 上传后系统先逐行检查，有任何错误都不会写入，并列出每个错误所在的行和列；改正后重新上传即可。",
        "4. 全部检查通过后会显示预览，确认后一次性全部导入。",
        *spec.instructions,
        "注：本表中文字列（如身份证号码、手机号码）已设为“文本”格式，长数字不会被 Excel 改成 6.50121E+17；"
        "从别的表格复制时请用“选择性粘贴 → 数值”，以免把原来的数字格式一起粘贴进来。",
    ]
    for line in lines:
        guide.write_string(r, 0, line)
        r += 1
    r += 1
    for c, text in enumerate(["列名", "是否必填", "格式 / 可选值", "说明", "也可识别的列名"]):
        guide.write_string(r, c, text, formats.header)
    for col in spec.columns:
        r += 1
        guide.write_string(r, 0, col.header, bold if col.required else None)
        guide.write_string(r, 1, "必填" if col.required else "选填")
        guide.write_string(r, 2, col.format_hint(), formats.wrap)
        guide.write_string(r, 3, col.help, formats.wrap)
        guide.write_string(r, 4, "、".join(col.aliases), formats.wrap)
    r += 2
    guide.write_string(r, 0, "示例（请勿把示例行复制进数据表）", bold)
    r += 1
    for c, col in enumerate(spec.columns):
        guide.write_string(r, c, col.template_header, formats.header)
    r += 1
    examples = [col.example for col in spec.columns]
    if any(isinstance(e, list | tuple) for e in examples):
        count = max(len(e) if isinstance(e, list | tuple) else 1 for e in examples)
        rows = [[(e[i] if isinstance(e, list | tuple) and i < len(e) else ("" if isinstance(e, list | tuple) else e))
                 for e in examples] for i in range(count)]
    else:
        rows = [examples]
    for values in rows:
        for c, value in enumerate(values):
            exports.write_cell(guide, r, c, value, formats)
        r += 1
    workbook.close()
    return path


# ---------------------------------------------------------------------------------------------
# Housekeeping


def purge_stale_uploads(*, older_than: datetime.timedelta = STALE_AFTER, now: float | None = None) -> int:
    """Delete uploaded files older than 24 hours (personal data must not linger) and forget them
    on their jobs. Returns how many files were deleted."""
    directory = Path(settings.UPLOAD_DIR)
    if not directory.exists():
        return 0
    cutoff = (now if now is not None else time.time()) - older_than.total_seconds()
    removed: list[str] = []
    for entry in directory.iterdir():
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            _delete_file(str(entry))
            removed.append(str(entry))
    if removed:
        stale = ImportJob.objects.filter(file_path__in=removed).exclude(status__in=RUNNING)
        for job in stale.exclude(staging={}):
            _discard_staged(job)
        stale.update(file_path="", staging={})
    return len(removed)


def jobs_for(user, unit, kind: str) -> Iterable[ImportJob]:
    """Recent jobs of ``kind`` on ``unit`` (the upload page lists them)."""
    return ImportJob.objects.filter(unit=unit, kind=kind).select_related("created_by")[:10]
