"""The first rows of an .xlsx without reading the whole file.

An upload only needs each sheet's header and a count of its rows, but calamine parses every
cell of a sheet at once: 1.5 s and ~230 MB for a 100,000-row member list, before the user even
sees the upload accepted. An .xlsx is a zip of XML files, so the first rows of each worksheet
and its ``<dimension>`` (the used range) can be read by streaming the start of its XML.

Only the upload uses this, and only when the result is clear: any file this reader does not
fully understand, and any answer that would refuse the upload, sends the caller back to
calamine. The check and the commit always read the file with calamine.
"""

from __future__ import annotations

import re
import zipfile
from xml.etree.ElementTree import fromstring, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_RE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


class Unsupported(Exception):
    """Something this reader does not handle: use calamine."""


def _column(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


class PeekedRows:
    """The interface of ``imports.SheetRows`` over a sheet's first rows: ``all()`` yields
    (0-based row index, cells) from the first row of the sheet, as calamine does."""

    def __init__(self, rows: dict[int, list], last_row: int, first: int = 0):
        self._rows = rows  # 0-based row index → cells (absolute columns, '' for blanks)
        self._last_row = last_row  # 1-based last row of the used range, from <dimension>
        self._first = first

    def all(self):
        for r in range(max(self._rows, default=-1) + 1):
            yield r, self._rows.get(r, [])

    def data_rows(self, first: int) -> PeekedRows:
        return PeekedRows(self._rows, self._last_row, first)

    def __bool__(self) -> bool:
        """A non-blank data row among the rows read. False may mean "not read yet": the upload
        then asks calamine."""
        return any(r >= self._first and any(_filled(c) for c in cells) for r, cells in self._rows.items())

    def estimate(self) -> int:
        return max(0, self._last_row - self._first)


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def peek_sheets(path, rows: int) -> list[tuple[str, PeekedRows]]:
    """(name, first ``rows`` rows) of each visible worksheet, in workbook order. Raises
    Unsupported for anything unusual."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = fromstring(archive.read("xl/workbook.xml"))
            relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target") for rel in relations.iter(f"{_PKG_REL}Relationship")}
            strings = _SharedStrings(archive)
            found = []
            for sheet in workbook.iter(f"{_MAIN}sheet"):
                if sheet.get("state") in ("hidden", "veryHidden"):
                    continue
                target = targets.get(sheet.get(f"{_REL}id")) or ""
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if "/worksheets/" not in member:
                    continue  # a chart sheet
                found.append((sheet.get("name"), _peek_sheet(archive, member, rows, strings)))
            return found
    except Unsupported:
        raise
    except Exception as exc:  # a damaged or unusual file: calamine will say what is wrong
        raise Unsupported(str(exc)) from exc


def _peek_sheet(archive: zipfile.ZipFile, member: str, limit: int, strings: _SharedStrings) -> PeekedRows:
    rows: dict[int, list] = {}
    last_row = None
    with archive.open(member) as stream:
        for _event, element in iterparse(stream, events=("end",)):
            tag = element.tag
            if tag == f"{_MAIN}dimension":
                ref = element.get("ref", "").split(":")[-1]
                match = _CELL_RE.match(ref)
                if not match:
                    raise Unsupported("no dimension")
                last_row = int(match.group(2))
            elif tag == f"{_MAIN}row":
                r = int(element.get("r")) - 1
                if r >= limit:
                    break
                cells: list = []
                for cell in element.iter(f"{_MAIN}c"):
                    match = _CELL_RE.match(cell.get("r", ""))
                    if not match:
                        raise Unsupported("cell without a reference")
                    column = _column(match.group(1))
                    cells.extend([""] * (column + 1 - len(cells)))
                    cells[column] = _value(cell, strings)
                rows[r] = cells
                element.clear()
    if last_row is None:
        raise Unsupported("no dimension")
    return PeekedRows(rows, max(last_row, max(rows, default=-1) + 1))


def _value(cell, strings: _SharedStrings):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
    value = cell.find(f"{_MAIN}v")
    text = value.text if value is not None else None
    if text is None:
        return ""
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    return float(text)


class _SharedStrings:
    """sharedStrings.xml, read only as far as the peeked cells need (writers list strings in
    the order they first appear, so a header's strings come first)."""

    def __init__(self, archive: zipfile.ZipFile):
        self._strings: list[str] = []
        try:
            self._stream = archive.open("xl/sharedStrings.xml")
        except KeyError:
            self._stream = None
        self._parser = iterparse(self._stream, events=("end",)) if self._stream else None

    def __getitem__(self, index: int) -> str:
        while len(self._strings) <= index:
            if self._parser is None:
                raise Unsupported("shared string missing")
            for _event, element in self._parser:
                if element.tag == f"{_MAIN}si":
                    # Plain text, or rich-text runs; phonetic runs (<rPh>) are not part of it.
                    runs = element.findall(f"{_MAIN}t") or element.findall(f"{_MAIN}r/{_MAIN}t")
                    self._strings.append("".join(t.text or "" for t in runs))
                    element.clear()
                    break
            else:
                raise Unsupported("shared string missing")
        return self._strings[index]
