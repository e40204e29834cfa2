"""Mediation 调解: records started from a dispute case or on their own, their parties,
mediators, sessions (with bases as references), agreement terms, outcome and follow-ups.

Every operation validates first (:mod:`~app.services.mediation.rules` gives the reasons;
:class:`MediationError` carries them, one per field) and only then opens one write
transaction, so a refused operation writes nothing. The drafts and choices are
:mod:`~app.services.mediation.drafts` (importable from here too), the form text
:mod:`~app.services.mediation.forms`.
Sessions and follow-ups are append-only facts; a term's ``status`` is a derived cache of
the latest follow-up check, recomputed by :func:`refresh_term_status`.

Case protocol (agreed with the cases service): starting from a case appends a CaseEvent
``mediation_opened`` with data ``{"mediation": id}``; reaching an outcome appends
``mediation_closed``. Between them the case waits on the mediation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from app import clock, store
from app.i18n import t
from app.services.cases import lifecycle as case_service
from app.services.mediation import rules
from app.services.mediation.drafts import BASIS_KINDS as BASIS_KINDS
from app.services.mediation.drafts import CHECKS as CHECKS
from app.services.mediation.drafts import DISPUTE_TYPES as DISPUTE_TYPES
from app.services.mediation.drafts import MEDIATOR_ROLES as MEDIATOR_ROLES
from app.services.mediation.drafts import OUTCOMES as OUTCOMES
from app.services.mediation.drafts import PLACES as PLACES
from app.services.mediation.drafts import REFERRALS as REFERRALS
from app.services.mediation.drafts import SIDES as SIDES
from app.services.mediation.drafts import WITH_AGREEMENT as WITH_AGREEMENT
from app.services.mediation.drafts import BasisDraft as BasisDraft
from app.services.mediation.drafts import FollowUpDraft as FollowUpDraft
from app.services.mediation.drafts import MediationDraft as MediationDraft
from app.services.mediation.drafts import MediationError as MediationError
from app.services.mediation.drafts import MediatorDraft as MediatorDraft
from app.services.mediation.drafts import OutcomeDraft as OutcomeDraft
from app.services.mediation.drafts import PartyDraft as PartyDraft
from app.services.mediation.drafts import SessionDraft as SessionDraft
from app.services.mediation.drafts import TermDraft as TermDraft
from app.services.mediation.drafts import norm as norm
from app.services.mediation.drafts import parse_date as parse_date
from app.services.mediation.drafts import parse_datetime as parse_datetime
from app.services.mediation.drafts import parse_money as parse_money
from app.services.mediation.drafts import yuan as yuan
from app.services.places.households import building_numbered, find_in_community, head_of
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

# --- numbers and addresses -------------------------------------------------------------

def household_address(household: Household) -> str:
    building = Building.get_by_id(household.building_id)
    unit = Unit.get_or_none(Unit.id == household.unit_id)
    return t("med.address", building=building.number, unit=unit.number if unit else "",
             room=household.room) if unit else t("med.address_no_unit",
                                                  building=building.number,
                                                  room=household.room)


def next_number(prefix: str, year: int) -> str:
    """``HB-TJ-2026-004``: station prefix + TJ (调解) + year + counter, unique per station."""
    stem = f"{prefix}-TJ-{year}-"
    numbers = [m.number for m in Mediation.select(Mediation.number)
               .where(Mediation.number.startswith(stem))]
    last = max((int(n[len(stem):]) for n in numbers if n[len(stem):].isdigit()), default=0)
    return f"{stem}{last + 1:03d}"


# --- writes --------------------------------------------------------------------------

def _mediation_values(community_id: str, draft: MediationDraft) -> dict[str, Any]:
    building = building_numbered(community_id, draft.building_number) \
        if draft.building_number.strip() else None
    return {"dispute_type": draft.dispute_type, "title": draft.title.strip(),
            "facts": draft.facts.strip(), "opened_on": draft.opened_on,
            "building": building.id if building else None}


def _party_values(community_id: str, draft: PartyDraft) -> dict[str, Any]:
    values: dict[str, Any] = {"side": draft.side, "name": draft.name.strip(),
                              "contact": norm(draft.contact), "address": draft.address.strip(),
                              "household": None, "resident": None}
    household = find_in_community(community_id, draft.room) if draft.room.strip() else None
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
        return head_of(household.id)
    return Resident.get_or_none((Resident.household == household.id) & (Resident.name == name)
                                & (Resident.deleted == False))  # noqa: E712


def create_mediation(community_id: str, draft: MediationDraft, case_id: str | None = None,
                     operator: str | None = None) -> str:
    """A new mediation; from a case, the case links to it and its reporter becomes side A."""
    errors = rules.check_mediation(community_id, draft)
    case = Case.get_or_none((Case.id == case_id) & (Case.deleted == False)) if case_id else None  # noqa: E712
    rules.need(errors, case_id is None or case is not None, "case", "med.err.no_case")
    rules.need(errors, case is None or open_mediation_for_case(case.id) is None, "case",
          "med.err.case_has_mediation")
    refusal = case_refusal(case.id, "mediation_opened") if case is not None else None
    rules.need(errors, refusal is None, "case", "med.err.case_refused", reason=refusal or "")
    rules.refuse(errors)
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
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_mediation(mediation.community_id, draft))
    with store.write(operator) as tx:
        tx.update(Mediation, mediation_id, **_mediation_values(mediation.community_id, draft))


def add_party(mediation_id: str, draft: PartyDraft, operator: str | None = None) -> str:
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_party(mediation.community_id, draft))
    values = _party_values(mediation.community_id, draft)
    with store.write(operator) as tx:
        return tx.insert(MediationParty, mediation=mediation_id, **values)


def update_party(party_id: str, draft: PartyDraft, operator: str | None = None) -> None:
    party = MediationParty.get_by_id(party_id)
    mediation = rules.get_mediation(party.mediation_id)
    rules.refuse(rules.check_party(mediation.community_id, draft))
    values = _party_values(mediation.community_id, draft)
    if not norm(draft.contact) and party.contact and values["household"] == party.household_id:
        values["contact"] = party.contact  # the form shows it masked: blank keeps it
    with store.write(operator) as tx:
        tx.update(MediationParty, party_id, **values)


def remove_party(party_id: str, operator: str | None = None) -> None:
    """Tombstone a party; refused while an agreement term binds it."""
    bound = AgreementTerm.select().where((AgreementTerm.party == party_id)
                                         & (AgreementTerm.deleted == False)).count()  # noqa: E712
    rules.refuse({"party": t("med.err.party_bound")} if bound else {})
    with store.write(operator) as tx:
        tx.delete(MediationParty, party_id)


def add_mediator(mediation_id: str, draft: MediatorDraft, operator: str | None = None) -> str:
    rules.get_mediation(mediation_id)
    rules.refuse(rules.check_mediator(draft))
    with store.write(operator) as tx:
        return tx.insert(Mediator, mediation=mediation_id, name=draft.name.strip(),
                         role=draft.role)


def update_mediator(mediator_id: str, draft: MediatorDraft, operator: str | None = None) -> None:
    rules.refuse(rules.check_mediator(draft))
    with store.write(operator) as tx:
        tx.update(Mediator, mediator_id, name=draft.name.strip(), role=draft.role)


def remove_mediator(mediator_id: str, operator: str | None = None) -> None:
    with store.write(operator) as tx:
        tx.delete(Mediator, mediator_id)


def add_session(mediation_id: str, draft: SessionDraft, operator: str | None = None) -> str:
    """Append a session (when, where, who came, what each side said) and its bases."""
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_session(mediation, draft))
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
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_term(mediation, draft))
    seq = max((term.seq for term in rules.live_terms(mediation_id)), default=0) + 1
    with store.write(operator) as tx:
        return tx.insert(AgreementTerm, mediation=mediation_id, party=draft.party_id, seq=seq,
                         obligation=draft.obligation.strip(), deadline=draft.deadline,
                         cost_fen=draft.cost_fen)


def update_term(term_id: str, draft: TermDraft, operator: str | None = None) -> None:
    term = AgreementTerm.get_by_id(term_id)
    rules.refuse(rules.check_term(rules.get_mediation(term.mediation_id), draft))
    with store.write(operator) as tx:
        tx.update(AgreementTerm, term_id, party=draft.party_id,
                  obligation=draft.obligation.strip(), deadline=draft.deadline,
                  cost_fen=draft.cost_fen)


def remove_term(term_id: str, operator: str | None = None) -> None:
    with store.write(operator) as tx:
        tx.delete(AgreementTerm, term_id)


def record_outcome(mediation_id: str, draft: OutcomeDraft, operator: str | None = None) -> None:
    """Agreed / partly agreed / failed / referred, with the reason; closes the case's wait."""
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_outcome(mediation, draft))
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
    mediation = rules.get_mediation(mediation_id)
    rules.refuse(rules.check_follow_up(mediation, draft))
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
    """Recompute AgreementTerm.status (a derived cache, written without logging).

    Five hundred mediations at a time: their follow-ups and terms in one query each and
    the changed statuses in one statement (an import refreshes a whole community's)."""
    ids = sorted(set(mediation_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        checked: dict[str, dict[str, str]] = {m: {} for m in chunk}
        for visit in (FollowUp.select(FollowUp.mediation, FollowUp.checks)
                      .where(FollowUp.mediation.in_(chunk))
                      .order_by(FollowUp.at, FollowUp.id)):
            checked[visit.mediation_id].update(json.loads(visit.checks or "{}"))
        changed = [(wanted, term.id) for term in AgreementTerm.select(
                       AgreementTerm.id, AgreementTerm.mediation, AgreementTerm.status)
                   .where(AgreementTerm.mediation.in_(chunk))
                   if term.status != (wanted := checked[term.mediation_id].get(term.id,
                                                                             "pending"))]
        if changed:
            db.cursor().executemany(f'UPDATE "{AgreementTerm._meta.table_name}" '
                                    "SET status = ? WHERE id = ?", changed)


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
