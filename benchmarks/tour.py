"""Mulin's UI scenarios under Pilot: start, switch screens, open things, scroll, filter.

Everything is reached the way a user reaches it (the keymap's keys, the app's own
``open_building``), and whatever the app offers at run time is measured: a feature that has
not landed yet (a case detail view, a filter box) is reported as not available.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections import defaultdict
from functools import partial
from typing import Any

from benchmarks.ui import SIZE, Stuck, focused_input, send_key, settle, timed, type_text

#: What is typed into the cases filter: a case-number fragment, key by key.
FILTER_TEXT = "SA-2026"
SWITCH_ROUNDS = 3
#: PgDn presses per session: 16 pages of ~20 visible rows reach row ~320, past the list's
#: first 200-row page (screens/widgets/virtual_table.py PAGE), so a page fetch is timed.
PAGES = 16
BUILDINGS = 6
CASES_OPENED = 4


def first_key(binding_id: str) -> str:
    from app import keymap

    return keymap.KEYS[binding_id].key.split(",")[0]


def _gate_passed(app: Any) -> bool:
    from app.tui import TOP_LEVEL, screen_class

    return isinstance(app.screen, tuple(screen_class(m) for m in TOP_LEVEL))


async def pass_gate(app: Any, pilot: Any) -> None:
    """Sign in (issue 9) when the app opens on a sign-in screen: first operator, no PIN."""
    if _gate_passed(app):
        return
    try:
        operators = importlib.import_module("app.services.trust.operators")
        people = operators.list_operators()
        if people:
            operators.sign_in_as(people[0].id)
    except (ImportError, AttributeError):
        pass
    for _ in range(3):
        if _gate_passed(app):
            return
        app.screen.dismiss(True)
        await settle(app, pilot)


def make_app(settings: Any) -> Any:
    """A MulinApp; signed in as the first operator when the app takes one (issue 9)."""
    import inspect

    from app.tui import MulinApp

    if "operator" in inspect.signature(MulinApp).parameters:
        try:
            operators = importlib.import_module("app.services.trust.operators")
            people = operators.list_operators()
            if people:
                return MulinApp(settings, operator=people[0].id)
        except (ImportError, AttributeError):
            pass
    return MulinApp(settings)


def _on_mode(app: Any, mode: str) -> bool:
    from app.tui import screen_class

    screen = app.screen
    return bool(app.current_mode == mode and isinstance(screen, screen_class(mode))
                and screen.is_mounted)


async def _switch(app: Any, pilot: Any, mode: str) -> float:
    from app.tui import TOP_LEVEL

    key = first_key(TOP_LEVEL[mode][1])
    arrived = partial(_on_mode, app, mode)
    arrived.what = f"the {mode} screen after {key}"  # type: ignore[attr-defined]
    return await timed(app, pilot, partial(send_key, app, key), arrived)


async def _scroll(app: Any, pilot: Any, out: dict[str, list[float]]) -> None:
    for _ in range(PAGES):
        out["cases_scroll"].append(await timed(app, pilot, lambda: send_key(app, "pagedown")))


async def _open_cases(app: Any, pilot: Any, out: dict[str, list[float]]) -> None:
    """Enter on a case row should open its detail; back again untimed."""
    cases = app.screen
    for i in range(CASES_OPENED):
        await timed(app, pilot, lambda: send_key(app, "down"))
        try:
            out["case_open"].append(await timed(app, pilot, lambda: send_key(app, "enter"),
                                                lambda: app.screen is not cases))
        except Stuck:
            if i == 0:
                out.setdefault("case_open_missing", []).append(1.0)
            return
        for _ in range(3):
            if app.screen is cases:
                break
            send_key(app, "escape")
            await settle(app, pilot)
        if app.screen is not cases:
            return


async def _filter(app: Any, pilot: Any, out: dict[str, list[float]], rounds: int) -> None:
    """The cases list's live text filter (``/``, else ``f``), typed key by key and erased.

    Typed: "电梯" (each character as the input method commits it), then the first 8
    characters of a case number taken from the list, as a duty officer reads it out.
    """
    cases = app.screen
    texts = ["电梯", _number_fragment(app)]
    for binding in ("nav.search", "nav.filter"):
        out["filter_open"].append(await timed(app, pilot,
                                              partial(send_key, app, first_key(binding))))
        if focused_input(app) is not None and app.screen is cases:
            break
        await _back_to(app, pilot, cases)
    else:
        out.setdefault("filter_missing", []).append(1.0)
        return
    for _ in range(rounds):
        for text in texts:
            await type_text(app, pilot, text, out["filter_keystroke"])
    await _back_to(app, pilot, cases, leave_input=True)


def _number_fragment(app: Any) -> str:
    """The start of the case number on the cases list's current row ("SA-20261")."""
    from textual.css.query import NoMatches

    from screens.widgets.virtual_table import VirtualTable

    try:
        row = app.screen.query_one(VirtualTable).current_row
        number = next(str(c) for c in row.cells if "-" in str(c))
    except (NoMatches, AttributeError, StopIteration):  # no list, no row, or no number
        number = "SA-20261125"
    return number[:8]


async def _back_to(app: Any, pilot: Any, screen: Any, leave_input: bool = False) -> None:
    """Escape until ``screen`` is on top again (and, if asked, no input has focus)."""
    for _ in range(4):
        if app.screen is screen and not (leave_input and focused_input(app)):
            return
        send_key(app, "escape")
        await settle(app, pilot)


async def _ledgers(app: Any, pilot: Any, out: dict[str, list[float]],
                   buildings: list[str]) -> None:
    for building in buildings:
        await _switch(app, pilot, "map")
        out["ledger_open"].append(await timed(app, pilot, partial(app.open_building, building),
                                              partial(_on_mode, app, "ledger")))


async def session(settings: Any, buildings: list[str], out: dict[str, list[float]],
                  first: bool, keystroke_rounds: int) -> None:
    """One fresh app: start, first draw of the cases screen, then everything else."""
    from app.tui import TOP_LEVEL

    started = time.perf_counter()
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        out["pilot_start"].append(time.perf_counter() - started)
        if not buildings:
            return
        await pass_gate(app, pilot)
        out["cases_first_draw"].append(await _switch(app, pilot, "cases"))
        await _scroll(app, pilot, out)
        if first:
            await _open_cases(app, pilot, out)
            await _switch(app, pilot, "cases")
            await _filter(app, pilot, out, keystroke_rounds)
        for mode in TOP_LEVEL:
            if app.current_mode != mode:
                out["screen_first_visit"].append(await _switch(app, pilot, mode))
        for _ in range(SWITCH_ROUNDS):
            for mode in TOP_LEVEL:
                if app.current_mode != mode:
                    out["screen_switch"].append(await _switch(app, pilot, mode))
        await _ledgers(app, pilot, out, buildings)


def measure(settings: Any, community_id: str, repeats: int, keystroke_rounds: int,
            start_only: bool = False) -> dict[str, list[float]]:
    """Samples of every Mulin UI figure over ``repeats`` fresh app sessions."""
    import app.tui  # noqa: F401 - imported before any clock starts (start-up is timed apart)
    from app.services.places import views as places

    views = [] if start_only else places.buildings(community_id)
    step = max(1, len(views) // BUILDINGS)
    buildings = [b.id for b in views[::step]][:BUILDINGS]
    out: dict[str, list[float]] = defaultdict(list)
    for i in range(repeats):
        asyncio.run(session(settings, buildings, out, i == 0, keystroke_rounds))
    return dict(out)


async def bare_session(out: dict[str, list[float]], keystroke_rounds: int) -> None:
    """The reference: the bare app's start, mode switch and keystroke."""
    from benchmarks.bare import BareApp

    started = time.perf_counter()
    app = BareApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        out["pilot_start"].append(time.perf_counter() - started)
        screens: dict[str, Any] = {"one": app.screen}
        for _ in range(SWITCH_ROUNDS):
            for mode in ("two", "one"):
                out["screen_switch"].append(await _bare_switch(app, pilot, mode, screens))
        await _bare_switch(app, pilot, "input", screens)
        app.screen.query_one("#box").focus()
        await settle(app, pilot)
        for _ in range(keystroke_rounds):
            await type_text(app, pilot, FILTER_TEXT, out["keystroke"])


async def _bare_switch(app: Any, pilot: Any, mode: str, screens: dict[str, Any]) -> float:
    """Switch the bare app's mode; done when a new screen of that mode is up and drawn."""
    before = app.screen

    def arrived() -> bool:
        screen = app.screen
        if app.current_mode != mode or screen is before or not screen.is_mounted:
            return False
        screens.setdefault(mode, screen)
        return screens[mode] is screen

    return await timed(app, pilot, partial(app.switch_mode, mode), arrived)


def measure_bare(repeats: int, keystroke_rounds: int) -> dict[str, list[float]]:
    import benchmarks.bare  # noqa: F401 - as for Mulin: imports are not in the Pilot figure

    out: dict[str, list[float]] = defaultdict(list)
    for i in range(repeats):
        asyncio.run(bare_session(out, keystroke_rounds if i == 0 else 0))
    return dict(out)


async def visit_everything(app: Any) -> None:
    """The RSS tour: every top-level screen, a building ledger, scrolling the cases."""
    from app.tui import TOP_LEVEL

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pass_gate(app, pilot)
        sink: dict[str, list[float]] = defaultdict(list)
        for mode in TOP_LEVEL:
            await _switch(app, pilot, mode)
            if mode == "cases":
                await _scroll(app, pilot, sink)
        building = getattr(app, "selected_building", None)
        if building is None:
            from app.services.places import views as places

            views = places.buildings(app.community_id)
            building = views[0].id if views else None
        if building:
            await timed(app, pilot, lambda: app.open_building(building))
