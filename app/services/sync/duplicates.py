"""Probable duplicate residents (two stations registered the same person offline).

A pair is probable when both records are live and share an ID number, or share name,
birth date and household. Merging is itself a change that syncs: every mutable row
referring to the other record is moved to the kept one, empty fields of the kept record
are filled from the other, and the other becomes a tombstone with ``merged_into``.
Append-only facts (visits …) keep pointing at the tombstone, which points onward.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import ForeignKeyField

from app import store
from models.base import SyncedModel
from models.db import db
from models.places import Resident
from models.schema import TABLES

_FILLABLE = ("gender", "birth_date", "id_number", "phone", "relation", "health_note")


@dataclass(frozen=True)
class DuplicatePair:
    """Two live residents that are probably one person."""

    keep_id: str
    other_id: str
    reason: str  # "id_number" or "name_birth_household"
    name: str
    other_name: str
    birth_date: str
    household_id: str


class MergeError(ValueError):
    """The two records cannot be merged."""


_ID_SQL = """
SELECT a.id, b.id, a.name, b.name, coalesce(a.birth_date, ''), a.household_id
FROM resident a JOIN resident b ON a.id_number = b.id_number AND a.id < b.id
WHERE a.id_number != '' AND a.deleted = 0 AND b.deleted = 0
"""
_NAME_SQL = """
SELECT a.id, b.id, a.name, b.name, coalesce(a.birth_date, ''), a.household_id
FROM resident a JOIN resident b ON a.name = b.name AND a.birth_date = b.birth_date
     AND a.household_id = b.household_id AND a.id < b.id
WHERE a.deleted = 0 AND b.deleted = 0 AND a.id_number != b.id_number
"""


def all_pairs() -> list[DuplicatePair]:
    """Every probable duplicate pair, ID-number matches first."""
    out: list[DuplicatePair] = []
    for reason, sql in (("id_number", _ID_SQL), ("name_birth_household", _NAME_SQL)):
        for a, b, name, other, born, household in db.execute_sql(sql):
            out.append(DuplicatePair(a, b, reason, name, other, str(born), household))
    return out


#: Above this many residents :func:`find` looks at every pair (one pass) instead.
_FEW = 5_000

_NAME_NEAR_SQL = """
SELECT a.id, b.id, a.name, b.name, coalesce(a.birth_date, ''), a.household_id
FROM resident x JOIN resident y ON y.household_id = x.household_id AND y.name = x.name
     AND y.birth_date = x.birth_date AND y.id != x.id
JOIN resident a ON a.id = CASE WHEN x.id < y.id THEN x.id ELSE y.id END
JOIN resident b ON b.id = CASE WHEN x.id < y.id THEN y.id ELSE x.id END
WHERE x.id IN ({marks}) AND x.deleted = 0 AND y.deleted = 0 AND x.id_number != y.id_number
"""


def find(resident_ids: Iterable[str]) -> list[DuplicatePair]:
    """Probable pairs that involve any of ``resident_ids`` (e.g. just imported).

    A day's import touches a few residents: only their pairs are looked up (issue 16:
    the whole street's self-join ran on every import); a large import does one pass.
    """
    ids = sorted(set(resident_ids))
    if not ids:
        return []
    if len(ids) > _FEW:
        wanted = set(ids)
        return [p for p in all_pairs() if p.keep_id in wanted or p.other_id in wanted]
    found: dict[tuple[str, str], DuplicatePair] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for pair in [*_same_id_number(chunk), *_same_name_near(chunk)]:
            found.setdefault((pair.keep_id, pair.other_id), pair)
    return sorted(found.values(), key=lambda p: (p.reason != "id_number", p.keep_id,
                                                 p.other_id))


def _same_id_number(chunk: list[str]) -> list[DuplicatePair]:
    """ID-number matches: the chunk's numbers, then every holder of them (one query on
    the ``id_number`` index, schema 3)."""
    marks = ",".join("?" for _ in chunk)
    numbers = [r[0] for r in db.execute_sql(
        f"SELECT DISTINCT id_number FROM resident WHERE id IN ({marks}) AND deleted = 0 "
        "AND id_number != ''", chunk)]
    if not numbers:
        return []
    holders: dict[str, list[tuple[str, str, str, str]]] = {}
    rows = db.execute_sql(
        "SELECT id, name, coalesce(birth_date, ''), household_id, id_number FROM resident "
        f"WHERE deleted = 0 AND id_number IN ({','.join('?' for _ in numbers)})", numbers)
    for rid, name, born, household, number in rows:
        holders.setdefault(number, []).append((rid, name, str(born), household))
    wanted = set(chunk)
    out = []
    for group in holders.values():
        group.sort()
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a[0] in wanted or b[0] in wanted:
                    out.append(DuplicatePair(a[0], b[0], "id_number", a[1], b[1], a[2], a[3]))
    return out


def _same_name_near(chunk: list[str]) -> list[DuplicatePair]:
    sql = _NAME_NEAR_SQL.format(marks=",".join("?" for _ in chunk))
    return [DuplicatePair(a, b, "name_birth_household", name, other, str(born), household)
            for a, b, name, other, born, household in db.execute_sql(sql, chunk)]


def _referrers() -> list[tuple[type[SyncedModel], str]]:
    out: list[tuple[type[SyncedModel], str]] = []
    for model in TABLES:
        if not (model.synced and issubclass(model, SyncedModel)) or model.append_only:
            continue
        for name, f in model._meta.fields.items():
            if isinstance(f, ForeignKeyField) and f.rel_model is Resident:
                out.append((model, name))
    return out


def merge(keep_id: str, other_id: str, operator: str | None = None) -> int:
    """Merge ``other_id`` into ``keep_id``; returns how many references moved."""
    keep = Resident.get_or_none(Resident.id == keep_id)
    other = Resident.get_or_none(Resident.id == other_id)
    if keep is None or other is None or keep_id == other_id:
        raise MergeError("both residents must exist and differ")
    if keep.deleted or other.deleted:
        raise MergeError("a merged or deleted resident cannot be merged again")
    moved = 0
    with store.write(operator) as tx:
        for model, name in _referrers():
            column = model._meta.fields[name]
            for row in model.select(model.id).where((column == other_id)
                                                    & (model.deleted == False)):  # noqa: E712
                tx.update(model, row.id, **{name: keep_id})
                moved += 1
        fill: dict[str, Any] = {f: getattr(other, f) for f in _FILLABLE
                                if not getattr(keep, f) and getattr(other, f)}
        if fill:
            tx.update(Resident, keep_id, **fill)
        tx.update(Resident, other_id, deleted=True, merged_into=keep_id)
    return moved
