"""Find anyone and anything in a few keystrokes (查找).

:func:`parse` reads what was typed — Chinese, pinyin, initials, a phone tail, an ID
fragment, building-unit-room, a case or mediation number, mixed freely — into a
:class:`Query`; :func:`search` answers it from indexes only (the search-key table, and
the indexed room / building / number columns) and returns ranked hits grouped by kind.
Ranking: exact name, then initials (and full pinyin), then partial matches.

The parser is :mod:`~app.services.search.query`, residents :mod:`~app.services.search.people`,
opinions :mod:`~app.services.search.opinions`, the hit types :mod:`~app.services.search.hits`;
here are doors, buildings, case and mediation numbers, and the entry point.
"""

from __future__ import annotations

from typing import Any, cast

from peewee import JOIN

from app.services.places.address import Address as Address
from app.services.places.address import door
from app.services.places.households import head_among
from app.services.search import index as search_index
from app.services.search import opinions as opinion_search
from app.services.search.hits import EXACT, KINDS, LIMIT, PREFIX, Group, Hit, Results
from app.services.search.hits import ResidentInfo as ResidentInfo
from app.services.search.people import present, resident_hits, residents_at
from app.services.search.query import Query as Query
from app.services.search.query import parse
from app.services.trust.masking import shown
from models.cases import Case
from models.db import db
from models.mediation import Mediation
from models.places import Building, Household, Resident, Unit


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
    for hh, name, relation in present(household_ids, Resident.household, Resident.name,
                                       Resident.relation):
        members.setdefault(hh, []).append((name, relation))
    out = {}
    for hh, people in members.items():
        head = head_among(people, lambda person: person[1])
        out[hh] = (head[0] if head else "", len(people))
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
            out.append(residents_at([h.id for h in doors.hits], can_see_ids, limit))
        if q.address.building and not q.address.room:
            out.append(building_hits(q.address.building, limit))
    if q.digits:
        out += _number_groups(q.digits, limit)
    out.append(opinion_search.hits(q, limit))  # words of an opinion's text, its number
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
