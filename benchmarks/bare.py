"""The floor for any Textual program: a bare app that shows one line.

Run as ``python -m benchmarks.bare``; with ``MULIN_EXIT_AFTER_FIRST_FRAME=1`` it quits right
after its first frame, exactly like Mulin does, so both are timed the same way. It also has
two one-line modes (the reference for a screen switch) and an input (for a keystroke).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

EXIT_AFTER_FIRST_FRAME = "MULIN_EXIT_AFTER_FIRST_FRAME"


class OneLine(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Hello, neighbour.")


class WithInput(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Type:")
        yield Input(id="box")


class BareApp(App[None]):
    """One line of text; a second mode and an input for the UI references."""

    MODES: ClassVar[dict[str, type[Screen]]] = {  # type: ignore[assignment]
        "one": OneLine, "two": OneLine, "input": WithInput}
    DEFAULT_MODE = "one"

    def on_mount(self) -> None:
        if os.environ.get(EXIT_AFTER_FIRST_FRAME):
            self.call_after_refresh(_first_frame, self.exit)


def _first_frame(exit_app: Any) -> None:
    """As ``app.tui.first_frame_drawn`` (not imported: the bare app imports no Mulin)."""
    import time

    target = os.environ.get("MULIN_FIRST_FRAME_FILE")
    if target:
        with open(target, "w", encoding="ascii") as out:
            out.write(repr(time.time()))
    exit_app()


if __name__ == "__main__":
    BareApp().run()
