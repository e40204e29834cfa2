"""Opening a station's database and knowing which station this copy is."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from app import store
from app.config import Paths
from app.hlc import HLC
from app.i18n import t
from app.services.cases import upgrade
from models.places import Community
from models.schema import open_database
from models.sync import LocalState, Station

if TYPE_CHECKING:
    from app.services.sync.keys import SealedKey

_PREFIX = re.compile(r"^[A-Z]{2,4}$")
#: LocalState key: the highest own change seq written into a bundle.
EXPORTED_SEQ = "exported_seq"


class StationError(ValueError):
    """A station cannot be set up or opened as asked."""


def _get_local(key: str) -> str | None:
    row = LocalState.get_or_none(LocalState.id == key)
    return json.loads(row.value) if row else None


def _set_local(key: str, value: object) -> None:
    LocalState.insert(id=key, value=json.dumps(value)).on_conflict_replace().execute()


def open_station(paths: Paths) -> store.StationContext | None:
    """Open (creating or migrating) the database; activate its station if it has one."""
    open_database(paths.database)
    station_id = _get_local("station_id")
    if station_id is None:
        store.activate(None)
        return None
    station = Station.get_by_id(station_id)
    ctx = store.StationContext(
        station_id=station_id,
        prefix=station.prefix,
        community_id=_get_local("community_id") or "",
        hlc=HLC(store.wall_ms),
    )
    store.activate(ctx)
    upgrade.bring_up_to_date()
    return ctx


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if not _PREFIX.match(prefix):
        raise StationError(t("faults.station.bad_prefix", prefix=prefix))
    return prefix


def create_station(
    name: str, prefix: str, community_id: str, station_id: str | None = None,
    key: bytes | None = None,
) -> store.StationContext:
    """Make this copy a station of ``community_id`` (the sync domain).

    ``key`` is the community key; without one (the demo, tests) the station gets the
    community's demo key, derived from its id, so it can sync without being asked.
    """
    from app.services.sync import keys

    if _get_local("station_id") is not None:
        raise StationError(t("faults.station.exists"))
    if not name.strip():
        raise StationError(t("faults.station.no_name"))
    community_key = key or keys.demo_key(community_id)
    ctx = store.StationContext(
        station_id=station_id or store.new_id(),
        prefix=check_prefix(prefix),
        community_id=community_id,
        hlc=HLC(store.wall_ms),
    )
    store.activate(ctx)
    try:
        with store.write() as tx:
            tx.insert(Station, id=ctx.station_id, name=name.strip(), prefix=ctx.prefix,
                      community_key_id=keys.key_id(community_key))
            _set_local("station_id", ctx.station_id)
            _set_local("community_id", community_id)
            upgrade.mark_current()
            keys.store_key(community_key, demo=key is None)
    except Exception:
        store.activate(None)
        raise
    return ctx


def init_community(paths: Paths, community: str, station: str, prefix: str) -> str:
    """``mulin init``: a new community with this copy as its first station and a new key."""
    from app.services.sync import keys

    if not community.strip():
        raise StationError(t("faults.station.no_community_name"))
    open_database(paths.database)
    community_id = store.new_id()
    create_station(station, prefix, community_id, key=keys.new_key())
    with store.write() as tx:
        tx.insert(Community, id=community_id, name=community.strip())
    return community_id


def station_summary() -> dict[str, str]:
    """Names the header shows: community, station, prefix."""
    ctx = store.context()
    station = Station.get_by_id(ctx.station_id)
    community = Community.get_or_none(Community.id == ctx.community_id)
    if community is None:
        community = Community.select().where(Community.deleted == False).first()  # noqa: E712
    return {
        "community": community.name if community else "",
        "station": station.name,
        "prefix": station.prefix,
    }


def join_community(paths: Paths, sealed: SealedKey, station: str, prefix: str) -> str:
    """``mulin init --join``: become a new station of the community in a key file.

    The community's content arrives with the first bundle imported (``--full`` seeds).
    """
    prefix = check_prefix(prefix)
    taken = {s.get("prefix", "") for s in sealed.stations}
    if prefix in taken:
        raise StationError(t("faults.station.prefix_taken", prefix=prefix))
    open_database(paths.database)
    create_station(station, prefix, sealed.community_id, key=sealed.key)
    return sealed.community_id


def pending_changes() -> int:
    """Local changes not yet exported in any bundle (the header's sync state)."""
    ctx = store.context()
    from models.db import db

    last = db.execute_sql("SELECT max(seq) FROM change WHERE origin = ?",
                          (ctx.station_id,)).fetchone()[0] or 0
    exported = _get_local(EXPORTED_SEQ) or 0
    return max(0, int(last) - int(exported))


def mark_exported(seq: int) -> None:
    """Remember the highest own change put into a bundle (for :func:`pending_changes`)."""
    if int(_get_local(EXPORTED_SEQ) or 0) < seq:
        _set_local(EXPORTED_SEQ, seq)
