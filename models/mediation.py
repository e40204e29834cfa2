"""Mediation 调解 records: parties, mediators, sessions, terms, follow-ups; conventions."""

from __future__ import annotations

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import LedgerModel, SyncedModel
from models.cases import Case
from models.places import Building, Community, Household, Quarter, Resident


class Convention(SyncedModel):
    """居民公约 adopted at a class meeting, e.g. 院落行车公约."""

    community = ForeignKeyField(Community, backref="conventions")
    community_id: str
    title = CharField()
    scope = CharField(default="community")  # community, quarter, building
    quarter = ForeignKeyField(Quarter, null=True)
    quarter_id: str | None
    building = ForeignKeyField(Building, null=True)
    building_id: str | None
    adopted_on = DateField(null=True)
    meeting = CharField(default="")
    text = TextField(default="")


class Mediation(SyncedModel):
    """One dispute brought to mediation."""

    community = ForeignKeyField(Community, backref="mediations")
    community_id: str
    number = CharField(index=True)
    case = ForeignKeyField(Case, null=True, backref="mediations")
    case_id: str | None
    building = ForeignKeyField(Building, null=True, backref="mediations")
    building_id: str | None
    dispute_type = CharField()  # noise, parking, dogs, leaks, shared_space, ac_unit, fees, ...
    title = CharField()
    facts = TextField(default="")
    opened_on = DateField()
    status = CharField(default="open", index=True)  # open, agreed, partial, failed, referred
    outcome_reason = TextField(default="")
    referred_to = CharField(default="")  # court, street, district, other_body
    closed_on = DateField(null=True)  # the day the outcome was recorded (agreement signed)


class MediationParty(SyncedModel):
    """A party: a household or resident of the community, or an outsider."""

    mediation = ForeignKeyField(Mediation, backref="parties")
    mediation_id: str
    side = CharField(default="A")
    household = ForeignKeyField(Household, null=True)
    household_id: str | None
    resident = ForeignKeyField(Resident, null=True)
    resident_id: str | None
    name = CharField()
    contact = CharField(default="")
    address = CharField(default="")  # e.g. 13栋1单元502室, or an outsider's address


class Mediator(SyncedModel):
    """Someone mediating, and in which role (secretary, lawyer, property, police …)."""

    mediation = ForeignKeyField(Mediation, backref="mediators")
    mediation_id: str
    name = CharField()
    role = CharField()


class MediationSession(LedgerModel):
    """One sitting: when, where, who came, what was said (append-only)."""

    mediation = ForeignKeyField(Mediation, backref="sessions")
    mediation_id: str
    held_at = DateTimeField()
    place = CharField(default="")
    attendees = TextField(default="")
    said_a = TextField(default="")  # what side A (申请方) said
    said_b = TextField(default="")  # what side B (被申请方) said
    notes = TextField(default="")


class SessionBasis(LedgerModel):
    """Evidence or basis used in a session: drawings, a law article, a convention."""

    session = ForeignKeyField(MediationSession, backref="bases")
    session_id: str
    kind = CharField()  # drawing, law, convention, other
    convention = ForeignKeyField(Convention, null=True, backref="citations")
    convention_id: str | None
    reference = CharField()


class AgreementTerm(SyncedModel):
    """One term of the agreement: who is bound, to what, by when, at what cost."""

    mediation = ForeignKeyField(Mediation, backref="terms")
    mediation_id: str
    party = ForeignKeyField(MediationParty, backref="terms")
    party_id: str
    seq = IntegerField(default=0)  # order in the agreement (一、二、三…)
    obligation = TextField()
    deadline = DateField(null=True, index=True)
    cost_fen = IntegerField(null=True)  # cost in fen (1/100 yuan)
    # derived from the follow-ups' checks (the latest check wins): pending, done, broken
    status = CharField(default="pending", index=True)


class FollowUp(LedgerModel):
    """履行回访: a visit checking that the agreement is honoured (append-only)."""

    mediation = ForeignKeyField(Mediation, backref="follow_ups")
    mediation_id: str
    at = DateTimeField()
    by = CharField(default="")
    notes = TextField(default="")
    checks = TextField(default="{}")  # JSON: term id -> done / pending / broken
