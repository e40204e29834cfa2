"""Taking an import back: the rollback record written by each import, and ``undo``.

Before this, every import copied the whole database first (8 s and 2.8 GB at street
scale, for a few hundred changes). Now an import protects itself with what it changes:

* the change-log rows it added are named by per-origin ``ranges`` (seq first..last);
* a row it *inserted* needs nothing more: undo deletes it (its insert change is in the
  ranges, and its insert stamp ``*`` is newer than everything held before the import);
* a row it *overwrote* gets an :class:`~models.undo.ImportUndo` ``prior`` entry: every
  content column and the field clocks as they were, taken the first time the import
  touches it; conflicts it added are listed; the ``peer`` table is kept whole (small).

Undo takes back the newest import, and only while nothing was written after it (the
have-vector equals the one recorded right after the import): later work could build on
it. Repeating undo takes back the imports before it, newest first. The derived caches
(case state, agreement terms, search keys) are recomputed for what undo touched.
The newest :data:`KEEP` records are kept; a full backup restore reaches further back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peewee import SQL, SqliteDatabase

from app import clock
from app.services.station import derived
from app.services.sync.merge import tops
from models.db import db
from models.schema import BY_NAME, TABLES
from models.sync import Conflict, LocalState, Peer, ReceivedBundle
from models.undo import ImportRecord, ImportUndo, ensure

#: Imports that can be taken back (newest first); older rollback records are pruned.
KEEP = 20
_BATCH = 500


class UndoError(RuntimeError):
    """The newest import cannot be taken back; the message says why (catalog key)."""


def supported() -> bool:
    """Undo records are a station's (SQLite): the hub's PostgreSQL has pg_dump instead."""
    return isinstance(db.obj, SqliteDatabase)


class Recorder:
    """Collects the rollback record of one import while the merge applies it."""

    def __init__(self, record_id: str) -> None:
        ensure()
        self.record_id = record_id
        self.before = tops()
        self.boundary = {o: hlc for o, (_seq, hlc) in self.before.items()}
        self.peers = [
            {"id": p.id, "name": p.name, "acks": p.acks,
             "last_heard": _text(p.last_heard), "bundle_created": _text(p.bundle_created)}
            for p in Peer.select()]
        self._rows: list[tuple[str, str, str, str, str, str]] = []

    def is_new(self, clocks: dict[str, str]) -> bool:
        """True for a row this import inserted (its insert stamp is above the boundary)."""
        star = clocks.get("*", "")
        if not star:
            return False
        hlc, _, origin = star.partition("/")
        held = self.boundary.get(origin)
        return held is None or hlc > held

    def prior(self, table: str, row_id: str, values: dict[str, Any],
              clocks: dict[str, str]) -> None:
        """The row before this import first overwrites it (rows it inserted: nothing)."""
        if self.is_new(clocks):
            return
        data = {**values, "field_clocks": json.dumps(clocks, sort_keys=True)}
        self._add("prior", table, row_id, json.dumps(data, ensure_ascii=False, default=str))

    def keep(self, table: str, row_id: str) -> None:
        """An insert change for a row held before the import: undo must not delete it."""
        self._add("keep", table, row_id, "")

    def keep_if_held(self, table: str, row_id: str, clocks: dict[str, str]) -> None:
        if not self.is_new(clocks):
            self.keep(table, row_id)

    def conflict(self, conflict_id: str) -> None:
        self._add("conflict", "conflict", conflict_id, "")

    def _add(self, kind: str, table: str, row_id: str, data: str) -> None:
        self._rows.append((f"{self.record_id}:{kind}:{table}:{row_id}", self.record_id,
                           kind, table, row_id, data))
        if len(self._rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            db.cursor().executemany(
                'INSERT OR IGNORE INTO import_undo (id, record, kind, "table", row_id, data) '
                "VALUES (?, ?, ?, ?, ?, ?)", self._rows)
            self._rows = []

    def finish(self, source: str, label: str, changes: int) -> None:
        """Write the import's record (same transaction) and prune old ones."""
        self.flush()
        after = tops()
        ranges = {o: [self.before.get(o, (0, ""))[0] + 1, seq]
                  for o, (seq, _h) in after.items() if seq > self.before.get(o, (0, ""))[0]}
        ImportRecord.replace(
            id=self.record_id, source=source, label=label, changes=changes,
            imported_at=clock.to_storage(clock.now()),
            ranges=json.dumps(ranges, sort_keys=True),
            have_after=json.dumps({o: s for o, (s, _h) in after.items()}, sort_keys=True),
            peers_before=json.dumps(self.peers, ensure_ascii=False),
            boundary=json.dumps(self.boundary, sort_keys=True)).execute()
        prune()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def prune(keep: int = KEEP) -> None:
    """Drop the rollback records of all but the newest ``keep`` imports."""
    old = [r.id for r in ImportRecord.select(ImportRecord.id)
           .order_by(SQL("rowid").desc()).offset(keep)]
    for chunk in _chunks(old):
        ImportUndo.delete().where(ImportUndo.record.in_(chunk)).execute()
        ImportRecord.delete().where(ImportRecord.id.in_(chunk)).execute()


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), _BATCH):
        yield items[i:i + _BATCH]


# -- undo --------------------------------------------------------------------------------
@dataclass
class UndoResult:
    """What taking one import back did."""

    label: str
    source: str
    removed: int = 0
    restored: int = 0
    changes: int = 0
    touched: dict[str, set[str]] = field(default_factory=dict)


def newest() -> ImportRecord | None:
    ensure()
    # rowid: the order the records were written (two imports may share a clock reading)
    return ImportRecord.select().order_by(SQL("rowid").desc()).first()


def undo_last() -> UndoResult:
    """Take back the newest import (one transaction); :class:`UndoError` if it cannot."""
    with db.connection_context(), db.atomic("IMMEDIATE"):
        rec = newest()
        if rec is None:
            raise UndoError("sync.undo.nothing")
        have = {o: seq for o, (seq, _h) in tops().items()}
        if have != json.loads(rec.have_after):
            raise UndoError("sync.undo.later_changes")
        result = UndoResult(rec.label, rec.source)
        _take_back(rec, result)
        return result


def _take_back(rec: ImportRecord, result: UndoResult) -> None:
    ranges: dict[str, list[int]] = json.loads(rec.ranges)
    undo_rows = list(ImportUndo.select().where(ImportUndo.record == rec.id))
    spared = {(u.table, u.row_id) for u in undo_rows if u.kind in ("prior", "keep")}
    inserted, touched = _applied(ranges)
    parents = _parents(inserted, spared)
    for u in undo_rows:
        if u.kind == "prior":
            _restore(u.table, u.row_id, json.loads(u.data))
            result.restored += 1
    for model in reversed(TABLES):
        ids = sorted(inserted.get(model._meta.table_name, set()) - {
            r for t, r in spared if t == model._meta.table_name})
        for chunk in _chunks(ids):
            model.delete().where(model.id.in_(chunk)).execute()
        result.removed += len(ids)
    conflicts = [u.row_id for u in undo_rows if u.kind == "conflict"]
    for chunk in _chunks(conflicts):
        Conflict.delete().where(Conflict.id.in_(chunk)).execute()
    for origin, (first, last) in ranges.items():
        cur = db.execute_sql("DELETE FROM change WHERE origin = ? AND seq BETWEEN ? AND ?",
                             (origin, first, last))
        result.changes += cur.rowcount
    _restore_peers(json.loads(rec.peers_before))
    ReceivedBundle.delete().where(ReceivedBundle.id == rec.id).execute()
    ImportUndo.delete().where(ImportUndo.record == rec.id).execute()
    ImportRecord.delete().where(ImportRecord.id == rec.id).execute()
    _refresh(touched, parents)
    result.touched = touched


def _applied(ranges: dict[str, list[int]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(rows named by an insert/append change of the import, every row it named)."""
    inserted: dict[str, set[str]] = {}
    touched: dict[str, set[str]] = {}
    for origin, (first, last) in ranges.items():
        rows = db.execute_sql('SELECT "table", row_id, op FROM change WHERE origin = ? '
                              "AND seq BETWEEN ? AND ?", (origin, first, last))
        for table, row_id, op in rows:
            touched.setdefault(table, set()).add(row_id)
            if op in ("insert", "append"):
                inserted.setdefault(table, set()).add(row_id)
    return inserted, touched


def _restore(table: str, row_id: str, data: dict[str, Any]) -> None:
    model = BY_NAME[table]
    cols = {model._meta.fields[n].column_name: v for n, v in data.items()
            if n in model._meta.fields and n != "id"}
    sets = ", ".join(f'"{c}" = ?' for c in cols)
    db.execute_sql(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*cols.values(), row_id])


def _restore_peers(peers: list[dict[str, Any]]) -> None:
    Peer.delete().execute()
    for p in peers:
        Peer.insert(**p).execute()


#: Child table -> (its parent column, the table whose derived cache it feeds).
_PARENT = {"case_event": ("case_id", "case"), "follow_up": ("mediation_id", "mediation"),
           "agreement_term": ("mediation_id", "mediation")}


def _parents(inserted: dict[str, set[str]], spared: set[tuple[str, str]]
             ) -> dict[str, set[str]]:
    """Before deleting children: the parents whose derived cache they fed."""
    out: dict[str, set[str]] = {}
    for table, (column, parent) in _PARENT.items():
        ids = sorted(i for i in inserted.get(table, set()) if (table, i) not in spared)
        for chunk in _chunks(ids):
            marks = ",".join("?" for _ in chunk)
            rows = db.execute_sql(f'SELECT {column} FROM "{table}" WHERE id IN ({marks})',
                                  chunk)
            out.setdefault(parent, set()).update(r[0] for r in rows)
    return out


def _refresh(touched: dict[str, set[str]], parents: dict[str, set[str]]) -> None:
    """Recompute derived caches for what undo changed or removed."""
    from app.services.search import index

    changed = {t: ids for t, ids in touched.items() if t in BY_NAME}
    changed.setdefault("case", set()).update(parents.get("case", set()))
    mediations = parents.get("mediation", set())
    if mediations:
        from app.services.mediation import records

        records.refresh_term_status(mediations)
    derived.refresh(changed)
    top = int(db.execute_sql("SELECT coalesce(max(rowid), 0) FROM change").fetchone()[0])
    row = LocalState.get_or_none(LocalState.id == index.WATERMARK)
    if row is not None and int(row.value) > top:
        # the search index already holds these residents' keys (refreshed above)
        LocalState.replace(id=index.WATERMARK, value=str(top)).execute()
