"""Each role at the desk, by keys from the sign-in: the ledger, the resident form (saved
back unchanged keeps the stored ID and phone) and the search results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input

from app.config import Paths
from app.services.places import views as places
from app.services.trust import operators
from app.tui import MulinApp
from models.places import Household, Resident
from screens.places.resident_form import ResidentFormScreen
from tests.trust_support import add_staff


@pytest.fixture(autouse=True)
def _nobody() -> Iterator[None]:
    operators.sign_out()
    yield
    operators.sign_out()


def _first_resident_on_the_ledger() -> tuple[Resident, str]:
    community = places.default_community()
    assert community is not None
    building = places.buildings(community.id)[0]
    from app.services.places import residents

    row = residents.residents_page(building.id, 0, 1)[0]
    return Resident.get_by_id(row.id), building.id


@pytest.mark.parametrize(("role", "downs", "pin", "phone_in_clear"),
                         [("duty", 2, "1111", False), ("grid_worker", 1, "2222", True),
                          ("admin", 0, "0000", False)])
async def test_what_each_role_sees_and_saves(hubin: Paths, role: str, downs: int, pin: str,
                                            phone_in_clear: bool) -> None:
    r, building_id = _first_resident_on_the_ledger()
    from models.places import Building

    grid = Building.get_by_id(building_id).grid_id
    add_staff("duty", "grid_worker", grid_id=grid)  # the grid worker works this grid
    r = Resident.get_by_id(r.id)
    assert r.id_number and r.phone
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*(["down"] * downs), *pin, "enter", "f3", "2")
        await pilot.pause()
        ledger = app.export_screenshot()
        assert r.name in ledger and r.id_number not in ledger
        assert (r.phone in ledger) is phone_in_clear
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResidentFormScreen)
        id_field = app.screen.query_one("#f-id_number", Input)
        phone_field = app.screen.query_one("#f-phone", Input)
        assert id_field.value == r.id_number[:6] + "********" + r.id_number[-4:]
        assert (phone_field.value == r.phone) is phone_in_clear
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ResidentFormScreen)  # saved
        saved = Resident.get_by_id(r.id)
        assert (saved.id_number, saved.phone) == (r.id_number, r.phone)
        await pilot.press("ctrl+f", *r.name)
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        found = app.export_screenshot()
        assert r.name in found and r.id_number not in found
        assert r.phone not in found  # search shows phones masked to every role
        assert Household.get_by_id(r.household_id)  # nothing else moved
