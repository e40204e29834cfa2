"""Schema versioning: an older database is migrated after a backup; a newer one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import store
from app.config import Paths
from models import schema
from models.db import db
from models.places import Community


def test_new_database_carries_the_current_schema_version(empty_station: Paths) -> None:
    assert schema.user_version() == schema.SCHEMA_VERSION


def test_migration_backs_up_then_upgrades(empty_station: Paths) -> None:
    with store.write() as tx:
        tx.insert(Community, name="东亭社区")
    ran: list[int] = []

    def add_column() -> None:
        db.execute_sql('ALTER TABLE "community" ADD COLUMN motto TEXT DEFAULT \'\'')
        ran.append(schema.SCHEMA_VERSION + 1)

    version = schema.migrate(empty_station.database, {schema.SCHEMA_VERSION + 1: add_column})
    assert version == schema.SCHEMA_VERSION + 1 == schema.user_version()
    assert ran == [schema.SCHEMA_VERSION + 1]
    backups = list((empty_station.data_dir / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    import sqlite3

    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert old.execute("SELECT name FROM community").fetchall() == [("东亭社区",)]


def test_a_failing_migration_leaves_the_database_as_it_was(empty_station: Paths) -> None:
    def broken() -> None:
        db.execute_sql('ALTER TABLE "community" ADD COLUMN motto TEXT')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        schema.migrate(empty_station.database, {schema.SCHEMA_VERSION + 1: broken})
    assert schema.user_version() == schema.SCHEMA_VERSION
    columns = [r[1] for r in db.execute_sql('PRAGMA table_info("community")').fetchall()]
    assert "motto" not in columns


def test_a_newer_database_is_refused(empty_station: Paths, tmp_path: Path) -> None:
    db.execute_sql(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    with pytest.raises(schema.NewerSchemaError):
        schema.migrate(empty_station.database)


def _plan(sql: str, *args: object) -> str:
    return " ".join(str(r[-1]) for r in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", args))


def test_an_older_file_gets_the_id_number_index_on_open(empty_station: Paths) -> None:
    """An import's duplicate check finds a day's ID numbers by index, not by reading every
    resident of the station (issue 16) — also in a file made before the index existed,
    and without a new schema version (bundles stay readable by every station of it)."""
    lookup = "SELECT id FROM resident WHERE deleted = 0 AND id_number IN (?)"
    assert "resident_id_number" in _plan(lookup, "x")
    db.execute_sql("DROP INDEX resident_id_number")
    db.close()
    db.connect()
    assert "resident_id_number" not in _plan(lookup, "x")
    db.close()
    schema.open_database(empty_station.database)
    assert "resident_id_number" in _plan(lookup, "x")
    assert schema.user_version() == schema.SCHEMA_VERSION
