"""Mediation's checks: every operation's reasons to refuse, per form field, computed before
anything is written; and the lookups they need (the record, its parties, terms, sessions).
"""

from __future__ import annotations

from typing import Any

from app import clock
from app.i18n import t
from app.services.mediation.drafts import (
    BASIS_KINDS,
    CHECKS,
    DISPUTE_TYPES,
    MEDIATOR_ROLES,
    OUTCOMES,
    PLACES,
    REFERRALS,
    SIDES,
    WITH_AGREEMENT,
    FollowUpDraft,
    MediationDraft,
    MediationError,
    MediatorDraft,
    OutcomeDraft,
    PartyDraft,
    SessionDraft,
    TermDraft,
)
from app.services.places.households import building_numbered, find_in_community
from models.mediation import (
    AgreementTerm,
    Convention,
    Mediation,
    MediationParty,
    MediationSession,
)


def get_mediation(mediation_id: str) -> Mediation:
    row = Mediation.get_or_none((Mediation.id == mediation_id) & (Mediation.deleted == False))  # noqa: E712
    if row is None:
        raise MediationError({"mediation": t("med.err.no_mediation")})
    return row


def need(errors: dict[str, str], ok: bool, name: str, key: str, **params: Any) -> None:
    if not ok and name not in errors:
        errors[name] = t(key, **params)


def check_mediation(community_id: str, draft: MediationDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    need(errors, draft.dispute_type in DISPUTE_TYPES, "dispute_type", "med.err.choose")
    need(errors, bool(draft.title.strip()), "title", "med.err.required")
    need(errors, draft.opened_on <= clock.today(), "opened_on", "med.err.future")
    if draft.building_number.strip():
        need(errors, building_numbered(community_id, draft.building_number) is not None,
              "building_number", "med.err.no_building", number=draft.building_number)
    return errors


def check_party(community_id: str, draft: PartyDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    need(errors, draft.side in SIDES, "side", "med.err.choose")
    if draft.room.strip():
        need(errors, find_in_community(community_id, draft.room) is not None, "room",
              "med.err.no_household", room=draft.room)
    else:
        need(errors, bool(draft.name.strip()), "name", "med.err.party_name")
    return errors


def check_mediator(draft: MediatorDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    need(errors, bool(draft.name.strip()), "name", "med.err.required")
    need(errors, draft.role in MEDIATOR_ROLES, "role", "med.err.choose")
    return errors


def check_session(mediation: Mediation, draft: SessionDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    held = clock.local(draft.held_at).date()
    need(errors, held >= mediation.opened_on, "held_at", "med.err.before_opened",
          day=mediation.opened_on.isoformat())
    need(errors, draft.held_at <= clock.now(), "held_at", "med.err.future")
    need(errors, draft.place in PLACES, "place", "med.err.choose")
    for basis in draft.bases:
        need(errors, basis.kind in BASIS_KINDS, "bases", "med.err.choose")
        if basis.kind == "convention":
            found = basis.convention_id and Convention.get_or_none(
                (Convention.id == basis.convention_id) & (Convention.deleted == False))  # noqa: E712
            need(errors, bool(found), "conventions", "med.err.no_convention")
        else:
            need(errors, bool(basis.reference.strip()), "bases", "med.err.basis_empty")
    return errors


def party_of(mediation_id: str, party_id: str) -> MediationParty | None:
    return MediationParty.get_or_none((MediationParty.id == party_id)
                                      & (MediationParty.mediation == mediation_id)
                                      & (MediationParty.deleted == False))  # noqa: E712


def check_term(mediation: Mediation, draft: TermDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    need(errors, bool(draft.party_id) and party_of(mediation.id, draft.party_id) is not None,
          "party_id", "med.err.term_party")
    need(errors, bool(draft.obligation.strip()), "obligation", "med.err.required")
    if draft.deadline is not None:
        need(errors, draft.deadline >= mediation.opened_on, "deadline",
              "med.err.before_opened", day=mediation.opened_on.isoformat())
    need(errors, draft.cost_fen is None or draft.cost_fen >= 0, "cost", "med.err.money")
    return errors


def live_terms(mediation_id: str) -> list[AgreementTerm]:
    return list(AgreementTerm.select().where((AgreementTerm.mediation == mediation_id)
                                             & (AgreementTerm.deleted == False))  # noqa: E712
                .order_by(AgreementTerm.seq))


def first_session(mediation_id: str) -> MediationSession | None:
    return (MediationSession.select().where(MediationSession.mediation == mediation_id)
            .order_by(MediationSession.held_at).first())


def check_follow_up(mediation: Mediation, draft: FollowUpDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    first = first_session(mediation.id)
    need(errors, first is not None, "at", "med.err.no_session")
    if first is not None:
        need(errors, clock.to_storage(draft.at) > first.held_at, "at",
              "med.err.before_session",
              at=clock.local(first.held_at).strftime("%Y-%m-%d %H:%M"))
    need(errors, draft.at <= clock.now(), "at", "med.err.future")
    terms = {term.id for term in live_terms(mediation.id)}
    need(errors, bool(terms), "checks", "med.err.no_terms")
    need(errors, bool(draft.checks), "checks", "med.err.no_checks")
    for term_id, status in draft.checks.items():
        need(errors, term_id in terms, "checks", "med.err.unknown_term")
        need(errors, status in CHECKS, f"check.{term_id}", "med.err.choose")
    return errors


def check_outcome(mediation: Mediation, draft: OutcomeDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    need(errors, draft.outcome in OUTCOMES, "outcome", "med.err.choose")
    need(errors, draft.closed_on >= mediation.opened_on, "closed_on", "med.err.before_opened",
          day=mediation.opened_on.isoformat())
    need(errors, draft.closed_on <= clock.today(), "closed_on", "med.err.future")
    if draft.outcome in WITH_AGREEMENT:
        need(errors, first_session(mediation.id) is not None, "outcome", "med.err.no_session")
        need(errors, bool(live_terms(mediation.id)), "outcome", "med.err.no_terms")
        sides = {p.side for p in parties(mediation.id)}
        need(errors, set(SIDES) <= sides, "outcome", "med.err.two_sides")
    if draft.outcome in ("partial", "failed", "referred"):
        need(errors, bool(draft.reason.strip()), "reason", "med.err.reason")
    if draft.outcome == "referred":
        need(errors, draft.referred_to in REFERRALS, "referred_to", "med.err.choose")
    return errors


def parties(mediation_id: str) -> list[MediationParty]:
    return list(MediationParty.select().where((MediationParty.mediation == mediation_id)
                                              & (MediationParty.deleted == False))  # noqa: E712
                .order_by(MediationParty.side, MediationParty.name))


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise MediationError(errors)
