"""Read views of places for the map and the ledger: grids, buildings, households."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from peewee import JOIN, fn

from models.cases import Case
from models.places import Building, Community, Grid, Household, Resident

OPEN_STATES = ("received", "responded", "dispatched", "signed", "in_progress", "returned",
               "reopened", "mediation", "mediated")
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
    # Count only this community's buildings: a street station holds ten communities.
    mine = Household.building.in_(Building.select(Building.id).where(
        Building.community == community_id))
    hh = (Household.select(Household.building, fn.COUNT(Household.id).alias("n"))
          .where((Household.deleted == False) & mine).group_by(Household.building))  # noqa: E712
    res = (Resident.select(Household.building, fn.COUNT(Resident.id).alias("n"))
           .join(Household)
           .where((Resident.deleted == False) & (Resident.status == "present") & mine)  # noqa: E712
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


def count_households(building_id: str) -> int:
    return Household.select().where(
        (Household.building == building_id) & (Household.deleted == False)).count()  # noqa: E712


def households_page(building_id: str, offset: int, limit: int) -> list[HouseholdRow]:
    """Households of a building by unit and room, head first, phones as the operator's
    role may see them (:mod:`app.services.trust.masking`)."""
    from app.services.trust.masking import Scope, shown
    from models.places import Building, Unit

    building = Building.get_or_none(Building.id == building_id)
    scope = Scope(grid_id=building.grid_id if building else "")

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
                                shown("phone", h.phone, scope=scope), h.tags))
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


# the schematic map ---------------------------------------------------------
@dataclass
class GridRect:
    """A grid's rectangle on the community map."""

    id: str
    number: int
    name: str
    x: int
    y: int
    w: int
    h: int


@dataclass
class MapBuilding:
    """A building on the map with its badge and marks."""

    id: str
    number: str
    name: str
    grid_id: str
    x: int
    y: int
    colour: str = ""  # most urgent open case: red, yellow, green or ""
    care: int = 0  # key-care residents
    overdue: int = 0  # key-care residents overdue for a visit


@dataclass
class MapData:
    width: int
    height: int
    grids: list[GridRect]
    buildings: list[MapBuilding]


def map_data(community_id: str) -> MapData:
    """Grids, buildings, badges and marks of a community's schematic map."""
    from app.services.places import care

    c = Community.get_by_id(community_id)
    rects = [GridRect(g.id, g.number, g.name, g.map_x, g.map_y, g.map_w, g.map_h)
             for g in Grid.select().where((Grid.community == community_id)
                                          & (Grid.deleted == False)).order_by(Grid.number)]  # noqa: E712
    colours = _open_case_colours("building", community_id)
    cared, overdue = care.overdue_by_building(community_id)
    query = (Building.select().where((Building.community == community_id)
                                     & (Building.deleted == False))  # noqa: E712
             .order_by(fn.length(Building.number), Building.number))
    marks = [MapBuilding(b.id, b.number, b.name, b.grid_id, b.map_x, b.map_y,
                         next((k for k in COLOURS if colours.get(b.id, {}).get(k)), ""),
                         cared.get(b.id, 0), overdue.get(b.id, 0)) for b in query]
    width = max([c.map_width, *(r.x + r.w for r in rects), *(b.x + 4 for b in marks)])
    height = max([c.map_height, *(r.y + r.h for r in rects), *(b.y + 1 for b in marks)])
    return MapData(width, height, rects, marks)


class LayoutError(ValueError):
    """A building cannot be placed there (outside the map)."""


def move_building(building_id: str, x: int, y: int) -> None:
    """Store a building's new position on the map (a logged, stamped write)."""
    b = Building.get_by_id(building_id)
    c = Community.get_by_id(b.community_id)
    limit_w = max(c.map_width, *(g.map_x + g.map_w for g in Grid.select().where(
        Grid.community == c.id)))
    limit_h = max(c.map_height, *(g.map_y + g.map_h for g in Grid.select().where(
        Grid.community == c.id)))
    if not (0 <= x < limit_w and 0 <= y < limit_h):
        raise LayoutError(f"({x}, {y}) is outside the map {limit_w}x{limit_h}")
    from app import store

    with store.write() as tx:
        tx.update(Building, building_id, map_x=x, map_y=y)


def find_building(community_id: str, text: str) -> str | None:
    """A building by number (exact) or by name (exact, then contains)."""
    text = text.strip()
    if not text:
        return None
    alive = (Building.community == community_id) & (Building.deleted == False)  # noqa: E712
    for cond in (Building.number == text, Building.name == text,
                 Building.number == text.rstrip("栋号楼"), Building.name.contains(text)):
        row = Building.select(Building.id).where(alive & cond).order_by(
            fn.length(Building.number), Building.number).first()
        if row:
            return str(row.id)
    return None


@dataclass
class PanelInfo:
    """The side panel of the map for a grid or a building."""

    title: str
    chiefs: list[tuple[str, str]]  # (role kind, name)
    buildings: int
    households: int
    residents: int
    open_cases: dict[str, int]
    care: int
    overdue: int
    last_visit: datetime | None


def _chiefs(cond: Any, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    from models.people import Person, Role

    rows = (Role.select(Role.kind, Person.name).join(Person)
            .where(cond & Role.kind.in_(kinds) & (Role.deleted == False))  # noqa: E712
            .order_by(Role.kind, Person.name).tuples())
    return [(k, n) for k, n in cast(Any, rows)]


def grid_panel(community_id: str, grid_id: str, data: MapData) -> PanelInfo:
    from app.services.places import visits
    from models.people import Role

    g = Grid.get_by_id(grid_id)
    views = [b for b in buildings(community_id, grid_id)]
    marks = [b for b in data.buildings if b.grid_id == grid_id]
    return PanelInfo(g.name, _chiefs(Role.grid == grid_id, ("grid_chief", "grid_worker")),
                     len(views), sum(b.households for b in views),
                     sum(b.residents for b in views),
                     _open_case_colours("grid", community_id).get(grid_id, {}),
                     sum(b.care for b in marks), sum(b.overdue for b in marks),
                     visits.last_visit(grid_id=grid_id))


def building_panel(community_id: str, building_id: str, data: MapData) -> PanelInfo:
    from app.services.places import visits
    from models.people import Role
    from models.places import Unit

    b = Building.get_by_id(building_id)
    hoods = [u.neighborhood_id for u in Unit.select(Unit.neighborhood).where(
        (Unit.building == building_id) & Unit.neighborhood.is_null(False))]
    chiefs = _chiefs(Role.building == building_id, ("building_chief",))
    chiefs += _chiefs(Role.neighborhood.in_(hoods), ("neighborhood_chief",))
    mark = next((m for m in data.buildings if m.id == building_id), None)
    hh = count_households(building_id)
    people = (Resident.select().join(Household)
              .where((Household.building == building_id) & (Resident.deleted == False)  # noqa: E712
                     & (Resident.status == "present")).count())
    return PanelInfo(b.name or b.number, chiefs, 1, hh, people,
                     _open_case_colours("building", community_id).get(building_id, {}),
                     mark.care if mark else 0, mark.overdue if mark else 0,
                     visits.last_visit(building_id=building_id))


DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def nearest(marks: list[MapBuilding], current: MapBuilding, direction: str) -> MapBuilding | None:
    """The nearest building in a direction: ahead of the current one, closest by distance
    along the direction plus twice the sideways offset (so straight lines win)."""
    dx, dy = DIRECTIONS[direction]
    best: tuple[float, str, MapBuilding] | None = None
    for b in marks:
        ahead = (b.x - current.x) * dx + (b.y - current.y) * dy
        if b.id == current.id or ahead <= 0:
            continue
        side = abs((b.x - current.x) * dy) + abs((b.y - current.y) * dx)
        # a map row is about twice as tall as a column is wide on screen
        weight = 2.0 if dy == 0 else 1.0
        score = ahead * (1.0 if dx else 2.0) + side * weight * 2
        if best is None or (score, b.number) < best[:2]:
            best = (score, b.number, b)
    return best[2] if best else None
