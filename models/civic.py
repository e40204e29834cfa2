"""Deliberation meetings 议事会: the meeting, and one agenda row per livelihood item with
its decision and vote (for / against / abstain)."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from models.base import SyncedModel
from models.mediation import Convention
from models.places import Building, Community, Grid
from models.visits import LivelihoodItem


class Meeting(SyncedModel):
    """One deliberation meeting. ``level``: building 楼栋, grid 网格, community 社区,
    class 班长议事会. Attendees are kept as three name lists (residents, 三长, staff)."""

    community = ForeignKeyField(Community, backref="meetings")
    community_id: str
    held_on = DateField(index=True)
    level = CharField(default="community")
    building = ForeignKeyField(Building, null=True)
    building_id: str | None
    grid = ForeignKeyField(Grid, null=True)
    grid_id: str | None
    title = CharField(default="")
    place = CharField(default="")
    residents = TextField(default="")
    chiefs = TextField(default="")
    staff = TextField(default="")
    minutes = TextField(default="")


class AgendaItem(SyncedModel):
    """A livelihood item on a meeting's agenda, and what the meeting decided on it.

    ``outcome``: "" (not yet decided), adopted 通过, rejected 否决, deferred 暂缓.
    A decision may adopt a convention (``convention``) or move the item to ``new_status``.
    """

    meeting = ForeignKeyField(Meeting, backref="agenda")
    meeting_id: str
    item = ForeignKeyField(LivelihoodItem, backref="agenda")
    item_id: str
    position = IntegerField(default=0)
    outcome = CharField(default="")
    decision = TextField(default="")
    votes_for = IntegerField(default=0)
    votes_against = IntegerField(default=0)
    votes_abstain = IntegerField(default=0)
    new_status = CharField(default="")
    convention = ForeignKeyField(Convention, null=True)
    convention_id: str | None
