"""The desk's first frame is its sign-in, drawn before the station is opened (issue 16):
the names come from ``roster.peek``; the station opens right after; what is typed
meanwhile is kept; a station that cannot open ends the desk with its reason."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Static

from app.cli.errors import CliError
from app.config import LocalSettings, Paths
from app.services.station import identity
from app.services.trust import operators, roster
from app.tui import Opening, SignInFirstApp
from screens.places.map import MapScreen
from screens.trust.signin import SignInScreen
from tests.trust_support import add_staff, nobody  # noqa: F401

pytestmark = pytest.mark.usefixtures("nobody")  # nobody signed in before and after


@pytest.fixture
def staffed(hubin: Paths) -> Paths:
    add_staff("duty", "grid_worker")
    return hubin


def _app(paths: Paths, before_open: Callable[[SignInFirstApp], None] | None = None
         ) -> SignInFirstApp:
    lines = roster.peek(paths.database)
    assert lines is not None

    def open_station() -> None:
        if before_open:
            before_open(app)
        identity.open_station(paths)

    app = SignInFirstApp(LocalSettings(), Opening(lines, open_station))
    return app


def test_the_roster_is_the_sign_in_list_without_the_orm(staffed: Paths) -> None:
    assert roster.peek(staffed.database) == operators.list_operators()
    assert [o.name for o in operators.list_operators()] == ["书记", "网格员", "值班员"]


def test_a_station_the_roster_cannot_read_is_opened_first(hubin: Paths, tmp_path: Path
                                                         ) -> None:
    assert roster.peek(hubin.database) is None  # no operators: no sign-in at all
    add_staff()
    assert roster.peek(hubin.database) is not None
    assert roster.peek(tmp_path / "none.sqlite3") is None
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 200)
    assert roster.peek(tmp_path / "junk.sqlite3") is None  # also an encrypted file
    con = sqlite3.connect(hubin.database)
    con.execute("PRAGMA user_version = 1")  # needs a migration: opened first
    con.close()
    assert roster.peek(hubin.database) is None


async def test_sign_in_drawn_first_then_the_desk_under_it(staffed: Paths) -> None:
    seen: list[object] = []
    app = _app(staffed, lambda app: seen.append(app.screen))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = seen[0]
        assert isinstance(first, SignInScreen) and first.first_frame  # before opening
        assert isinstance(app.screen, SignInScreen) and not app.screen.first_frame
        await pilot.press("f3")  # screen switching is disabled behind the gate
        await pilot.press("down", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert app.operator_name == "网格员"
        assert app.current_mode == "map" and isinstance(app.screen, MapScreen)
        header = str(app.screen.query_one("#station-header", Static).render())
        assert "网格员" in header and "湖滨社区" in header


async def test_keys_typed_while_the_station_opens_are_kept(staffed: Paths) -> None:
    def typed_meanwhile(app: SignInFirstApp) -> None:
        for key, char in (("down", None), ("down", None), ("1", "1"), ("1", "1"),
                          ("1", "1"), ("1", "1"), ("enter", "\r")):
            app.post_message(events.Key(key, char))

    app = _app(staffed, typed_meanwhile)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.operator_name == "值班员"
        assert isinstance(app.screen, MapScreen)


async def test_keys_on_the_first_frame_are_carried_to_the_open_desk(staffed: Paths) -> None:
    def typed_first(app: SignInFirstApp) -> None:
        gate = app.first_gate
        gate.action_next_operator()
        gate.query_one("#gate-pin").insert_text_at_cursor("2222")  # type: ignore[attr-defined]
        gate.action_submit()  # Enter before the station was open: done once it is

    app = _app(staffed, typed_first)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.operator_name == "网格员"


async def test_a_station_that_cannot_open_ends_the_desk_with_its_reason(staffed: Paths
                                                                        ) -> None:
    def refuse(app: SignInFirstApp) -> None:
        raise CliError("数据库来自更新的版本")

    app = _app(staffed, refuse)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert isinstance(app.open_failure, CliError)
    assert operators.current() is None
