"""The write path: every mutation is stamped (HLC + station) and logged in one transaction.

Services open a :func:`write` block and call ``insert`` / ``update`` / ``delete`` /
``append`` on it; each call writes the row and a :class:`models.sync.Change` in the same
SQLite transaction (DESIGN.md, sync contract 1). If anything raises, nothing is written
and nothing is logged.

**A busy database** (another process — an import, a sync — holds the write lock):
:func:`immediate` retries ``BEGIN IMMEDIATE`` and between tries asks the thread's
*waiter* (see :func:`waiting`) whether to keep waiting; the CLI's waiter says so on
stderr and waits until Ctrl+C, the TUI's shows a cancellable notice. Without a waiter a
busy database raises :class:`DatabaseBusy` after SQLite's ``busy_timeout``.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from peewee import BooleanField, ForeignKeyField, Model, OperationalError, SqliteDatabase

from app import clock
from app.hlc import HLC, stamp_key
from models.base import BaseModel, SyncedModel
from models.db import PRAGMAS, db
from models.sync import Change


class NoStationError(RuntimeError):
    """No station is active: run ``mulin init`` or use ``--demo``."""


class DatabaseBusy(RuntimeError):
    """Another process holds the write lock and the caller stopped waiting."""


#: ``waiter(seconds waited so far)`` -> keep waiting? Called between tries.
Waiter = Callable[[float], bool]


@dataclass
class StationContext:
    """Who is writing: this station, its community and the operator on duty."""

    station_id: str
    prefix: str
    community_id: str
    hlc: HLC
    operator: str = ""


_context: StationContext | None = None
#: Per thread: the open transaction (nested writes join it) and the waiter.
_local = threading.local()
#: For threads without their own :func:`waiting`: (waiter, ms per try) or None.
_default_wait: tuple[Waiter | None, int] | None = None


def activate(ctx: StationContext | None) -> None:
    global _context
    _context = ctx


def context() -> StationContext:
    if _context is None:
        raise NoStationError("no active station")
    return _context


def wall_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


def storage_value(model: type[Model], name: str, value: Any) -> Any:
    """A value in the exact form the database stores and the change log records."""
    if value is None:
        return None
    field = model._meta.fields[name]
    if isinstance(field, ForeignKeyField) and isinstance(value, Model):
        return value.get_id()
    if isinstance(field, BooleanField):
        return 1 if value else 0
    if isinstance(value, datetime):
        return clock.to_storage(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _normalise(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(model._meta.fields)
    if unknown:
        raise KeyError(f"{model.__name__} has no field {sorted(unknown)}")
    return {k: storage_value(model, k, v) for k, v in values.items()}


def _column_names(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """Field names to column names (``household`` -> ``household_id``)."""
    fields = model._meta.fields
    return {fields[k].column_name: v for k, v in values.items()}


def _with_defaults(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """Every field of the model, defaults filled in, in storage form."""
    out: dict[str, Any] = {}
    for name, field in model._meta.fields.items():
        if name in values:
            out[name] = values[name]
        else:
            default = field.default() if callable(field.default) else field.default
            out[name] = storage_value(model, name, default)
    return out


_BOOL, _FK, _PLAIN = 1, 2, 0
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


@functools.cache
def _plan(model: type[Model]) -> tuple[frozenset[str], tuple[tuple[str, int, Any], ...]]:
    """Per model, once: its field names, and for each field its kind and default."""
    fields = model._meta.fields
    plan = tuple((name, _BOOL if isinstance(f, BooleanField)
                  else _FK if isinstance(f, ForeignKeyField) else _PLAIN, f.default)
                 for name, f in fields.items())
    return frozenset(fields), plan


def _fast_value(kind: int, value: Any) -> Any:
    """:func:`storage_value` without the per-call field lookup (the bulk insert path)."""
    if value is None:
        return None
    if kind == _BOOL:
        return 1 if value else 0
    if type(value) is str or type(value) is int:
        return value
    if kind == _FK and isinstance(value, Model):
        return value.get_id()
    if isinstance(value, datetime):
        return clock.to_storage(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _full_row(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """``_with_defaults(model, _normalise(model, values))`` in one pass, same result."""
    names, plan = _plan(model)
    if not names.issuperset(values):
        raise KeyError(f"{model.__name__} has no field {sorted(set(values) - names)}")
    out: dict[str, Any] = {}
    for name, kind, default in plan:
        if name in values:
            out[name] = _fast_value(kind, values[name])
        else:
            out[name] = _fast_value(kind, default() if callable(default) else default)
    return out


def raw_insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given in storage form with one prepared statement (fast bulk path)."""
    if not rows:
        return
    names = list(rows[0])
    fields = model._meta.fields
    columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    db.cursor().executemany(sql, [tuple(r[n] for n in names) for r in rows])


class Tx:
    """One open write transaction; hands out stamps and logs every change."""

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx
        row = db.execute_sql(
            "SELECT max(seq) FROM change WHERE origin = ?", (ctx.station_id,)
        ).fetchone()
        self._seq = int(row[0] or 0)
        latest = db.execute_sql("SELECT max(hlc) FROM change").fetchone()[0]
        if latest:
            ctx.hlc.observe(latest)
        self._log: list[dict[str, Any]] = []

    def _stamp(self) -> str:
        return self.ctx.hlc.tick()

    def _record(self, model: type[Model], row_id: str, op: str, data: dict[str, Any],
                hlc: str, base: str = "") -> None:
        self._seq += 1
        self._log.append({
            "id": new_id(), "origin": self.ctx.station_id, "seq": self._seq, "hlc": hlc,
            "table": model._meta.table_name, "row_id": row_id, "op": op,
            "data": _JSON.encode(data),
            "operator": self.ctx.operator,
            "base": base,  # the clocks this writer overwrote (sync: concurrent or not)
        })
        if len(self._log) >= 500:
            self.flush()

    def flush(self) -> None:
        """Write buffered change-log rows (always before the transaction commits)."""
        if self._log:
            raw_insert(Change, self._log)
            self._log = []

    def insert(self, model: type[BaseModel], **values: Any) -> str:
        """Insert one row; returns its id."""
        return self.insert_many(model, [values])[0]

    def insert_many(self, model: type[BaseModel], rows: Iterable[dict[str, Any]]) -> list[str]:
        """Insert rows in batches, logging one change per row."""
        ids: list[str] = []
        batch: list[dict[str, Any]] = []
        op = "append" if model.append_only else "insert"
        synced = issubclass(model, SyncedModel)
        for values in rows:
            data = _full_row(model, {**values, "id": values.get("id") or new_id()})
            hlc = self._stamp()
            if synced:
                data["field_clocks"] = json.dumps({"*": stamp_key(hlc, self.ctx.station_id)})
            logged = {k: v for k, v in data.items() if k != "field_clocks"}
            self._record(model, data["id"], op, logged, hlc)
            ids.append(data["id"])
            batch.append(data)
            if len(batch) >= 500:
                raw_insert(model, batch)
                batch = []
        raw_insert(model, batch)
        return ids

    def append(self, model: type[BaseModel], **values: Any) -> str:
        """Add an append-only fact (an event, a visit, a session)."""
        if not model.append_only:
            raise TypeError(f"{model.__name__} is not append-only")
        return self.insert(model, **values)

    def update(self, model: type[SyncedModel], row_id: str, **values: Any) -> dict[str, Any]:
        """Change fields of a mutable row; only fields whose value changes are logged."""
        if model.append_only or not issubclass(model, SyncedModel):
            raise TypeError(f"{model.__name__} rows cannot be updated")
        row = model.get_by_id(row_id)
        new = _normalise(model, values)
        current = {k: storage_value(model, k, row.__data__.get(k)) for k in new}
        changed = {k: v for k, v in new.items() if current[k] != v}
        if not changed:
            return {}
        hlc = self._stamp()
        base = row.field_clocks or "{}"
        clocks = json.loads(base)
        for name in changed:
            clocks[name] = stamp_key(hlc, self.ctx.station_id)
        columns = _column_names(model, changed)
        columns["field_clocks"] = json.dumps(clocks, sort_keys=True)
        model.update(columns).where(model.id == row_id).execute()
        self._record(model, row_id, "update", changed, hlc, base)
        return changed

    def delete(self, model: type[SyncedModel], row_id: str) -> None:
        """Delete as a tombstone: an update of ``deleted`` that syncs like any change."""
        self.update(model, row_id, deleted=True)


# -- waiting for a busy database ---------------------------------------------------------
def is_busy(exc: BaseException) -> bool:
    """True for "database is locked / busy" (another process holds the write lock)."""
    if isinstance(exc, DatabaseBusy):
        return True
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def set_default_wait(waiter: Waiter | None, try_ms: int) -> None:
    """Process-wide: how threads without their own :func:`waiting` wait (CLI, TUI)."""
    global _default_wait
    _default_wait = (waiter, try_ms)


@contextmanager
def waiting(waiter: Waiter | None, try_ms: int = 300) -> Iterator[None]:
    """In this thread, a busy database calls ``waiter`` every ``try_ms`` until it says no."""
    before = getattr(_local, "wait", None)
    _local.wait = (waiter, try_ms)
    try:
        yield
    finally:
        _local.wait = before


def _wait_plan() -> tuple[Waiter | None, int | None]:
    plan = getattr(_local, "wait", None) or _default_wait
    return plan if plan is not None else (None, None)


BUSY_TIMEOUT_MS = int(str(PRAGMAS["busy_timeout"]))


def _set_busy_timeout(ms: int) -> None:
    if isinstance(db.obj, SqliteDatabase):  # the hub's PostgreSQL waits on its own lock
        db.execute_sql(f"PRAGMA busy_timeout = {int(ms)}")


def _begin(atomic: Any) -> None:
    """Enter ``atomic`` (BEGIN IMMEDIATE), waiting as the thread's plan says."""
    waiter, try_ms = _wait_plan()
    started = time.monotonic()
    if try_ms is not None:
        _set_busy_timeout(try_ms)
    try:
        while True:
            try:
                atomic.__enter__()
                return
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                if waiter is None or not waiter(time.monotonic() - started):
                    raise DatabaseBusy(str(exc)) from exc
    finally:
        if try_ms is not None:
            _set_busy_timeout(BUSY_TIMEOUT_MS)


@contextmanager
def immediate() -> Iterator[None]:
    """A write transaction (``BEGIN IMMEDIATE``) that waits for a busy database."""
    atomic = db.atomic(lock_type="IMMEDIATE")
    if db.transaction_depth() > 0:
        with atomic:
            yield
        return
    _begin(atomic)
    try:
        yield
    except BaseException:
        try:
            atomic.__exit__(*sys.exc_info())  # rolls back
        except Exception:  # noqa: BLE001 - SQLite already rolled back (a full disk)
            pass
        raise
    else:
        try:
            atomic.__exit__(None, None, None)  # commits
        except Exception as exc:
            cause = real_error(exc)  # the commit's own error, not the failed rollback's
            if cause is not exc:
                raise cause from None
            raise


def real_error(exc: BaseException) -> BaseException:
    """Past "cannot rollback - no transaction is active" (SQLite already rolled back
    after a full disk) to the error that caused it."""
    while "no transaction is active" in str(exc) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


@contextmanager
def write(operator: str | None = None) -> Iterator[Tx]:
    """Open a write transaction for the active station."""
    open_tx: Tx | None = getattr(_local, "tx", None)
    if open_tx is not None:  # nested: join the outer transaction and its sequence
        yield open_tx
        return
    ctx = context()
    if operator is not None:
        ctx.operator = operator
    with immediate():
        tx = Tx(ctx)
        _local.tx = tx
        try:
            yield tx
            tx.flush()
        finally:
            _local.tx = None
