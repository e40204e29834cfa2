"""Has anything a screen shows changed since it last looked? (issue 16: screen switches)

Every write of content is logged in ``change`` (its rowid only grows); imports add a
``received_bundle`` row; station state is ``REPLACE``d into ``local_state`` (a new rowid
each time). Those three tops and the current minute (lists of what is due or late move
with the clock) make a version that costs three index probes: a screen revisited with
the same version shows what it already shows, with no query.
"""

from __future__ import annotations

from itertools import count

from peewee import SqliteDatabase

from app import clock
from models.db import db

#: On the hub's PostgreSQL (no rowid) every look is a new version: its screens reload.
_ALWAYS_NEW = count(1)


def data_version() -> tuple[int, int, int, str]:
    """The version of everything a top-level screen can show."""
    if not isinstance(db.obj, SqliteDatabase):
        return (next(_ALWAYS_NEW), 0, 0, "")
    row = db.execute_sql(
        "SELECT (SELECT max(rowid) FROM change), (SELECT max(rowid) FROM received_bundle), "
        "(SELECT max(rowid) FROM local_state)").fetchone()
    return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0),
            clock.now().strftime("%Y%m%d%H%M"))
