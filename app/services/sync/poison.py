"""Bundles that authenticate but cannot be applied ("poison"): issue 18.

A bundle sealed with the community key can still hold a change this station cannot
apply — an update of a row it never had, an insert whose parent is missing, a change
to another station's registration. Such a bundle is refused *whole* (its transaction
rolls back) with a :class:`PoisonBundle` naming the record and the reason, and the
file is moved into ``rejected/`` beside it (:func:`quarantine`), so it never blocks
the other bundles of a sync folder nor this station's own export.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peewee import DataError, ForeignKeyField, IntegrityError

from app import store
from app.i18n import t
from app.services.sync.bundle import BundleError
from models.bundle import ChangeRecord
from models.db import db

#: The folder (beside the bundle) that refused bundles are moved into.
REJECTED = "rejected"


class PoisonBundle(BundleError):
    """An authenticated bundle holding a change that cannot be applied here."""


def refuse(change: ChangeRecord, reason: str) -> PoisonBundle:
    return PoisonBundle(t("faults.poison", table=change.table, row=change.row_id,
                          seq=change.seq, reason=reason))


def guard(change: ChangeRecord) -> None:
    """Refuse a change to another station's registration (its name, prefix, key).

    A station writes only its own ``station`` row; the one exception is retiring an
    old id after a restore (:mod:`app.services.station.epoch`): ``deleted`` alone.
    """
    if change.table != "station" or change.row_id == change.origin:
        return
    if change.op == "update" and set(change.data) == {"deleted"} and change.data["deleted"]:
        return
    raise refuse(change, t("faults.poison.station"))


def is_integrity(exc: BaseException) -> bool:
    """A constraint failed (peewee's, sqlite3's or sqlcipher3's IntegrityError)."""
    return type(exc).__name__ == "IntegrityError"


def unknown_row(change: ChangeRecord) -> PoisonBundle:
    return refuse(change, t("faults.poison.unknown_row"))


def orphan(model: Any, rows: list[dict[str, Any]], changes: list[ChangeRecord],
           exc: Exception) -> PoisonBundle:
    """The record of a failed batch whose parent is missing (or the batch's first)."""
    by_id = {c.row_id: c for c in changes}
    for row in rows:
        for name, field in model._meta.fields.items():
            if not isinstance(field, ForeignKeyField) or row.get(name) is None:
                continue
            parent = field.rel_model._meta.table_name
            found = db.execute_sql(f'SELECT 1 FROM "{parent}" WHERE id = ?',
                                   (row[name],)).fetchone()
            if found is None and row["id"] in by_id:
                return refuse(by_id[row["id"]], t("faults.poison.missing_parent",
                                                  parent=parent, id=row[name]))
    first = by_id.get(rows[0]["id"]) if rows else None
    if first is None:
        return PoisonBundle(t("faults.poison.batch", reason=str(exc)))
    return refuse(first, t("faults.poison.constraint", detail=str(exc)))


def quarantine(path: Path) -> Path | None:
    """Move a refused bundle into ``rejected/`` beside it; None if it cannot be moved."""
    target_dir = path.parent / REJECTED
    try:
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():
            target = target_dir / f"{path.stem}-{n}{path.suffix}"
            n += 1
        os.replace(path, target)
    except OSError:
        return None
    return target


@contextmanager
def as_refusal() -> Iterator[None]:
    """A failure of the data itself while applying (a broken reference, a value of the
    wrong shape) refuses the whole bundle (the caller's transaction rolls back). A busy,
    full or read-only disk is not the bundle's fault, nor is an error of Mulin's own
    code (a wrong query): those propagate and the bundle stays to be imported again."""
    try:
        yield
    except BundleError:
        raise
    except (IntegrityError, DataError, ValueError, KeyError, TypeError) as exc:
        if store.is_busy(exc) or _disk_trouble(exc):
            raise
        raise PoisonBundle(t("faults.poison.batch", reason=str(exc))) from exc


def _disk_trouble(exc: Exception) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OSError) or any(
        w in text for w in ("full", "readonly", "read-only", "disk i/o", "malformed"))
