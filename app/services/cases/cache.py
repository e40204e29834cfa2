"""The case's derived cache: the columns on ``case`` that its events decide.

State, level, handler, the response and resolution deadlines, ``open_rank`` and
``due_next`` exist so lists page straight off an index; they are recomputed here (not
logged: a cache) after every local action, after an import (registered with
:mod:`app.services.station.derived`), and for a whole community when the deadline
settings change. The demo generator fills them with :func:`cache_values` too, so there
is one computation of what a case's cached columns hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from app import clock, store
from app.services.cases import deadlines
from app.services.cases.machine import CLOSED_RANK, COLOUR_RANK, LEVELS, Derived, Event, derive
from app.services.station import derived, settings
from models.cases import Case, CaseEvent
from models.db import db
from models.sync import setting_id


# -- reading events --------------------------------------------------------------------
def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _event(event_id: str, kind: str, at: datetime, actor: str, note: str, data: str) -> Event:
    try:
        details = json.loads(data) if data and data != "{}" else {}
    except ValueError:
        details = {}
    return Event(event_id, kind, _aware(at), actor, note,
                 details if isinstance(details, dict) else {})


def event_from_row(row: CaseEvent) -> Event:
    return _event(row.id, row.kind, row.at, row.actor, row.note, row.data)


def events_of(case_id: str) -> list[Event]:
    rows = CaseEvent.select().where(CaseEvent.case == case_id)
    return sorted((event_from_row(r) for r in rows), key=Event.sort_key)


def current(case_id: str) -> Derived:
    """The case as its events say it is now."""
    case = Case.get_by_id(case_id)
    events = events_of(case_id)
    return derive(events, _fallback_level(case.level, events))


def _fallback_level(level: str, events: list[Event]) -> str:
    """The level to start from when no ``received`` event names one (foreign writers).

    The column is only trusted while no escalation moved it, so a refresh is idempotent.
    """
    moved = any(e.kind in ("escalated", "deescalated") for e in events)
    return "grid" if moved or level not in LEVELS else level


# -- the derived cache -----------------------------------------------------------------
def cache_values(received_at: datetime, colour: str, category: str, d: Derived,
                 rules: deadlines.DeadlineRules) -> dict[str, Any]:
    """The cached columns of a case received at ``received_at`` whose events give ``d``
    (times aware; :func:`_stored` turns them into the naive UTC the table holds)."""
    received = _aware(received_at)
    start = d.clock_start or received
    due_resp = deadlines.due_response(received, colour, category, rules)
    due_res = deadlines.due_resolution(start, colour, category, rules)
    return {
        "state": d.state, "level": d.level, "handler": d.handler,
        "due_next": due_res if d.responded_at else min(due_resp, due_res),
        "open_rank": COLOUR_RANK.get(colour, 2) if d.is_open else CLOSED_RANK,
        "responded_at": d.responded_at, "resolved_at": d.resolved_at,
        "due_response": due_resp, "due_resolution": due_res,
    }


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    return {k: clock.to_storage(v) if isinstance(v, datetime) else v
            for k, v in values.items()}


_CACHED = ("state", "level", "handler", "due_next", "open_rank", "responded_at",
           "resolved_at", "due_response", "due_resolution")


def refresh_derived_cache(case_ids: Iterable[str]) -> int:
    """Recompute the cached columns of these cases from their events (not logged: a cache).

    Returns how many cases were refreshed.
    """
    ids = sorted(set(case_ids))
    rules = deadlines.rules()
    fields = [Case._meta.fields[name] for name in _CACHED]
    sets = ", ".join(f'"{f.column_name}" = ?' for f in fields)
    sql = f'UPDATE "{Case._meta.table_name}" SET {sets} WHERE id = ?'
    received = Case.received_at.python_value
    columns = ", ".join(f'"{Case._meta.fields[n].column_name}"'
                        for n in ("id", "received_at", "colour", "category", "level"))
    done = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        by_case = _events_by_case(chunk)
        params = []
        marks = ",".join("?" for _ in chunk)
        rows = db.execute_sql(  # plain rows: an import refreshes every case of a community
            f'SELECT {columns} FROM "{Case._meta.table_name}" WHERE id IN ({marks})', chunk)
        for case_id, received_at, colour, category, level in rows:
            # the intake level comes from the ``received`` event; the column only
            # stands in for events written before the level was recorded there
            events = by_case[case_id]
            d = derive(events, _fallback_level(level, events))
            values = _stored(cache_values(received(received_at), colour, category, d, rules))
            params.append([*(f.db_value(values[f.name]) for f in fields), case_id])
        with db.atomic():  # one statement for the chunk: the values as peewee stores them
            db.cursor().executemany(sql, params)
        done += len(params)
    return done


def _events_by_case(chunk: list[str]) -> dict[str, list[Event]]:
    """The events of these cases, read as plain rows (an import refreshes every case of a
    community: model instances cost more than the derivation itself)."""
    at = CaseEvent.at.python_value
    by_case: dict[str, list[Event]] = {c: [] for c in chunk}
    marks = ",".join("?" for _ in chunk)
    rows = db.execute_sql(f'SELECT id, case_id, kind, at, actor, note, data FROM '
                          f'"{CaseEvent._meta.table_name}" WHERE case_id IN ({marks})', chunk)
    for event_id, case_id, kind, when, actor, note, data in rows:
        by_case[case_id].append(_event(event_id, kind, at(when), actor, note, data))
    return by_case


@derived.register_tables("case", "case_event")
def _refresh_cases(changed: dict[str, set[str]]) -> None:
    """A case (or one of its events) arrived: recompute each such case once (cases
    first: :func:`app.services.station.derived.register_tables`)."""
    case_ids = set(changed.get("case", set()))
    id_list = sorted(changed.get("case_event", set()))
    table, column = CaseEvent._meta.table_name, CaseEvent.case.column_name
    for i in range(0, len(id_list), 500):  # plain rows: a full import names every event
        chunk = id_list[i:i + 500]
        marks = ",".join("?" for _ in chunk)
        case_ids.update(r[0] for r in db.execute_sql(
            f'SELECT DISTINCT "{column}" FROM "{table}" WHERE id IN ({marks})', chunk))
    refresh_derived_cache(case_ids)


def refresh_community(community_id: str) -> int:
    """Recompute every case of a community (after a generator or a rules change)."""
    ids = [c.id for c in Case.select(Case.id).where(Case.community == community_id)]
    return refresh_derived_cache(ids)


def _refresh_every_community() -> int:
    communities = [row.community_id for row in Case.select(Case.community).distinct()]
    return sum(refresh_community(community) for community in communities)


def change_deadline_rules(rules: deadlines.DeadlineRules) -> int:
    """Store new deadline rules and recompute every case's due times in the same write.

    Returns how many cases were recomputed.
    """
    with store.write():
        settings.put_json(deadlines.SETTING_KEY, rules.model_dump())
        return _refresh_every_community()


@derived.register("setting")
def _refresh_after_rules(ids: set[str]) -> None:
    """Deadline rules that arrived in a bundle move every case's due times."""
    if setting_id(deadlines.SETTING_KEY) in ids:
        _refresh_every_community()
