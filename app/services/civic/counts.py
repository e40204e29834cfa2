"""The 民生清单 funnel for the dashboard and the ledger: opinions collected → items they
became → items done, for the community, per grid and per building.

An item counts for every grid (building) one of its opinions came from, or for its own
grid (building) when it has no opinions yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from models.places import Building, Grid
from models.visits import LivelihoodItem, LivelihoodLink, Opinion


@dataclass
class Funnel:
    key: str  # grid name, building number, or "" for the community
    short: str = ""  # grid number, building number
    opinions: int = 0
    items: int = 0
    done: int = 0


def _live_items(community_id: str) -> dict[str, tuple[str | None, str | None, str]]:
    return {i.id: (i.grid_id, i.building_id, i.status) for i in LivelihoodItem.select(
        LivelihoodItem.id, LivelihoodItem.grid, LivelihoodItem.building,
        LivelihoodItem.status).where((LivelihoodItem.community == community_id)
                                     & (LivelihoodItem.deleted == False))}  # noqa: E712


def _places(community_id: str, by: str) -> tuple[dict[str, int], dict[str, set[str]]]:
    """(opinions per place, items per place) with place = grid or building id."""
    column = Opinion.grid if by == "grid" else Opinion.building
    per_place: dict[str, int] = defaultdict(int)
    items: dict[str, set[str]] = defaultdict(set)
    live = _live_items(community_id)
    for place, in cast(Any, Opinion.select(column).where((Opinion.community == community_id)
                                               & (Opinion.deleted == False)).tuples()):  # noqa: E712
        per_place[place or ""] += 1
    rows = (LivelihoodLink.select(LivelihoodLink.item, column).join(Opinion)
            .where((Opinion.community == community_id) & (Opinion.deleted == False)  # noqa: E712
                   & (LivelihoodLink.deleted == False)).tuples())  # noqa: E712
    for item_id, place in cast(Any, rows):
        if item_id in live:
            items[place or ""].add(item_id)
    held = {i for ids in items.values() for i in ids}
    for item_id, (grid, building, _status) in live.items():
        if item_id not in held:
            items[(grid if by == "grid" else building) or ""].add(item_id)
    return per_place, items


def total(community_id: str) -> Funnel:
    live = _live_items(community_id)
    opinions = Opinion.select().where((Opinion.community == community_id)
                                      & (Opinion.deleted == False)).count()  # noqa: E712
    return Funnel("", "", opinions, len(live), sum(s == "done" for *_x, s in live.values()))


def by_place(community_id: str, by: str = "grid") -> list[Funnel]:
    """One funnel per grid (``by="grid"``) or building (``"building"``), in their order."""
    per_place, items = _places(community_id, by)
    live = _live_items(community_id)
    if by == "grid":
        names = [(g.id, g.name, str(g.number)) for g in Grid.select().where(
            (Grid.community == community_id) & (Grid.deleted == False)).order_by(Grid.number)]  # noqa: E712
    else:
        names = [(b.id, b.number, b.number) for b in Building.select().where(
            (Building.community == community_id) & (Building.deleted == False))  # noqa: E712
            .order_by(Building.number)]
    out = []
    for place_id, name, short in names:
        held = items.get(place_id, set())
        done = sum(live[i][2] == "done" for i in held)
        if per_place.get(place_id) or held:
            out.append(Funnel(str(name), short, per_place.get(place_id, 0), len(held), done))
    return out
