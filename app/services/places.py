"""Read views of places for the map and the ledger: grids, buildings, households."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from peewee import JOIN, fn

from models.cases import Case
from models.places import Building, Community, Grid, Household, Resident

OPEN_STATES = ("received", "responded", "dispatched", "signed", "in_progress", "returned",
               "reopened", "mediation")
COLOURS = ("red", "yellow", "green")


@dataclass
class CommunityView:
    id: str
    name: str
    district: str
    street: str
    map_width: int
    map_height: int


@dataclass
class GridView:
    id: str
    number: int
    name: str
    buildings: int = 0
    households: int = 0
    residents: int = 0
    open_cases: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildingView:
    id: str
    number: str
    name: str
    grid_id: str
    grid_name: str
    households: int
    residents: int
    map_x: int
    map_y: int
    worst_colour: str = ""


def communities() -> list[CommunityView]:
    rows = Community.select().where(Community.deleted == False).order_by(Community.name)  # noqa: E712
    return [CommunityView(c.id, c.name, c.district, c.street, c.map_width, c.map_height)
            for c in rows]


def default_community() -> CommunityView | None:
    views = communities()
    return views[0] if views else None


def _open_case_colours(by: str, community_id: str) -> dict[str, dict[str, int]]:
    column = Case.grid if by == "grid" else Case.building
    query = (Case.select(column.alias("key"), Case.colour, fn.COUNT(Case.id).alias("n"))
             .where((Case.community == community_id) & Case.state.in_(OPEN_STATES)
                    & (Case.deleted == False))  # noqa: E712
             .group_by(column, Case.colour).tuples())
    out: dict[str, dict[str, int]] = {}
    rows: list[tuple[str, str, int]] = list(cast(Any, query))
    for key, colour, n in rows:
        out.setdefault(key, {})[colour] = n
    return out


def grids(community_id: str) -> list[GridView]:
    """Every grid with its counts and open cases by colour."""
    views = {g.id: GridView(g.id, g.number, g.name) for g in
             Grid.select().where((Grid.community == community_id) & (Grid.deleted == False))  # noqa: E712
             .order_by(Grid.number)}
    for b in buildings(community_id):
        view = views.get(b.grid_id)
        if view:
            view.buildings += 1
            view.households += b.households
            view.residents += b.residents
    for grid_id, colours in _open_case_colours("grid", community_id).items():
        if grid_id in views:
            views[grid_id].open_cases = colours
    return list(views.values())


def buildings(community_id: str, grid_id: str | None = None) -> list[BuildingView]:
    """Buildings with household and resident counts and their most urgent open case."""
    hh = (Household.select(Household.building, fn.COUNT(Household.id).alias("n"))
          .where(Household.deleted == False).group_by(Household.building))  # noqa: E712
    res = (Resident.select(Household.building, fn.COUNT(Resident.id).alias("n"))
           .join(Household)
           .where((Resident.deleted == False) & (Resident.status == "present"))  # noqa: E712
           .group_by(Household.building))
    hh_counts: dict[str, int] = dict(cast(Any, hh.tuples()))
    res_counts: dict[str, int] = dict(cast(Any, res.tuples()))
    colours = _open_case_colours("building", community_id)
    query = (Building.select(Building, Grid.name.alias("grid_name"))
             .join(Grid, JOIN.LEFT_OUTER)
             .where((Building.community == community_id) & (Building.deleted == False)))  # noqa: E712
    if grid_id:
        query = query.where(Building.grid == grid_id)
    out = []
    for b in query.order_by(fn.length(Building.number), Building.number).objects():
        worst = next((c for c in COLOURS if colours.get(b.id, {}).get(c)), "")
        out.append(BuildingView(b.id, b.number, b.name, b.grid_id, getattr(b, "grid_name", ""),
                                hh_counts.get(b.id, 0), res_counts.get(b.id, 0),
                                b.map_x, b.map_y, worst))
    return out


@dataclass
class HouseholdRow:
    id: str
    unit: int | None
    room: str
    head: str
    members: int
    phone: str
    tags: str


def mask_phone(phone: str) -> str:
    """138****5678: personal data is masked on screen unless asked for."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else phone


def count_households(building_id: str) -> int:
    return Household.select().where(
        (Household.building == building_id) & (Household.deleted == False)).count()  # noqa: E712


def households_page(building_id: str, offset: int, limit: int) -> list[HouseholdRow]:
    """Households of a building by unit and room, head first, phones masked."""
    from models.places import Unit

    rows = list(Household.select(Household, Unit.number.alias("unit_no"))
                .join(Unit, JOIN.LEFT_OUTER)
                .where((Household.building == building_id) & (Household.deleted == False))  # noqa: E712
                .order_by(Unit.number, fn.length(Household.room), Household.room)
                .offset(offset).limit(limit).objects())
    members: dict[str, list[Resident]] = {}
    for r in (Resident.select().where(Resident.household.in_([h.id for h in rows])
                                      & (Resident.deleted == False)  # noqa: E712
                                      & (Resident.status == "present"))):
        members.setdefault(r.household_id, []).append(r)
    out = []
    for h in rows:
        people = members.get(h.id, [])
        head = next((r.name for r in people if r.relation == "head"),
                    people[0].name if people else "")
        out.append(HouseholdRow(h.id, getattr(h, "unit_no", None), h.room, head, len(people),
                                mask_phone(h.phone), h.tags))
    return out


@dataclass
class BuildingHeader:
    id: str
    number: str
    address: str
    quarter: str
    units: int
    floors: int
    year_built: int | None
    property_company: str
    grid: str


def building_header(building_id: str) -> BuildingHeader:
    from models.places import Organization, Quarter

    b = Building.get_by_id(building_id)
    quarter = Quarter.get_or_none(Quarter.id == b.quarter_id)
    company = Organization.get_or_none(Organization.id == b.property_company_id)
    grid = Grid.get_by_id(b.grid_id)
    return BuildingHeader(b.id, b.number, b.address, quarter.name if quarter else "",
                          b.units, b.floors, b.year_built, company.name if company else "",
                          grid.name)
