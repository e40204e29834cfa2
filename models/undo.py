"""The rollback record of bundle imports (station-local, never synced or digested).

An import writes, in its own transaction, one :class:`ImportRecord` (what the import
changed in the station's bookkeeping) and one :class:`ImportUndo` row per record it
overwrote (the row's values and field clocks before the import) or per conflict it
added. Rows the import inserted need no entry: the change log names them (the import's
``ranges``). ``app.services.sync.undo`` reads both to take an import back.

The tables are created on first use (``ensure``), so stations made before them need no
migration.
"""

from __future__ import annotations

from typing import ClassVar

from peewee import CharField, DateTimeField, IntegerField, TextField

from models.base import LocalModel
from models.db import db


class ImportRecord(LocalModel):
    """One applied import (id = the bundle id)."""

    synced: ClassVar[bool] = False

    source = CharField()
    label = TextField(default="")
    imported_at = DateTimeField()
    changes = IntegerField(default=0)
    #: JSON ``{origin: [first seq, last seq]}``: the change-log rows this import added.
    ranges = TextField(default="{}")
    #: JSON ``{origin: seq}``: what the station held right after the import.
    have_after = TextField(default="{}")
    #: JSON list of the ``peer`` rows before the import (acks only ever grow).
    peers_before = TextField(default="[]")
    #: JSON ``{origin: hlc}``: each origin's newest stamp held before the import.
    boundary = TextField(default="{}")


class ImportUndo(LocalModel):
    """What to put back for one row: ``prior`` (JSON row), ``keep`` or ``conflict``."""

    synced: ClassVar[bool] = False

    record = CharField(index=True)
    kind = CharField()
    table = CharField(default="")
    row_id = CharField()
    data = TextField(default="")

    class Meta:
        indexes = ((("record", "kind", "table", "row_id"), True),)


def ensure() -> None:
    """Create the two tables if this database does not have them yet."""
    db.create_tables([ImportRecord, ImportUndo], safe=True)
