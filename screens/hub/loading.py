"""What both street-desk screens share: the hub is read in a thread worker, the table
shows a loading state meanwhile, and a failed query is a message, not a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from app.i18n import t
from app.services.hub import desk
from screens.base import MulinScreen


class HubScreen(MulinScreen):
    """A street-desk screen: ``fetch`` runs in a worker, ``show`` draws its answer."""

    TITLE_ID = ""

    def fetch(self) -> Any:
        """Read what the screen shows (worker thread; may raise ``desk.DeskError``)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Draw ``data`` (UI thread)."""

    def ready(self) -> Any:
        """What the screen shows if it has already been read (else None: ``fetch``)."""
        return None

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Shown (the first time too: one read, not one for mounting and one for showing)."""
        data = self.ready()
        if data is None:
            self.action_refresh()
        else:
            self.show(data)

    def action_refresh(self) -> None:
        self.query_one(DataTable).loading = True
        self.query_one(f"#{self.TITLE_ID}", Static).update(t("hub.desk.loading"))
        self._load()

    @work(thread=True, exclusive=True, group="hub-load", exit_on_error=False)
    def _load(self) -> None:
        self._in_worker(self.fetch, self._loaded)

    def _in_worker(self, job: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """``job()`` here, then ``then(answer)`` on the UI thread, or the failure shown."""
        try:
            answer = job()
        except desk.DeskError as exc:
            reason = str(exc)
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.failed, reason)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(then, answer)

    def _loaded(self, data: Any) -> None:
        self.query_one(DataTable).loading = False
        self.show(data)

    def failed(self, reason: str) -> None:
        self.query_one(DataTable).loading = False
        self.query_one(f"#{self.TITLE_ID}", Static).update(reason)
        self.notify(reason, severity="error", timeout=8)
