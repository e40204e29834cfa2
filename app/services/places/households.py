"""Households 户: finding one by its address, and who heads it.

The one place that turns typed addresses (:mod:`app.services.places.address`) into
households, for the ledger's forms, visits and mediation's parties; and the one rule for
the head of a household (户主): the member present whose relation is ``head``, else the
first member present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from peewee import JOIN

from app.services.places.address import Address, door, parse_address, parse_flat
from app.validators import normalise
from models.places import Building, Household, Resident, Unit

T = TypeVar("T")


def _at(building_id: str, address: Address) -> Household | None:
    """The one live household at ``address`` in a building (None when none or several)."""
    query = (Household.select().join(Unit, JOIN.LEFT_OUTER)
             .where((Household.building == building_id) & (Household.room == address.room)
                    & (Household.deleted == False)))  # noqa: E712
    if address.unit is not None:
        query = query.where(Unit.number == address.unit)
    rows = list(query.limit(2))
    return rows[0] if len(rows) == 1 else None


def building_numbered(community_id: str, number: str) -> Building | None:
    """A live building of the community by its number (``13``, full-width digits too)."""
    return Building.get_or_none((Building.community == community_id)
                                & (Building.number == normalise(number))
                                & (Building.deleted == False))  # noqa: E712


def find_in_building(building_id: str, flat: str) -> Household | None:
    """The household at ``unit-room`` (or just ``room``) in a building."""
    address = parse_flat(flat)
    return _at(building_id, address) if address else None


def find_in_community(community_id: str, text: str) -> Household | None:
    """A household by ``building-unit-room`` (``13-1-502``, ``13栋1单元502``) or
    ``building-room``."""
    address = parse_address(text)
    if address is None or not (address.building and address.room):
        return None
    building = building_numbered(community_id, address.building)
    return _at(building.id, address) if building else None


def head_among(people: Sequence[T], relation: Callable[[T], str]) -> T | None:
    """The head among the members present: relation ``head``, else the first listed."""
    return next((p for p in people if relation(p) == "head"), people[0] if people else None)


def present_members(household_id: str) -> list[Resident]:
    return list(Resident.select().where((Resident.household == household_id)
                                        & (Resident.deleted == False)  # noqa: E712
                                        & (Resident.status == "present")))


def head_of(household_id: str) -> Resident | None:
    """The head of a household (户主), by :func:`head_among`."""
    return head_among(present_members(household_id), lambda r: str(r.relation))


def door_of(household: Any) -> str:
    """``12-3-402``: the household's building, unit and room."""
    building = Building.get_by_id(household.building_id)
    unit = Unit.get_or_none(Unit.id == household.unit_id) if household.unit_id else None
    return door(str(building.number), unit.number if unit else None, household.room)
