"""Pilot: sign-in gate, idle lock on a fixed clock, role masking and audited reveal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from app import clock
from app.config import LocalSettings, Paths
from app.tui import MulinApp
from models.places import Resident
from screens.trust.lock import LockScreen
from screens.trust.signin import SignInScreen
from tests.trust_support import add_staff, nobody  # noqa: F401

pytestmark = pytest.mark.usefixtures("nobody")  # nobody signed in before and after


@pytest.fixture
def staffed(hubin: Paths) -> dict[str, str]:
    ids = add_staff("grid_worker")
    return {"admin": ids["admin"], "grid": ids["grid_worker"]}


def _text(app: MulinApp) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query(Static))


def _resident() -> Resident:
    return Resident.select().where(Resident.id_number != "").order_by(Resident.id).first()


async def test_station_without_operators_opens_straight_on_the_map(hubin: Paths) -> None:
    from screens.places.map import MapScreen

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "map" and isinstance(app.screen, MapScreen)
        header = str(app.screen.query_one("#station-header", Static).render())
        assert "网格地图" in header and "湖滨社区" in header and "未登录" in header
        assert app.screen.selected  # a building is highlighted, ready for the arrows


async def test_sign_in_with_pin_shows_operator_in_header(staffed: dict[str, str]) -> None:
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("f3")  # screen switching is disabled behind the gate
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("down", "1", "2", "3", "4", "enter")  # 书记 first; 网格员, wrong PIN
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and "还可再试 2 次" in _text(app)
        await pilot.press("2", "2", "2", "2", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SignInScreen)
        assert app.operator_name == "网格员"
        header = str(app.screen.query_one("#station-header", Static).render())
        assert "网格员" in header


async def test_idle_locks_and_the_lock_screen_shows_nothing_personal(
        staffed: dict[str, str], fixed_clock: clock.FixedClock) -> None:
    app = MulinApp(LocalSettings(lock_minutes=5), operator=staffed["grid"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        names = {r.name for r in Resident.select(Resident.name)}
        before = app.export_screenshot()
        assert any(name in before for name in names)  # the ledger shows residents
        fixed_clock.advance(timedelta(minutes=4))
        assert not app.lock_if_idle()
        await pilot.press("down")  # any key counts as activity
        fixed_clock.advance(timedelta(minutes=4))
        assert not app.lock_if_idle()
        fixed_clock.advance(timedelta(minutes=1, seconds=1))
        assert app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        after = app.export_screenshot()
        assert not any(name in after for name in names)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("2", "2", "2", "2", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)


async def test_ctrl_l_locks_and_shift_change_switches_operator(staffed: dict[str, str]) -> None:
    app = MulinApp(operator=staffed["grid"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("up", "0", "0", "0", "0", "enter")  # admins are listed first
        await pilot.pause()
        assert not isinstance(app.screen, SignInScreen)
        assert app.operator_name == "书记"
