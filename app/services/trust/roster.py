"""Who may sign in, and in what order — read for the desk's first frame (issue 16).

The desk's first frame is the sign-in: the operators' names and roles, nothing else of
the station. :func:`peek` reads them with Python's own ``sqlite3`` from a station file
that needs nothing done to it, so that frame is drawn before peewee, the models and the
migrations are even imported; the station is opened just after it, while the PIN is
typed (``app/tui.py``). Anything out of the ordinary — an encrypted file, a schema of
another version, no station yet, no operators, a file that cannot be read — answers
``None``, and the desk opens the station first, as it always did.

:func:`ranked` is the one order operators are shown in (the sign-in, the lock screen,
``mulin operator list``), used by :func:`app.services.trust.operators.list_operators`
too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.services.trust.permissions import ROLES
from models.version import SCHEMA_VERSION


@dataclass(frozen=True)
class OperatorView:
    """An operator as screens and the CLI see it (never the hash)."""

    id: str
    name: str
    role: str


def ranked(operators: Iterable[OperatorView]) -> list[OperatorView]:
    """Admins first, then grid workers, then duty staff; by name within a role."""
    rank = {role: i for i, role in enumerate(reversed(ROLES))}
    return sorted(operators, key=lambda o: (rank.get(o.role, 9), o.name))


def peek(database: Path) -> list[OperatorView] | None:
    """The operators of the station at ``database``, read-only and without the ORM; None
    when the desk must open the station before its first frame (see the module note)."""
    if not database.is_file():
        return None
    try:
        con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True,
                              timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        return _read(con)
    except sqlite3.Error:  # encrypted, locked for long, damaged, another layout
        return None
    finally:
        con.close()


def _read(con: sqlite3.Connection) -> list[OperatorView] | None:
    (version,) = con.execute("PRAGMA user_version").fetchone()
    if version != SCHEMA_VERSION:
        return None  # a migration (or a newer Mulin's file): opened first, as before
    station = con.execute("SELECT value FROM local_state WHERE id = 'station_id'").fetchone()
    if station is None or station[0] in (None, "null"):
        return None
    rows = con.execute('SELECT id, name, role FROM "operator" WHERE deleted = 0').fetchall()
    return ranked(OperatorView(*row) for row in rows) or None
