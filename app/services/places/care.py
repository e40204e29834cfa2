"""The key-care list 重点关怀名单: who needs visits, how often, and who is overdue.

Cadence (days between visits) is set per care kind in the community settings
(``care.cadence_days``, JSON); a resident with several care kinds gets the shortest.
A resident's last visit is the latest visit naming them, or naming their household
without a resident. Holiday rounds 节日走访 are named :class:`VisitRound` rows; the
round's checklist is the key-care list, ticked by visits logged in that round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from peewee import JOIN, fn

from app import clock, store
from app.services.station import settings
from models.places import Building, CareFlag, Grid, Household, Resident, Unit
from models.visits import Visit, VisitRound

SETTING_KEY = "care.cadence_days"
#: Default visit cadence in days per care kind (the demo generator uses the same).
DEFAULT_CADENCE: dict[str, int] = {
    "elderly_alone": 7, "elderly": 14, "disabled": 14, "illness": 14,
    "left_behind_child": 30, "low_income": 30,
}
KINDS = tuple(DEFAULT_CADENCE)


class CareError(ValueError):
    """A care setting or round refused; ``code`` is a catalog key suffix."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def cadence() -> dict[str, int]:
    """Days between visits per care kind: settings over the defaults."""
    value = settings.get_json(SETTING_KEY)
    stored: dict[str, Any] = value if isinstance(value, dict) else {}
    out = dict(DEFAULT_CADENCE)
    out.update({k: int(v) for k, v in stored.items() if isinstance(v, int) and v > 0})
    return out


def set_cadence(values: dict[str, int]) -> None:
    """Store the cadence for some kinds (1..365 days); anything else is refused.
    Only an admin changes settings (:mod:`app.services.trust.permissions`)."""
    from app.services.trust import operators, permissions

    permissions.require("settings.manage", operators.current_role())
    for kind, days in values.items():
        if kind not in DEFAULT_CADENCE or not isinstance(days, int) or not 1 <= days <= 365:
            raise CareError("cadence")
    settings.put_json(SETTING_KEY, {**cadence(), **values})


def parse_cadence(text: str) -> dict[str, int]:
    """Days per care kind typed as numbers in :data:`KINDS` order (``7 14 14 14 30 30``),
    or as ``kind=days`` pairs; anything else is refused before anything is written."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    pairs = re.findall(r"([a-z_]+)\s*=\s*(\d+)", text)
    if pairs:
        values = {k: int(v) for k, v in pairs}
    else:
        numbers = re.findall(r"\d+", text)
        if len(numbers) != len(KINDS):
            raise CareError("cadence")
        values = dict(zip(KINDS, map(int, numbers), strict=True))
    for kind, days in values.items():
        if kind not in DEFAULT_CADENCE or not 1 <= days <= 365:
            raise CareError("cadence")
    return values


@dataclass
class CareRow:
    """One key-care resident with their visit status."""

    resident_id: str
    household_id: str
    building_id: str
    grid_id: str
    name: str
    age: int | None
    kinds: list[str]
    services: str
    place: str  # 12-3-402
    grid: str
    cadence: int
    last_visit: datetime | None  # local time
    due: date
    seen_in_round: bool = False
    round_visit: str = ""

    @property
    def days_overdue(self) -> int:
        """Days past the due date (negative: days left)."""
        return (clock.today() - self.due).days

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def _as_local(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return clock.local(value)


def _last_visits(resident_ids: list[str], household_ids: list[str],
                 round_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Latest visit per resident and per household (household visits with no resident)."""
    by_res = (Visit.select(Visit.resident, fn.MAX(Visit.visited_at))
              .where(Visit.resident.in_(resident_ids)).group_by(Visit.resident))
    by_hh = (Visit.select(Visit.household, fn.MAX(Visit.visited_at))
             .where(Visit.household.in_(household_ids) & Visit.resident.is_null())
             .group_by(Visit.household))
    if round_id:
        by_res = by_res.where(Visit.round == round_id)
        by_hh = by_hh.where(Visit.round == round_id)
    return dict(cast(Any, by_res.tuples())), dict(cast(Any, by_hh.tuples()))


def _flags(community_id: str, grid_id: str | None, kind: str | None,
           building_id: str | None) -> list[Any]:
    query = (CareFlag.select(CareFlag, Resident.name.alias("r_name"),
                             Resident.birth_date.alias("r_born"),
                             Resident.household.alias("hh_id"),
                             Household.room.alias("room"), Unit.number.alias("unit_no"),
                             Building.id.alias("b_id"), Building.number.alias("b_no"),
                             Grid.id.alias("g_id"), Grid.name.alias("g_name"))
             .join(Resident).join(Household).join(Building)
             .join(Grid, on=(Building.grid == Grid.id))
             .switch(Household).join(Unit, JOIN.LEFT_OUTER)
             .where((Building.community == community_id) & (CareFlag.deleted == False)  # noqa: E712
                    & (Resident.deleted == False) & (Resident.status == "present")))  # noqa: E712
    if grid_id:
        query = query.where(Building.grid == grid_id)
    if building_id:
        query = query.where(Building.id == building_id)
    if kind:
        query = query.where(CareFlag.kind == kind)
    return list(query.objects())


def _age(born: Any) -> int | None:
    if born is None:
        return None
    if isinstance(born, str):
        born = date.fromisoformat(born)
    today = clock.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _merge(flags: list[Any], days: dict[str, int]) -> dict[str, CareRow]:
    rows: dict[str, CareRow] = {}
    for f in flags:
        row = rows.get(f.resident_id)
        place = f"{f.b_no}-{f.unit_no}-{f.room}" if f.unit_no else f"{f.b_no}-{f.room}"
        since = f.since if isinstance(f.since, date) else clock.today()
        if row is None:
            rows[f.resident_id] = CareRow(
                f.resident_id, f.hh_id, f.b_id, f.g_id, f.r_name, _age(f.r_born), [f.kind],
                f.services, place, f.g_name, days.get(f.kind, 30), None, since)
            continue
        row.kinds.append(f.kind)
        row.cadence = min(row.cadence, days.get(f.kind, 30))
        row.services = ",".join(sorted({*row.services.split(","), *f.services.split(",")}
                                       - {""}))
    return rows


def care_rows(community_id: str, grid_id: str | None = None, kind: str | None = None,
              round_id: str | None = None, building_id: str | None = None) -> list[CareRow]:
    """Key-care residents, overdue first (most overdue on top), then by due date."""
    rows = _merge(_flags(community_id, grid_id, kind, building_id), cadence())
    res_ids, hh_ids = list(rows), list({r.household_id for r in rows.values()})
    by_res, by_hh = _last_visits(res_ids, hh_ids)
    for row in rows.values():
        candidates = [v for v in (by_res.get(row.resident_id), by_hh.get(row.household_id))
                      if v is not None]
        last = _as_local(max(candidates, key=str)) if candidates else None
        row.last_visit = last
        if last is not None:
            row.due = last.date() + timedelta(days=row.cadence)
    if round_id:
        seen_res, seen_hh = _last_visits(res_ids, hh_ids, round_id)
        for row in rows.values():
            seen = seen_res.get(row.resident_id) or seen_hh.get(row.household_id)
            row.seen_in_round = seen is not None
    return sorted(rows.values(), key=lambda r: (r.due, r.place, r.name))


def overdue_by_building(community_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """(key-care residents, overdue residents) per building id."""
    care: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for row in care_rows(community_id):
        care[row.building_id] = care.get(row.building_id, 0) + 1
        if row.overdue:
            overdue[row.building_id] = overdue.get(row.building_id, 0) + 1
    return care, overdue


@dataclass
class RoundView:
    """A named visit round and how far it has got."""

    id: str
    name: str
    starts_on: date
    ends_on: date | None
    seen: int = 0
    total: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def rounds(community_id: str) -> list[RoundView]:
    """Visit rounds, newest first."""
    query = (VisitRound.select()
             .where((VisitRound.community == community_id) & (VisitRound.deleted == False))  # noqa: E712
             .order_by(VisitRound.starts_on.desc(), VisitRound.name))
    return [RoundView(r.id, r.name, r.starts_on, r.ends_on) for r in query]


def round_progress(community_id: str, round_id: str) -> RoundView:
    row = VisitRound.get_by_id(round_id)
    people = care_rows(community_id, round_id=round_id)
    return RoundView(row.id, row.name, row.starts_on, row.ends_on,
                     sum(1 for p in people if p.seen_in_round), len(people))


def create_round(community_id: str, name: str, starts_on: date | None = None,
                 ends_on: date | None = None) -> str:
    """Open a named round (e.g. 春节走访); the name must be new."""
    name = name.strip()
    if not name:
        raise CareError("round_name")
    if any(r.name == name for r in rounds(community_id)):
        raise CareError("round_exists")
    with store.write() as tx:
        return tx.insert(VisitRound, community=community_id, name=name,
                         starts_on=starts_on or clock.today(), ends_on=ends_on)
