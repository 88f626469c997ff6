"""Where the readings table (``data/pinyin_readings.txt``) comes from: pypinyin's dictionary of
single characters, read through pypinyin itself.

The platform reads the table, not pypinyin: importing pypinyin loads its phrase dictionary too,
57 MB in every web, worker and import process, for phrases a name search never uses (each
character of a name is indexed under all of its readings, see ``pinyin.readings``). The table
holds exactly what ``pinyin(char, style=NORMAL, heteronym=True)`` gives for each character, and
a test checks it against the installed pypinyin, so an upgrade that changes a reading fails the
tests until the table is written again:

    .venv/bin/python -m tuanwu.core.pinyin_source
"""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "pinyin_readings.txt"


def source_readings() -> dict[str, tuple[str, ...]]:
    """Every character pypinyin knows → its toneless readings, most common first."""
    from pypinyin import Style, pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code in sorted(pinyin_dict):
        char = chr(code)
        found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
        readings = tuple(dict.fromkeys(r for r in (found[0] if found else []) if r.isascii() and r.isalpha()))
        if readings:
            table[char] = readings
    return table


def table_text(table: dict[str, tuple[str, ...]]) -> str:
    return "".join(f"{char}\t{' '.join(readings)}\n" for char, readings in table.items())


if __name__ == "__main__":
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(table_text(source_readings()), encoding="utf-8")
    print(f"wrote {TABLE}")
