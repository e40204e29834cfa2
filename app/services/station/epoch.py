"""A restored or cloned copy never reuses a change number (issue 18).

Change numbers (``seq``) count per origin station. A database restored from a backup
has forgotten the numbers its station gave out after the backup — numbers its peers
already hold — so it must not go on counting under the same id. :func:`new_identity`
makes the copy a *new* station: same name and prefix, a new id whose numbers start at
1. When the copy replaces its old self (a restore in place) the old id is *retired*: a
tombstone on its ``station`` row, synced like any change, so peers stop waiting for
its acknowledgements; its changes made after the backup come back from the peers.

:func:`reused_numbers` finds the damage an older restore or a copied folder did: peers
that acknowledge more of this station's numbers than it holds.
"""

from __future__ import annotations

import json

from app import store
from app.hlc import HLC
from models.db import db
from models.sync import Change, LocalState, Peer, Station

#: LocalState: the ids this copy had before (newest last).
PREVIOUS_IDS = "previous_station_ids"


def _local(key: str) -> object:
    row = LocalState.get_or_none(LocalState.id == key)
    return json.loads(row.value) if row else None


def _set_local(key: str, value: object) -> None:
    LocalState.insert(id=key, value=json.dumps(value)).on_conflict_replace().execute()


def new_identity(retire: bool, prefix: str | None = None,
                 known: list[str] | None = None) -> store.StationContext:
    """Give this copy a new station id (same name and prefix unless ``prefix``).

    ``known``: ids the copy had before the restore (they are remembered, and retired
    with the old id when their ``station`` rows are here)."""
    old_id = str(_local("station_id") or "")
    old = Station.get_by_id(old_id)
    ctx = store.StationContext(
        station_id=store.new_id(), prefix=prefix or old.prefix,
        community_id=str(_local("community_id") or ""), hlc=HLC(store.wall_ms))
    store.activate(ctx)
    previous = previous_ids()
    for station_id in [*(known or []), old_id]:
        if station_id not in previous:
            previous.append(station_id)
    with store.write() as tx:
        tx.insert(Station, id=ctx.station_id, name=old.name, prefix=ctx.prefix,
                  community_key_id=old.community_key_id)
        gone = [old_id, *(known or [])] if retire else []
        for row in Station.select().where(Station.id.in_(gone), Station.deleted == False):  # noqa: E712
            tx.update(Station, row.id, deleted=True)
        _set_local("station_id", ctx.station_id)
        _set_local("exported_seq", 0)
        _set_local(PREVIOUS_IDS, previous)
    return ctx


def previous_ids() -> list[str]:
    """The ids this copy had before (its own backups from then may be restored)."""
    return [str(i) for i in (_local(PREVIOUS_IDS) or [])]  # type: ignore[attr-defined]


def retired() -> set[str]:
    """Stations whose copies were replaced (their acknowledgements no longer count)."""
    return {s.id for s in Station.select(Station.id).where(Station.deleted == True)}  # noqa: E712


def reused_numbers(station_id: str) -> list[tuple[str, int, int]]:
    """(peer, numbers it holds, numbers we hold) where a peer holds more of ours."""
    top = db.execute_sql("SELECT max(seq) FROM change WHERE origin = ?",
                         (station_id,)).fetchone()[0] or 0
    out = []
    for peer in Peer.select():
        held = int(json.loads(peer.acks).get(station_id, 0))
        if held > top:
            out.append((peer.name or peer.id[:8], held, int(top)))
    return out


def prefix_clashes() -> list[tuple[str, list[str]]]:
    """Prefixes (case numbers' first letters) used by more than one live station."""
    by_prefix: dict[str, list[str]] = {}
    for s in Station.select().where(Station.deleted == False):  # noqa: E712
        by_prefix.setdefault(s.prefix, []).append(s.name)
    return sorted((p, sorted(names)) for p, names in by_prefix.items() if len(names) > 1)


def _joined(station_id: str) -> tuple[str, str]:
    """When a station joined: the clock of its row's first change (then its id)."""
    first = (Change.select(Change.hlc)
             .where((Change.table == Station._meta.table_name) & (Change.row_id == station_id))
             .order_by(Change.hlc).first())
    return (first.hlc if first else "", station_id)


def renumber_on_clash() -> tuple[str, str] | None:
    """A prefix clash learnt by sync: the later-joined station takes a new prefix.

    Only this station renumbers itself, and only when another live station with the same
    prefix joined before it; its future case and mediation numbers use the first free
    ``prefix + digit`` (a stamped change on its ``station`` row). Numbers already given
    out stay: they are history. Returns (old, new) when it renumbered.
    """
    try:
        ctx = store.context()
    except store.NoStationError:  # the hub's own database has no station of its own
        return None
    mine = Station.get_or_none(Station.id == ctx.station_id)
    if mine is None or mine.deleted:
        return None
    live = list(Station.select().where(Station.deleted == False))  # noqa: E712
    rivals = [s for s in live if s.prefix == mine.prefix and s.id != mine.id]
    if not rivals or min(_joined(s.id) for s in rivals) > _joined(mine.id):
        return None
    taken = {s.prefix for s in live}
    new = next(f"{mine.prefix}{n}" for n in range(2, 100) if f"{mine.prefix}{n}" not in taken)
    with store.write() as tx:
        tx.update(Station, mine.id, prefix=new)
    old, ctx.prefix = mine.prefix, new
    return old, new
