"""Name normalisation and pinyin search tokens.

A name is indexed under every reading of its polyphonic characters (单 → dan/shan/chan, 曾 →
zeng/ceng, 解 → jie/xie) because surnames often take the rarer reading and a secretary types
what they hear. The readings come from a table of every character's readings
(``data/pinyin_readings.txt``, made from pypinyin's dictionary by ``pinyin_source``): pypinyin
itself is not imported, its phrase dictionary would cost 57 MB in every process.

The tokens are stored space-separated in one text column (``Person.name_pinyin``) and searched
as token prefixes (``(^| )query``) on a trigram index.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from .pinyin_source import TABLE

# Readings combined per name are capped: a long transliterated name of polyphonic characters
# would otherwise produce hundreds of strings. The first reading of each character (the most
# common one, as pypinyin orders them) comes first, so the cap drops only unusual combinations.
MAX_COMBINATIONS = 16

MIDDLE_DOT = "\u00b7"
# Separators seen in transliterated names (维吾尔族、哈萨克族 names; foreign names) typed on
# different keyboards and systems; all become U+00B7.
_SEPARATORS = "•・.．‧∙⋅･●\u2027\u30fb\uff65\u2219\u22c5\u2022\u00b7\ua78f\u0387\u16eb\u2e31\u2027-－—"
_SEPARATOR_RE = re.compile(r"\s*[" + re.escape(_SEPARATORS) + r"]+\s*")
_SPACE_RE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Trim, fold full-width letters (NFKC keeps 汉字 unchanged), collapse spaces and turn every
    separator of a transliterated name into U+00B7.

    Chinese rosters pad two-character names to line up with three-character ones (“王　伟”,
    “王  伟”): a name of two or three 汉字 with nothing but spaces between them is written without
    them, so that it is found as 王伟. Longer names keep their space (in “古丽 阿曼” it may be the
    separator of a transliterated name, or part of a compound surname: not guessed)."""
    text = unicodedata.normalize("NFKC", str(name or "")).strip()
    # NFKC turns the katakana middle dot and others into ASCII or keeps them; the regex catches all.
    text = _SEPARATOR_RE.sub(MIDDLE_DOT, text)
    text = _SPACE_RE.sub(" ", text)
    text = text.strip(MIDDLE_DOT + " ")
    if " " in text:
        joined = text.replace(" ", "")
        if 2 <= len(joined) <= 3 and all(_is_han(c) for c in joined):
            return joined
    return text


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ffff"


_READINGS: dict[str, tuple[str, ...]] = {}


def _table() -> dict[str, tuple[str, ...]]:
    """The readings table, read once per process on first use (≈ 6 MB)."""
    if not _READINGS:
        syllables: dict[str, str] = {}  # one string object per syllable, shared by all characters
        with open(TABLE, encoding="utf-8") as source:
            for line in source:
                char, _, text = line.rstrip("\n").partition("\t")
                _READINGS[char] = tuple(syllables.setdefault(r, r) for r in text.split(" "))
    return _READINGS


def readings(char: str) -> tuple[str, ...]:
    """Every pinyin reading of one character (no tones), most common first; () for separators."""
    if _is_han(char):
        return _table().get(char, ())
    if char.isascii() and char.isalnum():
        return (char.lower(),)
    return ()


def _combinations(parts: list[tuple[str, ...]]) -> list[str]:
    """Strings from one reading per character, fewest departures from the common readings first,
    so that the cap drops the least likely combinations."""
    polyphonic = [i for i, p in enumerate(parts) if len(p) > 1]
    # Most names have at most one polyphonic character (83 % of the bench's 100,000 names): their
    # strings are written out directly, in the order the general loop below gives them. An
    # import computes this for every row, and the general loop costs several times as much.
    if len(polyphonic) <= 1:
        if not polyphonic:
            return ["".join([p[0] for p in parts])]
        i = polyphonic[0]
        before = "".join([p[0] for p in parts[:i]])
        after = "".join([p[0] for p in parts[i + 1:]])
        return [before + reading + after for reading in parts[i][:MAX_COMBINATIONS]]
    result: list[str] = []
    for changed in range(len(polyphonic) + 1):
        for positions in itertools.combinations(polyphonic, changed):
            choices = [p[1:] if i in positions else p[:1] for i, p in enumerate(parts)]
            for combo in itertools.product(*choices):
                result.append("".join(combo))
                if len(result) >= MAX_COMBINATIONS:
                    return result
    return result


# Character → (its readings, their distinct initials), filled as characters are met: an import
# looks up every character of 100,000 names, and building the initials anew each time cost as
# much as the rest of the pinyin work.
_CHARACTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _character(char: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = _CHARACTERS.get(char)
    if found is None:
        found = readings(char)
        found = _CHARACTERS[char] = (found, tuple(dict.fromkeys(r[0] for r in found)))
    return found


# Surnames read differently from the character's common reading (曾 is ceng in a word, Zeng as a
# surname). Initials of a name use the common reading of each character, plus this reading for
# its first one: so "zj" finds 曾杰 and "sx" finds 单雄.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha", "盖": "ge",
    "乐": "yue", "缪": "miao", "覃": "qin", "尉": "yu", "员": "yun", "种": "chong", "秘": "bi", "召": "shao",
    "翟": "zhai", "瞿": "qu", "繁": "po", "折": "she", "黑": "he", "洗": "xian", "宓": "mi", "能": "nai",
    "阚": "kan", "句": "gou", "祭": "zhai", "沈": "shen", "燕": "yan", "任": "ren", "华": "hua", "纪": "ji",
    "那": "na", "参": "can", "长": "chang", "奇": "qi", "隗": "wei", "适": "kuo",
}


def name_tokens(name: str) -> tuple[list[str], list[str]]:
    """(full-pinyin strings, initials strings) of a name, each capped at MAX_COMBINATIONS.

    Full pinyin covers every reading of every character (a secretary who types the whole
    syllable means it). Initials come from the common reading only (and the surname's reading
    for the first character): with every reading, "zs" found 丁俊杰 through 丁 = zheng and
    俊 = shun, readings nobody has in mind when typing initials."""
    parts: list[tuple[str, ...]] = []
    initials: list[tuple[str, ...]] = []
    for char in normalise_name(name):
        full, _ = _character(char)
        if full:
            first = (full[0][0],)
            if not parts and char in SURNAME_READINGS and SURNAME_READINGS[char][0] != full[0][0]:
                first += (SURNAME_READINGS[char][0],)
            parts.append(full)
            initials.append(first)
    if not parts:
        return [], []
    return _combinations(parts), _combinations(initials)


@lru_cache(maxsize=8192)
def search_text(name: str) -> str:
    """The value stored in the pinyin search column: unique tokens, space-separated. Cached:
    a county's registry repeats common names (王伟, 李娜 …) many times over. The cache is kept
    small: most names of a large import are distinct, and 65,536 of them held ~20 MB of an
    import's memory for few hits (the common names stay cached either way)."""
    full, initials = name_tokens(name)
    return " ".join(dict.fromkeys(full + initials))


_QUERY_RE = re.compile(r"^[a-z]+$")


def normalise_query(text: str) -> str | None:
    """A pinyin query (letters only, spaces and apostrophes ignored), or None if it is not one."""
    query = re.sub(r"[\s']+", "", str(text or "")).lower()
    return query if _QUERY_RE.match(query) else None
