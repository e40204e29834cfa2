"""Find anyone and anything in a few keystrokes (查找).

:func:`parse` reads what was typed — Chinese, pinyin, initials, a phone tail, an ID
fragment, building-unit-room, a case or mediation number, mixed freely — into a
:class:`Query`; :func:`search` answers it from indexes only (the search-key table, and
the indexed room / building / number columns) and returns ranked hits grouped by kind.
Ranking: exact name, then initials (and full pinyin), then partial matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from peewee import JOIN

from app import clock
from app.services.search import index as search_index
from app.services.search.index import Field
from app.services.search.keys import is_han, normalise_latin, segment
from app.services.trust.masking import shown
from models.cases import Case
from models.db import db
from models.mediation import Mediation
from models.places import Building, CareFlag, Household, Resident, Unit
from models.search import SearchKey

#: Longest query considered (a name, an address and a number fit easily).
MAX_QUERY = 64
#: Hits shown per kind.
LIMIT = 30
KINDS = ("resident", "household", "building", "case", "mediation")

# Rank tiers (lower is better).
EXACT, INITIALS, OTHER_READING, PREFIX, PARTIAL, WEAK = 0, 1, 2, 3, 4, 5

_BUILDING_WORD = r"(?:栋|幢|号楼|楼|#|号)"
_SEP = r"(?:\s*[-—–－/]\s*|\s+)"
_ADDRESS_FORMS = (
    # 12-3-402, 12栋3单元402, 12#3-402室
    re.compile(rf"(\d{{1,3}})\s*(?:{_BUILDING_WORD}|{_SEP})\s*(\d{{1,2}})\s*(?:单元|{_SEP})"
               r"\s*(\d{3,4})\s*(?:室|号)?"),
    # 12栋402, 12-402, 12#402
    re.compile(rf"(\d{{1,3}})\s*(?:{_BUILDING_WORD}|{_SEP})\s*()(\d{{3,4}})\s*(?:室|号)?"),
    # 12栋3单元
    re.compile(rf"(\d{{1,3}})\s*{_BUILDING_WORD}\s*(\d{{1,2}})\s*单元()"),
    # 12栋
    re.compile(rf"(\d{{1,3}})\s*{_BUILDING_WORD}()()"),
    # 3单元402
    re.compile(r"()(\d{1,2})\s*单元\s*(\d{3,4})\s*(?:室|号)?"),
    # 402室
    re.compile(r"()()(\d{3,4})\s*(?:室)"),
)
_CASE = re.compile(r"[a-z]{1,4}-\d[\d-]*")
_MEDIATION = re.compile(r"[a-z]{1,4}-tj(?:-[\d-]*)?")
_ID_PART = re.compile(r"\d{3,17}x")
_ADDRESS_TOKEN = re.compile(r"[\d栋幢号楼单元室#\-—–－/]+")


@dataclass(frozen=True)
class Address:
    """A place as people say it; any part may be missing."""

    building: str = ""
    unit: int | None = None
    room: str = ""

    @property
    def is_door(self) -> bool:
        return bool(self.room)


@dataclass(frozen=True)
class Query:
    """What was typed, understood."""

    text: str = ""
    hanzi: str = ""  # Chinese name characters, e.g. 王秀兰
    latin: str = ""  # pinyin or initials, toneless: wangxiulan, wxl
    digits: str = ""  # a bare number: phone tail, ID fragment, room or building
    address: Address | None = None
    case_number: str = ""  # upper-case prefix, e.g. DT-20261125-003
    mediation_number: str = ""  # e.g. DT-TJ-2026-001

    @property
    def empty(self) -> bool:
        return not (self.hanzi or self.latin or self.digits or self.address
                    or self.case_number or self.mediation_number)


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:MAX_QUERY].strip().lower()


def _address(text: str) -> Address | None:
    for form in _ADDRESS_FORMS:
        m = form.fullmatch(text)
        if m:
            building, unit, room = m.groups()
            return Address(building.lstrip("0") or building, int(unit) if unit else None, room)
    return None


def _two_numbers(tokens: list[str]) -> Address | None:
    """``12 402`` or ``402 12``: the short number is the building, the long one the room."""
    if len(tokens) != 2 or not all(t.isdigit() for t in tokens):
        return None
    a, b = tokens
    if len(a) <= 2 < len(b) <= 4:
        return Address(a, None, b)
    if len(b) <= 2 < len(a) <= 4:
        return Address(b, None, a)
    return None


def _near_name(number: str) -> Address:
    """A number typed next to a name: 12 is a building, 402 a room."""
    return Address(building=number) if len(number) <= 2 else Address(room=number)


def parse(raw: str) -> Query:
    """Understand a typed query; anything unrecognisable is dropped, never an error."""
    text = _clean(raw)
    if not text:
        return Query()
    if _MEDIATION.fullmatch(text):
        return Query(text=text, mediation_number=text.upper())
    if _CASE.fullmatch(text):
        return Query(text=text, case_number=text.upper())
    whole = _address(text)
    if whole:
        return Query(text=text, address=whole)
    return _parse_tokens(text)


#: Where a name runs into a place without a space: 王秀兰12栋, wxl12 (not tone digits: wang2).
_NAME_THEN_NUMBER = re.compile(r"(?<=[\u3400-\u9fff])(?=\d)|(?<=[a-z])(?=\d{2,})")


def _parse_tokens(text: str) -> Query:
    tokens = _NAME_THEN_NUMBER.sub(" ", text).split()
    places = [t for t in tokens if _ADDRESS_TOKEN.fullmatch(t) and any(c.isdigit() for c in t)]
    names = [t for t in tokens if t not in places]
    address = _two_numbers(places) or (_address(" ".join(places)) if places else None)
    ident = [t for t in names if _ID_PART.fullmatch(t)]
    digits = places[0] if len(places) == 1 and places[0].isdigit() and not names else ""
    if ident and not places and len(names) == 1:
        digits, names = ident[0], []
    if digits:
        address = None
    elif places and address is None and len(places) == 1 and places[0].isdigit():
        address = _near_name(places[0])
    name = "".join(names)
    hanzi = "".join(c for c in name if is_han(c))
    latin = "" if hanzi else "".join(c for c in normalise_latin(name) if "a" <= c <= "z")
    return Query(text=text, hanzi=hanzi, latin=latin, digits=digits, address=address)


# -- results -------------------------------------------------------------------------
@dataclass
class Hit:
    """One found record: what to show and where Enter should go."""

    kind: str  # resident, household, building, case, mediation
    id: str
    title: str
    detail: str
    rank: int
    building_id: str = ""
    household_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Group:
    kind: str
    hits: list[Hit]
    more: bool = False  # there were more than were listed


@dataclass
class Results:
    query: Query
    groups: list[Group]

    @property
    def hits(self) -> list[Hit]:
        return [h for g in self.groups for h in g.hits]

    @property
    def empty(self) -> bool:
        return not self.groups


@dataclass
class ResidentInfo:
    """What tells two 王秀兰 apart."""

    id: str
    name: str
    gender: str
    age: int | None
    building: str
    unit: int | None
    room: str
    phone: str  # masked
    id_tail: str  # last 4 of the ID number, only for roles allowed to see it
    status: str
    care: list[str]
    building_id: str
    household_id: str


def door(building: str, unit: int | None, room: str) -> str:
    """12-3-402 (or 12-402 without a unit)."""
    parts = [p for p in (building, str(unit) if unit else "", room) if p]
    return "-".join(parts)


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- resident keys -------------------------------------------------------------------
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


def _present(household_ids: list[str], *columns: Any) -> list[tuple[Any, ...]]:
    """``columns`` of the residents present in these households. Status and tombstones
    are checked here, not in SQL, so SQLite looks residents up by household (the status
    index would have it scan every resident of the street)."""
    rows = (Resident.select(*columns, Resident.status, Resident.deleted)
            .where(Resident.household.in_(household_ids)).tuples())
    return [r[:-2] for r in cast(Any, rows) if r[-2] == "present" and not r[-1]]


def _residents_at(household_ids: list[str], can_see_ids: bool, limit: int) -> Group | None:
    """Who lives at these doors (a door typed on its own: ``12-3-402``)."""
    ids = [r[0] for r in _present(household_ids, Resident.id)]
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


# -- places, cases, mediations ----------------------------------------------------------
def _ordered_buildings(number: str) -> list[tuple[str, str]]:
    """(id, number) of live buildings, 1, 2 … 10 …, or those numbered ``number``."""
    query = Building.select(Building.id, Building.number).where(
        Building.deleted == False)  # noqa: E712
    if number:
        query = query.where(Building.number == number)
    rows: list[tuple[str, str]] = list(cast(Any, query.tuples()))
    return sorted(rows, key=lambda r: (len(r[1]), r[1]))


def _doors(address: Address, limit: int) -> list[Any]:
    """Households at ``address``, building by building in number order: each step is a
    (building, room) index lookup, so a bare ``402`` on a whole street stays fast."""
    buildings = _ordered_buildings(address.building)
    order = {bid: i for i, (bid, _) in enumerate(buildings)}
    found: list[Any] = []
    for start in range(0, len(buildings), 40):
        chunk = [bid for bid, _ in buildings[start:start + 40]]
        query = (Household.select(Household.id, Household.room, Household.phone,
                                  Household.building, Unit.number.alias("unit_no"))
                 .join(Unit, JOIN.LEFT_OUTER)
                 .where(Household.building.in_(chunk) & (Household.room == address.room)
                        & (Household.deleted == False)))  # noqa: E712
        if address.unit is not None:
            query = query.where(Unit.number == address.unit)
        found += sorted(query.objects(), key=lambda h: (order[h.building_id], h.unit_no or 0))
        if len(found) > limit:
            break
    numbers = dict(buildings)
    for h in found:
        h.b_id, h.b_no = h.building_id, numbers[h.building_id]
    return found


def household_hits(address: Address, limit: int = LIMIT) -> Group | None:
    if not address.room:
        return None
    rows = _doors(address, limit)
    heads = _heads([h.id for h in rows[:limit]])
    rank = EXACT if address.building else PREFIX
    hits = [Hit("household", h.id, door(h.b_no, h.unit_no, h.room),
                heads.get(h.id, ("", 0))[0], rank, building_id=h.b_id, household_id=h.id,
                extra={"members": heads.get(h.id, ("", 0))[1],
                       "phone": shown("phone", h.phone or "")})
            for h in rows[:limit]]
    return Group("household", hits, more=len(rows) > limit) if hits else None


def _heads(household_ids: list[str]) -> dict[str, tuple[str, int]]:
    """Household id -> (head's name, members present)."""
    members: dict[str, list[tuple[str, str]]] = {}
    for hh, name, relation in _present(household_ids, Resident.household, Resident.name,
                                       Resident.relation):
        members.setdefault(hh, []).append((name, relation))
    out = {}
    for hh, people in members.items():
        head = next((n for n, rel in people if rel == "head"), people[0][0])
        out[hh] = (head, len(people))
    return out


def building_hits(number: str, limit: int = LIMIT) -> Group | None:
    rows = list(Building.select(Building.id, Building.number, Building.name, Building.address)
                .where((Building.number == number) & (Building.deleted == False))  # noqa: E712
                .limit(limit))
    hits = [Hit("building", b.id, b.name or f"{b.number}", b.address, EXACT, building_id=b.id)
            for b in rows]
    return Group("building", hits) if hits else None


def _number_range(column: Any, prefix: str) -> Any:
    return (column >= prefix) & (column < prefix + "\uffff")


def case_hits(number: str, limit: int = LIMIT) -> Group | None:
    rows = list(Case.select(Case.id, Case.number, Case.state, Case.colour, Case.reporter_name,
                            Case.description, Case.building)
                .where(_number_range(Case.number, number) & (Case.deleted == False))  # noqa: E712
                .order_by(Case.number).limit(limit + 1))
    hits = [Hit("case", c.id, c.number, (c.description or "").replace("\n", " "),
                EXACT if c.number == number else PREFIX, building_id=c.building_id or "",
                extra={"state": c.state, "colour": c.colour, "reporter": c.reporter_name})
            for c in rows[:limit]]
    return Group("case", hits, more=len(rows) > limit) if hits else None


def mediation_hits(number: str, limit: int = LIMIT) -> Group | None:
    rows = list(Mediation.select(Mediation.id, Mediation.number, Mediation.title,
                                 Mediation.status, Mediation.building)
                .where(_number_range(Mediation.number, number)
                       & (Mediation.deleted == False))  # noqa: E712
                .order_by(Mediation.number).limit(limit + 1))
    hits = [Hit("mediation", m.id, m.number, m.title, EXACT if m.number == number else PREFIX,
                building_id=m.building_id or "", extra={"status": m.status})
            for m in rows[:limit]]
    return Group("mediation", hits, more=len(rows) > limit) if hits else None


# -- the entry point ---------------------------------------------------------------------
def search(raw: str | Query, can_see_ids: bool = False, limit: int = LIMIT) -> Results:
    """Ranked hits grouped by kind; the best group first. Never raises on odd input."""
    q = raw if isinstance(raw, Query) else parse(raw)
    if q.empty:
        return Results(q, [])
    search_index.ensure_current()
    groups = [g for g in _groups(q, can_see_ids, limit) if g is not None]
    groups.sort(key=lambda g: (min(h.rank for h in g.hits), KINDS.index(g.kind)))
    return Results(q, groups)


def _groups(q: Query, can_see_ids: bool, limit: int) -> list[Group | None]:
    if q.mediation_number:
        return [mediation_hits(q.mediation_number, limit)]
    if q.case_number:
        return [case_hits(q.case_number, limit)]
    out: list[Group | None] = []
    if q.hanzi or q.latin or len(q.digits) >= 4:
        out.append(resident_hits(q, can_see_ids, limit))
    if q.address and not (q.hanzi or q.latin):
        doors = household_hits(q.address, limit)
        out.append(doors)
        if doors and len(doors.hits) <= 3:  # a door typed on its own: who lives there
            out.append(_residents_at([h.id for h in doors.hits], can_see_ids, limit))
        if q.address.building and not q.address.room:
            out.append(building_hits(q.address.building, limit))
    if q.digits:
        out += _number_groups(q.digits, limit)
    return out


def _number_groups(digits: str, limit: int) -> list[Group | None]:
    """A bare number may be a building (12), a room (402), or the start of a phone tail."""
    out: list[Group | None] = []
    if len(digits) <= 3:
        out.append(building_hits(digits.lstrip("0") or digits, limit))
    if 3 <= len(digits) <= 4:
        out.append(household_hits(Address(room=digits), limit))
    return out


def search_in_thread(raw: str, can_see_ids: bool = False, limit: int = LIMIT) -> Results:
    """:func:`search` from a worker thread (peewee connections are per thread)."""
    with db.connection_context():
        return search(raw, can_see_ids, limit)


def index_needs_rebuild_in_thread() -> bool:
    """Whether opening search must first build the index (from a worker thread)."""
    with db.connection_context():
        return search_index.needs_rebuild()
