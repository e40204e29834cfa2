"""Writing while another process holds the database's write lock (issue 18).

The screens reach the store's waiting machinery (:func:`app.store.immediate`) through
here: :func:`run_waiting` runs a write on a worker thread, with that thread's own
connection, asking ``waiter`` between tries whether to keep waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app import store
from app.store import DatabaseBusy, Waiter, is_busy
from models.db import db

__all__ = ["DatabaseBusy", "is_busy", "run_waiting", "tui_defaults"]

T = TypeVar("T")

#: A worker thread of the TUI waits at most this long for a busy database.
WORKER_PATIENCE_S = 600.0


def run_waiting(work: Callable[[], T], waiter: Waiter, try_ms: int = 300) -> T:
    """``work()`` on this (worker) thread, waiting while the database is busy."""
    with db.connection_context(), store.waiting(waiter, try_ms):
        return work()


def tui_defaults() -> None:
    """The TUI's threads: the UI thread gives up at once (a save then waits in a worker,
    see ``screens/busy.py``); background workers (sync, reports) wait quietly."""
    import threading

    def waiter(seconds: float) -> bool:
        on_ui = threading.current_thread() is threading.main_thread()
        return not on_ui and seconds < WORKER_PATIENCE_S

    store.set_default_wait(waiter, 300)
