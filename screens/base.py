"""What every Mulin screen shares: the header, the footer, help text, the community."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen

from app.i18n import t
from app.services.station.freshness import data_version
from screens.widgets.header import StationHeader
from screens.widgets.key_footer import KeyFooter


class MulinScreen(Screen[None]):
    """A top-level screen. Subclasses set ``NAME`` (catalog key ``screen.<NAME>``)."""

    NAME: ClassVar[str] = ""
    KEYS: ClassVar[tuple[str, ...]] = ()

    @property
    def mulin(self) -> Any:
        """The running MulinApp (typed loosely to keep screens free of app imports)."""
        return self.app

    @property
    def community_id(self) -> str:
        return str(self.mulin.community_id)

    def title_text(self) -> str:
        return t(f"screen.{self.NAME}")

    def help_text(self) -> str:
        return t(f"help.{self.NAME}")

    def compose(self) -> ComposeResult:
        yield StationHeader(self.title_text())
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def current_record(self) -> tuple[str, str] | None:
        """The record this screen is on, as ``(table, id)``, or None: Ctrl+Y (修改记录)
        opens its history. Screens with a current record override this."""
        return None

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once this screen is drawn and the app's first frame is on the
        terminal: a screen under the sign-in loads while the PIN is typed, not before the
        sign-in is shown (issue 16)."""
        defer = getattr(self.app, "defer_until_painted", None)
        if defer is None or not defer(callback):
            self.call_after_refresh(callback)

    def after_first_frame_only(self) -> bool:
        """True while this screen is under the sign-in of the app's first frame, not yet
        painted: what it shows can be built after that frame (:meth:`after_first_frame`)."""
        app = self.app
        return bool(getattr(app, "gate_first", False)) and not getattr(app, "painted", True)

    def on_mount(self) -> None:
        """Runs after the subclass's own ``on_mount`` (Textual walks the MRO): the data
        it just loaded is of this version."""
        self._seen_version = data_version()

    def stale(self) -> bool:
        """On resume: True (and remembered) when the data or the minute changed since
        this screen last loaded; a revisit of an unchanged station redraws nothing."""
        now = data_version()
        if now == getattr(self, "_seen_version", None):
            return False
        self._seen_version = now
        return True

    def refresh_header(self) -> None:
        for header in self.query(StationHeader):
            header.update_text()
