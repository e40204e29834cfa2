"""Sync bookkeeping: stations, the change log, conflicts, settings, local state."""

from __future__ import annotations

import uuid
from typing import ClassVar

from peewee import BlobField, BooleanField, CharField, DateTimeField, IntegerField, TextField

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
    """A community-wide setting (deadlines, cadences …); value is JSON.

    ``key`` is indexed, not unique: two stations may create the same setting offline,
    and both rows must be able to arrive by sync (the merge cannot drop either). Use a
    deterministic id (:func:`setting_id`) so that both stations write the *same* row.
    """

    key = CharField(index=True)
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
    #: For updates: the row's ``field_clocks`` as the writer saw them before writing
    #: (JSON). Lets a receiving station tell a sequential overwrite from a concurrent one.
    base = TextField(default="")

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
    #: "field": two concurrent writes of one field; "delete": a delete raced an edit.
    kind = CharField(default="field")
    #: "", "winner" (the winner was accepted) or "other" (the loser was written again).
    resolution = CharField(default="")


class LocalState(LocalModel):
    """Key/value facts about this copy: which station it is, peers' acknowledgements …"""

    value = TextField()


class Peer(LocalModel):
    """Another station whose holdings this copy knows (id = its station id).

    ``acks`` is the JSON vector ``{origin: seq}`` of what that station said it holds
    (contiguously), directly in its own bundle or relayed in another's: exports send
    each origin's changes above the lowest acknowledgement of all peers, so a lost
    bundle is simply sent again, and a laptop handing a bundle to another carries what
    that one is known to lack.
    """

    name = CharField(default="")
    acks = TextField(default="{}")
    #: UTC, when its latest bundle was imported here; None when only heard of through
    #: another station's bundle (its acknowledgements relayed in that bundle's header).
    last_heard = DateTimeField(null=True)
    bundle_created = DateTimeField(null=True)  # UTC, that bundle's own creation time


class ReceivedBundle(LocalModel):
    """A bundle this station has imported (id = bundle id): makes imports idempotent."""

    source = CharField()
    created_at = DateTimeField()
    imported_at = DateTimeField()
    changes = IntegerField(default=0)


class HeldBundle(LocalModel):
    """A valid bundle that could not be placed yet (earlier changes were missing).

    Kept as received (still encrypted) and applied as soon as the gap is filled, so
    bundles imported one by one in any order end in the same state.
    """

    source = CharField()
    received_at = DateTimeField()
    content = BlobField()  # the bundle file as received (still encrypted)


def setting_id(key: str) -> str:
    """The same id for the same setting key on every station."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mulin:setting:{key}"))
