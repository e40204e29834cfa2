"""Search keys computed once per write: full pinyin, initials, phone tail.

Surnames are read as surnames: polyphonic characters take their surname reading
(单 shan, 曾 zeng, 区 ou, 仇 qiu, 解 xie …) and compound surnames are kept whole.
"""

from __future__ import annotations

from functools import cache

#: Surname readings that differ from a character's most common reading.
SURNAME_READINGS: dict[str, list[str]] = {
    "单": ["shan"], "曾": ["zeng"], "区": ["ou"], "仇": ["qiu"], "解": ["xie"],
    "查": ["zha"], "盖": ["ge"], "朴": ["piao"], "乐": ["yue"], "缪": ["miao"],
    "翟": ["zhai"], "覃": ["qin"], "召": ["shao"], "繁": ["po"], "种": ["chong"],
    "秘": ["bi"], "员": ["yun"], "尉": ["yu"], "牟": ["mu"], "能": ["nai"],
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "宿": ["su"], "沈": ["shen"], "薄": ["bo"],
    "柏": ["bai"], "纪": ["ji"], "折": ["she"], "冼": ["xian"], "句": ["gou"],
}
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "长孙", "慕容",
    "司徒", "夏侯", "万俟", "令狐", "宇文", "轩辕", "端木", "百里", "呼延", "南宫",
)


@cache
def _lazy_pinyin():  # type: ignore[no-untyped-def]
    from pypinyin import lazy_pinyin  # lazy: its tables cost start-up time

    return lazy_pinyin


def split_surname(name: str) -> tuple[str, str]:
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound, name[len(compound):]
    return name[:1], name[1:]


def name_syllables(name: str) -> list[str]:
    """Pinyin syllables of a personal name, surname read as a surname."""
    name = name.strip()
    if not name:
        return []
    surname, given = split_surname(name)
    lazy = _lazy_pinyin()
    head = SURNAME_READINGS.get(surname) or lazy(surname)
    return [s.lower() for s in [*head, *lazy(given)] if s.strip()]


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin without tones, initials) for a Chinese personal name."""
    syllables = name_syllables(name)
    return "".join(syllables), "".join(s[0] for s in syllables)


def phone_tail(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""
