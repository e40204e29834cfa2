"""Mediation 调解: records started from a dispute case or on their own, their parties,
mediators, sessions (with bases as references), agreement terms, outcome and follow-ups.

Every operation validates first (raising :class:`MediationError` with a reason per field)
and only then opens one write transaction, so a refused operation writes nothing.
Sessions and follow-ups are append-only facts; a term's ``status`` is a derived cache of
the latest follow-up check, recomputed by :func:`refresh_term_status`.

Case protocol (agreed with the cases service): starting from a case appends a CaseEvent
``mediation_opened`` with data ``{"mediation": id}``; reaching an outcome appends
``mediation_closed``. Between them the case waits on the mediation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from pydantic import BaseModel, Field

from app import clock, store
from app.i18n import t
from app.services.cases import lifecycle as case_service
from app.services.station import derived
from models.cases import Case, CaseEvent
from models.db import db
from models.mediation import (
    AgreementTerm,
    Convention,
    FollowUp,
    Mediation,
    MediationParty,
    MediationSession,
    Mediator,
    SessionBasis,
)
from models.places import Building, Household, Resident, Unit

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

def norm(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


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


# --- lookups ---------------------------------------------------------------------------

def _mediation(mediation_id: str) -> Mediation:
    row = Mediation.get_or_none((Mediation.id == mediation_id) & (Mediation.deleted == False))  # noqa: E712
    if row is None:
        raise MediationError({"mediation": t("med.err.no_mediation")})
    return row


def _building(community_id: str, number: str) -> Building | None:
    return Building.get_or_none((Building.community == community_id)
                                & (Building.number == norm(number))
                                & (Building.deleted == False))  # noqa: E712


def find_household(community_id: str, room: str) -> Household | None:
    """A household by ``building-unit-room`` (``13-1-502``) or ``building-room``, read by
    the one resident lookup's door parser (:mod:`app.services.search.residents`)."""
    from app.services.search.residents import find_door_anywhere

    found = find_door_anywhere(norm(room), community_id)
    return Household.get_by_id(found) if found else None


def household_address(household: Household) -> str:
    building = Building.get_by_id(household.building_id)
    unit = Unit.get_or_none(Unit.id == household.unit_id)
    return t("med.address", building=building.number, unit=unit.number if unit else "",
             room=household.room) if unit else t("med.address_no_unit",
                                                  building=building.number,
                                                  room=household.room)


def _head(household: Household) -> Resident | None:
    people = list(Resident.select().where((Resident.household == household.id)
                                          & (Resident.deleted == False)  # noqa: E712
                                          & (Resident.status == "present")))
    return next((r for r in people if r.relation == "head"), people[0] if people else None)


def next_number(prefix: str, year: int) -> str:
    """``HB-TJ-2026-004``: station prefix + TJ (调解) + year + counter, unique per station."""
    stem = f"{prefix}-TJ-{year}-"
    numbers = [m.number for m in Mediation.select(Mediation.number)
               .where(Mediation.number.startswith(stem))]
    last = max((int(n[len(stem):]) for n in numbers if n[len(stem):].isdigit()), default=0)
    return f"{stem}{last + 1:03d}"


# --- validation ----------------------------------------------------------------------

def _need(errors: dict[str, str], ok: bool, name: str, key: str, **params: Any) -> None:
    if not ok and name not in errors:
        errors[name] = t(key, **params)


def check_mediation(community_id: str, draft: MediationDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    _need(errors, draft.dispute_type in DISPUTE_TYPES, "dispute_type", "med.err.choose")
    _need(errors, bool(draft.title.strip()), "title", "med.err.required")
    _need(errors, draft.opened_on <= clock.today(), "opened_on", "med.err.future")
    if draft.building_number.strip():
        _need(errors, _building(community_id, draft.building_number) is not None,
              "building_number", "med.err.no_building", number=draft.building_number)
    return errors


def check_party(community_id: str, draft: PartyDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    _need(errors, draft.side in SIDES, "side", "med.err.choose")
    if draft.room.strip():
        _need(errors, find_household(community_id, draft.room) is not None, "room",
              "med.err.no_household", room=draft.room)
    else:
        _need(errors, bool(draft.name.strip()), "name", "med.err.party_name")
    return errors


def check_mediator(draft: MediatorDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    _need(errors, bool(draft.name.strip()), "name", "med.err.required")
    _need(errors, draft.role in MEDIATOR_ROLES, "role", "med.err.choose")
    return errors


def check_session(mediation: Mediation, draft: SessionDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    held = clock.local(draft.held_at).date()
    _need(errors, held >= mediation.opened_on, "held_at", "med.err.before_opened",
          day=mediation.opened_on.isoformat())
    _need(errors, draft.held_at <= clock.now(), "held_at", "med.err.future")
    _need(errors, draft.place in PLACES, "place", "med.err.choose")
    for basis in draft.bases:
        _need(errors, basis.kind in BASIS_KINDS, "bases", "med.err.choose")
        if basis.kind == "convention":
            found = basis.convention_id and Convention.get_or_none(
                (Convention.id == basis.convention_id) & (Convention.deleted == False))  # noqa: E712
            _need(errors, bool(found), "conventions", "med.err.no_convention")
        else:
            _need(errors, bool(basis.reference.strip()), "bases", "med.err.basis_empty")
    return errors


def _party_of(mediation_id: str, party_id: str) -> MediationParty | None:
    return MediationParty.get_or_none((MediationParty.id == party_id)
                                      & (MediationParty.mediation == mediation_id)
                                      & (MediationParty.deleted == False))  # noqa: E712


def check_term(mediation: Mediation, draft: TermDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    _need(errors, bool(draft.party_id) and _party_of(mediation.id, draft.party_id) is not None,
          "party_id", "med.err.term_party")
    _need(errors, bool(draft.obligation.strip()), "obligation", "med.err.required")
    if draft.deadline is not None:
        _need(errors, draft.deadline >= mediation.opened_on, "deadline",
              "med.err.before_opened", day=mediation.opened_on.isoformat())
    _need(errors, draft.cost_fen is None or draft.cost_fen >= 0, "cost", "med.err.money")
    return errors


def _terms(mediation_id: str) -> list[AgreementTerm]:
    return list(AgreementTerm.select().where((AgreementTerm.mediation == mediation_id)
                                             & (AgreementTerm.deleted == False))  # noqa: E712
                .order_by(AgreementTerm.seq))


def _first_session(mediation_id: str) -> MediationSession | None:
    return (MediationSession.select().where(MediationSession.mediation == mediation_id)
            .order_by(MediationSession.held_at).first())


def check_follow_up(mediation: Mediation, draft: FollowUpDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    first = _first_session(mediation.id)
    _need(errors, first is not None, "at", "med.err.no_session")
    if first is not None:
        _need(errors, clock.to_storage(draft.at) > first.held_at, "at",
              "med.err.before_session",
              at=clock.local(first.held_at).strftime("%Y-%m-%d %H:%M"))
    _need(errors, draft.at <= clock.now(), "at", "med.err.future")
    terms = {term.id for term in _terms(mediation.id)}
    _need(errors, bool(terms), "checks", "med.err.no_terms")
    _need(errors, bool(draft.checks), "checks", "med.err.no_checks")
    for term_id, status in draft.checks.items():
        _need(errors, term_id in terms, "checks", "med.err.unknown_term")
        _need(errors, status in CHECKS, f"check.{term_id}", "med.err.choose")
    return errors


def check_outcome(mediation: Mediation, draft: OutcomeDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    _need(errors, draft.outcome in OUTCOMES, "outcome", "med.err.choose")
    _need(errors, draft.closed_on >= mediation.opened_on, "closed_on", "med.err.before_opened",
          day=mediation.opened_on.isoformat())
    _need(errors, draft.closed_on <= clock.today(), "closed_on", "med.err.future")
    if draft.outcome in WITH_AGREEMENT:
        _need(errors, _first_session(mediation.id) is not None, "outcome", "med.err.no_session")
        _need(errors, bool(_terms(mediation.id)), "outcome", "med.err.no_terms")
        sides = {p.side for p in _parties(mediation.id)}
        _need(errors, set(SIDES) <= sides, "outcome", "med.err.two_sides")
    if draft.outcome in ("partial", "failed", "referred"):
        _need(errors, bool(draft.reason.strip()), "reason", "med.err.reason")
    if draft.outcome == "referred":
        _need(errors, draft.referred_to in REFERRALS, "referred_to", "med.err.choose")
    return errors


def _parties(mediation_id: str) -> list[MediationParty]:
    return list(MediationParty.select().where((MediationParty.mediation == mediation_id)
                                              & (MediationParty.deleted == False))  # noqa: E712
                .order_by(MediationParty.side, MediationParty.name))


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise MediationError(errors)


# --- writes --------------------------------------------------------------------------

def _mediation_values(community_id: str, draft: MediationDraft) -> dict[str, Any]:
    building = _building(community_id, draft.building_number) \
        if draft.building_number.strip() else None
    return {"dispute_type": draft.dispute_type, "title": draft.title.strip(),
            "facts": draft.facts.strip(), "opened_on": draft.opened_on,
            "building": building.id if building else None}


def _party_values(community_id: str, draft: PartyDraft) -> dict[str, Any]:
    values: dict[str, Any] = {"side": draft.side, "name": draft.name.strip(),
                              "contact": norm(draft.contact), "address": draft.address.strip(),
                              "household": None, "resident": None}
    household = find_household(community_id, draft.room) if draft.room.strip() else None
    if household is not None:
        member = _member(household, values["name"])
        values["household"] = household.id
        values["address"] = values["address"] or household_address(household)
        if member is not None:
            values.update(resident=member.id, name=member.name)
        values["name"] = values["name"] or household_address(household)
        values["contact"] = values["contact"] or (member.phone if member else household.phone)
    return values


def _member(household: Household, name: str) -> Resident | None:
    """The resident named (any member of the household), or the head when no name."""
    if not name:
        return _head(household)
    return Resident.get_or_none((Resident.household == household.id) & (Resident.name == name)
                                & (Resident.deleted == False))  # noqa: E712


def create_mediation(community_id: str, draft: MediationDraft, case_id: str | None = None,
                     operator: str | None = None) -> str:
    """A new mediation; from a case, the case links to it and its reporter becomes side A."""
    errors = check_mediation(community_id, draft)
    case = Case.get_or_none((Case.id == case_id) & (Case.deleted == False)) if case_id else None  # noqa: E712
    _need(errors, case_id is None or case is not None, "case", "med.err.no_case")
    _need(errors, case is None or open_mediation_for_case(case.id) is None, "case",
          "med.err.case_has_mediation")
    refusal = case_refusal(case.id, "mediation_opened") if case is not None else None
    _need(errors, refusal is None, "case", "med.err.case_refused", reason=refusal or "")
    _refuse(errors)
    ctx = store.context()
    values = _mediation_values(community_id, draft)
    if case is not None and values["building"] is None:
        values["building"] = case.building_id
    with store.write(operator) as tx:
        number = next_number(ctx.prefix, draft.opened_on.year)
        mid = tx.insert(Mediation, community=community_id, number=number,
                        case=case.id if case else None, **values)
        if case is not None:
            _add_reporter(tx, community_id, mid, case)
            _case_event(tx, case.id, "mediation_opened", mid)
    return mid


def _add_reporter(tx: store.Tx, community_id: str, mid: str, case: Case) -> None:
    reporter = Resident.get_or_none(Resident.id == case.reporter_id) if case.reporter_id else None
    name = reporter.name if reporter else case.reporter_name
    if not name:
        return
    household = Household.get_or_none(Household.id == reporter.household_id) if reporter \
        else None
    tx.insert(MediationParty, mediation=mid, side="A", name=name,
              household=household.id if household else None,
              resident=reporter.id if reporter else None,
              contact=case.reporter_phone or (reporter.phone if reporter else ""),
              address=household_address(household) if household else case.place)


def case_refusal(case_id: str, kind: str) -> str | None:
    """Why the case cannot take ``mediation_opened`` / ``mediation_closed`` now, if so."""
    return case_service.refusal(case_service.current(case_id), kind)


def _case_event(tx: store.Tx, case_id: str, kind: str, mediation_id: str) -> None:
    """Append the agreed case event and re-derive the case's cached state in the same tx."""
    events = case_service.events_of(case_id)
    at = clock.now()
    if events and events[-1].at >= at:  # keep the case's local order
        at = events[-1].at + timedelta(milliseconds=1)
    tx.append(CaseEvent, case=case_id, kind=kind, at=at, actor=tx.ctx.operator,
              data=json.dumps({"mediation": mediation_id}, sort_keys=True))
    case_service.refresh_derived_cache([case_id])


def open_mediation_for_case(case_id: str) -> str | None:
    row = (Mediation.select(Mediation.id)
           .where((Mediation.case == case_id) & (Mediation.status == "open")
                  & (Mediation.deleted == False)).first())  # noqa: E712
    return row.id if row else None


def update_mediation(mediation_id: str, draft: MediationDraft,
                     operator: str | None = None) -> None:
    mediation = _mediation(mediation_id)
    _refuse(check_mediation(mediation.community_id, draft))
    with store.write(operator) as tx:
        tx.update(Mediation, mediation_id, **_mediation_values(mediation.community_id, draft))


def add_party(mediation_id: str, draft: PartyDraft, operator: str | None = None) -> str:
    mediation = _mediation(mediation_id)
    _refuse(check_party(mediation.community_id, draft))
    values = _party_values(mediation.community_id, draft)
    with store.write(operator) as tx:
        return tx.insert(MediationParty, mediation=mediation_id, **values)


def update_party(party_id: str, draft: PartyDraft, operator: str | None = None) -> None:
    party = MediationParty.get_by_id(party_id)
    mediation = _mediation(party.mediation_id)
    _refuse(check_party(mediation.community_id, draft))
    values = _party_values(mediation.community_id, draft)
    if not norm(draft.contact) and party.contact and values["household"] == party.household_id:
        values["contact"] = party.contact  # the form shows it masked: blank keeps it
    with store.write(operator) as tx:
        tx.update(MediationParty, party_id, **values)


def remove_party(party_id: str, operator: str | None = None) -> None:
    """Tombstone a party; refused while an agreement term binds it."""
    bound = AgreementTerm.select().where((AgreementTerm.party == party_id)
                                         & (AgreementTerm.deleted == False)).count()  # noqa: E712
    _refuse({"party": t("med.err.party_bound")} if bound else {})
    with store.write(operator) as tx:
        tx.delete(MediationParty, party_id)


def add_mediator(mediation_id: str, draft: MediatorDraft, operator: str | None = None) -> str:
    _mediation(mediation_id)
    _refuse(check_mediator(draft))
    with store.write(operator) as tx:
        return tx.insert(Mediator, mediation=mediation_id, name=draft.name.strip(),
                         role=draft.role)


def update_mediator(mediator_id: str, draft: MediatorDraft, operator: str | None = None) -> None:
    _refuse(check_mediator(draft))
    with store.write(operator) as tx:
        tx.update(Mediator, mediator_id, name=draft.name.strip(), role=draft.role)


def remove_mediator(mediator_id: str, operator: str | None = None) -> None:
    with store.write(operator) as tx:
        tx.delete(Mediator, mediator_id)


def add_session(mediation_id: str, draft: SessionDraft, operator: str | None = None) -> str:
    """Append a session (when, where, who came, what each side said) and its bases."""
    mediation = _mediation(mediation_id)
    _refuse(check_session(mediation, draft))
    with store.write(operator) as tx:
        sid = tx.append(MediationSession, mediation=mediation_id, held_at=draft.held_at,
                        place=draft.place, attendees=draft.attendees.strip(),
                        said_a=draft.said_a.strip(), said_b=draft.said_b.strip(),
                        notes=draft.notes.strip())
        for basis in draft.bases:
            tx.append(SessionBasis, session=sid, kind=basis.kind,
                      convention=basis.convention_id if basis.kind == "convention" else None,
                      reference=_basis_reference(basis))
    return sid


def _basis_reference(basis: BasisDraft) -> str:
    if basis.kind == "convention" and not basis.reference.strip():
        return str(Convention.get_by_id(basis.convention_id).title)
    return basis.reference.strip()


def add_term(mediation_id: str, draft: TermDraft, operator: str | None = None) -> str:
    """One agreement term: the party bound, the obligation, a deadline, any cost."""
    mediation = _mediation(mediation_id)
    _refuse(check_term(mediation, draft))
    seq = max((term.seq for term in _terms(mediation_id)), default=0) + 1
    with store.write(operator) as tx:
        return tx.insert(AgreementTerm, mediation=mediation_id, party=draft.party_id, seq=seq,
                         obligation=draft.obligation.strip(), deadline=draft.deadline,
                         cost_fen=draft.cost_fen)


def update_term(term_id: str, draft: TermDraft, operator: str | None = None) -> None:
    term = AgreementTerm.get_by_id(term_id)
    _refuse(check_term(_mediation(term.mediation_id), draft))
    with store.write(operator) as tx:
        tx.update(AgreementTerm, term_id, party=draft.party_id,
                  obligation=draft.obligation.strip(), deadline=draft.deadline,
                  cost_fen=draft.cost_fen)


def remove_term(term_id: str, operator: str | None = None) -> None:
    with store.write(operator) as tx:
        tx.delete(AgreementTerm, term_id)


def record_outcome(mediation_id: str, draft: OutcomeDraft, operator: str | None = None) -> None:
    """Agreed / partly agreed / failed / referred, with the reason; closes the case's wait."""
    mediation = _mediation(mediation_id)
    _refuse(check_outcome(mediation, draft))
    closing = (mediation.status == "open" and mediation.case_id is not None
               and case_refusal(mediation.case_id, "mediation_closed") is None)
    with store.write(operator) as tx:
        tx.update(Mediation, mediation_id, status=draft.outcome, closed_on=draft.closed_on,
                  outcome_reason=draft.reason.strip(),
                  referred_to=draft.referred_to if draft.outcome == "referred" else "")
        if closing and mediation.case_id:
            _case_event(tx, mediation.case_id, "mediation_closed", mediation_id)


def add_follow_up(mediation_id: str, draft: FollowUpDraft, operator: str | None = None) -> str:
    """履行回访: append a visit checking each term; terms take the latest check's status."""
    mediation = _mediation(mediation_id)
    _refuse(check_follow_up(mediation, draft))
    with store.write(operator) as tx:
        fid = tx.append(FollowUp, mediation=mediation_id, at=draft.at, by=draft.by.strip(),
                        notes=draft.notes.strip(),
                        checks=json.dumps(draft.checks, sort_keys=True))
        refresh_term_status(mediation_ids=[mediation_id])
    return fid


# --- derived cache -------------------------------------------------------------------

def term_statuses(mediation_id: str) -> dict[str, str]:
    """Each term's status from the follow-ups, latest visit winning (content-derived)."""
    status: dict[str, str] = {}
    for visit in (FollowUp.select().where(FollowUp.mediation == mediation_id)
                  .order_by(FollowUp.at, FollowUp.id)):
        status.update(json.loads(visit.checks or "{}"))
    return status


def refresh_term_status(mediation_ids: Iterable[str]) -> None:
    """Recompute AgreementTerm.status (a derived cache, written without logging)."""
    for mediation_id in set(mediation_ids):
        checked = term_statuses(mediation_id)
        for term in AgreementTerm.select(AgreementTerm.id, AgreementTerm.status).where(
                AgreementTerm.mediation == mediation_id):
            wanted = checked.get(term.id, "pending")
            if term.status != wanted:
                AgreementTerm.update(status=wanted).where(AgreementTerm.id == term.id).execute()


@derived.register("follow_up")
def _refresh_from_follow_ups(ids: set[str]) -> None:
    with db.atomic():
        refresh_term_status(f.mediation_id for f in
                            FollowUp.select(FollowUp.mediation).where(FollowUp.id.in_(list(ids))))


@derived.register("agreement_term")
def _refresh_from_terms(ids: set[str]) -> None:
    with db.atomic():
        refresh_term_status(a.mediation_id for a in AgreementTerm.select(
            AgreementTerm.mediation).where(AgreementTerm.id.in_(list(ids))))


# --- forms: raw text from the TUI form (or a CLI) to drafts, checks and saves ------------

FormValues = dict[str, Any]


def _parsed(errors: dict[str, str], values: FormValues, name: str, parse: Any,
            key: str, required: bool = False) -> Any:
    text = str(values.get(name) or "")
    try:
        result = parse(text)
    except ValueError:
        errors[name] = t(key)
        return None
    if result is None and required:
        errors[name] = t("med.err.required")
    return result


def _lines(text: Any) -> list[str]:
    return [x.strip() for x in re.split(r"[\n；;]+", str(text or "")) if x.strip()]


def _draft(kind: str, values: FormValues) -> tuple[BaseModel | None, dict[str, str]]:
    """Parse one form's values into its draft (None with the parse errors)."""
    errors: dict[str, str] = {}
    v = {k: (x.strip() if isinstance(x, str) else x) for k, x in values.items()}
    draft: BaseModel | None = None
    if kind == "mediation":
        opened = _parsed(errors, v, "opened_on", parse_date, "med.err.date", required=True)
        if not errors:
            draft = MediationDraft(dispute_type=v.get("dispute_type") or "",
                                   title=v.get("title") or "", facts=v.get("facts") or "",
                                   opened_on=opened,
                                   building_number=v.get("building_number") or "")
    elif kind == "party":
        draft = PartyDraft(side=v.get("side") or "", name=v.get("name") or "",
                           room=v.get("room") or "", contact=v.get("contact") or "",
                           address=v.get("address") or "")
    elif kind == "mediator":
        draft = MediatorDraft(name=v.get("name") or "", role=v.get("role") or "")
    elif kind == "session":
        held = _parsed(errors, v, "held_at", parse_datetime, "med.err.datetime", required=True)
        if not errors:
            bases = [BasisDraft(kind="drawing", reference=x) for x in _lines(v.get("drawings"))]
            bases += [BasisDraft(kind="law", reference=x) for x in _lines(v.get("laws"))]
            bases += [BasisDraft(kind="convention", convention_id=str(c))
                      for c in v.get("conventions") or []]
            bases += [BasisDraft(kind="other", reference=x) for x in _lines(v.get("others"))]
            draft = SessionDraft(held_at=held, place=v.get("place") or "",
                                 attendees=v.get("attendees") or "",
                                 said_a=v.get("said_a") or "", said_b=v.get("said_b") or "",
                                 notes=v.get("notes") or "", bases=bases)
    elif kind == "term":
        deadline = _parsed(errors, v, "deadline", parse_date, "med.err.date")
        cost = _parsed(errors, v, "cost", parse_money, "med.err.money")
        if not errors:
            draft = TermDraft(party_id=v.get("party_id") or "",
                              obligation=v.get("obligation") or "", deadline=deadline,
                              cost_fen=cost)
    elif kind == "follow_up":
        at = _parsed(errors, v, "at", parse_datetime, "med.err.datetime", required=True)
        checks = {k.removeprefix("check."): str(x) for k, x in v.items()
                  if k.startswith("check.") and x}
        if not errors:
            draft = FollowUpDraft(at=at, by=v.get("by") or "", notes=v.get("notes") or "",
                                  checks=checks)
    elif kind == "outcome":
        closed = _parsed(errors, v, "closed_on", parse_date, "med.err.date", required=True)
        if not errors:
            draft = OutcomeDraft(outcome=v.get("outcome") or "", reason=v.get("reason") or "",
                                 referred_to=v.get("referred_to") or "", closed_on=closed)
    else:
        raise ValueError(kind)
    return draft, errors


def form_errors(kind: str, values: FormValues, community_id: str,
                mediation_id: str | None = None) -> dict[str, str]:
    """Validate a form as it is typed: the reason per field, nothing written."""
    draft, errors = _draft(kind, values)
    if draft is None:
        return errors
    if kind == "mediation":
        return check_mediation(community_id, cast(MediationDraft, draft))
    if kind == "party":
        return check_party(community_id, cast(PartyDraft, draft))
    if kind == "mediator":
        return check_mediator(cast(MediatorDraft, draft))
    mediation = _mediation(mediation_id or "")
    checks: dict[str, Any] = {"session": check_session, "term": check_term,
                              "follow_up": check_follow_up, "outcome": check_outcome}
    return dict(checks[kind](mediation, draft))


def save_form(kind: str, values: FormValues, community_id: str,
              mediation_id: str | None = None, item_id: str | None = None,
              case_id: str | None = None) -> str:
    """Save a form (add, or edit ``item_id``); raises MediationError, writing nothing."""
    draft, errors = _draft(kind, values)
    _refuse(errors)
    mid = mediation_id or ""
    if kind == "mediation":
        if item_id:
            update_mediation(item_id, cast(MediationDraft, draft))
            return item_id
        return create_mediation(community_id, cast(MediationDraft, draft), case_id)
    if kind == "party":
        if item_id:
            update_party(item_id, cast(PartyDraft, draft))
            return item_id
        return add_party(mid, cast(PartyDraft, draft))
    if kind == "mediator":
        if item_id:
            update_mediator(item_id, cast(MediatorDraft, draft))
            return item_id
        return add_mediator(mid, cast(MediatorDraft, draft))
    if kind == "term":
        if item_id:
            update_term(item_id, cast(TermDraft, draft))
            return item_id
        return add_term(mid, cast(TermDraft, draft))
    if kind == "session":
        return add_session(mid, cast(SessionDraft, draft))
    if kind == "follow_up":
        return add_follow_up(mid, cast(FollowUpDraft, draft))
    record_outcome(mid, cast(OutcomeDraft, draft))
    return mid
