"""What the sync screen shows, as plain dataclasses, and the conflict decisions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import clock, store
from app.hlc import decode
from app.services.station import identity as station_service
from app.services.sync import keys
from app.services.sync.peers import clock_warnings, station_names
from app.services.trust import masking
from models.db import db
from models.operators import Operator
from models.schema import BY_NAME
from models.sync import Change, Conflict, Peer, Station


@dataclass(frozen=True)
class PeerView:
    station_id: str
    name: str
    last_heard: datetime | None  # local time
    holds_ours: int  # how many of our own changes it acknowledged


@dataclass(frozen=True)
class Overview:
    station: str
    pending: int
    own_changes: int
    peers: list[PeerView]
    demo_key: bool
    warnings: list[str]
    open_conflicts: int


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    row_id: str
    record: str  # a readable label for the record
    field: str
    kind: str
    current: str  # the value now in the record
    other: str  # the value that lost
    winner_who: str
    winner_when: datetime | None
    other_who: str
    other_when: datetime | None


def overview() -> Overview:
    ctx = store.context()
    me = Station.get_by_id(ctx.station_id)
    own = db.execute_sql("SELECT coalesce(max(seq), 0) FROM change WHERE origin = ?",
                         (ctx.station_id,)).fetchone()[0]
    names = station_names()
    peers = [PeerView(p.id, names.get(p.id, p.name),
                      clock.local(p.last_heard) if p.last_heard else None,
                      int(json.loads(p.acks).get(ctx.station_id, 0)))
             for p in Peer.select().order_by(Peer.last_heard.desc(nulls="LAST"))]
    known = {p.station_id for p in peers}
    peers += [PeerView(s.id, names[s.id], None, 0) for s in Station.select()
              if s.id not in known and s.id != ctx.station_id]
    open_count = Conflict.select().where(Conflict.resolved == False).count()  # noqa: E712
    return Overview(f"{me.name} ({me.prefix})", station_service.pending_changes(), int(own),
                    peers, keys.is_demo_key(), [w.text() for w in clock_warnings()],
                    open_count)


def _who(stamp: str, names: dict[str, str]) -> tuple[str, datetime | None]:
    if "/" not in stamp:
        return "", None
    hlc, origin = stamp.rsplit("/", 1)
    change = Change.get_or_none((Change.origin == origin) & (Change.hlc == hlc))
    who = names.get(origin, origin[:8])
    if change is not None and change.operator:
        operator = Operator.get_or_none(Operator.id == change.operator)
        who = f"{who} {operator.name if operator else change.operator[:12]}"
    ms, _ = decode(hlc)
    return who, clock.local(datetime.fromtimestamp(ms / 1000, clock.LOCAL_TZ))


def _shown(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_shown(k, v)}" for k, v in sorted(value.items()))
    return masking.shown(field, str(value))


def _record_label(table: str, row_id: str) -> str:
    model = BY_NAME.get(table)
    label = ""
    if model is not None:
        row = model.get_or_none(model.id == row_id)
        for name in ("number", "name", "room", "title", "key"):
            if row is not None and name in model._meta.fields and getattr(row, name, None):
                label = str(getattr(row, name))
                break
    return f"{table}:{label or row_id[:8]}"


def count_conflicts(open_only: bool = True) -> int:
    query = Conflict.select()
    if open_only:
        query = query.where(Conflict.resolved == False)  # noqa: E712
    return query.count()


def conflicts_page(offset: int, limit: int, open_only: bool = True) -> list[ConflictView]:
    query = Conflict.select()
    if open_only:
        query = query.where(Conflict.resolved == False)  # noqa: E712
    rows = query.order_by(Conflict.detected_at.desc(), Conflict.id).offset(offset).limit(limit)
    names = station_names()
    return [_view(c, names) for c in rows]


def conflict(conflict_id: str) -> ConflictView | None:
    c = Conflict.get_or_none(Conflict.id == conflict_id)
    return _view(c, station_names()) if c else None


def _current_value(c: Conflict) -> Any:
    model = BY_NAME.get(c.table)
    if model is None or c.field not in model._meta.fields:
        return json.loads(c.winner_value)
    column = model._meta.fields[c.field].column_name
    row = db.execute_sql(f'SELECT "{column}" FROM "{c.table}" WHERE id = ?',
                         (c.row_id,)).fetchone()
    return row[0] if row else None


def _view(c: Conflict, names: dict[str, str]) -> ConflictView:
    winner_who, winner_when = _who(c.winner_stamp, names)
    other_who, other_when = _who(c.loser_stamp, names)
    loser = json.loads(c.loser_value)
    return ConflictView(c.id, c.table, c.row_id, _record_label(c.table, c.row_id), c.field,
                        c.kind, _shown(c.field, _current_value(c)), _shown(c.field, loser),
                        winner_who, winner_when, other_who, other_when)


class ConflictError(ValueError):
    """The conflict cannot be resolved as asked."""


def accept_winner(conflict_id: str) -> None:
    """Keep the value the merge chose; the conflict leaves the list."""
    Conflict.update(resolved=True, resolution="winner").where(
        Conflict.id == conflict_id).execute()


def keep_other(conflict_id: str, operator: str | None = None) -> None:
    """Write the losing value again, as a new change that syncs onward.

    For a delete conflict the record is restored (the edit made elsewhere is kept).
    """
    c = Conflict.get_or_none(Conflict.id == conflict_id)
    if c is None:
        raise ConflictError("no such conflict")
    model = BY_NAME[c.table]
    values = {"deleted": False} if c.kind == "delete" else {c.field: json.loads(c.loser_value)}
    with store.write(operator) as tx:
        tx.update(model, c.row_id, **values)  # type: ignore[arg-type]
        Conflict.update(resolved=True, resolution="other").where(
            Conflict.id == conflict_id).execute()
