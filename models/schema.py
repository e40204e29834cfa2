"""All tables, the schema version, and migrations (each preceded by a backup)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from peewee import OperationalError

from models.base import BaseModel
from models.cases import Case, CaseEvent, Evaluation
from models.civic import AgendaItem, Meeting
from models.db import bind, connect_file, db
from models.mediation import (
    AgreementTerm,
    Convention,
    FollowUp,
    Mediation,
    MediationParty,
    MediationSession,
    Mediator,
    SessionBasis,
)
from models.operators import Operator, RevealLog
from models.people import Person, Role
from models.places import (
    Building,
    CareFlag,
    Community,
    Grid,
    Household,
    Neighborhood,
    Organization,
    Quarter,
    Resident,
    Unit,
)
from models.search import SearchKey
from models.sync import (
    Change,
    Conflict,
    HeldBundle,
    LocalState,
    Peer,
    ReceivedBundle,
    Setting,
    Station,
)
from models.version import SCHEMA_VERSION
from models.visits import (
    LivelihoodItem,
    LivelihoodLink,
    LivelihoodNote,
    Opinion,
    Visit,
    VisitRound,
)

#: Every table, parents before children.
TABLES: list[type[BaseModel]] = [
    Community, Grid, Neighborhood, Quarter, Organization, Building, Unit, Household,
    Resident, CareFlag, Person, Role, VisitRound, Visit, Opinion, LivelihoodItem,
    LivelihoodLink, LivelihoodNote, Case, CaseEvent, Evaluation, Convention, Mediation,
    MediationParty, Mediator, MediationSession, SessionBasis, AgreementTerm, FollowUp,
    Meeting, AgendaItem, Operator, RevealLog, Station, Setting, Change, Conflict, LocalState,
    Peer, ReceivedBundle, HeldBundle,
]

BY_NAME: dict[str, type[BaseModel]] = {m._meta.table_name: m for m in TABLES}

#: Station-local derived tables: made with the schema, never synced, counted or digested.
DERIVED_TABLES: list[type[BaseModel]] = [SearchKey]



def _v2_search() -> None:
    """Version 2: the search-key table, and the (building, room) index on households
    that a door lookup needs (both made at run time by search before)."""
    db.create_tables(DERIVED_TABLES, safe=True)
    db.create_tables([Household], safe=True)  # IF NOT EXISTS: adds only the missing index


#: Indexes added within a schema version: they change no synced layout, so bundles stay
#: readable by every station of the version; an older file gets them on open (a no-op
#: once made, needing no lock; new files have them from the models).
LATE_INDEXES = (
    # an import's duplicate check looks up a day's few ID numbers (issue 16)
    "CREATE INDEX IF NOT EXISTS resident_id_number ON resident (id_number)",
)


def _late_indexes() -> None:
    try:
        for sql in LATE_INDEXES:
            db.execute_sql(sql)
    except OperationalError:  # busy (a sync writing): the next open makes them
        pass


#: version -> function migrating from version-1 to version (runs inside a transaction).
MIGRATIONS: dict[int, Callable[[], None]] = {2: _v2_search}


def user_version() -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def backup_file(path: Path, reason: str) -> Path:
    """Copy the database (consistently, via SQLite's backup API) next to it.

    An encrypted database is copied encrypted with the same key; the copy is written
    to a ``.part`` file and renamed, so a killed backup never leaves a half file.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.parent / "backups" / f"{path.stem}-{reason}-{stamp}.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    src = connect_file(path, db.cipher_key)
    try:
        dst = connect_file(part, db.cipher_key)
        try:
            src.backup(dst)
        finally:
            dst.close()
        os.replace(part, target)
    finally:
        src.close()
    return target


class NewerSchemaError(RuntimeError):
    """The database was written by a newer Mulin."""


def migrate(path: Path, migrations: dict[int, Callable[[], None]] | None = None) -> int:
    """Bring an existing database up to SCHEMA_VERSION, backing it up first."""
    steps = MIGRATIONS if migrations is None else migrations
    current = user_version()
    target = max([SCHEMA_VERSION, *steps]) if steps else SCHEMA_VERSION
    if current > target:
        raise NewerSchemaError(f"schema {current} > {target}")
    if current == target:
        return current
    backup_file(path, f"v{current}")
    with db.atomic():
        for version in range(current + 1, target + 1):
            if version in steps:
                steps[version]()
        db.execute_sql(f"PRAGMA user_version = {target}")
    return target


def open_database(path: Path) -> None:
    """Bind, create the schema on a new file, or migrate an older one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists() or path.stat().st_size == 0
    bind(path)
    db.connect(reuse_if_open=True)
    if is_new or user_version() == 0:
        with db.atomic():
            db.create_tables([*TABLES, *DERIVED_TABLES])
            db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    migrate(path)
    _late_indexes()
