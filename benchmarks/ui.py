"""UI latencies through Textual's own test driver (headless Pilot).

A key is posted the way Pilot posts it, then the clock runs until the app has handled it:
every pending message of the app and its screen processed, every worker finished (queries
moved off the UI thread count), and the changed widgets drawn. Pilot's own idle sleeps are
left out so that the figure is the app's work, not the driver's.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets import Input

SIZE = (80, 24)


class Stuck(RuntimeError):
    """The app did not reach the awaited state in time."""


def send_key(app: App[Any], key: str) -> None:
    """Post one key press exactly as ``Pilot.press`` does, without its idle waits."""
    char: str | None
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def settle(app: App[Any], pilot: Pilot[Any], until: Callable[[], bool] | None = None,
                 timeout: float = 10.0) -> None:
    """Wait until the app has handled what was sent, then draw what changed."""
    deadline = time.perf_counter() + timeout
    if until is not None:
        while not until():
            if time.perf_counter() > deadline:
                raise Stuck(f"waited {timeout:.0f} s for {getattr(until, 'what', 'a screen')}"
                            f"; the app shows {type(app.screen).__name__} "
                            f"(mode {app.current_mode})")
            await asyncio.sleep(0)
    await pilot._wait_for_screen()
    if app.workers:
        await app.workers.wait_for_complete()
        await pilot._wait_for_screen()
    app.screen._on_timer_update()


async def timed(app: App[Any], pilot: Pilot[Any], act: Callable[[], Any],
                until: Callable[[], bool] | None = None) -> float:
    """Seconds from doing ``act`` to the app having handled and drawn it."""
    started = time.perf_counter()
    result = act()
    if isinstance(result, Awaitable):
        await result
    await settle(app, pilot, until)
    return time.perf_counter() - started


def focused_input(app: App[Any]) -> Input | None:
    focused = app.focused
    return focused if isinstance(focused, Input) else None


def key_name(char: str) -> str:
    """The Textual key name of a typed character ("-" -> "minus", "中" -> "中")."""
    return char if char.isalnum() else _character_to_key(char)


async def type_text(app: App[Any], pilot: Pilot[Any], text: str,
                    samples: list[float]) -> None:
    """Type ``text`` key by key, then erase it, timing every keystroke."""
    for char in text:
        samples.append(await timed(app, pilot, partial(send_key, app, key_name(char))))
    for _ in text:
        samples.append(await timed(app, pilot, lambda: send_key(app, "backspace")))
