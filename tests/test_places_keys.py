"""Keys of the places screens a person uses and no other test drove: editing a resident,
the key-care filters (g, t), the map's zoom (z) and moving a building on it (m)."""

from __future__ import annotations

from textual.widgets import Input

from app.config import Paths
from app.i18n import t
from app.services.places import care
from app.services.places import views as places
from app.tui import MulinApp
from models.places import Resident
from screens.widgets.virtual_table import VirtualTable
from tests.test_places_tui import _rows, open_building
from tests.tui_support import notices, shows


async def test_edit_a_resident_from_the_ledger(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_building(pilot, "12")
        await pilot.press("2")  # the residents
        await pilot.pause()
        row = app.screen.query_one(VirtualTable).current_row
        assert row is not None
        before = Resident.get_by_id(row.key)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#f-name", Input).value == before.name
        await pilot.press("ctrl+u", *"李改名", "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "LedgerScreen"
        assert any(r.key == row.key and r.cells[1] == "李改名" for r in _rows(app.screen))
    after = Resident.get_by_id(row.key)
    assert after.name == "李改名" and after.name_initials == "lgm"
    assert (after.id_number, after.phone, after.household_id) == \
        (before.id_number, before.phone, before.household_id)


async def test_care_list_filters_by_grid_and_by_kind(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        everyone = list(app.screen.rows)
        first_grid = places.grids(app.community_id)[0]
        await pilot.press("g")
        await pilot.pause()
        in_grid = app.screen.rows
        assert in_grid and len(in_grid) < len(everyone)
        assert {r.grid_id for r in in_grid} == {first_grid.id}
        assert shows(app, t("care.summary", n=len(in_grid),
                            overdue=sum(r.overdue for r in in_grid),
                            grid=first_grid.name, kind=t("care.all")))
        await pilot.press("t")
        await pilot.pause()
        kind = care.KINDS[0]
        both = app.screen.rows
        assert all(kind in r.kinds and r.grid_id == first_grid.id for r in both)
        assert {r.resident_id for r in both} == \
            {r.resident_id for r in in_grid if kind in r.kinds}
        assert shows(app, t(f"care.kind.{kind}"))
        await pilot.press(*["g"] * len(places.grids(app.community_id)))  # back to all grids
        await pilot.pause()
        assert {r.resident_id for r in app.screen.rows} == \
            {r.resident_id for r in everyone if kind in r.kinds}


def _grid_names_shown(app: MulinApp) -> int:
    return sum(shows(app, g.name) for g in places.grids(app.community_id))


async def test_z_zooms_the_map_on_the_grid_and_back(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert not app.screen.zoomed  # the whole community fits at 160 columns
        whole = _grid_names_shown(app)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.zoomed
        assert _grid_names_shown(app) < whole
        current = app.screen.current_grid()
        assert shows(app, next(g.name for g in places.grids(app.community_id)
                               if g.id == current.id))
        await pilot.press("z")
        await pilot.pause()
        assert _grid_names_shown(app) == whole


async def test_m_moves_a_building_on_the_map_and_enter_keeps_it(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        data = places.map_data(app.community_id)
        b = next(x for x in data.buildings if x.id == app.screen.selected)
        grid = next(g for g in data.grids if g.id == b.grid_id)
        key, dx = ("l", 1) if b.x + 1 < grid.x + grid.w else ("h", -1)
        await pilot.press("m", key)
        await pilot.pause()
        assert t("map.moving_start") in notices(app)
        unchanged = places.map_data(app.community_id)
        assert next(x.x for x in unchanged.buildings if x.id == b.id) == b.x  # not yet
        await pilot.press("enter")
        await pilot.pause()
        moved = next(x for x in places.map_data(app.community_id).buildings if x.id == b.id)
        assert (moved.x, moved.y) == (b.x + dx, b.y)
        assert app.current_mode == "map"  # Enter saved the move, it did not open a ledger
        assert t("map.saved") in notices(app)
        await pilot.press("m", key, "escape")  # a second move, cancelled
        await pilot.pause()
    again = next(x for x in places.map_data(app.community_id).buildings if x.id == b.id)
    assert (again.x, again.y) == (b.x + dx, b.y)
