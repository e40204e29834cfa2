"""The one resident lookup (居民查找) behind every "who is it?" box.

Intake's reporter, mediation parties, visits and the Ctrl+F find box all ask
:func:`find_residents`, which answers from the same parser and index as find
(:mod:`app.services.search.lookup`): names, pinyin, initials, phone tails, and doors
written building-unit-room (``12-3-402`` finds unit 3 only).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.search import lookup
from models.places import Building, Household, Unit


@dataclass(frozen=True)
class ResidentChoice:
    """One resident as a picker shows it: name, full door, masked phone."""

    id: str
    name: str
    door: str  # 12-3-402
    phone: str  # masked
    building_id: str
    household_id: str

    @property
    def label(self) -> str:
        return "  ".join(p for p in (self.name, self.door, self.phone) if p)


def find_residents(text: str, limit: int = 8, can_see_ids: bool = False
                   ) -> list[ResidentChoice]:
    """Residents matching ``text``, best first (empty for an empty query)."""
    if not text.strip():
        return []
    results = lookup.search(text, can_see_ids, limit)
    out: list[ResidentChoice] = []
    for hit in results.hits:
        if hit.kind != "resident" or any(c.id == hit.id for c in out):
            continue
        info = hit.extra.get("info")
        phone = info.phone if info is not None else ""
        out.append(ResidentChoice(hit.id, hit.title, hit.detail, phone, hit.building_id,
                                  hit.household_id))
    return out[:limit]


def door_of(household_id: str) -> str:
    """A household's full door, building-unit-room: ``12-3-402``."""
    hh = Household.get_by_id(household_id)
    building = Building.get_by_id(hh.building_id)
    unit = Unit.get_or_none(Unit.id == hh.unit_id) if hh.unit_id else None
    return lookup.door(building.number, unit.number if unit else None, hh.room)


def find_door(text: str, building_id: str) -> str | None:
    """The household at a door typed in one building's form, by the same parser as find:
    ``12-3-402``, or within the building ``3-402`` / ``3单元402`` / ``402``; None unless
    exactly one household is there."""
    number = Building.get_by_id(building_id).number
    q = lookup.parse(text)
    address = q.address or (lookup.Address(room=q.digits) if q.digits else None)
    if address is None or not address.room:
        return None
    tries = []
    if not address.building or address.building == number:
        tries.append(lookup.Address(number, address.unit, address.room))
    if address.building and address.unit is None and address.building.isdigit():
        tries.append(lookup.Address(number, int(address.building), address.room))  # 3-402
    for door in tries:
        group = lookup.household_hits(door)
        found = [h.id for h in (group.hits if group else []) if h.building_id == building_id]
        if len(found) == 1:
            return found[0]
    return None

