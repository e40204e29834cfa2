"""The lock wins over everything: Ctrl+L and the idle timer from inside intake (F9), the
find box (Ctrl+F), a dropdown and a text area; the typed text survives an unlock; a
shift change at the lock discards the open dialog only after a confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from app import clock
from app.config import LocalSettings, Paths
from app.tui import MulinApp
from screens.dialogs import ConfirmDialog
from screens.search.find import SearchScreen
from screens.trust.lock import LockScreen
from tests.trust_support import add_staff, nobody, sign_in  # noqa: F401

pytestmark = pytest.mark.usefixtures("nobody")  # nobody signed in before and after


async def _lock_and_unlock(pilot: Pilot[None], secret: str, pin: str = "1111") -> None:
    app = pilot.app
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, LockScreen)
    assert secret not in app.export_screenshot()  # nothing of the dialog shows
    await pilot.press(*pin, "enter")
    await pilot.pause()
    assert not isinstance(app.screen, LockScreen)


async def test_ctrl_l_locks_from_dialogs_dropdowns_and_text_areas(
        hubin: Paths, fixed_clock: clock.FixedClock) -> None:
    add_staff("duty")
    app = MulinApp(LocalSettings(lock_minutes=5))
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 1, "1111")  # 值班员 (admin first, then duty)
        # intake: typed text kept, the PIN does not land in the form
        await pilot.press("f9", "tab", "tab", *"楼道漏水")
        await pilot.pause()
        field = app.screen.focused
        assert isinstance(field, Input) and field.value == "楼道漏水"
        await _lock_and_unlock(pilot, "楼道漏水")
        assert app.screen.focused is field and field.value == "楼道漏水"
        # the idle timer locks a dialog too
        fixed_clock.advance(timedelta(minutes=6))
        assert app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        assert field.value == "楼道漏水"
        # a dropdown (intake's colour Select, after category, description and dispatch)
        await pilot.press("tab", "tab", "tab", "tab", "enter")
        await pilot.pause()
        select = app.screen.focused.parent if app.screen.focused else None
        assert isinstance(select, Select) and select.expanded
        await _lock_and_unlock(pilot, "楼道漏水")
        await pilot.press("escape", "escape")
        await pilot.pause()
        # the find box
        await pilot.press("ctrl+f", *"王秀")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await _lock_and_unlock(pilot, "王秀兰")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == "王秀"
        await pilot.press("escape")
        # a text area (the handover note)
        await pilot.press("f8", "e", *"交班说明")
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        await _lock_and_unlock(pilot, "交班说明")
        assert area.text.endswith("交班说明") and "1111" not in area.text


async def test_switching_operator_at_the_lock_discards_the_dialog_after_confirming(
        hubin: Paths) -> None:
    add_staff("duty")
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 1, "1111")
        desk = app.screen
        await pilot.press("f9", "tab", "tab", *"楼道漏水", "ctrl+l")
        await pilot.pause()
        await pilot.press("up", *"0000", "enter")  # 书记 takes over
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: still locked, still 值班员's session
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and app.operator_name == "值班员"
        await pilot.press("up", *"0000", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.operator_name == "书记"
        assert app.screen is not desk or len(app.screen_stack) == 1
        assert "楼道漏水" not in app.export_screenshot()
        assert len(app.screen_stack) == 1
