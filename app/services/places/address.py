"""Addresses as people type them: the one grammar for a door (楼栋-单元-室) in the community.

``12-3-402``, ``12栋3单元402室``, ``12#3-402``, ``12-402``, ``12栋``, ``3单元402``, ``402室``
all read as an :class:`Address` (any part may be missing); inside one building a flat is
typed as ``3-402``, ``3单元402`` or ``402``. Search, the ledger's forms and mediation's
parties all read addresses here, and :func:`door` writes them back the same way.
Pure text: no database (the lookups are in :mod:`app.services.places.households`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    """A place as people say it; any part may be missing."""

    building: str = ""
    unit: int | None = None
    room: str = ""

    @property
    def is_door(self) -> bool:
        return bool(self.room)


_BUILDING_WORD = r"(?:栋|幢|号楼|楼|#|号)"
_SEP = r"(?:\s*[-—–－/]\s*|\s+)"
_ROOM = r"(\d{3,4})\s*(?:室|号)?"
_FORMS = (
    # 12-3-402, 12栋3单元402, 12#3-402室
    re.compile(rf"(\d{{1,3}})\s*(?:{_BUILDING_WORD}|{_SEP})\s*(\d{{1,2}})\s*(?:单元|{_SEP})"
               rf"\s*{_ROOM}"),
    # 12栋402, 12-402, 12#402
    re.compile(rf"(\d{{1,3}})\s*(?:{_BUILDING_WORD}|{_SEP})\s*(){_ROOM}"),
    # 12栋3单元
    re.compile(rf"(\d{{1,3}})\s*{_BUILDING_WORD}\s*(\d{{1,2}})\s*单元()"),
    # 12栋
    re.compile(rf"(\d{{1,3}})\s*{_BUILDING_WORD}()()"),
    # 3单元402
    re.compile(rf"()(\d{{1,2}})\s*单元\s*{_ROOM}"),
    # 402室
    re.compile(r"()()(\d{3,4})\s*(?:室)"),
)
#: Inside one building: ``3-402``, ``3单元402室``, ``402`` (any room number).
_FLAT = re.compile(rf"(?:(\d{{1,2}})\s*(?:单元|{_SEP})\s*)?(\d+)\s*(?:室|号)?")
#: The characters an address is made of (to tell it from a name in a mixed query).
ADDRESS_TOKEN = re.compile(r"[\d栋幢号楼单元室#\-—–－/]+")


def clean(text: str) -> str:
    """NFKC (full-width digits and dashes to ASCII), lower case, blanks folded."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def parse_address(text: str) -> Address | None:
    """A door or part of one anywhere in the community; None when it is not an address."""
    value = clean(text)
    for form in _FORMS:
        m = form.fullmatch(value)
        if m:
            building, unit, room = m.groups()
            return Address(building.lstrip("0") or building, int(unit) if unit else None, room)
    return None


def parse_flat(text: str) -> Address | None:
    """A flat inside a known building (``3-402`` is unit 3, room 402); None otherwise."""
    m = _FLAT.fullmatch(clean(text).replace("—", "-"))
    if not m:
        return None
    unit, room = m.groups()
    return Address("", int(unit) if unit else None, room)


def door(building: str, unit: int | str | None, room: str) -> str:
    """12-3-402 (or 12-402 without a unit): how a door is written everywhere."""
    parts = [str(p) for p in (building, unit or "", room) if p]
    return "-".join(parts)
