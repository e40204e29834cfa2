"""The sync screen's background work: progress, the closing notice, the backup before an
import, and the exchange with the street hub over HTTP (issue 15), falling back to the
sync folder when the hub cannot be reached. The screen and ``mulin sync http://…`` call
the same service, :mod:`app.services.hub.client`."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static

from app.i18n import t
from app.services.hub import client
from app.services.places import views as places
from app.services.station import waiting
from app.services.station.identity import station_summary
from app.services.sync import exchange
from screens.base import MulinScreen


class TextDialog(ModalScreen[str | None]):
    """Type one line (a hub address, a token); Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", t("keys.nav.back"))]

    def __init__(self, question: str, value: str, secret: bool = False) -> None:
        super().__init__()
        self.question, self.value, self.secret = question, value, secret

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question")
            yield Input(self.value, id="sync-text", password=self.secret,
                        placeholder="" if self.secret else "http://HOST:PORT")
            yield Static(t("sync.ui.hub_hint"), classes="help-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BundleWorkScreen(MulinScreen):
    """Workers that move bundles, and the hub exchange (``h``)."""

    busy = False
    hub_url = ""  # typed on the screen: kept for the rest of the session
    hub_token = ""

    def show(self) -> None:
        """Redraw after a sync (the sync screen draws its lists)."""

    # -- progress and the closing notice ----------------------------------------------
    def _start(self) -> None:
        self.busy = True
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.add_class("busy")
        bar.update(progress=0)

    def _progress(self, label: str, fraction: float) -> None:
        self.app.call_from_thread(self._show_progress, label, fraction)

    def _show_progress(self, label: str, fraction: float) -> None:
        self.query_one("#sync-progress", ProgressBar).update(progress=int(fraction * 100))
        self.query_one("#sync-detail", Static).update(label)

    def _finish(self, lines: list[str], error: bool = False) -> None:
        # an import may have brought the community itself (a freshly joined laptop)
        if hasattr(self.app, "summary"):
            self.mulin.summary = station_summary()
        if getattr(self.app, "community", True) is None:
            self.mulin.community = places.default_community()
        self.busy = False
        self.query_one("#sync-progress", ProgressBar).remove_class("busy")
        self.notify("\n".join(lines[:6]), severity="error" if error else "information",
                    timeout=8)
        self.show()

    def _summary(self, results: list[exchange.ImportResult]) -> tuple[list[str], bool]:
        lines: list[str] = []
        for r in results:
            lines.append(r.text())
            lines += [m.text() for m in r.missing] + [w.text() for w in r.skew]
            if r.duplicates:
                lines.append(t("sync.duplicates_found", n=r.duplicates))
        return lines or [t("sync.cli.nothing_new")], any(r.status == "refused" for r in results)

    def _waiter(self) -> Callable[[float], bool]:
        """A busy database (another program importing): say so once, keep waiting."""
        told: list[bool] = []

        def waiter(seconds: float) -> bool:
            if not told:
                told.append(True)
                self._progress(t("faults.tui.waiting"), 0.0)
            return seconds < waiting.WORKER_PATIENCE_S

        return waiter

    def _backed_up(self) -> bool:
        """Like ``mulin import``: a backup first; no backup, no import (worker thread)."""
        from app.services.trust import backup

        try:
            backup.before_import_here(self.mulin.settings.backup_keep)
        except (OSError, backup.BackupError) as exc:
            self.app.call_from_thread(
                self._finish, [t("trust.import_backup_failed", reason=str(exc))], True)
            return False
        return True

    # -- the street hub ----------------------------------------------------------------
    def action_sync_hub(self) -> None:
        """Ask the hub's address (settings' ``hub_url`` filled in), then the token when
        neither settings, ``MULIN_HUB_TOKEN`` nor this session have one, then sync."""
        if self.busy:
            self.notify(t("sync.ui.busy"), severity="warning")
            return
        settings = self.mulin.settings
        url = self.hub_url or settings.hub_url

        def got_url(answer: str | None) -> None:
            if not answer:
                return
            if not client.is_url(answer):
                self.notify(t("sync.ui.not_url", url=answer), severity="error")
                return
            self.hub_url = answer
            token = self.hub_token or client.resolve_token(None, settings.hub_token)
            if token:
                self._run_hub(answer, token)
                return
            self.app.push_screen(TextDialog(t("sync.ui.ask_token"), "", secret=True),
                                 got_token)

        def got_token(answer: str | None) -> None:
            if answer:
                self.hub_token = answer
                self._run_hub(self.hub_url, answer)

        self.app.push_screen(TextDialog(t("sync.ui.ask_hub"), url), got_url)

    def _fallback(self) -> str:
        return client.fallback_folder(None, self.mulin.settings.hub_fallback)

    @work(thread=True, exclusive=True, group="sync")
    def _run_hub(self, url: str, token: str) -> None:
        """``client.sync_or_fallback``: the function ``mulin sync http://…`` calls."""
        from app.services.trust.backup import BackupError

        self.app.call_from_thread(self._start)
        try:
            done = waiting.run_waiting(
                lambda: client.sync_or_fallback(url, token, self._fallback(), self._progress),
                self._waiter())
        except client.Unreachable as exc:
            self.app.call_from_thread(
                self._finish, [t("sync.ui.no_fallback", reason=str(exc))], True)
            return
        except BackupError as exc:
            self.app.call_from_thread(
                self._finish, [t("trust.import_backup_failed", reason=str(exc))], True)
            return
        except (client.Refused, OSError) as exc:
            self.app.call_from_thread(self._finish, [str(exc)], True)
            return
        lines, refused = self._hub_lines(url, done)
        self.app.call_from_thread(self._finish, lines, refused)

    def _hub_lines(self, url: str, done: client.HubExchange) -> tuple[list[str], bool]:
        if done.remote is not None:
            lines, refused = self._summary([r for r in done.remote.imports
                                            if r.status not in ("already", "own")])
            head = [t("hub.net.sent", url=url, n=done.remote.sent.changes),
                    t("hub.net.received", n=done.remote.received)]
            return head + [x for x in lines if x != t("sync.cli.nothing_new")], refused
        assert done.folder is not None
        lines, refused = self._summary([r for r in done.folder.imports
                                        if r.status not in ("already", "own")])
        return [done.fallback_reason, *lines], refused
