"""The search box driven from the keyboard (Hubin demo), the keymap and the help screen."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.widgets import Input, OptionList, Static

from app import keymap
from app.config import LocalSettings, Paths
from app.services.search import lookup as search
from screens.help import HelpScreen
from screens.search.find import SearchScreen
from screens.widgets.virtual_table import VirtualTable


async def _wait_results(pilot: Any, screen: SearchScreen) -> None:
    for _ in range(50):
        await pilot.pause(0.05)
        if screen.ready and screen.shown_generation == screen.generation:
            return
    raise AssertionError("no results")


def _screen_text(app: Any) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


def _ledger_cursor(app: Any) -> tuple[str, str]:
    screen = app.screen
    row = screen.query_one(VirtualTable).current_row
    return screen.building_id, row.key if row else ""


def _initials_with_two_people() -> tuple[str, list[search.Hit]]:
    for typed in ("wxl", "zxl", "lxl", "wjh", "zjh", "wl", "zl"):
        hits = [h for h in search.search(typed).hits if h.kind == "resident"]
        if len(hits) >= 2 and hits[0].building_id != hits[1].building_id:
            return typed, hits
    raise AssertionError("no initials shared by two residents")


async def test_initials_then_the_second_result_lands_on_that_household(hubin: Paths) -> None:
    from app.tui import MulinApp

    typed, hits = _initials_with_two_people()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*typed)
        await _wait_results(pilot, app.screen)
        await pilot.press("down", "enter")
        await pilot.pause(0.2)
        assert app.current_mode == "ledger"
        assert _ledger_cursor(app) == (hits[1].building_id, hits[1].household_id)
        header = str(app.screen.query_one("#ledger-header", Static).render())
        assert f"{hits[1].extra['info'].building}栋" in header


async def test_wxl_then_enter_puts_wang_xiulan_on_screen(hubin: Paths) -> None:
    """Typed as fast as a user types: Enter may come before the results."""
    from app.tui import MulinApp

    wang = next(h for h in search.search("王秀兰").hits if h.detail == "12-3-402")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", "w", "x", "l", "enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if app.current_mode == "ledger":
                break
        await pilot.pause(0.1)
        assert _ledger_cursor(app) == (wang.building_id, wang.household_id)
        row = app.screen.query_one(VirtualTable).current_row
        assert row is not None and "王秀兰" in [str(c) for c in row.cells]


async def test_a_door_and_its_building_number_narrow_to_one_household(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")  # a list without a search of its own: / is the global one
        await pilot.pause()
        await pilot.press("slash", *"402")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await _wait_results(pilot, screen)
        many = screen.query_one(OptionList).option_count
        await pilot.press("space", "1", "2")
        await _wait_results(pilot, screen)
        doors = [h.title for h in screen.hits.values() if h.kind == "household"]
        assert doors == ["12-1-402", "12-2-402", "12-3-402"][:len(doors)] and doors
        assert screen.query_one(OptionList).option_count < many


async def test_global_key_works_with_an_input_focused(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash")  # the map's own building prompt: an Input has focus
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)


async def test_stale_results_are_dropped(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press("w", "x", "l")
        await _wait_results(pilot, screen)
        old = search.search("王")
        screen.post_message(SearchScreen.Found(screen.generation - 1, old))
        await pilot.pause()
        assert screen.results is not None and screen.results.query.latin == "wxl"


async def test_user_keymap_overrides_keys_and_the_help_shows_them(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp(LocalSettings(keymap={"app.search": "ctrl+k", "no.such": "x"}))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+f")
            await pilot.pause()
            assert not isinstance(app.screen, SearchScreen)
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert isinstance(app.screen, SearchScreen)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = _screen_text(app)
            assert "^k" in text and "^f" not in text
            assert keymap.describe(("app.search",), app) == [("^k", "查找")]
    finally:
        keymap.apply(type("NoApp", (), {"set_keymap": lambda self, k: None})(), {})


def test_keymap_check_reports_unknown_ids() -> None:
    usable, bad = keymap.check({"nav.back": "Escape, Backspace", "nav": {"open": "o"},
                                "nope": "x", "nav.new": ""})
    assert usable == {"nav.back": "escape,backspace", "nav.open": "o"}
    assert sorted(bad) == ["nav.new", "nope"]


def test_results_snapshot(hubin: Paths, snap_compare: Any) -> None:
    from app.tui import MulinApp

    async def typed(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("ctrl+f", "w", "x", "l")
        await _wait_results(pilot, pilot.app.screen)
        await pilot.press("down")

    assert snap_compare(MulinApp(), run_before=typed, terminal_size=(80, 24))


async def _open_by_number(pilot: Any, app: Any, number: str) -> None:
    await pilot.pause()
    await pilot.press("ctrl+f", *number.lower())
    await _wait_results(pilot, app.screen)
    await pilot.press("enter")
    for _ in range(40):
        await pilot.pause(0.05)
        if not isinstance(app.screen, SearchScreen) and app.current_mode != "map":
            break
    await pilot.pause(0.1)


async def test_a_case_number_opens_that_case(hubin: Paths) -> None:
    from app.tui import MulinApp

    case = search.search("HB-2026").hits[3]
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_by_number(pilot, app, case.title)
        assert app.current_mode == "cases"
        assert type(app.screen).__name__ == "CaseDetailScreen"
        assert app.screen.case_id == case.id


async def test_a_mediation_number_opens_that_mediation(hubin: Paths) -> None:
    from app.tui import MulinApp

    mediation = search.search("HB-TJ").hits[1]
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_by_number(pilot, app, mediation.title)
        assert app.current_mode == "mediation"
        assert type(app.screen).__name__ == "MediationDetailScreen"
        assert app.screen.mediation_id == mediation.id
