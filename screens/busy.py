"""Saving while another program writes the database (an import, a sync): issue 18.

:func:`save` first tries the write at once. When another process holds the write lock
the write is retried in a thread worker while :class:`WaitDialog` says
"等待导入完成…" over the form; Esc stops waiting and leaves the form as it was, so
nothing typed is lost. The form's own ``done`` / ``refused`` callbacks run on the UI
thread either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from app.i18n import t
from app.services.station import waiting

T = TypeVar("T")

#: How often (ms) a waiting save tries the database again.
TRY_MS = 300


class WaitDialog(ModalScreen[None]):
    """'Waiting for the import to finish…' — Esc stops waiting."""

    BINDINGS = [Binding("escape", "stop", show=False)]

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("faults.tui.waiting"), id="wait-text", classes="dialog-question")
            yield Static(t("faults.tui.waiting_hint"), classes="form-hint")

    def action_stop(self) -> None:
        self.cancel.set()
        self.query_one("#wait-text", Static).update(t("faults.tui.stopping"))


def save(screen: Screen[Any], work: Callable[[], T], done: Callable[[T], object],
         refused: Callable[[Exception], bool] = lambda exc: False) -> None:
    """Run ``work`` (a service call that writes); ``done(result)`` when it is saved.

    ``refused(exc)`` handles the service's own refusals (return True when handled).
    """
    try:
        result = work()
    except waiting.DatabaseBusy:
        _wait(screen, work, done, refused)
        return
    except Exception as exc:
        if refused(exc):
            return
        raise
    done(result)


def _wait(screen: Screen[Any], work: Callable[[], T], done: Callable[[T], object],
          refused: Callable[[Exception], bool]) -> None:
    app = screen.app
    cancel = threading.Event()
    dialog = WaitDialog(cancel)
    app.push_screen(dialog)

    def finish(result: Any, error: Exception | None) -> None:
        if app.screen is dialog:
            app.pop_screen()
        if error is None:
            if app.screen is screen:
                done(result)
            else:
                app.notify(t("faults.tui.saved_later"))
        elif isinstance(error, waiting.DatabaseBusy):
            app.notify(t("faults.tui.not_saved"), severity="warning", timeout=10)
        elif not refused(error):
            app.notify(t("faults.tui.failed", detail=str(error)), severity="error")

    def run() -> None:
        try:
            result = waiting.run_waiting(work, lambda _s: not cancel.is_set(), TRY_MS)
        except Exception as exc:  # noqa: BLE001 - handed back to the UI thread
            app.call_from_thread(finish, None, exc)
            return
        app.call_from_thread(finish, result, None)

    screen.run_worker(run, thread=True, group="mulin-save", exit_on_error=False)
