"""Paged read views of cases for the cases screen (lists load only what is visible)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import Case as SqlCase

from app import clock
from app.services.places import OPEN_STATES
from models.cases import Case
from models.places import Grid

_COLOUR_RANK = SqlCase(Case.colour, (("red", 0), ("yellow", 1), ("green", 2)), 3)


@dataclass
class CaseRow:
    id: str
    number: str
    colour: str
    level: str
    grid: str
    category: str
    subcategory: str
    state: str
    received_at: datetime
    due_resolution: datetime | None
    handler: str
    description: str

    def time_left(self) -> float | None:
        """Hours until the resolution deadline (negative when overdue)."""
        if self.due_resolution is None:
            return None
        due = clock.local(self.due_resolution)
        return (due - clock.now()).total_seconds() / 3600


def _open_query(community_id: str):  # type: ignore[no-untyped-def]
    return (Case.select(Case, Grid.name.alias("grid_name")).join(Grid)
            .where((Case.community == community_id) & Case.state.in_(OPEN_STATES)
                   & (Case.deleted == False)))  # noqa: E712


def count_open(community_id: str) -> int:
    return _open_query(community_id).count()


def open_page(community_id: str, offset: int, limit: int) -> list[CaseRow]:
    """Open cases, red first, then by time left."""
    query = (_open_query(community_id)
             .order_by(_COLOUR_RANK, Case.due_resolution, Case.number)
             .offset(offset).limit(limit).objects())
    return [CaseRow(c.id, c.number, c.colour, c.level, c.grid_name, c.category,
                    c.subcategory, c.state, c.received_at, c.due_resolution, c.handler,
                    c.description) for c in query]
