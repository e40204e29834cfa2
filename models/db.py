"""The one database handle, created unbound and bound at start-up (peewee diary style)."""

from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 5000,
    "foreign_keys": 1,
    "cache_size": -32000,
}

db = SqliteDatabase(None)


def bind(path: Path | str) -> SqliteDatabase:
    """Bind the module-level database to a file (closing any previous binding)."""
    if not db.is_closed():
        db.close()
    db.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    return db
