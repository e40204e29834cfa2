"""Residents found by name (characters, pinyin, initials, mixed), phone tail or ID
fragment, from the station-local search-key index only, and the residents at a door.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from peewee import JOIN

from app import clock
from app.services.places.address import Address, door
from app.services.search.hits import (
    EXACT,
    INITIALS,
    LIMIT,
    OTHER_READING,
    PARTIAL,
    PREFIX,
    WEAK,
    Group,
    Hit,
    ResidentInfo,
    age_on,
)
from app.services.search.index import Field
from app.services.search.keys import segment
from app.services.search.query import Query
from app.services.trust.masking import shown
from models.db import db
from models.places import Building, CareFlag, Household, Resident, Unit
from models.search import SearchKey

_KEY_RANGE_SQL = (f'SELECT ref_id, field, key FROM "{SearchKey._meta.table_name}" '
                  "WHERE key >= ? AND key < ? AND field IN ({}) LIMIT ?")
_KEY_EXACT_SQL = (f'SELECT ref_id, field, key FROM "{SearchKey._meta.table_name}" '
                  "WHERE key = ? AND field IN ({}) LIMIT ?")


def _lookup(prefix: str, fields: Iterable[int], limit: int, exact: bool = False
            ) -> list[tuple[str, int, str]]:
    fields = list(fields)
    marks = ", ".join("?" for _ in fields)
    if exact:
        sql, args = _KEY_EXACT_SQL.format(marks), (prefix, *fields, limit)
    else:
        sql, args = _KEY_RANGE_SQL.format(marks), (prefix, prefix + "\uffff", *fields, limit)
    return [(r[0], int(r[1]), r[2]) for r in db.execute_sql(sql, args)]


def _rank_name(field_: int, key: str, typed: str) -> int:
    exact = key == typed
    if field_ == Field.NAME:
        return EXACT if exact else PREFIX
    if field_ in (Field.INITIALS, Field.PINYIN):
        return INITIALS if exact else PREFIX
    if field_ in (Field.ALT_INITIALS, Field.ALT_PINYIN):
        return OTHER_READING if exact else PARTIAL
    return PARTIAL if exact else WEAK


_NAME_FIELDS = (Field.NAME, Field.GIVEN)
_LATIN_FIELDS = (Field.PINYIN, Field.INITIALS, Field.ALT_PINYIN, Field.ALT_INITIALS,
                 Field.GIVEN_PINYIN, Field.GIVEN_INITIALS)


def _resident_ranks(q: Query, can_see_ids: bool, limit: int) -> dict[str, int]:
    """Resident id -> best rank, from the search-key index only."""
    best: dict[str, int] = {}

    def add(rows: list[tuple[str, int, str]], typed: str, rank: int | None = None) -> None:
        for ref, fld, key in rows:
            r = rank if rank is not None else _rank_name(fld, key, typed)
            if r < best.get(ref, 99):
                best[ref] = r

    typed = q.hanzi or q.latin
    fields = _NAME_FIELDS if q.hanzi else _LATIN_FIELDS
    if typed:
        add(_lookup(typed, fields, limit * 4, exact=True), typed)
        add(_lookup(typed, fields, limit * 10), typed)
    if q.latin:
        for ref, rank in _mixed_pinyin(q.latin, limit).items():
            best[ref] = min(rank, best.get(ref, 99))
    if len(q.digits) >= 4:
        add(_lookup(q.digits[::-1], (Field.PHONE,), limit), q.digits, INITIALS)
        if can_see_ids:
            add(_lookup(q.digits, (Field.ID_HEAD,), limit), q.digits, PREFIX)
            add(_lookup(q.digits[::-1], (Field.ID_TAIL,), limit), q.digits, INITIALS)
    return best


def _resident_rows(ids: list[str], address: Address | None) -> list[Any]:
    query = (Resident.select(Resident.id, Resident.name, Resident.gender, Resident.birth_date,
                             Resident.phone, Resident.id_number, Resident.status,
                             Resident.name_pinyin, Household.id.alias("hh_id"),
                             Household.room.alias("room"),
                             Unit.number.alias("unit_no"), Building.id.alias("b_id"),
                             Building.number.alias("b_no"))
             .join(Household).join(Building)
             .switch(Household).join(Unit, JOIN.LEFT_OUTER)
             .where(Resident.id.in_(ids) & (Resident.deleted == False)))  # noqa: E712
    return list(_where_address(query, address).objects())


def _where_address(query: Any, address: Address | None) -> Any:
    if address is None:
        return query
    if address.building:
        query = query.where(Building.number == address.building)
    if address.unit is not None:
        query = query.where(Unit.number == address.unit)
    if address.room:
        query = query.where(Household.room == address.room)
    return query


def _care(ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = (CareFlag.select(CareFlag.resident, CareFlag.kind)
            .where(CareFlag.resident.in_(ids) & (CareFlag.deleted == False)).tuples())  # noqa: E712
    for rid, kind in cast(Any, rows):
        out.setdefault(rid, []).append(kind)
    return out


def _info(r: Any, care: dict[str, list[str]], can_see_ids: bool, today: date) -> ResidentInfo:
    ident = (r.id_number or "") if can_see_ids else ""
    return ResidentInfo(r.id, r.name, r.gender, age_on(r.birth_date, today), r.b_no, r.unit_no,
                        r.room, shown("phone", r.phone or ""), ident[-4:] if ident else "",
                        r.status, care.get(r.id, []), r.b_id, r.hh_id)


def _mixed_pinyin(latin: str, limit: int) -> dict[str, int]:
    """Full syllables and initials mixed (``wangxl``, ``ouyangx``): candidates by their
    initials from the index, kept when a stored reading spells what was typed."""
    parts = segment(latin)
    if not (any(len(p) > 1 for p in parts) and any(len(p) == 1 for p in parts)):
        return {}
    initials = "".join(p[0] for p in parts)
    exact = {ref: key == initials for ref, _, key in
             _lookup(initials, (Field.INITIALS, Field.ALT_INITIALS), limit * 20)}
    if not exact:
        return {}
    spelled = re.compile("".join(re.escape(p) + ("" if len(p) > 1 else "[a-z]*")
                                 for p in parts))
    marks = ", ".join("?" for _ in exact)
    rows = db.execute_sql(
        f'SELECT ref_id, key, field FROM "{SearchKey._meta.table_name}" '
        f"WHERE ref_id IN ({marks}) AND field IN (?, ?)",
        (*exact, int(Field.PINYIN), int(Field.ALT_PINYIN)))
    out: dict[str, int] = {}
    for ref, key, field_ in rows:
        if spelled.fullmatch(key) and exact[ref]:
            rank = INITIALS if field_ == Field.PINYIN else OTHER_READING
        elif spelled.match(key):
            rank = PREFIX if field_ == Field.PINYIN else PARTIAL
        else:
            continue
        out[ref] = min(rank, out.get(ref, 99))
    return out


def resident_hits(q: Query, can_see_ids: bool = False, limit: int = LIMIT) -> Group | None:
    ranks = _resident_ranks(q, can_see_ids, limit)
    if not ranks:
        return None
    ordered = sorted(ranks, key=lambda i: ranks[i])[: limit * 4]
    rows = _resident_rows(ordered, q.address)
    care = _care([r.id for r in rows])
    today = clock.today()
    infos = [_info(r, care, can_see_ids, today) for r in rows]
    pinyin = {r.id: r.name_pinyin or "" for r in rows}
    infos.sort(key=lambda i: (ranks[i.id], i.status != "present", not i.care, pinyin[i.id],
                              i.name, len(i.building), i.building, i.unit or 0, i.room))
    hits = [_resident_hit(i, ranks[i.id]) for i in infos[:limit]]
    return Group("resident", hits, more=len(infos) > limit) if hits else None


def present(household_ids: list[str], *columns: Any) -> list[tuple[Any, ...]]:
    """``columns`` of the residents present in these households. Status and tombstones
    are checked here, not in SQL, so SQLite looks residents up by household (the status
    index would have it scan every resident of the street)."""
    rows = (Resident.select(*columns, Resident.status, Resident.deleted)
            .where(Resident.household.in_(household_ids)).tuples())
    return [r[:-2] for r in cast(Any, rows) if r[-2] == "present" and not r[-1]]


def residents_at(household_ids: list[str], can_see_ids: bool, limit: int) -> Group | None:
    """Who lives at these doors (a door typed on its own: ``12-3-402``)."""
    ids = [r[0] for r in present(household_ids, Resident.id)]
    if not ids or len(ids) > limit:
        return None
    rows = _resident_rows(ids, None)
    care, today = _care(ids), clock.today()
    infos = sorted((_info(r, care, can_see_ids, today) for r in rows),
                   key=lambda i: (len(i.building), i.building, i.unit or 0, i.room, i.name))
    return Group("resident", [_resident_hit(i, PREFIX) for i in infos])


def _resident_hit(i: ResidentInfo, rank: int) -> Hit:
    return Hit("resident", i.id, i.name, door(i.building, i.unit, i.room), rank,
               building_id=i.building_id, household_id=i.household_id,
               extra={"info": i})
