"""Cases 诉求 and their append-only events; evaluations.

A case's state is derived from its events (sync contract 3). The columns marked
*derived* are a cache recomputed from the events after every local write or import,
so lists can filter and sort on indexes; they are content-equal on every station.
"""

from __future__ import annotations

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import LedgerModel, SyncedModel
from models.places import Building, Community, Grid, Resident


class Case(SyncedModel):
    """One demand raised by a resident."""

    community = ForeignKeyField(Community, backref="cases")
    community_id: str
    number = CharField(index=True)  # e.g. DT-20261125-003, unique per station prefix
    channel = CharField()  # phone, walk_in, visit, wechat, group_chat, mailbox, patrol, ...
    category = CharField(index=True)  # 110, 114, 119, 120, 122
    subcategory = CharField(default="")
    reporter = ForeignKeyField(Resident, null=True, backref="cases")
    reporter_id: str | None
    reporter_name = CharField(default="")
    reporter_phone = CharField(default="")
    grid = ForeignKeyField(Grid, null=True, backref="cases")
    grid_id: str | None
    building = ForeignKeyField(Building, null=True, backref="cases")
    building_id: str | None
    unit = CharField(default="")
    room = CharField(default="")
    place = CharField(default="")
    description = TextField(default="")
    colour = CharField(index=True)  # red, yellow, green
    # grid, community, street, district: the intake level, then derived (escalations)
    level = CharField(default="grid", index=True)
    received_at = DateTimeField(index=True)  # UTC
    # derived from events (a cache, recomputed by app.services.cases.lifecycle.refresh):
    state = CharField(default="received", index=True)
    #: 0 red, 1 yellow, 2 green while open; 9 once finished (resolved, closed, merged …).
    open_rank = IntegerField(default=9)
    handler = CharField(default="", index=True)
    responded_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    due_response = DateTimeField(null=True)
    due_resolution = DateTimeField(null=True, index=True)
    #: the next deadline that matters: the response's until responded, then the resolution's
    due_next = DateTimeField(null=True)

    class Meta:
        # the cases screen pages open cases in this order straight off the index
        indexes = ((("community", "open_rank", "due_next", "number"), False),)


class CaseEvent(LedgerModel):
    """One step in a case's life (append-only). ``data`` is JSON for the step's details."""

    case = ForeignKeyField(Case, backref="events")
    case_id: str
    kind = CharField(index=True)
    at = DateTimeField(index=True)  # UTC
    actor = CharField(default="")
    note = TextField(default="")
    data = TextField(default="{}")


class Evaluation(LedgerModel):
    """Two-way evaluation: the resident rates the service, the community rates the handler."""

    case = ForeignKeyField(Case, backref="evaluations")
    case_id: str
    kind = CharField()  # resident, community
    at = DateTimeField()
    score = IntegerField()  # 1..5
    timeliness = IntegerField(null=True)
    quality = IntegerField(null=True)
    method = CharField(default="")  # phone_callback, visit, in_person
    comment = TextField(default="")
