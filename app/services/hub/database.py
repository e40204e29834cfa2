"""Opening the hub's PostgreSQL, joining communities and switching between them.

Design: one PostgreSQL schema per community, holding exactly a station's tables
(``models.schema.TABLES``), plus the schema ``mulin_hub`` for the hub's own tables.
Switching community is ``SET search_path``; every query the station code writes
unqualified then reads and writes that community, so the merge rules, the change log
and the digest are the stations' own code, not a copy.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from peewee import OperationalError

from app import clock, store
from app.hlc import HLC
from app.i18n import t
from app.services.cases import upgrade
from models import db as dbmod
from models.db import db
from models.hub import HUB_SCHEMA, HUB_TABLES, HubCommunity, HubMeta
from models.pg import HubDatabase, qualified

if TYPE_CHECKING:
    from app.services.sync.keys import SealedKey

ENV_DB = "MULIN_HUB_DB"
#: Indexes the hub adds to each community's tables, beyond the stations' own: each
#: case's latest resident rating (the rates' facts, :mod:`app.services.cases.metrics`)
#: read from the index alone, so the street desk's figures of ten communities come fast.
HUB_INDEXES = (
    "CREATE INDEX IF NOT EXISTS evaluation_latest_resident ON {schema}.evaluation "
    "(case_id, at, id) INCLUDE (score) WHERE kind = 'resident'",
)
#: Version of the hub's layout (``mulin_hub`` tables and per-community schemas).
HUB_SCHEMA_VERSION = 1
_VERSION_KEY = "schema_version"


class HubError(ValueError):
    """The hub cannot do what was asked; the message says why in one line."""


def resolve_url(given: str | None) -> str:
    """``--db`` beats ``MULIN_HUB_DB``."""
    url = given or os.environ.get(ENV_DB, "")
    if not url:
        raise HubError(t("hub.err.no_db", env=ENV_DB))
    if not url.startswith(("postgresql://", "postgres://")):
        raise HubError(t("hub.err.bad_url", url=url))
    return url


def _hub() -> HubDatabase:
    if not isinstance(db.obj, HubDatabase):
        raise HubError(t("hub.err.not_open"))
    return db.obj


def url() -> str:
    """The URL of the open hub's database (for worker processes to connect to)."""
    return str(_hub().database)


def connect(url: str) -> HubDatabase:
    """Point the shared handle at the hub's PostgreSQL and open a connection."""
    database = HubDatabase(url)
    database.schema = HUB_SCHEMA
    dbmod.use(database)
    try:
        db.connect(reuse_if_open=True)
    except OperationalError as exc:
        raise HubError(t("hub.err.connect", detail=str(exc).strip().splitlines()[0])) from exc
    return database


def _version() -> int | None:
    exists = db.execute_sql("SELECT 1 FROM information_schema.tables WHERE table_schema = ? "
                            "AND table_name = ?", (HUB_SCHEMA, "hub_meta")).fetchone()
    if not exists:
        return None
    row = HubMeta.get_or_none(HubMeta.id == _VERSION_KEY)
    return int(row.value) if row else None


def init(url: str) -> bool:
    """``mulin hub init``: create the hub's schema (True), or check an existing one and
    bring its indexes up to date (False)."""
    connect(url)
    version = _version()
    if version is not None:
        _check_version(version)
        with db.atomic():  # a hub made before an index was added gets it now
            for community in communities():
                _add_indexes(community.schema_name)
        return False
    with db.atomic():
        db.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {qualified(HUB_SCHEMA)}")
        db.create_tables(HUB_TABLES)
        HubMeta.insert(id=_VERSION_KEY, value=str(HUB_SCHEMA_VERSION)).execute()
        HubMeta.insert(id="street_id", value=store.new_id()).execute()  # see hub.backup
    return True


def _check_version(version: int) -> None:
    if version > HUB_SCHEMA_VERSION:
        raise HubError(t("hub.err.newer", found=version, known=HUB_SCHEMA_VERSION))


def open_hub(url: str) -> HubDatabase:
    """Connect to an initialised hub (refuse a database that is not one)."""
    database = connect(url)
    version = _version()
    if version is None:
        raise HubError(t("hub.err.not_hub"))
    _check_version(version)
    for community in communities():  # cached case columns follow the machine's rules
        activate(community)
        upgrade.bring_up_to_date()
    store.activate(None)
    return database


def close() -> None:
    """Close the hub's connection and point the shared handle back at SQLite."""
    store.activate(None)
    if not db.is_closed():
        db.close()
    dbmod.use(dbmod.sqlite_db)


# -- communities ---------------------------------------------------------------------
def schema_for(community_id: str) -> str:
    return "c_" + hashlib.sha256(community_id.encode()).hexdigest()[:16]


def communities() -> list[HubCommunity]:
    return list(HubCommunity.select().order_by(HubCommunity.name, HubCommunity.id))


def find(name: str) -> HubCommunity:
    """A joined community by name, id or schema."""
    for c in communities():
        if name in (c.name, c.id, c.schema_name):
            return c
    raise HubError(t("hub.err.no_community", name=name))


def by_id(community_id: str) -> HubCommunity | None:
    return HubCommunity.get_or_none(HubCommunity.id == community_id)


def activate(community: HubCommunity) -> store.StationContext:
    """Make ``community`` the one the station code reads and writes."""
    _hub().use_schema(community.schema_name)
    ctx = store.StationContext(station_id=community.station_id, prefix=community.prefix,
                               community_id=community.id, hlc=HLC(store.wall_ms))
    store.activate(ctx)
    return ctx


def _create_tables(schema: str) -> None:
    from models.schema import TABLES  # every station table: only when a community joins
    from models.search import SearchKey

    hub = _hub()
    db.execute_sql(f"CREATE SCHEMA {qualified(schema)}")
    hub.use_schema(schema)
    db.create_tables([*TABLES, SearchKey])
    hub.collate_c(schema)
    _add_indexes(schema)


def _add_indexes(schema: str) -> None:
    for sql in HUB_INDEXES:
        db.execute_sql(sql.format(schema=qualified(schema)))


def join(sealed: SealedKey, station: str, prefix: str) -> HubCommunity:
    """``mulin hub join``: the hub becomes one more station of the key file's community."""
    from app.services.station import identity

    prefix = identity.check_prefix(prefix)
    if prefix in {s.get("prefix", "") for s in sealed.stations}:
        raise HubError(t("hub.err.prefix_taken", prefix=prefix))
    if by_id(sealed.community_id):
        raise HubError(t("hub.err.joined", name=sealed.community_name or sealed.community_id))
    schema = schema_for(sealed.community_id)
    try:
        with db.atomic():
            _create_tables(schema)
            ctx = identity.create_station(station, prefix, sealed.community_id, key=sealed.key)
            HubCommunity.insert(id=sealed.community_id, schema_name=schema,
                                name=sealed.community_name, station_id=ctx.station_id,
                                prefix=ctx.prefix, joined_at=clock.to_storage(clock.now())
                                ).execute()
    finally:
        store.activate(None)
        _hub().use_schema(HUB_SCHEMA)
    return find(sealed.community_id)


def remember_name(community: HubCommunity, name: str) -> None:
    """Keep the community's name once its content (the ``community`` row) has arrived."""
    if name and name != community.name:
        HubCommunity.update(name=name).where(HubCommunity.id == community.id).execute()
