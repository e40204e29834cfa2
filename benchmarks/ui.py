"""UI latencies through Textual's own test driver (headless Pilot).

A key is put straight into the app's message queue (the moment it "enters the app"),
then the clock runs until the app has handled it: the app and every widget of the
screen drained again and again until one whole round finds every queue empty (a key
travels app → screen → focused widget → its parents, one queue at a time), every
worker finished (queries moved off the UI thread count), and the screen repainted.
``tests/test_bench_ui.py`` proves a handler's own time lands inside the figure.

(Until issue 16 the key went through the driver, which schedules it on the loop: the
wait could finish before the key reached the app, and its work landed in the next
sample.) Pilot's own idle sleeps are left out: the figure is the app's work.
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
    app.post_message(event)  # in the app's queue now: the clock that started is fair


def _pending(app: App[Any]) -> bool:
    """True while the app or a widget of its current screen has messages queued."""
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(not node._message_queue.empty() for node in nodes)


async def drain(app: App[Any], pilot: Pilot[Any], timeout: float = 10.0) -> None:
    """Process messages until a whole round leaves every queue empty."""
    deadline = time.perf_counter() + timeout
    while True:
        await pilot._wait_for_screen(timeout)
        if not _pending(app):
            return
        if time.perf_counter() > deadline:
            raise Stuck(f"messages still queued after {timeout:.0f} s")


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
    await drain(app, pilot, timeout)
    while app.workers and any(w.is_running for w in app.workers):
        await app.workers.wait_for_complete()
        await drain(app, pilot, timeout)
    app.screen._on_timer_update()  # the repaint, inside the figure


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
