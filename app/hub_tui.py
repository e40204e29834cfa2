"""The street office's Textual App (``mulin hub``): wiring only — modes and keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import App
from textual.screen import Screen

from app import i18n, keymap
from app.i18n import t
from screens.dialogs import ConfirmDialog
from screens.help import HelpScreen
from screens.hub.communities import CommunitiesScreen
from screens.hub.queue import StreetQueueScreen

keymap.define("hub.communities", "f2", "app.switch_mode('communities')")
keymap.define("hub.queue", "f3", "app.switch_mode('queue')")


@keymap.bound
class HubApp(App[None]):
    """睦邻 Mulin — the street office's desk over the hub's PostgreSQL."""

    CSS_PATH = "../screens/app.tcss"
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {  # type: ignore[assignment]
        "communities": CommunitiesScreen, "queue": StreetQueueScreen}
    DEFAULT_MODE = "communities"
    KEYS = ("hub.communities", "hub.queue", "app.help", "app.quit", "app.quit_now",
            "app.palette")

    def __init__(self, prefixes: str = "", operator: str = "") -> None:
        keymap.refresh()
        super().__init__()
        self.operator_name = operator or t("hub.street.office")
        self.summary = {"community": t("hub.desk.street"), "station": t("hub.desk.station"),
                        "prefix": prefixes}

    def on_mount(self) -> None:
        self.title = i18n.t("app.title")

    def sync_state(self) -> int:
        return 0

    @property
    def community_id(self) -> str:
        return ""

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_confirm_quit(self) -> None:
        self.push_screen(ConfirmDialog(i18n.t("app.quit_question")),
                         lambda yes: self.exit() if yes else None)
