"""What a search returns: hits grouped by kind, ranked in tiers, and what tells two
residents of the same name apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.services.search.query import Query

#: Hits shown per kind.
LIMIT = 30
KINDS = ("resident", "household", "building", "case", "mediation", "opinion")

# Rank tiers (lower is better).
EXACT, INITIALS, OTHER_READING, PREFIX, PARTIAL, WEAK = 0, 1, 2, 3, 4, 5


@dataclass
class Hit:
    """One found record: what to show and where Enter should go."""

    kind: str  # resident, household, building, case, mediation, opinion
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


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
