"""Applying received changes: the merge rules of the sync contract.

* Mutable rows (``SyncedModel``) merge per field: the write with the greater stamp
  ``hlc/station`` wins (``field_clocks`` holds each field's stamp, ``"*"`` the insert's).
* A write that did not see the value it replaces — its ``base`` (the clocks its writer
  saw) differs from the local clock — is *concurrent*: the losing value, whichever side
  it is on, is kept in :class:`models.sync.Conflict` for a person to review.
* Deletion is the tombstone field ``deleted``, merged like any field. A delete that did
  not see an edit (or an edit that did not see a delete) is listed as a ``delete``
  conflict; the tombstone stands until someone restores the record.
* Append-only rows (``LedgerModel``) form a grow-only set: inserted once, never changed.

Changes are applied in stamp order; a bundle is applied only when its receiver holds
everything it ``requires`` (see :mod:`app.services.sync.exchange`), so stamp order is a
causal order and parents always exist before their children.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app import clock, store
from app.hlc import stamp_key
from app.services.sync import poison
from models.base import BaseModel, SyncedModel
from models.bundle import ChangeRecord, complete_row
from models.db import db
from models.schema import BY_NAME
from models.sync import Change, Conflict

if TYPE_CHECKING:
    from app.services.sync.undo import Recorder

_BATCH = 500
#: ``json.dumps(…, ensure_ascii=False, sort_keys=True)`` without a new encoder per change.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
#: Touched ids remembered per table; beyond this an import refreshes the whole table.
MANY = 50_000
#: Ids inserted into tables that were empty when the import first reached them,
#: remembered so that whether a row is held needs no query (≈100 bytes each); beyond
#: this many in all, the tables are asked again (a full street import stays small).
FRESH_IDS = 400_000


@dataclass
class MergeStats:
    """What applying a set of changes did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    changed: dict[str, set[str]] = field(default_factory=dict)
    #: Tables whose touched ids are kept in ``changed`` (None: all). A full street
    #: import touches millions of rows; only the derived caches' tables need their ids.
    kept: set[str] | None = None
    #: Tables with more than :data:`MANY` touched ids: their ids are no longer listed
    #: (memory stays bounded) and every row of them counts as changed.
    every: set[str] = field(default_factory=set)

    def touch(self, table: str, row_id: str) -> None:
        if (self.kept is None or table in self.kept) and table not in self.every:
            ids = self.changed.setdefault(table, set())
            ids.add(row_id)
            if len(ids) > MANY:
                self.every.add(table)
                del self.changed[table]


def have_vector() -> dict[str, int]:
    """Per origin station, the highest seq held (the log is contiguous per origin)."""
    return {origin: seq for origin, (seq, _hlc) in tops().items()}


def origins() -> list[str]:
    """The distinct origins in the change log, one index probe each (no full scan)."""
    rows = db.execute_sql(
        "WITH RECURSIVE o(x) AS (SELECT min(origin) FROM change UNION ALL "
        "SELECT (SELECT min(origin) FROM change WHERE origin > x) FROM o "
        "WHERE x IS NOT NULL) SELECT x FROM o WHERE x IS NOT NULL")
    return [r[0] for r in rows]


def tops() -> dict[str, tuple[int, str]]:
    """Per origin, its highest seq held and that change's stamp (index probes only)."""
    out: dict[str, tuple[int, str]] = {}
    for origin in origins():
        row = db.execute_sql("SELECT seq, hlc FROM change WHERE origin = ? "
                             "ORDER BY seq DESC LIMIT 1", (origin,)).fetchone()
        out[origin] = (int(row[0]), str(row[1]))
    return out


def _columns(model: type[BaseModel]) -> dict[str, str]:
    return {name: model._meta.fields[name].column_name for name in model.content_fields()}


def _table(model: type[BaseModel]) -> str:
    return str(model._meta.table_name)


class Merger:
    """Applies changes inside the caller's transaction; collects :class:`MergeStats`."""

    def __init__(self, progress: Callable[[int], None] | None = None,
                 recorder: Recorder | None = None, kept: set[str] | None = None) -> None:
        self.stats = MergeStats(kept=kept)
        self._undo = recorder  # the import's rollback record (app.services.sync.undo)
        self._log: list[dict[str, Any]] = []
        self._progress = progress
        self._done = 0
        self._now = clock.to_storage(clock.now())
        #: A run of updates: the rows it touches as they stand (read once, kept current),
        #: and its UPDATE statements in order (sent together when the run ends).
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._writes: list[tuple[str, list[Any], type[BaseModel], ChangeRecord]] = []
        #: Per table that was empty when first reached: the ids this import put there
        #: (None: a table that held rows, or too many to remember; then it is asked).
        self._fresh: dict[str, set[str] | None] = {}
        self._remembered = 0

    def apply(self, changes: Iterable[ChangeRecord]) -> MergeStats:
        """Apply ``changes``, given in stamp order (a causal order), skipping held ones."""
        have = have_vector()
        run: list[ChangeRecord] = []
        updates: list[ChangeRecord] = []
        for change in changes:
            poison.guard(change)  # another station's registration: refused (issue 18)
            if change.seq <= have.get(change.origin, 0):
                self.stats.unchanged += 1
                continue
            if run and (change.op == "update" or change.table != run[0].table
                        or len(run) >= _BATCH):
                self._inserts(run)
                run = []
            if updates and (change.op != "update" or len(updates) >= _BATCH):
                self._updates(updates)
                updates = []
            (updates if change.op == "update" else run).append(change)
        self._updates(updates)
        self._inserts(run)
        self._flush_log()
        return self.stats

    # -- the change log -------------------------------------------------------------
    def _logged(self, change: ChangeRecord) -> None:
        self._log.append({
            "id": change.id, "origin": change.origin, "seq": change.seq, "hlc": change.hlc,
            "table": change.table, "row_id": change.row_id, "op": change.op,
            "data": _JSON.encode(change.data),
            "operator": change.operator, "base": change.base,
        })
        self._done += 1
        if len(self._log) >= _BATCH:
            self._flush_log()

    def _flush_log(self) -> None:
        if self._log:
            store.raw_insert(Change, self._log)
            self._log = []
        if self._progress:
            self._progress(self._done)

    # -- inserts and appends --------------------------------------------------------
    def _inserts(self, run: list[ChangeRecord]) -> None:
        if not run:
            return
        model = BY_NAME[run[0].table]
        existing = self._held(model, [c.row_id for c in run])
        fresh: list[dict[str, Any]] = []
        for change in run:
            if change.row_id in existing:
                if model.append_only:
                    self.stats.unchanged += 1
                    if self._undo:
                        self._undo.keep(change.table, change.row_id)
                else:
                    self._merge_fields(model, change, base={})
            else:
                row = complete_row(model, change.data)
                if issubclass(model, SyncedModel):
                    row["field_clocks"] = json.dumps(
                        {"*": stamp_key(change.hlc, change.origin)})
                fresh.append(row)
                existing.add(change.row_id)
                self.stats.new += 1
                self.stats.touch(change.table, change.row_id)
        try:
            self._insert_rows(model, fresh)
        except Exception as exc:  # e.g. a parent this station does not hold
            if not poison.is_integrity(exc):
                raise
            raise poison.orphan(model, fresh, run, exc) from exc
        self._remember(model, fresh)
        for change in run:
            self._logged(change)

    def _held(self, model: type[BaseModel], ids: list[str]) -> set[str]:
        """Which of ``ids`` the receiver holds already. A table found empty when this
        import first reached it holds exactly what the import inserted there, so it is
        not asked (a first import, e.g. a community new at the hub, only inserts)."""
        table = _table(model)
        if table not in self._fresh:
            empty = db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None
            self._fresh[table] = set() if empty else None
        mine = self._fresh[table]
        if mine is not None:
            return mine.intersection(ids)
        marks = ",".join("?" for _ in ids)
        return {r[0] for r in db.execute_sql(
            f'SELECT id FROM "{table}" WHERE id IN ({marks})', ids)}

    def _remember(self, model: type[BaseModel], rows: list[dict[str, Any]]) -> None:
        mine = self._fresh.get(_table(model))
        if mine is None:
            return
        mine.update(row["id"] for row in rows)
        self._remembered += len(rows)
        if self._remembered > FRESH_IDS:
            self._fresh = dict.fromkeys(self._fresh)

    def _insert_rows(self, model: type[BaseModel], rows: list[dict[str, Any]]) -> None:
        by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            by_shape.setdefault(tuple(row), []).append(row)
        for same in by_shape.values():
            store.raw_insert(model, same)

    # -- updates --------------------------------------------------------------------
    def _updates(self, run: list[ChangeRecord]) -> None:
        """A run of updates, in order: their rows read once per table, their statements
        sent together (one round trip instead of two per change at the hub)."""
        if not run:
            return
        self._prefetch(run)
        try:
            for change in run:
                model = BY_NAME[change.table]
                self._merge_fields(model, change,
                                   json.loads(change.base) if change.base else {})
                self._logged(change)
            self._flush_writes()
        finally:
            self._rows, self._writes = {}, []

    def _prefetch(self, run: list[ChangeRecord]) -> None:
        by_table: dict[str, set[str]] = {}
        for change in run:
            by_table.setdefault(change.table, set()).add(change.row_id)
        for table, ids in by_table.items():
            model = BY_NAME[table]
            names = list(_columns(model))
            sql = ", ".join(f'"{_columns(model)[n]}"' for n in names)
            marks = ",".join("?" for _ in ids)
            for row in db.execute_sql(f'SELECT {sql}, field_clocks FROM "{_table(model)}" '
                                      f"WHERE id IN ({marks})", sorted(ids)):
                current = dict(zip(names, row[:-1], strict=True))
                current["field_clocks"] = row[-1]
                self._rows[(table, current["id"])] = current

    def _flush_writes(self) -> None:
        """The run's UPDATEs in their order, consecutive same statements as one batch."""
        i = 0
        while i < len(self._writes):
            sql, model = self._writes[i][0], self._writes[i][2]
            j = i
            while j < len(self._writes) and self._writes[j][0] == sql:
                j += 1
            batch = self._writes[i:j]
            try:
                db.cursor().executemany(sql, [params for _s, params, _m, _c in batch])
            except Exception as exc:
                if not poison.is_integrity(exc):
                    raise
                raise poison.orphan(model, [{"id": c.row_id, **c.data} for *_x, c in batch],
                                    [c for *_x, c in batch], exc) from exc
            i = j

    def _current(self, model: type[BaseModel], row_id: str) -> dict[str, Any] | None:
        held = self._rows.get((_table(model), row_id))
        if held is not None:
            return dict(held)
        cols = _columns(model)
        names = list(cols)
        sql = ", ".join(f'"{cols[n]}"' for n in names)
        row = db.execute_sql(f'SELECT {sql}, field_clocks FROM "{_table(model)}" WHERE id = ?',
                             (row_id,)).fetchone()
        if row is None:
            return None
        current = dict(zip(names, row[:-1], strict=True))
        current["field_clocks"] = row[-1]
        return current

    def _merge_fields(self, model: type[BaseModel], change: ChangeRecord,
                      base: dict[str, str]) -> None:
        current = self._current(model, change.row_id)
        if current is None:
            raise poison.unknown_row(change)
        before = current.pop("field_clocks")
        clocks: dict[str, str] = json.loads(before or "{}")
        if self._undo and change.op != "update":  # an insert of a row held already
            self._undo.keep_if_held(change.table, change.row_id, clocks)
        star, base_star = clocks.get("*", ""), base.get("*", "")
        stamp = stamp_key(change.hlc, change.origin)
        writes: dict[str, Any] = {}
        for name, value in change.data.items():
            local, seen = clocks.get(name, star), base.get(name, base_star)
            concurrent = local != seen and current[name] != value
            if stamp > local:
                writes[name] = value
                clocks[name] = stamp
                if concurrent:
                    self._conflict(change, name, "field", value, stamp, current[name], local)
            elif concurrent:
                self._conflict(change, name, "field", current[name], local, value, stamp)
        self._delete_races(change, current, clocks, base, stamp, writes)
        if not writes:
            self.stats.unchanged += 1
            return
        if self._undo:
            self._undo.prior(change.table, change.row_id, current,
                             json.loads(before or "{}"))
        cols = _columns(model)
        sets = ", ".join(f'"{cols[n]}" = ?' for n in writes)
        params = [*writes.values(), json.dumps(clocks, sort_keys=True), change.row_id]
        sql = f'UPDATE "{_table(model)}" SET {sets}, field_clocks = ? WHERE id = ?'
        key = (_table(model), change.row_id)
        if key in self._rows:  # within a run of updates: sent when the run ends
            self._rows[key] = {**current, **writes, "field_clocks": params[-2]}
            self._writes.append((sql, params, model, change))
            self.stats.updated += 1
            self.stats.touch(change.table, change.row_id)
            return
        try:
            db.execute_sql(sql, params)
        except Exception as exc:
            if not poison.is_integrity(exc):
                raise
            raise poison.orphan(model, [{"id": change.row_id, **writes}], [change],
                                exc) from exc
        self.stats.updated += 1
        self.stats.touch(change.table, change.row_id)

    def _delete_races(self, change: ChangeRecord, current: dict[str, Any],
                      clocks: dict[str, str], base: dict[str, str], stamp: str,
                      writes: dict[str, Any]) -> None:
        """A delete that did not see an edit, or an edit that did not see a delete."""
        if "deleted" not in current or change.op != "update":
            return
        star, base_star = clocks.get("*", ""), base.get("*", "")
        if writes.get("deleted") == 1 and current["deleted"] == 0:
            unseen = {name: current[name] for name in current
                      if name not in change.data and name not in ("id", "deleted")
                      and clocks.get(name, star) != base.get(name, base_star)}
            if unseen:
                edit_stamp = max(clocks.get(n, star) for n in unseen)
                self._conflict(change, "deleted", "delete", 1, stamp, unseen, edit_stamp)
        elif "deleted" not in change.data and current["deleted"] == 1:
            local = clocks.get("deleted", star)
            if local != base.get("deleted", base_star):
                self._conflict(change, "deleted", "delete", 1, local, dict(change.data), stamp)

    def _conflict(self, change: ChangeRecord, name: str, kind: str, winner: Any,
                  winner_stamp: str, loser: Any, loser_stamp: str) -> None:
        key = f"{change.table}:{change.row_id}:{name}:{loser_stamp}:{winner_stamp}"
        conflict_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
        if self._undo and Conflict.get_or_none(Conflict.id == conflict_id) is None:
            self._undo.conflict(conflict_id)
        Conflict.insert(
            id=conflict_id, table=change.table,
            row_id=change.row_id, field=name, kind=kind,
            winner_value=json.dumps(winner, ensure_ascii=False), winner_stamp=winner_stamp,
            loser_value=json.dumps(loser, ensure_ascii=False), loser_stamp=loser_stamp,
            detected_at=self._now, resolved=False,
        ).on_conflict_ignore().execute()
        self.stats.conflicts += 1


def now_storage() -> datetime:
    return clock.to_storage(clock.now())
