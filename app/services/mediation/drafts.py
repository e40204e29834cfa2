"""What crosses the mediation boundary (forms, CLI, tests): the drafts of each record, the
choices they may take, the refusal they raise, and the parsing of what was typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field

from app import clock
from app.validators import normalise as norm

DISPUTE_TYPES = ("noise", "parking", "dogs", "leaks", "shared_space", "ac_unit", "fees",
                 "family", "other")
MEDIATOR_ROLES = ("secretary", "staff", "lawyer", "people_mediator", "property", "police",
                  "owners_committee")
SIDES = ("A", "B")
PLACES = ("mediation_room", "on_site", "other")
BASIS_KINDS = ("drawing", "law", "convention", "other")
OUTCOMES = ("agreed", "partial", "failed", "referred")
REFERRALS = ("court", "street", "district", "other_body")
CHECKS = ("done", "pending", "broken")
#: Outcomes that come with a signed agreement (terms to perform and follow up).
WITH_AGREEMENT = ("agreed", "partial")


class MediationError(ValueError):
    """A refused operation: ``errors`` maps a form field to the reason (catalog text)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- drafts: what crosses the boundary (forms, CLI, tests) ---------------------------

class MediationDraft(BaseModel):
    dispute_type: str
    title: str
    facts: str = ""
    opened_on: date
    building_number: str = ""


class PartyDraft(BaseModel):
    """A party: ``room`` (``13-1-502``) links a household of the community; outsiders
    give a name and contact only."""

    side: str
    name: str = ""
    room: str = ""
    contact: str = ""
    address: str = ""


class MediatorDraft(BaseModel):
    name: str
    role: str


class BasisDraft(BaseModel):
    kind: str
    reference: str = ""
    convention_id: str | None = None


class SessionDraft(BaseModel):
    held_at: datetime
    place: str = "mediation_room"
    attendees: str = ""
    said_a: str = ""
    said_b: str = ""
    notes: str = ""
    bases: list[BasisDraft] = Field(default_factory=list)


class TermDraft(BaseModel):
    party_id: str = ""
    obligation: str
    deadline: date | None = None
    cost_fen: int | None = None


class FollowUpDraft(BaseModel):
    at: datetime
    by: str = ""
    notes: str = ""
    checks: dict[str, str] = Field(default_factory=dict)  # term id -> done/pending/broken


class OutcomeDraft(BaseModel):
    outcome: str
    reason: str = ""
    referred_to: str = ""
    closed_on: date


# --- parsing form text ---------------------------------------------------------------

def parse_date(text: str) -> date | None:
    """``2026-11-25``, ``2026/11/25`` or ``20261125``; ``None`` when empty."""
    value = norm(text).replace("/", "-").replace(".", "-")
    if not value:
        return None
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return date.fromisoformat(value)


def parse_datetime(text: str) -> datetime | None:
    """Local time ``2026-11-25 14:30`` (aware, Asia/Shanghai); ``None`` when empty."""
    value = norm(text).replace("/", "-").replace("T", " ")
    if not value:
        return None
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=clock.LOCAL_TZ)


def parse_money(text: str) -> int | None:
    """Yuan as typed (``300``, ``300.5``, ``￥300``) to fen; ``None`` when empty."""
    value = norm(text).lstrip("¥￥").removesuffix("元").replace(",", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(value)
    return int(amount * 100)


def yuan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / 100:.2f}"
