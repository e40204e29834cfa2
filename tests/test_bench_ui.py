"""The benchmark's keystroke figure contains the key's handler (issue 16).

A key whose handler sleeps 50 ms must measure at least 50 ms — for every key of a
burst, not only the first (the old driver path let a key's work fall into the next
sample) — and an ordinary key must measure far less.
"""

from __future__ import annotations

import asyncio
import time

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from benchmarks.ui import send_key, timed

SLOW = 0.05


class SlowInput(Input):
    def on_key(self, event: events.Key) -> None:
        if event.key == "x":
            time.sleep(SLOW)  # a deliberately slow handler


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield SlowInput(id="box")


async def _samples(keys: str) -> list[float]:
    app = Probe()
    out = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#box").focus()
        await pilot.pause()
        for key in keys:
            out.append(await timed(app, pilot, lambda k=key: send_key(app, k)))
        assert app.query_one(SlowInput).value == keys
    return out


def test_a_slow_handler_is_inside_every_keystroke_figure() -> None:
    slow = asyncio.run(_samples("xxxxx"))
    assert all(s >= SLOW for s in slow), slow


def test_a_quick_key_is_not_charged_for_the_slow_one() -> None:
    samples = asyncio.run(_samples("axaxa"))
    quick, slow = samples[0::2], samples[1::2]
    assert all(s >= SLOW for s in slow), samples
    assert min(quick) < SLOW, samples
