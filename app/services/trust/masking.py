"""Masking personal data: the one function every screen, list, export and log uses.

:func:`mask` gives the masked form of a value (ID ``420117********1234``, phone
``138****5678``, notes ``***``); :func:`shown` gives a value as the operator on duty
may see it (:mod:`app.services.trust.permissions`), given where it appears
(:class:`Scope`: the resident's grid, the case's handler); :func:`shown_text` does the same
for ID numbers and mobiles written inside free text (an opinion, a note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.services.trust import permissions
from app.services.trust.permissions import Access


@dataclass(frozen=True)
class Scope:
    """Where a value appears: the grid of the resident, the handler of the case."""

    grid_id: str = ""
    handler: str = ""


NOWHERE = Scope()


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def mask(field: str, value: str | None) -> str:
    """The masked form of ``value`` (``field`` names the kind: id_number, phone …)."""
    if not value:
        return ""
    kind = permissions.kind(field)
    if kind == "id_number":
        return value[:6] + "*" * 8 + value[-4:] if len(value) >= 15 else "*" * len(value)
    if kind == "phone":
        digits = _digits(value)
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
    if permissions.is_personal(field):
        return "***"
    return value


def is_masked(field: str, value: str) -> bool:
    """True when ``value`` is a masked form (typed back unchanged into a form)."""
    return "*" in value and permissions.is_personal(field)


def _in_scope(how: Access, scope: Scope) -> bool:
    from app.services.trust import operators

    if how is Access.OWN_GRID:
        grid = operators.current_grid()
        return bool(grid) and grid == scope.grid_id
    if how is Access.OWN_CASE:
        op = operators.current()
        return op is not None and bool(scope.handler) and scope.handler == op.name
    return False


def shown(field: str, value: str | None, *, revealed: bool = False,
          scope: Scope = NOWHERE, role: str | None = None) -> str:
    """``value`` as the operator on duty (or ``role``) may see it here."""
    from app.services.trust import operators

    if not value:
        return ""
    how = permissions.access(role if role is not None else operators.current_role(), field)
    if how is Access.SHOWN or (how is Access.REVEAL and revealed) or _in_scope(how, scope):
        return value
    return mask(field, value)


def sees_in_clear(field: str, scope: Scope = NOWHERE) -> bool:
    """Would the operator on duty see ``field`` in clear here (without a reveal)?"""
    return shown(field, "x" * 18, scope=scope) == "x" * 18


#: An ID number (18 with a check digit, or 15) or a mainland mobile inside free text.
_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9xX]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9xX])")


def shown_text(text: str, *, scope: Scope = NOWHERE) -> str:
    """Free text with the ID numbers and mobiles in it as the operator may see them here."""
    def one(m: re.Match[str]) -> str:
        value = m.group()
        field = "phone" if len(value) == 11 else "id_number"
        return shown(field, value, scope=scope)

    return _IN_TEXT.sub(one, text or "")
