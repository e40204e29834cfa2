"""The header: community, station, operator, local clock, sync state."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from app import clock
from app.i18n import t


class StationHeader(Static):
    """One line at the top of every screen."""

    DEFAULT_CSS = """
    StationHeader { dock: top; height: 1; background: $primary; color: $text;
                    padding: 0 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__(id="station-header")
        self.screen_title = title

    def on_mount(self) -> None:
        self.update_text()
        self.set_interval(30, self.update_text)

    def update_text(self) -> None:
        app: Any = self.app
        summary = app.summary
        operator = getattr(app, "operator_name", "") or t("header.no_operator")
        pending = app.sync_state()
        sync = t("header.sync_pending", n=f"{pending:,}") if pending else t("header.sync_clean")
        now = clock.local(clock.now()).strftime("%m-%d %H:%M")
        self.update(t("header.line", title=self.screen_title, community=summary["community"],
                      station=summary["station"], prefix=summary["prefix"], operator=operator,
                      time=now, sync=sync))
