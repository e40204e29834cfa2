"""The audit trail: a record's history from the change log, and audited reveals.

Every change carries who made it (``Change.operator``: the operator's id), where
(``Change.origin``: the station) and when (its HLC); these sync with the change, so a
record's history reads the same on every station. Conflicts kept by the merge and
reveals of masked values (:class:`models.operators.RevealLog`, append-only and synced)
appear in the same timeline. Personal values are masked for roles that may not see them;
coded values (gender, relation, states, colours…) read in words (:mod:`app.labels`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peewee import BooleanField, DateTimeField, ForeignKeyField

from app import clock, labels, store
from app.hlc import decode
from app.services.trust import masking, operators, permissions
from models.operators import Operator, RevealLog
from models.schema import BY_NAME
from models.sync import Change, Conflict, Station


class AuditError(ValueError):
    """The record or the field cannot be audited or revealed as asked."""


@dataclass
class HistoryEntry:
    """One line of a record's history."""

    at: datetime  # local time
    kind: str  # insert, update, append, delete, conflict, reveal
    operator: str  # a name, or "" when nobody was signed in
    station: str  # station name (or id when unknown here)
    fields: dict[str, str] = field(default_factory=dict)  # shown values (masked as needed)
    note: str = ""  # for conflicts: the losing value and whether it is resolved


def _wall(hlc: str) -> datetime:
    ms = decode(hlc)[0]
    return clock.local(datetime.fromtimestamp(ms / 1000, tz=UTC))


def _names() -> tuple[dict[str, str], dict[str, str]]:
    ops = {o.id: o.name for o in Operator.select(Operator.id, Operator.name)}
    stations = {s.id: s.name for s in Station.select(Station.id, Station.name)}
    return ops, stations


#: Columns a person does not read in a history: keys, clocks and search caches derived
#: from the name and phone (recomputed, never typed).
HIDDEN_FIELDS = frozenset({"id", "field_clocks", "name_initials", "name_pinyin", "phone_tail",
                           "open_rank", "due_next"})
#: What a reference is read by, in order: the referenced record's first non-empty one.
REF_NAMES = ("name", "title", "number")


def _shown_fields(table: str, data: dict[str, Any], revealed: set[str],
                  scope: masking.Scope = masking.NOWHERE) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in sorted(data.items()):
        text = "" if value is None else str(value)
        if name in HIDDEN_FIELDS or (not text and name != "deleted"):
            continue
        out[name] = _shown(table, name, text, revealed, scope)
    return out


def _shown(table: str, name: str, text: str, revealed: set[str],
           scope: masking.Scope) -> str:
    """A personal value masked as the role requires; a coded one in words."""
    if permissions.is_personal(name):
        return masking.shown(name, text, revealed=name in revealed, scope=scope)
    model = BY_NAME.get(table)
    column = model._meta.fields.get(name) if model else None
    if isinstance(column, ForeignKeyField):
        return _reference(column, text)
    if isinstance(column, DateTimeField):
        return _local_time(text)
    return labels.field(table, name, text, boolean=isinstance(column, BooleanField))


def _reference(column: ForeignKeyField, row_id: str) -> str:
    """A referenced record by its name (a building, a grid …), else its short id."""
    target = column.rel_model
    row = target.get_or_none(target.id == row_id)
    names = [str(getattr(row, n) or "") for n in REF_NAMES if n in target._meta.fields] \
        if row is not None else []
    return next((n for n in names if n), row_id[:8])


def _local_time(text: str) -> str:
    """A stored UTC time as the desk's local minute (as every screen shows times)."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    return clock.local(at if at.tzinfo else at.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M")


def scope_of(table: str, row_id: str) -> masking.Scope:
    """Where a record sits, for the masking rules: a resident's or household's grid, a
    case's grid and handler."""
    from models.cases import Case
    from models.places import Building, Household, Resident

    household = None
    if table == "resident":
        r = Resident.get_or_none(Resident.id == row_id)
        household = r.household_id if r else None
    elif table == "household":
        household = row_id
    elif table == "case":
        c = Case.get_or_none(Case.id == row_id)
        return masking.Scope(grid_id=c.grid_id or "", handler=c.handler) if c else \
            masking.NOWHERE
    hh = Household.get_or_none(Household.id == household) if household else None
    b = Building.get_or_none(Building.id == hh.building_id) if hh else None
    return masking.Scope(grid_id=b.grid_id) if b else masking.NOWHERE


def _change_entry(c: Change, ops: dict[str, str], stations: dict[str, str],
                  revealed: set[str], scope: masking.Scope) -> HistoryEntry:
    data = json.loads(c.data)
    kind = "delete" if c.op == "update" and data.get("deleted") in (1, True) else c.op
    return HistoryEntry(at=_wall(c.hlc), kind=kind, operator=ops.get(c.operator, c.operator),
                        station=stations.get(c.origin, c.origin),
                        fields=_shown_fields(c.table, data, revealed, scope))


def _conflict_entry(c: Conflict, stations: dict[str, str], revealed: set[str],
                    scope: masking.Scope) -> HistoryEntry:
    origin = c.loser_stamp.rsplit("/", 1)[-1] if "/" in c.loser_stamp else ""
    loser = json.loads(c.loser_value)
    winner = json.loads(c.winner_value)
    shown = _shown_fields(c.table, {c.field: loser}, revealed, scope)
    kept = _shown(c.table, c.field, "" if winner is None else str(winner), revealed, scope)
    return HistoryEntry(at=clock.local(c.detected_at), kind="conflict", operator="",
                        station=stations.get(origin, origin), fields=shown,
                        note=json.dumps({"kept": kept, "resolved": bool(c.resolved)},
                                        ensure_ascii=False))


def _reveal_entry(r: RevealLog, stations: dict[str, str]) -> HistoryEntry:
    return HistoryEntry(at=clock.local(r.at), kind="reveal", operator=r.operator_name,
                        station=stations.get(r.station, r.station), fields={r.field: ""})


def history(table: str, row_id: str, revealed: set[str] | None = None) -> list[HistoryEntry]:
    """Everything that happened to one record, oldest first."""
    if table not in BY_NAME:
        raise AuditError(f"unknown table {table!r}")
    shown = revealed or set()
    scope = scope_of(table, row_id)
    ops, stations = _names()
    changes = (Change.select().where((Change.table == table) & (Change.row_id == row_id))
               .order_by(Change.hlc, Change.origin))
    entries = [_change_entry(c, ops, stations, shown, scope) for c in changes]
    conflicts = Conflict.select().where((Conflict.table == table) & (Conflict.row_id == row_id))
    entries += [_conflict_entry(c, stations, shown, scope) for c in conflicts]
    reveals = RevealLog.select().where((RevealLog.table == table) & (RevealLog.row_id == row_id))
    entries += [_reveal_entry(r, stations) for r in reveals]
    entries.sort(key=lambda e: e.at)
    return entries


def current_values(table: str, row_id: str, revealed: set[str] | None = None
                   ) -> dict[str, str]:
    """The record's content now, masked as the operator on duty may see it."""
    model = BY_NAME.get(table)
    if model is None:
        raise AuditError(f"unknown table {table!r}")
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise AuditError(f"no {table} {row_id}")
    return _shown_fields(table, row.as_content(), revealed or set(),
                         scope_of(table, row_id))


def reveal(table: str, row_id: str, field_name: str) -> str:
    """The clear value of a masked field, if the operator on duty may reveal it.

    The reveal is written first (an append-only :class:`RevealLog` that syncs); the
    value is returned only once that record is committed.
    """
    model = BY_NAME.get(table)
    if model is None or field_name not in model._meta.fields:
        raise AuditError(f"{table}.{field_name} does not exist")
    op = operators.current()
    if not permissions.may_reveal(operators.current_role(), field_name):
        raise permissions.Refused(f"reveal.{permissions.kind(field_name)}",
                                  operators.current_role())
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise AuditError(f"no {table} {row_id}")
    with store.write() as tx:
        tx.append(RevealLog, operator=op.id if op else "", operator_name=op.name if op else "",
                  station=tx.ctx.station_id, table=table, row_id=row_id, field=field_name,
                  at=clock.now())
    value = getattr(row, field_name)
    return "" if value is None else str(value)


def reveals(row_id: str | None = None) -> list[HistoryEntry]:
    """Recorded reveals (of one record, or all), newest first."""
    _, stations = _names()
    query = RevealLog.select()
    if row_id:
        query = query.where(RevealLog.row_id == row_id)
    return [_reveal_entry(r, stations) for r in query.order_by(RevealLog.at.desc())]
