"""Visits 走访, opinions 意见 and the livelihood list 民生清单."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import LedgerModel, SyncedModel
from models.people import Person
from models.places import Building, Community, Household, Resident


class VisitRound(SyncedModel):
    """A named round of visits, e.g. a holiday round 节日走访, with its own checklist."""

    community = ForeignKeyField(Community, backref="visit_rounds")
    community_id: str
    name = CharField()
    starts_on = DateField()
    ends_on = DateField(null=True)


class Visit(LedgerModel):
    """入户走访: one visit to a household (append-only)."""

    household = ForeignKeyField(Household, backref="visits")
    household_id: str
    resident = ForeignKeyField(Resident, null=True, backref="visits")
    resident_id: str | None
    visitor = ForeignKeyField(Person, null=True)
    visitor_id: str | None
    visitor_name = CharField(default="")
    visited_at = DateTimeField(index=True)  # UTC
    kind = CharField(default="routine")  # routine, care, holiday, follow_up, mediation
    findings = TextField(default="")
    services = CharField(default="")
    follow_up = BooleanField(default=False)
    round = ForeignKeyField(VisitRound, null=True, backref="visits")
    round_id: str | None


class Opinion(SyncedModel):
    """An opinion collected from residents (source: visit, platform, meeting, mailbox, phone)."""

    community = ForeignKeyField(Community, backref="opinions")
    community_id: str
    building = ForeignKeyField(Building, null=True, backref="opinions")
    building_id: str | None
    household = ForeignKeyField(Household, null=True)
    household_id: str | None
    source = CharField()
    content = TextField()
    collected_on = DateField()
    collected_by = CharField(default="")


class LivelihoodItem(SyncedModel):
    """民生清单 item distilled from opinions, ranked by urgency and importance."""

    community = ForeignKeyField(Community, backref="livelihood_items")
    community_id: str
    building = ForeignKeyField(Building, null=True, backref="livelihood_items")
    building_id: str | None
    title = CharField()
    description = TextField(default="")
    urgency = IntegerField(default=3)  # 1 (low) .. 5 (high)
    importance = IntegerField(default=3)
    rank = IntegerField(default=0)
    status = CharField(default="open")  # open, in_progress, done


class LivelihoodLink(SyncedModel):
    """Which opinion a livelihood item answers."""

    item = ForeignKeyField(LivelihoodItem, backref="links")
    item_id: str
    opinion = ForeignKeyField(Opinion, backref="links")
    opinion_id: str
