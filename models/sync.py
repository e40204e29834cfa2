"""Sync bookkeeping: stations, the change log, conflicts, settings, local state."""

from __future__ import annotations

from typing import ClassVar

from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField

from models.base import LocalModel, SyncedModel


class Station(SyncedModel):
    """A copy of the community's data: the desk PC or a grid worker's laptop.

    Synced so peers learn of each other, but not part of the content digest.
    """

    digested: ClassVar[bool] = False

    name = CharField()
    prefix = CharField()  # short prefix used in case numbers, e.g. DT
    community_key_id = CharField(default="")


class Setting(SyncedModel):
    """A community-wide setting (deadlines, cadences …); value is JSON."""

    key = CharField(unique=True)
    value = TextField()


class Change(LocalModel):
    """One logged mutation (sync contract 1). ``seq`` counts per origin station from 1."""

    origin = CharField()
    seq = IntegerField()
    hlc = CharField(index=True)
    table = CharField()
    row_id = CharField()
    op = CharField()  # insert, update, append
    data = TextField()  # JSON of the written columns (storage form)
    operator = CharField(default="")

    class Meta:
        indexes = ((("origin", "seq"), True), (("table", "row_id"), False))


class Conflict(LocalModel):
    """A concurrent write that lost under last-writer-wins, kept for review."""

    table = CharField()
    row_id = CharField()
    field = CharField()
    winner_value = TextField()  # JSON
    winner_stamp = CharField()
    loser_value = TextField()  # JSON
    loser_stamp = CharField()
    detected_at = DateTimeField()
    resolved = BooleanField(default=False)


class LocalState(LocalModel):
    """Key/value facts about this copy: which station it is, peers' acknowledgements …"""

    value = TextField()
