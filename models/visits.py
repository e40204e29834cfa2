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
from models.places import Building, Community, Grid, Household, Resident


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
    """A resident's opinion 居民意见 (anonymous when no household is named).

    ``source`` is the channel it came through (入户走访 visit, 网格议事 grid_meeting, 网格群
    group_chat, 书记信箱 mailbox, 微服务 wechat, 巡逻 patrol, 电话 phone, 其他 other).
    """

    community = ForeignKeyField(Community, backref="opinions")
    community_id: str
    building = ForeignKeyField(Building, null=True, backref="opinions")
    building_id: str | None
    household = ForeignKeyField(Household, null=True)
    household_id: str | None
    resident = ForeignKeyField(Resident, null=True)
    resident_id: str | None
    grid = ForeignKeyField(Grid, null=True)
    grid_id: str | None
    visit = ForeignKeyField(Visit, null=True)
    visit_id: str | None
    source = CharField()
    category = CharField(default="")
    content = TextField()
    collected_on = DateField()
    collected_by = CharField(default="")


class LivelihoodItem(SyncedModel):
    """民生清单 item distilled from opinions; its rank is computed (urgency × importance,
    then distinct households), never stored.

    ``kind``: small 小事即办 (a linked case at once), urgent 急事共商 (a consultation),
    major 大事共议 (to a deliberation meeting). ``status``: pending 待议, in_progress 办理中,
    done 已办结, rejected 不予采纳 (with ``reason``).
    """

    community = ForeignKeyField(Community, backref="livelihood_items")
    community_id: str
    building = ForeignKeyField(Building, null=True, backref="livelihood_items")
    building_id: str | None
    grid = ForeignKeyField(Grid, null=True)
    grid_id: str | None
    title = CharField()
    description = TextField(default="")
    category = CharField(default="")
    urgency = IntegerField(default=2)  # 1 (low) .. 3 (high)
    importance = IntegerField(default=2)  # 1 .. 3
    kind = CharField(default="major")  # small, urgent, major
    status = CharField(default="pending", index=True)  # pending, in_progress, done, rejected
    reason = TextField(default="")
    owner = CharField(default="")
    due_on = DateField(null=True)
    case = CharField(null=True)  # the linked case's id (小事即办)
    created_on = DateField(null=True)


class LivelihoodLink(SyncedModel):
    """Which opinion a livelihood item answers."""

    item = ForeignKeyField(LivelihoodItem, backref="links")
    item_id: str
    opinion = ForeignKeyField(Opinion, backref="links")
    opinion_id: str


class LivelihoodNote(LedgerModel):
    """A progress note, a consultation 急事共商 or a status change on an item (append-only)."""

    item = ForeignKeyField(LivelihoodItem, backref="notes")
    item_id: str
    at = DateTimeField(index=True)  # UTC
    kind = CharField(default="progress")  # progress, consultation, status, meeting
    text = TextField(default="")
    author = CharField(default="")
