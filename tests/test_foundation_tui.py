"""The app shell driven from the keyboard: every top-level screen, help, palette, quit."""

from __future__ import annotations

from app import keymap
from app.config import Paths
from app.i18n import t
from tests.tui_support import shows


async def test_every_top_level_screen_opens_from_its_key(hubin: Paths) -> None:
    from app.tui import TOP_LEVEL, MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for mode, (_cls, binding_id) in TOP_LEVEL.items():
            await pilot.press(keymap.KEYS[binding_id].key.split(",")[0])
            await pilot.pause()
            assert app.current_mode == mode
            header = str(app.screen.query_one("#station-header").render())
            assert t(f"screen.{mode}") in header and "湖滨社区" in header


async def test_help_shows_this_screens_keys_and_closes(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("f3")  # the building ledger: its own keys, not the map's
        await pilot.pause()
        ledger = app.screen
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        shown = keymap.describe(ledger.KEYS, app) + keymap.describe(app.KEYS, app)
        assert len(shown) > 10
        for key, label in shown:
            assert shows(app, key, label), (key, label)
        assert shows(app, t("screen.ledger"))
        assert not shows(app, t("keys.map.next_grid"))  # another screen's key
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is ledger


async def test_q_asks_before_quitting(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ != "ConfirmDialog"
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_english_interface(hubin: Paths) -> None:
    from app import i18n
    from app.tui import MulinApp

    i18n.set_lang("en")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.screen.query_one("#station-header").render())
        assert "Grid map" in header
        bindings = {b.binding.id: b.binding.description
                    for b in app.screen.active_bindings.values()}
        assert bindings.get("app.cases") == "Cases"


async def test_palette_lists_every_screen_and_the_screens_actions(hubin: Paths) -> None:
    from app.tui import TOP_LEVEL, MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for mode in TOP_LEVEL:
            assert t(f"palette.{mode}") in titles
        screen_bound = [a.binding.description for a in app.screen.active_bindings.values()
                        if a.binding.id and not a.binding.id.startswith("app.")
                        and a.binding.description]
        assert screen_bound and all(d in titles for d in screen_bound)
