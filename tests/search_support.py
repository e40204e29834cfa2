"""A tiny community with hand-picked residents, for search tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from app import store
from models.places import Building, Community, Grid, Household, Resident, Unit


class Town:
    """Buildings, units and households made on demand; residents written like a service."""

    def __init__(self) -> None:
        self.community = "community-test"
        with store.write() as tx:
            tx.insert(Community, id=self.community, name="测试社区")
            self.grid = tx.insert(Grid, community=self.community, number=1, name="第1网格")
        self.buildings: dict[str, str] = {}
        self.units: dict[tuple[str, int], str] = {}
        self.households: dict[tuple[str, int, str], str] = {}

    def household(self, building: str, unit: int, room: str) -> str:
        key = (building, unit, room)
        if key in self.households:
            return self.households[key]
        with store.write() as tx:
            if building not in self.buildings:
                self.buildings[building] = tx.insert(
                    Building, community=self.community, grid=self.grid, number=building,
                    name=f"{building}栋", address=f"测试路{building}栋")
            b = self.buildings[building]
            if (building, unit) not in self.units:
                self.units[(building, unit)] = tx.insert(Unit, building=b, number=unit)
            self.households[key] = tx.insert(Household, building=b,
                                             unit=self.units[(building, unit)], room=room)
        return self.households[key]

    def resident(self, name: str, place: str = "1-1-101", phone: str = "",
                 id_number: str = "", born: date | None = None, **more: Any) -> str:
        building, unit, room = place.split("-")
        hh = self.household(building, int(unit), room)
        with store.write() as tx:
            return tx.insert(Resident, household=hh, name=name, phone=phone,
                             id_number=id_number, birth_date=born or date(1960, 1, 1),
                             relation=more.pop("relation", "head"), **more)
