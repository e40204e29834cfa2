"""A grid's 网格长 and 网格员, set by the admin from the map (F2 → ``s``), refused to others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Paths
from app.i18n import t
from app.services.places import staffing
from app.services.places import views as places
from app.services.trust import operators, permissions
from models.people import Role
from models.sync import Change
from tests.trust_support import add_staff, sign_in
from tests.tui_support import notices, shows


@pytest.fixture(autouse=True)
def _nobody() -> Iterator[None]:
    operators.sign_out()
    yield
    operators.sign_out()


def _first_grid() -> str:
    community = places.default_community()
    assert community is not None
    return places.map_data(community.id).grids[0].id


def test_assign_is_logged_and_refused_to_others(hubin: Paths) -> None:
    grid = _first_grid()
    ids = add_staff("duty", "grid_worker", grid_id="")
    before = Change.select().count()
    roles_logged = Change.select().where(Change.table == "role").count()
    operators.sign_in_as(ids["duty"])
    with pytest.raises(permissions.Refused):
        staffing.assign(grid, "李四", "")
    assert Change.select().count() == before  # a refusal writes nothing
    operators.sign_in_as(ids["admin"])
    with pytest.raises(staffing.StaffError) as err:
        staffing.assign(grid, "李四、王五", "")
    assert err.value.errors == {"grid_chief": "one_chief"}
    staff = staffing.assign(grid, "李四", "网格员，赵六")
    assert (staff.chief, set(staff.workers)) == ("李四", {"网格员", "赵六"})
    assert operators.grid_of("网格员") == grid  # the operator now works this grid
    # one role per new name, stamped and logged like every write
    assert Change.select().where(Change.table == "role").count() >= roles_logged + 2
    assert Role.select().where((Role.grid == grid) & (Role.deleted == False)  # noqa: E712
                               & Role.kind.in_(staffing.KINDS)).count() == 3
    staffing.assign(grid, "李四", "赵六")  # the other worker leaves: a tombstone
    assert staffing.grid_staff(grid).workers == ("赵六",)
    assert operators.grid_of("网格员") == ""  # and no longer sees this grid in clear


async def test_admin_sets_the_grid_chief_from_the_map(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.places.grid_staff import GridStaffScreen

    add_staff("duty", "grid_worker")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, 2, "1111")  # duty staff: told why, no form
        await pilot.press("f2", "s")
        await pilot.pause()
        assert "值班" in notices(app) and "书记/管理员" in notices(app)
        assert not isinstance(app.screen, GridStaffScreen)
    operators.sign_out()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, 0, "0000")
        await pilot.press("f2", "s")
        await pilot.pause()
        grid = app.screen.grid_id
        await pilot.press("end", "ctrl+u", "李", "四", "comma", "王", "五", "enter")
        await pilot.pause()
        assert shows(app, t("places.err.one_chief"))  # refused: still open, text kept
        assert app.screen.value("grid_chief") == "李四,王五"
        await pilot.press("backspace", "backspace", "backspace", "ctrl+s")
        await pilot.pause()
        assert staffing.grid_staff(grid).chief == "李四"
        assert shows(app, "网格长: 李四") or shows(app, "网格长：李四")
