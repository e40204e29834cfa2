"""What was typed, understood: :func:`parse` reads Chinese, pinyin, initials, a phone
tail, an ID fragment, building-unit-room, a case or mediation number, mixed freely, into a
:class:`Query`; anything it cannot read is dropped, never an error. Addresses follow the
one grammar of :mod:`app.services.places.address`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.services.places.address import ADDRESS_TOKEN, Address, parse_address
from app.services.search.keys import is_han, normalise_latin

#: Longest query considered (a name, an address and a number fit easily).
MAX_QUERY = 64
_CASE = re.compile(r"[a-z]{1,4}-\d[\d-]*")
_MEDIATION = re.compile(r"[a-z]{1,4}-tj(?:-[\d-]*)?")
_ID_PART = re.compile(r"\d{3,17}x")


@dataclass(frozen=True)
class Query:
    """What was typed, understood."""

    text: str = ""
    hanzi: str = ""  # Chinese name characters, e.g. 王秀兰
    latin: str = ""  # pinyin or initials, toneless: wangxiulan, wxl
    digits: str = ""  # a bare number: phone tail, ID fragment, room or building
    address: Address | None = None
    case_number: str = ""  # upper-case prefix, e.g. DT-20261125-003
    mediation_number: str = ""  # e.g. DT-TJ-2026-001

    @property
    def empty(self) -> bool:
        return not (self.hanzi or self.latin or self.digits or self.address
                    or self.case_number or self.mediation_number)


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:MAX_QUERY].strip().lower()


def _two_numbers(tokens: list[str]) -> Address | None:
    """``12 402`` or ``402 12``: the short number is the building, the long one the room."""
    if len(tokens) != 2 or not all(t.isdigit() for t in tokens):
        return None
    a, b = tokens
    if len(a) <= 2 < len(b) <= 4:
        return Address(a, None, b)
    if len(b) <= 2 < len(a) <= 4:
        return Address(b, None, a)
    return None


def _near_name(number: str) -> Address:
    """A number typed next to a name: 12 is a building, 402 a room."""
    return Address(building=number) if len(number) <= 2 else Address(room=number)


def parse(raw: str) -> Query:
    """Understand a typed query; anything unrecognisable is dropped, never an error."""
    text = _clean(raw)
    if not text:
        return Query()
    if _MEDIATION.fullmatch(text):
        return Query(text=text, mediation_number=text.upper())
    if _CASE.fullmatch(text):
        return Query(text=text, case_number=text.upper())
    whole = parse_address(text)
    if whole:
        return Query(text=text, address=whole)
    return _parse_tokens(text)


#: Where a name runs into a place without a space: 王秀兰12栋, wxl12 (not tone digits: wang2).
_NAME_THEN_NUMBER = re.compile(r"(?<=[\u3400-\u9fff])(?=\d)|(?<=[a-z])(?=\d{2,})")


def _parse_tokens(text: str) -> Query:
    tokens = _NAME_THEN_NUMBER.sub(" ", text).split()
    places = [t for t in tokens if ADDRESS_TOKEN.fullmatch(t) and any(c.isdigit() for c in t)]
    names = [t for t in tokens if t not in places]
    address = _two_numbers(places) or (parse_address(" ".join(places)) if places else None)
    ident = [t for t in names if _ID_PART.fullmatch(t)]
    digits = places[0] if len(places) == 1 and places[0].isdigit() and not names else ""
    if ident and not places and len(names) == 1:
        digits, names = ident[0], []
    if digits:
        address = None
    elif places and address is None and len(places) == 1 and places[0].isdigit():
        address = _near_name(places[0])
    name = "".join(names)
    hanzi = "".join(c for c in name if is_han(c))
    latin = "" if hanzi else "".join(c for c in normalise_latin(name) if "a" <= c <= "z")
    return Query(text=text, hanzi=hanzi, latin=latin, digits=digits, address=address)
