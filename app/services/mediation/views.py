"""Read views of mediation records: the paged list, one record in full, overdue follow-ups
(also for the shift handover), and case look-up for starting a mediation from a case."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from peewee import JOIN, fn

from app import clock
from app.services.places.views import OPEN_STATES
from app.services.trust.masking import shown
from models.cases import Case
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
from models.places import Building

STATUSES = ("open", "agreed", "partial", "failed", "referred")


@dataclass
class MediationRow:
    id: str
    number: str
    title: str
    dispute_type: str
    status: str
    opened_on: date
    parties: str
    overdue: int = 0  # terms whose follow-up is overdue


def _overdue_terms(as_of: date):  # type: ignore[no-untyped-def]
    """Terms past their deadline, not yet confirmed done, in an agreed/partial mediation."""
    return (AgreementTerm.select(AgreementTerm.id)
            .where((AgreementTerm.mediation == Mediation.id)
                   & (AgreementTerm.deleted == False)  # noqa: E712
                   & (AgreementTerm.status == "pending")
                   & (AgreementTerm.deadline < as_of)
                   & Mediation.status.in_(("agreed", "partial"))))


def _query(community_id: str, status: str | None):  # type: ignore[no-untyped-def]
    query = Mediation.select().where(
        (Mediation.community == community_id) & (Mediation.deleted == False))  # noqa: E712
    return query.where(Mediation.status == status) if status else query


def count(community_id: str, status: str | None = None) -> int:
    return int(_query(community_id, status).count())


def page(community_id: str, offset: int, limit: int,
         status: str | None = None) -> list[MediationRow]:
    """Mediations: overdue follow-ups first, then open ones, then newest first."""
    as_of = clock.today()
    overdue = fn.EXISTS(_overdue_terms(as_of))
    rows = list(_query(community_id, status)
                .order_by(overdue.desc(), fn.iif(Mediation.status == "open", 0, 1),
                          Mediation.opened_on.desc(), Mediation.number.desc())
                .offset(offset).limit(limit))
    ids = [r.id for r in rows]
    names: dict[str, list[str]] = {}
    for p in (MediationParty.select(MediationParty.mediation, MediationParty.name)
              .where(MediationParty.mediation.in_(ids) & (MediationParty.deleted == False))  # noqa: E712
              .order_by(MediationParty.side, MediationParty.name)):
        names.setdefault(p.mediation_id, []).append(p.name)
    late = _overdue_counts(ids, as_of)
    return [MediationRow(r.id, r.number, r.title, r.dispute_type, r.status, r.opened_on,
                         " / ".join(names.get(r.id, [])), late.get(r.id, 0)) for r in rows]


def _overdue_counts(ids: list[str], as_of: date) -> dict[str, int]:
    query = (AgreementTerm.select(AgreementTerm.mediation, fn.COUNT(AgreementTerm.id))
             .join(Mediation)
             .where(AgreementTerm.mediation.in_(ids) & (AgreementTerm.deleted == False)  # noqa: E712
                    & (AgreementTerm.status == "pending") & (AgreementTerm.deadline < as_of)
                    & Mediation.status.in_(("agreed", "partial")))
             .group_by(AgreementTerm.mediation).tuples())
    return dict(cast(Any, query))


def status_counts(community_id: str) -> dict[str, int]:
    query = (Mediation.select(Mediation.status, fn.COUNT(Mediation.id))
             .where((Mediation.community == community_id) & (Mediation.deleted == False))  # noqa: E712
             .group_by(Mediation.status).tuples())
    return dict(cast(Any, query))


# --- overdue follow-ups (mediation screen and shift handover) --------------------------

@dataclass
class OverdueFollowUp:
    """A term whose deadline has passed without a follow-up confirming it was honoured."""

    mediation_id: str
    number: str
    title: str
    term_id: str
    party: str
    obligation: str
    deadline: date
    days_overdue: int


def overdue_follow_ups(community_id: str, as_of: date | None = None) -> list[OverdueFollowUp]:
    """Overdue 履行回访, most overdue first (the shift handover calls this)."""
    as_of = as_of or clock.today()
    query = (AgreementTerm.select(AgreementTerm, Mediation.number.alias("m_number"),
                                  Mediation.title.alias("m_title"),
                                  MediationParty.name.alias("party_name"))
             .join(Mediation).switch(AgreementTerm).join(MediationParty)
             .where((Mediation.community == community_id) & (Mediation.deleted == False)  # noqa: E712
                    & Mediation.status.in_(("agreed", "partial"))
                    & (AgreementTerm.deleted == False) & (AgreementTerm.status == "pending")  # noqa: E712
                    & (AgreementTerm.deadline < as_of))
             .order_by(AgreementTerm.deadline, Mediation.number, AgreementTerm.seq).objects())
    rows: list[Any] = list(query)
    return [OverdueFollowUp(a.mediation_id, a.m_number, a.m_title, a.id, a.party_name,
                            a.obligation, a.deadline, (as_of - a.deadline).days)
            for a in rows]


# --- one record in full ------------------------------------------------------------------

@dataclass
class PartyView:
    id: str
    side: str
    name: str
    address: str
    contact: str  # masked
    household_id: str | None
    room: str  # 13-1-502 form for editing, "" for outsiders


@dataclass
class MediatorView:
    id: str
    name: str
    role: str


@dataclass
class BasisView:
    kind: str
    reference: str
    convention_id: str | None


@dataclass
class SessionView:
    id: str
    held_at: datetime  # local
    place: str
    attendees: str
    said_a: str
    said_b: str
    notes: str
    bases: list[BasisView] = field(default_factory=list)


@dataclass
class TermView:
    id: str
    seq: int
    party_id: str
    party: str
    side: str
    obligation: str
    deadline: date | None
    cost_fen: int | None
    status: str
    overdue: bool


@dataclass
class FollowUpView:
    id: str
    at: datetime  # local
    by: str
    notes: str
    checks: dict[str, str]


@dataclass
class MediationDetail:
    id: str
    number: str
    community_id: str
    dispute_type: str
    title: str
    facts: str
    opened_on: date
    status: str
    outcome_reason: str
    referred_to: str
    closed_on: date | None
    building: str
    case_id: str | None
    case_number: str
    parties: list[PartyView]
    mediators: list[MediatorView]
    sessions: list[SessionView]
    terms: list[TermView]
    follow_ups: list[FollowUpView]

    @property
    def overdue(self) -> int:
        return sum(1 for term in self.terms if term.overdue)

    def side(self, side: str) -> list[PartyView]:
        return [p for p in self.parties if p.side == side]


def _room_of(household_id: str | None) -> str:
    if not household_id:
        return ""
    from models.places import Household, Unit

    household = Household.get_or_none(Household.id == household_id)
    if household is None:
        return ""
    building = Building.get_by_id(household.building_id)
    unit = Unit.get_or_none(Unit.id == household.unit_id)
    return "-".join(str(x) for x in (building.number, unit.number if unit else None,
                                     household.room) if x is not None)


def _parties(mediation_id: str) -> list[PartyView]:
    rows = (MediationParty.select().where((MediationParty.mediation == mediation_id)
                                          & (MediationParty.deleted == False))  # noqa: E712
            .order_by(MediationParty.side, MediationParty.name))
    return [PartyView(p.id, p.side, p.name, p.address, shown("contact", p.contact), p.household_id,
                      _room_of(p.household_id)) for p in rows]


def _sessions(mediation_id: str) -> list[SessionView]:
    sessions = list(MediationSession.select().where(MediationSession.mediation == mediation_id)
                    .order_by(MediationSession.held_at, MediationSession.id))
    bases: dict[str, list[BasisView]] = {}
    for b in (SessionBasis.select().where(SessionBasis.session.in_([s.id for s in sessions]))
              .order_by(SessionBasis.kind, SessionBasis.reference)):
        bases.setdefault(b.session_id, []).append(BasisView(b.kind, b.reference,
                                                            b.convention_id))
    return [SessionView(s.id, clock.local(s.held_at), s.place, s.attendees, s.said_a, s.said_b,
                        s.notes, bases.get(s.id, [])) for s in sessions]


def _terms(mediation_id: str, status: str, parties: list[PartyView]) -> list[TermView]:
    by_id = {p.id: p for p in parties}
    today = clock.today()
    rows = (AgreementTerm.select().where((AgreementTerm.mediation == mediation_id)
                                         & (AgreementTerm.deleted == False))  # noqa: E712
            .order_by(AgreementTerm.seq))
    out = []
    for a in rows:
        party = by_id.get(a.party_id)
        late = (status in ("agreed", "partial") and a.status == "pending"
                and a.deadline is not None and a.deadline < today)
        out.append(TermView(a.id, a.seq, a.party_id, party.name if party else "",
                            party.side if party else "", a.obligation, a.deadline, a.cost_fen,
                            a.status, late))
    return out


def detail(mediation_id: str) -> MediationDetail:
    m = Mediation.get_by_id(mediation_id)
    building = Building.get_or_none(Building.id == m.building_id) if m.building_id else None
    case = Case.get_or_none(Case.id == m.case_id) if m.case_id else None
    parties = _parties(m.id)
    mediators = [MediatorView(x.id, x.name, x.role) for x in
                 Mediator.select().where((Mediator.mediation == m.id)
                                         & (Mediator.deleted == False))]  # noqa: E712
    follow_ups = [FollowUpView(f.id, clock.local(f.at), f.by, f.notes,
                               json.loads(f.checks or "{}")) for f in
                  FollowUp.select().where(FollowUp.mediation == m.id)
                  .order_by(FollowUp.at, FollowUp.id)]
    return MediationDetail(
        m.id, m.number, m.community_id, m.dispute_type, m.title, m.facts, m.opened_on, m.status,
        m.outcome_reason, m.referred_to, m.closed_on, building.number if building else "",
        m.case_id, case.number if case else "", parties, mediators, _sessions(m.id),
        _terms(m.id, m.status, parties), follow_ups)


def by_number(community_id: str, number: str) -> str | None:
    row = (Mediation.select(Mediation.id)
           .where((Mediation.community == community_id) & (Mediation.number == number.strip())
                  & (Mediation.deleted == False)).first())  # noqa: E712
    return row.id if row else None


# --- starting from a case ----------------------------------------------------------------

@dataclass
class CaseBrief:
    id: str
    number: str
    state: str
    category: str
    subcategory: str
    description: str
    reporter: str
    place: str
    building: str
    received_at: datetime  # local


def find_cases(community_id: str, text: str, limit: int = 8) -> list[CaseBrief]:
    """Cases whose number contains ``text``, open (not yet mediating) ones first."""
    needle = text.strip()
    if not needle:
        return []
    query = (Case.select(Case, Building.number.alias("b_number"))
             .join(Building, JOIN.LEFT_OUTER, on=(Case.building == Building.id))
             .where((Case.community == community_id) & (Case.deleted == False)  # noqa: E712
                    & Case.number.contains(needle))
             .order_by(fn.iif(Case.state.in_(OPEN_STATES), 0, 1), Case.received_at.desc())
             .limit(limit).objects())
    return [CaseBrief(c.id, c.number, c.state, c.category, c.subcategory, c.description,
                      c.reporter_name, c.place, getattr(c, "b_number", None) or "",
                      clock.local(c.received_at)) for c in query]


def case_brief(case_id: str) -> CaseBrief | None:
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        return None
    building = Building.get_or_none(Building.id == case.building_id) if case.building_id \
        else None
    return CaseBrief(case.id, case.number, case.state, case.category, case.subcategory,
                     case.description, case.reporter_name, case.place,
                     building.number if building else "", clock.local(case.received_at))


def conventions_cited(mediation_id: str) -> list[str]:
    """Titles of the conventions the sessions of a mediation used."""
    query = (Convention.select(Convention.title).join(SessionBasis)
             .join(MediationSession)
             .where(MediationSession.mediation == mediation_id).distinct())
    return [c.title for c in query]
