"""Validators for personal data typed at the desk: ID numbers, mobile numbers, birth dates.

Each validator normalises what it is given (full-width digits, spaces, a lower-case ``x``)
and returns the canonical value, or raises :class:`FieldError` whose ``code`` names a
catalog key ``places.err.<code>`` — the form shows it next to the field.

15-digit legacy ID numbers (first-generation cards, issued until 2004): **converted**.
The 15-digit form is ``RRRRRR YYMMDD SSS`` with a two-digit year of the 1900s and no check
digit; the 18-digit form inserts the century ``19`` and appends the GB 11643 check digit.
The resident keeps one canonical 18-digit number, so search and duplicate detection see
the same person whichever card was shown. A 15-digit number whose date is not a real day
is refused like any other.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
#: First two digits of a mainland ID number: province-level region codes (GB/T 2260).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
EARLIEST_BIRTH = date(1890, 1, 1)


class FieldError(ValueError):
    """A value refused for a field; ``code`` is the catalog key suffix of the reason."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), surrounding blanks removed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def check_digit(body17: str) -> str:
    """GB 11643 check digit (0-9 or X) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _birth(digits8: str) -> date:
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError as exc:
        raise FieldError("id_birth") from exc
    if born < EARLIEST_BIRTH:
        raise FieldError("id_birth")
    return born


def upgrade_legacy_id(number15: str) -> str:
    """A 15-digit first-generation ID number as its 18-digit equivalent."""
    if not re.fullmatch(r"\d{15}", number15):
        raise FieldError("id_format")
    body = number15[:6] + "19" + number15[6:]
    return body + check_digit(body)


def validate_id_number(text: str, today: date | None = None) -> str:
    """The canonical 18-digit ID number (X upper-case), or ``""`` when left empty."""
    value = re.sub(r"[\s-]", "", normalise(text)).upper()
    if not value:
        return ""
    if len(value) == 15:
        value = upgrade_legacy_id(value)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise FieldError("id_format")
    if value[:2] not in PROVINCES:
        raise FieldError("id_region")
    born = _birth(value[6:14])
    if today is not None and born > today:
        raise FieldError("id_birth")
    if check_digit(value[:17]) != value[17]:
        raise FieldError("id_check")
    return value


def id_birth_date(number: str) -> date | None:
    """The birth date written in a canonical ID number."""
    return _birth(number[6:14]) if len(number) == 18 else None


def id_gender(number: str) -> str:
    """``M`` or ``F`` from the sequence digit (odd = male), ``""`` if unknown."""
    return ("M" if int(number[16]) % 2 else "F") if len(number) == 18 else ""


def validate_mobile(text: str) -> str:
    """An 11-digit mainland mobile number (``+86``/``0086`` and separators dropped)."""
    value = re.sub(r"[\s\-()]", "", normalise(text))
    if not value:
        return ""
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    if not value.isdigit():
        raise FieldError("phone_format")
    if not _MOBILE.match(value):
        raise FieldError("phone_mobile")
    return value


def validate_birth_date(text: str, id_number: str = "", today: date | None = None) -> date | None:
    """A birth date (``YYYY-MM-DD``, ``YYYYMMDD`` or ``YYYY/MM/DD``) consistent with the ID."""
    value = normalise(text).replace("/", "-").replace(".", "-")
    if not value:
        return id_birth_date(id_number) if id_number else None
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        born = date.fromisoformat(value)
    except ValueError as exc:
        raise FieldError("date_format") from exc
    if born < EARLIEST_BIRTH or (today is not None and born > today):
        raise FieldError("birth_range")
    if id_number and id_birth_date(id_number) != born:
        raise FieldError("birth_mismatch")
    return born


def validate_gender(text: str, id_number: str = "") -> str:
    """``M`` / ``F`` (accepts 男/女/m/f); must agree with the ID number's sequence digit."""
    value = normalise(text).upper()
    value = {"男": "M", "女": "F"}.get(value, value)
    if not value:
        return id_gender(id_number)
    if value not in ("M", "F"):
        raise FieldError("gender")
    if id_number and id_gender(id_number) != value:
        raise FieldError("gender_mismatch")
    return value
