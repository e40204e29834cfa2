"""Ctrl+Y from every screen with a current record, driven by keys from the sign-in; the
admin's `r` reveals (logged), a grid worker's `r` is refused."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from app.config import Paths
from app.services.trust import operators
from app.tui import MulinApp
from models.operators import RevealLog
from screens.trust.history import HistoryScreen
from tests.trust_support import add_staff, nobody, sign_in  # noqa: F401

pytestmark = pytest.mark.usefixtures("nobody")  # nobody signed in before and after


async def _history_of(pilot: Pilot[None], *keys: str) -> tuple[str, str] | None:
    """Press ``keys`` then Ctrl+Y: the (table, id) the history opened on, then close it."""
    app = pilot.app
    await pilot.press(*keys)
    await pilot.pause()
    await pilot.press("ctrl+y")
    await pilot.pause()
    screen = app.screen
    if not isinstance(screen, HistoryScreen):
        return None
    await pilot.press("escape")
    await pilot.pause()
    return screen.table, screen.row_id


def _text(app: MulinApp) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query(Static))


async def test_ctrl_y_opens_the_history_of_the_record_on_every_screen(hubin: Paths) -> None:
    add_staff("grid_worker")
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 0, "0000")  # 书记
        assert (await _history_of(pilot, "f2"))[0] == "building"  # type: ignore[index]
        assert (await _history_of(pilot, "f3"))[0] == "household"  # type: ignore[index]
        assert (await _history_of(pilot, "2"))[0] == "resident"  # type: ignore[index]
        assert (await _history_of(pilot, "4"))[0] in ("visit", "building")  # type: ignore[index]
        case = await _history_of(pilot, "f4")
        assert case is not None and case[0] == "case"
        assert await _history_of(pilot, "enter") == case  # the case detail: same case
        await pilot.press("escape")
        mediation = await _history_of(pilot, "f5")
        assert mediation is not None and mediation[0] == "mediation"
        assert await _history_of(pilot, "enter") == mediation  # its detail: same record
        await pilot.press("escape")
        assert (await _history_of(pilot, "f6"))[0] == "resident"  # type: ignore[index]


async def test_admin_reveals_with_r_and_a_grid_worker_is_refused(hubin: Paths) -> None:
    add_staff("grid_worker")
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 1, "2222")  # 网格员
        await pilot.press("f3", "2", "ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        resident = app.screen.row_id
        await pilot.press("r")
        await pilot.pause()
        assert RevealLog.select().count() == 0
        assert any("网格员不能查看完整身份证号" in str(n.message) for n in app._notifications)
    operators.sign_out()
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 0, "0000")
        await pilot.press("f3", "2", "ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and app.screen.row_id == resident
        await pilot.press("r")
        await pilot.pause()
        logged = {(r.operator_name, r.row_id, r.field) for r in RevealLog.select()}
        assert ("书记", resident, "id_number") in logged
        assert "查看了" in _text(app)
