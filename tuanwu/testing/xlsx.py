"""Reading what calamine does not tell: the number format of a workbook's columns and cells."""

from __future__ import annotations

import re
import zipfile


def _formats(z: zipfile.ZipFile) -> list[str]:
    """The number format code of each cell style (cellXfs index → code)."""
    styles = z.read("xl/styles.xml").decode()
    codes = {0: "General", 14: "m/d/yyyy", 49: "@"}  # the built-ins our workbooks use
    codes.update({int(i): code for i, code in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles)})
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    return [codes.get(int(n), n) for n in re.findall(r'<xf numFmtId="(\d+)"', xfs)]


def column_formats(path, sheet: int = 1) -> dict[int, str]:
    """{1-based column: number format} of the columns that have a style."""
    with zipfile.ZipFile(path) as z:
        formats = _formats(z)
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    found = {}
    for first, last, style in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"', xml):
        for column in range(int(first), int(last) + 1):
            found[column] = formats[int(style)]
    return found


def cell_format(path, ref: str, sheet: int = 1) -> str:
    """The number format of one cell (“B2”); General when it has no style."""
    with zipfile.ZipFile(path) as z:
        formats = _formats(z)
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    match = re.search(rf'<c r="{ref}"(?: s="(\d+)")?', xml)
    assert match, f"no cell {ref}"
    return formats[int(match.group(1))] if match.group(1) else "General"
